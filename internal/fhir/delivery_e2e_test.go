package fhir_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"waymark/internal/casework"
	"waymark/internal/fhir"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

// A referral a connected system sent comes back to its endpoint as the
// team moves it on: accepted (after the endpoint failed once and the
// outcome was tried again), then completed with the discharge letter.
func TestTheOutcomesOfASystemsReferralReachItsEndpointWithTheDischargeLetter(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newMsgFixture(t, db)
		ctx := context.Background()
		ep := newEndpoint(t)
		store := sqlstore.NewFHIRStore(db)
		systems := fhir.NewSystems(store, f.clock, uuid.NewString)
		key, _ := keys(t)
		sys, err := systems.Register(f.admin, fhir.NewSystem{Name: "EMIS Web with an endpoint", PublicKey: publicPEM(t, key),
			Practices: practiceA, Endpoint: ep.URL + "/outcomes"})
		if err != nil {
			t.Fatal(err)
		}
		f.systems["systemE"] = sys
		d := fhir.NewDeliverer(systems, f.svc, fhir.DeliveryConfig{BaseURL: "https://waymark.test", Now: f.clock, AllowLoopback: true})
		id := referralID(t, f.post(t, "systemE", referralBundle(t, "e2e-1", practiceA, testNHS)))
		r, err := f.svc.Referral(gpActor(practiceA), id)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.team.Allocate(f.lead, r.IncomingID, f.workerID); err != nil {
			t.Fatal(err)
		}
		clientID, err := f.team.AcceptReferral(f.worker, r.IncomingID)
		if err != nil {
			t.Fatal(err)
		}
		f.advance(time.Minute)
		if err := f.svc.RecordOutcomes(ctx, f.clock()); err != nil {
			t.Fatal(err)
		}
		ep.failing = true
		if err := d.Deliver(ctx, f.clock()); err != nil {
			t.Fatal(err)
		}
		if ep.tries != 1 || len(ep.received) != 0 {
			t.Fatalf("first try: %d tries, %d received", ep.tries, len(ep.received))
		}
		ep.failing = false
		f.advance(time.Minute)
		if err := d.Deliver(ctx, f.clock()); err != nil {
			t.Fatal(err)
		}
		if len(ep.received) != 1 {
			t.Fatalf("after the retry: %d received", len(ep.received))
		}
		validate(t, "Bundle", ep.received[0])
		if task := messageResource(t, ep.received[0], "Task"); task["status"] != "accepted" || task["id"] != id {
			t.Errorf("accepted message's Task: %v", task)
		}
		// Nothing more to send until the status changes again.
		d.Deliver(ctx, f.clock())
		if len(ep.received) != 1 {
			t.Errorf("an outcome was sent twice: %d", len(ep.received))
		}
		if err := f.team.SetStatus(f.worker, clientID, casework.StatusActive, "First conversation booked"); err != nil {
			t.Fatal(err)
		}
		f.advance(time.Hour)
		if err := f.team.Discharge(f.worker, clientID, "goals_met", "Goes to the walking group every week"); err != nil {
			t.Fatal(err)
		}
		f.advance(time.Minute)
		if err := f.svc.RecordOutcomes(ctx, f.clock()); err != nil {
			t.Fatal(err)
		}
		if err := d.Deliver(ctx, f.clock()); err != nil {
			t.Fatal(err)
		}
		last := ep.received[len(ep.received)-1]
		validate(t, "Bundle", last)
		if task := messageResource(t, last, "Task"); task["status"] != "completed" {
			t.Errorf("discharge message's Task: %v", task)
		}
		doc := messageResource(t, last, "Bundle")
		raw, _ := json.Marshal(doc)
		validate(t, "Bundle", raw)
		if doc["type"] != "document" || !strings.Contains(string(raw), "Goes to the walking group every week") ||
			!strings.Contains(string(raw), testNHS) || !strings.Contains(string(raw), `"373942005"`) {
			t.Errorf("the discharge letter document: %.600s", raw)
		}
		deliveries, err := store.Deliveries(ctx, sys.ID, 10)
		if err != nil || len(deliveries) < 3 || deliveries[len(deliveries)-1].Error == "" {
			t.Errorf("attempts recorded: %+v %v", deliveries, err)
		}
	})
}

// messageResource returns the first entry of a message Bundle with the
// resource type.
func messageResource(t *testing.T, bundle []byte, resourceType string) map[string]any {
	t.Helper()
	var b struct {
		Entry []struct {
			Resource map[string]any `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(bundle, &b); err != nil {
		t.Fatal(err)
	}
	for _, e := range b.Entry {
		if e.Resource["resourceType"] == resourceType {
			return e.Resource
		}
	}
	t.Fatalf("no %s in the message", resourceType)
	return nil
}
