package oruk_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"waymark/internal/directory"
	"waymark/internal/oruk"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

func benchAPI(b *testing.B, d sqlstore.Dialect) (*httptest.Server, *sqlstore.DirectoryStore) {
	db := sqlstoretest.Bench(b, d)
	store := sqlstore.NewDirectoryStore(db)
	api := oruk.NewAPI(store, postcodes(b), slog.New(slog.NewTextHandler(io.Discard, nil)), "")
	mux := http.NewServeMux()
	for p, h := range api.Routes() {
		mux.HandleFunc(p, h)
	}
	srv := httptest.NewServer(mux)
	b.Cleanup(srv.Close)
	return srv, store
}

// measure runs GETs of the paths in turn over HTTP on loopback, reporting
// requests per second and the median and 99th-percentile latency.
func measure(b *testing.B, srv *httptest.Server, paths []string) {
	client := srv.Client()
	lat := make([]time.Duration, 0, b.N)
	start := time.Now()
	for i := 0; b.Loop(); i++ {
		t := time.Now()
		resp, err := client.Get(srv.URL + paths[i%len(paths)])
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
		lat = append(lat, time.Since(t))
	}
	elapsed := time.Since(start)
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[(len(lat)-1)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkAPIServicesPage measures /api/oruk/services?per_page=50 over
// 100,000 services, across the first pages.
func BenchmarkAPIServicesPage(b *testing.B) {
	for _, d := range sqlstoretest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			srv, _ := benchAPI(b, d)
			measure(b, srv, []string{"/api/oruk/services?per_page=50", "/api/oruk/services?per_page=50&page=2",
				"/api/oruk/services?per_page=50&page=20", "/api/oruk/services?per_page=50&page=200"})
		})
	}
}

// BenchmarkAPIServiceByID measures the full nested /api/oruk/services/{id}.
func BenchmarkAPIServiceByID(b *testing.B) {
	for _, d := range sqlstoretest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			srv, store := benchAPI(b, d)
			ids, _, err := store.ListPublicServiceIDs(context.Background(), directory.ListFilter{Limit: 100, Offset: 5000})
			if err != nil {
				b.Fatal(err)
			}
			var paths []string
			for _, id := range ids {
				paths = append(paths, "/api/oruk/services/"+id)
			}
			measure(b, srv, paths)
		})
	}
}
