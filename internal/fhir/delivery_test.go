package fhir_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/fhir"
	"waymark/internal/gp"
	"waymark/internal/sqlstore"
)

// gpOutbox is the GP referral side of delivery as the contract gives it
// (gp.Service): outcomes due, marked sent or failed with a next try.
type gpOutbox struct {
	mu       sync.Mutex
	now      func() time.Time
	outcomes map[string]*queued
	referral gp.Referral
	letter   *casework.Letter
	readAs   []string // the actors that read the referral
}

type queued struct {
	gp.Outcome
	sent    bool
	retryAt time.Time
	why     string
}

func (g *gpOutbox) PendingOutcomes(ctx context.Context, limit int) ([]gp.Outcome, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []gp.Outcome
	for _, q := range g.outcomes {
		if !q.sent && !q.retryAt.After(g.now()) {
			out = append(out, q.Outcome)
		}
	}
	return out, nil
}

func (g *gpOutbox) MarkOutcomeSent(ctx context.Context, id string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.outcomes[id].sent = true
	return nil
}

func (g *gpOutbox) MarkOutcomeFailed(ctx context.Context, id, why string, retryAt time.Time) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.outcomes[id].why, g.outcomes[id].retryAt = why, retryAt
	return nil
}

func (g *gpOutbox) Referral(ctx context.Context, id string) (*gp.Referral, error) {
	a := waymark.ActorFrom(ctx)
	g.readAs = append(g.readAs, a.UserID)
	if id != g.referral.ID || !a.ActsFor(g.referral.PracticeODS) {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "Referral not found")
	}
	r := g.referral
	return &r, nil
}

func (g *gpOutbox) Letter(ctx context.Context, referralID string) (*casework.Letter, error) {
	if g.letter == nil {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "There is no discharge letter for this referral yet")
	}
	return g.letter, nil
}

// endpoint is a connected system's outcome endpoint that fails while
// failing is set, and keeps what it received.
type endpoint struct {
	*httptest.Server
	mu       sync.Mutex
	failing  bool
	received [][]byte
	tries    int
}

func newEndpoint(t *testing.T) *endpoint {
	e := &endpoint{}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.tries++
		if e.failing {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/fhir+json") {
			w.WriteHeader(http.StatusUnsupportedMediaType)
			return
		}
		b, _ := io.ReadAll(r.Body)
		e.received = append(e.received, b)
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(e.Close)
	return e
}

func deliveryFixture(t *testing.T, db *sqlstore.DB) (*fixture, *endpoint, *gpOutbox, *fhir.Deliverer, *fhir.System) {
	f := newFixture(t, db, fhir.Config{})
	ep := newEndpoint(t)
	good, _ := keys(t)
	sys, err := f.systems.Register(adminCtx, fhir.NewSystem{Name: "EMIS Web with an endpoint", PublicKey: publicPEM(t, good),
		Practices: "C81001", Endpoint: ep.URL + "/outcomes"})
	if err != nil {
		t.Fatal(err)
	}
	out := &gpOutbox{now: f.clock, outcomes: map[string]*queued{}, referral: gp.Referral{ID: "5f1d0c1e-8d4b-4a36-9a57-0e0f4c2b7a11",
		PracticeODS: "C81001", SystemID: sys.ID, TeamName: "Derbyshire Dales social prescribing", Status: gp.StatusAccepted,
		Patient: gp.Patient{NHSNumber: "9449306621", GivenName: "Ada", FamilyName: "Example"}, Created: testStart, Updated: testStart}}
	d := fhir.NewDeliverer(f.systems, out, fhir.DeliveryConfig{BaseURL: "https://waymark.test", Now: f.clock, AllowLoopback: true})
	return f, ep, out, d, sys
}

func TestAnOutcomeIsPostedToTheSystemsEndpointAndRetriedWithBackoffAfterItFails(t *testing.T) {
	directoryDB.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f, ep, out, d, sys := deliveryFixture(t, db)
		ctx := context.Background()
		out.outcomes["1b7e3f4a-0c55-4d2e-9f61-3a2b1c0d9e8f"] = &queued{Outcome: gp.Outcome{ID: "1b7e3f4a-0c55-4d2e-9f61-3a2b1c0d9e8f",
			ReferralID: out.referral.ID, PracticeODS: "C81001", SystemID: sys.ID, Status: gp.StatusAccepted, Created: testStart}}
		ep.failing = true
		if err := d.Deliver(ctx, f.clock()); err != nil {
			t.Fatal(err)
		}
		q := out.outcomes["1b7e3f4a-0c55-4d2e-9f61-3a2b1c0d9e8f"]
		if q.sent || q.why != "the endpoint answered 503 Service Unavailable" || !q.retryAt.Equal(f.clock().Add(time.Minute)) {
			t.Fatalf("after a failure: sent %v, why %q, retry at %v", q.sent, q.why, q.retryAt)
		}
		// Not due yet: nothing is sent.
		ep.failing = false
		d.Deliver(ctx, f.clock())
		if ep.tries != 1 {
			t.Errorf("the outcome was tried before its retry time: %d tries", ep.tries)
		}
		f.advance(time.Minute)
		if err := d.Deliver(ctx, f.clock()); err != nil {
			t.Fatal(err)
		}
		if !q.sent || len(ep.received) != 1 {
			t.Fatalf("after the endpoint recovered: sent %v, received %d", q.sent, len(ep.received))
		}
		body := ep.received[0]
		validate(t, "Bundle", body)
		var msg struct {
			ID    string `json:"id"`
			Type  string `json:"type"`
			Entry []struct {
				Resource map[string]any `json:"resource"`
			} `json:"entry"`
		}
		json.Unmarshal(body, &msg)
		if msg.ID != "1b7e3f4a-0c55-4d2e-9f61-3a2b1c0d9e8f" || msg.Type != "message" || len(msg.Entry) < 2 {
			t.Fatalf("message: %s", body)
		}
		header, task := msg.Entry[0].Resource, msg.Entry[1].Resource
		validate(t, "MessageHeader", mustJSON(t, header))
		validate(t, "Task", mustJSON(t, task))
		if header["resourceType"] != "MessageHeader" || header["eventCoding"].(map[string]any)["code"] != "servicerequest-response" || header["eventUri"] != nil {
			t.Errorf("header: %v", header)
		}
		if task["resourceType"] != "Task" || task["status"] != "accepted" || task["id"] != out.referral.ID {
			t.Errorf("task: %v", task)
		}
		if len(out.readAs) == 0 || out.readAs[0] != "system:"+sys.ID {
			t.Errorf("the referral was read as %q, want the system", out.readAs)
		}
		deliveries, err := f.store.Deliveries(ctx, sys.ID, 10)
		if err != nil || len(deliveries) != 2 || deliveries[0].Error != "" || deliveries[0].Attempt != 2 || deliveries[0].Status != 200 ||
			deliveries[1].Error == "" || deliveries[1].RetryAt.IsZero() {
			t.Errorf("deliveries recorded for the admins' page: %+v %v", deliveries, err)
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestADischargeSendsTheLetterAsADocumentWithTheLettersSections(t *testing.T) {
	directoryDB.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f, ep, out, d, sys := deliveryFixture(t, db)
		out.referral.Status, out.referral.HasLetter = gp.StatusCompleted, true
		out.letter = &casework.Letter{Written: testStart, Name: "Ada Example", DateOfBirth: time.Date(1950, 3, 1, 0, 0, 0, 0, time.UTC),
			NHSNumber: "9449306621", Postcode: "DE4 3AG", Team: "Derbyshire Dales social prescribing", LinkWorker: "Lin Worker",
			ReasonForReferral: "Lonely since moving <here> & wants company", WhatMatters: "Getting out of the house",
			Needs: []string{"Loneliness"}, DischargedAt: testStart, DischargeReason: "goals_met", DischargeSummary: "Joined the walking group."}
		out.outcomes["2c8f4a5b-1d66-4e3f-8a72-4b3c2d1e0f9a"] = &queued{Outcome: gp.Outcome{ID: "2c8f4a5b-1d66-4e3f-8a72-4b3c2d1e0f9a",
			ReferralID: out.referral.ID, PracticeODS: "C81001", SystemID: sys.ID, Status: gp.StatusCompleted, Reason: "Goals met", Created: testStart}}
		if err := d.Deliver(context.Background(), f.clock()); err != nil {
			t.Fatal(err)
		}
		if len(ep.received) != 1 {
			t.Fatalf("received %d messages", len(ep.received))
		}
		validate(t, "Bundle", ep.received[0])
		var msg struct {
			Entry []struct {
				Resource json.RawMessage `json:"resource"`
			} `json:"entry"`
		}
		json.Unmarshal(ep.received[0], &msg)
		var doc []byte
		for _, e := range msg.Entry {
			if strings.Contains(string(e.Resource), `"type":"document"`) {
				doc = e.Resource
			}
		}
		if doc == nil {
			t.Fatalf("no document in the message: %s", ep.received[0])
		}
		validate(t, "Bundle", doc)
		var bundle struct {
			Entry []struct {
				Resource struct {
					ResourceType string `json:"resourceType"`
					Type         struct {
						Coding []struct{ System, Code string }
					} `json:"type"`
					Section []struct {
						Title string
						Code  struct {
							Coding []struct{ System, Code string }
						}
						Text struct{ Div string }
					} `json:"section"`
				} `json:"resource"`
			} `json:"entry"`
		}
		json.Unmarshal(doc, &bundle)
		comp := bundle.Entry[0].Resource
		validate(t, "Composition", mustJSON(t, json.RawMessage(mustRaw(t, doc, 0))))
		if comp.ResourceType != "Composition" || comp.Type.Coding[0].System != "http://snomed.info/sct" || comp.Type.Coding[0].Code != "373942005" {
			t.Fatalf("the document's first entry: %+v", comp)
		}
		var titles []string
		for _, s := range comp.Section {
			titles = append(titles, s.Title)
		}
		want := "Reason for referral|What matters to the person|Needs|Plan and goals|Referrals made and their outcomes|Outcome measures, first and latest|Discharge"
		if strings.Join(titles, "|") != want {
			t.Errorf("sections = %q", titles)
		}
		reason := comp.Section[0]
		if reason.Code.Coding[0].System != "http://loinc.org" || !strings.Contains(reason.Text.Div, "Lonely since moving &lt;here&gt; &amp; wants company") {
			t.Errorf("reason section: %+v", reason)
		}
	})
}

// mustRaw returns a document's entry i resource.
func mustRaw(t *testing.T, doc []byte, i int) []byte {
	var b struct {
		Entry []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(doc, &b); err != nil || len(b.Entry) <= i {
		t.Fatalf("entry %d: %v", i, err)
	}
	return b.Entry[i].Resource
}

func TestBackoffDoublesFromAMinuteToSixHours(t *testing.T) {
	for n, want := range map[int]time.Duration{1: time.Minute, 2: 2 * time.Minute, 5: 16 * time.Minute, 10: 6 * time.Hour, 100: 6 * time.Hour} {
		if got := fhir.Backoff(n); got != want {
			t.Errorf("Backoff(%d) = %v, want %v", n, got, want)
		}
	}
}

func TestASystemWithoutAnEndpointIsNotPostedToAndTheFailureSaysWhereTheOutcomeIs(t *testing.T) {
	directoryDB.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f, ep, out, d, _ := deliveryFixture(t, db)
		out.outcomes["3d9a5b6c-2e77-4f40-9b83-5c4d3e2f1a0b"] = &queued{Outcome: gp.Outcome{ID: "3d9a5b6c-2e77-4f40-9b83-5c4d3e2f1a0b",
			ReferralID: out.referral.ID, PracticeODS: "C81001", SystemID: f.sys.ID, Status: gp.StatusAccepted}}
		if err := d.Deliver(context.Background(), f.clock()); err != nil {
			t.Fatal(err)
		}
		q := out.outcomes["3d9a5b6c-2e77-4f40-9b83-5c4d3e2f1a0b"]
		if ep.tries != 0 || q.sent || !strings.Contains(q.why, "practice web app") || !q.retryAt.Equal(f.clock().Add(24*time.Hour)) {
			t.Errorf("tries %d, sent %v, why %q, retry %v", ep.tries, q.sent, q.why, q.retryAt)
		}
	})
}

func TestCleanupForgetsExpiredTokensAndDeliveryAttemptsAfterNinetyDays(t *testing.T) {
	directoryDB.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db, fhir.Config{})
		ctx := context.Background()
		f.token()
		for _, at := range []time.Time{f.clock().AddDate(0, 0, -91), f.clock().AddDate(0, 0, -89)} {
			if err := f.store.RecordDelivery(ctx, fhir.Delivery{OutcomeID: "o-" + at.Format("0102"), SystemID: f.sys.ID, Attempt: 1, Status: 200, At: at}); err != nil {
				t.Fatal(err)
			}
		}
		f.advance(11 * time.Minute)
		if err := f.systems.Cleanup(ctx, f.clock()); err != nil {
			t.Fatal(err)
		}
		ds, err := f.store.Deliveries(ctx, f.sys.ID, 10)
		if err != nil || len(ds) != 1 || ds[0].OutcomeID != "o-"+f.clock().AddDate(0, 0, -89).Format("0102") {
			t.Errorf("deliveries after the clean-up: %+v %v", ds, err)
		}
		var tokens int
		db.SQL().QueryRow(`SELECT COUNT(*) FROM fhir_token`).Scan(&tokens)
		if tokens != 0 {
			t.Errorf("%d expired tokens kept", tokens)
		}
	})
}

// An administrator types a system's endpoint, so outcomes are posted with
// the website checker's address guard: never to loopback (an endpoint
// listening on this machine gets nothing unless loopback is allowed, for
// tests and trials), nor to the cloud metadata address or private ranges.
func TestOutcomesAreNeverPostedToInternalAddresses(t *testing.T) {
	directoryDB.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f, ep, out, _, sys := deliveryFixture(t, db)
		ctx := context.Background()
		guarded := fhir.NewDeliverer(f.systems, out, fhir.DeliveryConfig{BaseURL: "https://waymark.test", Now: f.clock})
		good, _ := keys(t)
		for i, endpoint := range []string{ep.URL + "/outcomes", "https://169.254.169.254/latest/meta-data", "https://10.0.0.1/outcomes", "https://[::1]/outcomes"} {
			if _, err := f.systems.Change(adminCtx, sys.ID, fhir.NewSystem{Name: sys.Name, PublicKey: publicPEM(t, good), Practices: "C81001", Endpoint: endpoint}); err != nil {
				t.Fatalf("%s: %v", endpoint, err)
			}
			id := fmt.Sprintf("1b7e3f4a-0c55-4d2e-9f61-3a2b1c0d9e%02d", i)
			out.outcomes[id] = &queued{Outcome: gp.Outcome{ID: id, ReferralID: out.referral.ID, PracticeODS: "C81001", SystemID: sys.ID,
				Status: gp.StatusAccepted, Created: testStart}}
			if err := guarded.Deliver(ctx, f.clock()); err != nil {
				t.Fatal(err)
			}
			if q := out.outcomes[id]; q.sent || q.why != "the endpoint could not be reached" {
				t.Errorf("%s: sent %v, why %q", endpoint, q.sent, q.why)
			}
			f.advance(24 * time.Hour)
		}
		if ep.tries != 0 {
			t.Errorf("the endpoint on this machine was reached %d times", ep.tries)
		}
	})
}
