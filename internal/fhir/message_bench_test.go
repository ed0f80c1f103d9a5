package fhir_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"waymark/internal/casework"
	"waymark/internal/sqlstore/sqlstoretest"
)

// benchClients is how many clients post referrals at once.
const benchClients = 50

// BenchmarkProcessMessage50Clients posts b.N referral messages from 50
// concurrent clients through the whole FHIR API (bearer token, schema,
// rules, gp.Service, the database) on each database, half to the team's
// waiting list and half to a service with a GP pathway, each message
// with its own Bundle id and patient. It reports throughput and the 99th
// percentile latency. Run it with a count of messages, for example:
//
//	WAYMARK_TEST_POSTGRES=postgres://... go test -run '^$' -bench ProcessMessage -benchtime 2000x ./internal/fhir/
func BenchmarkProcessMessage50Clients(b *testing.B) {
	for _, d := range sqlstoretest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			f := newMsgFixture(b, sqlstoretest.Open(b, d))
			bodies := make([][]byte, b.N)
			for i := range bodies {
				service := ""
				if i%2 == 1 {
					service = f.pathway.ID
				}
				bodies[i] = referralBundle(b, fmt.Sprintf("bench-%d", i), practiceA, benchNHS(i), func(doc map[string]any) {
					if service != "" {
						entries(doc, "ServiceRequest")[0]["performer"] = []any{map[string]any{"reference": "HealthcareService/" + service}}
					}
				})
			}
			token := f.token(b, "systemA")
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchClients}}
			latencies := make([]time.Duration, b.N)
			var next atomic.Int64
			var failed atomic.Int64
			var firstRefusal atomic.Value
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for range benchClients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := int(next.Add(1)) - 1
						if i >= b.N {
							return
						}
						t0 := time.Now()
						var refusal []byte
						status := postTimedBody(client, f.srv.URL, token, bodies[i], &refusal)
						latencies[i] = time.Since(t0)
						if status != http.StatusOK {
							if failed.Add(1) == 1 {
								firstRefusal.Store(fmt.Sprintf("%d %s", status, refusal))
							}
						}
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			if n := failed.Load(); n > 0 {
				b.Fatalf("%d of %d messages were not taken; the first answer: %v", n, b.N, firstRefusal.Load())
			}
			slices.Sort(latencies)
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
			b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
		})
	}
}

// postTimedBody posts a message and returns the status (0 when the request
// failed), keeping the answer of a refusal in *refusal.
func postTimedBody(client *http.Client, base, token string, body []byte, refusal *[]byte) int {
	req, err := http.NewRequest("POST", base+"/fhir/R4/$process-message", bytes.NewReader(body))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/fhir+json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return 0
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK && refusal != nil {
		*refusal = b
	}
	return resp.StatusCode
}

// benchNHS is a valid NHS number of its own for message i: the first
// nine digits 600000000+2i (or the next, when no check digit fits).
func benchNHS(i int) string {
	for n := 600000000 + i*2; ; n++ {
		for check := 0; check <= 9; check++ {
			if s := fmt.Sprintf("%09d%d", n, check); casework.ValidNHSNumber(s) {
				return s
			}
		}
	}
}
