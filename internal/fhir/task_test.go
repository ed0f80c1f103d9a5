package fhir_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"waymark/internal/casework"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

// task returns the Task of a referral, checking the search answer.
func (f *msgFixture) task(t *testing.T, system, id string) map[string]any {
	t.Helper()
	a := f.get(t, system, "/fhir/R4/Task?focus=ServiceRequest/"+id)
	if a.status != http.StatusOK || a.doc["type"] != "searchset" {
		t.Fatalf("Task search: %d %s", a.status, a.body)
	}
	mustValidate(t, a.body)
	list := a.doc["entry"].([]any)
	if len(list) != 1 {
		t.Fatalf("%d Tasks, want 1", len(list))
	}
	res := list[0].(map[string]any)["resource"].(map[string]any)
	if focus := res["focus"].(map[string]any)["reference"]; focus != "ServiceRequest/"+id {
		t.Errorf("focus %v", focus)
	}
	return res
}

// wantEnded checks a referral's Task has the status with a reason, and its
// ServiceRequest the status srStatus.
func (f *msgFixture) wantEnded(t *testing.T, id, status, srStatus string) {
	t.Helper()
	task := f.task(t, "systemA", id)
	reason, _ := task["statusReason"].(map[string]any)["text"].(string)
	if task["status"] != status || reason == "" {
		t.Errorf("Task status %v reason %q, want %s with a reason", task["status"], reason, status)
	}
	if sr := f.get(t, "systemA", "/fhir/R4/ServiceRequest/"+id); sr.doc["status"] != srStatus {
		t.Errorf("ServiceRequest status %v, want %s", sr.doc["status"], srStatus)
	}
}

// A referral to the team shows as a Task requested, then accepted when a
// link worker takes it on, in progress once they work with the person,
// and completed with the discharge reason; the ServiceRequest becomes
// completed too.
func TestTaskFollowsATeamReferralToCompletion(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newMsgFixture(t, db)
		id := referralID(t, f.post(t, "systemA", referralBundle(t, "task-1", practiceA, testNHS)))
		if got := f.task(t, "systemA", id)["status"]; got != "requested" {
			t.Errorf("status %v, want requested", got)
		}
		r, err := f.svc.Referral(gpActor(practiceA), id)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.team.Allocate(f.lead, r.IncomingID, f.workerID); err != nil {
			t.Fatal(err)
		}
		f.advance(time.Hour)
		clientID, err := f.team.AcceptReferral(f.worker, r.IncomingID)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.task(t, "systemA", id)["status"]; got != "accepted" {
			t.Errorf("status %v, want accepted", got)
		}
		f.advance(time.Hour)
		if err := f.team.SetStatus(f.worker, clientID, casework.StatusActive, "First conversation booked"); err != nil {
			t.Fatal(err)
		}
		if got := f.task(t, "systemA", id)["status"]; got != "in-progress" {
			t.Errorf("status %v, want in-progress", got)
		}
		f.advance(time.Hour)
		if err := f.team.Discharge(f.worker, clientID, "goals_met", "Goes to the walking group every week"); err != nil {
			t.Fatal(err)
		}
		f.wantEnded(t, id, "completed", "completed")
	})
}

// A direct referral the service declines shows as a rejected Task with
// the reason in statusReason, and a revoked ServiceRequest.
func TestTaskShowsARejectionWithItsReason(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newMsgFixture(t, db)
		id := referralID(t, f.post(t, "systemA", referralBundle(t, "task-2", practiceA, testNHS, func(doc map[string]any) {
			entries(doc, "ServiceRequest")[0]["performer"] = []any{map[string]any{"reference": "HealthcareService/" + f.pathway.ID}}
		})))
		r, err := f.svc.Referral(gpActor(practiceA), id)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.task(t, "systemA", id); got["status"] != "requested" || got["owner"].(map[string]any)["reference"] != "HealthcareService/"+f.pathway.ID {
			t.Errorf("task %v", got)
		}
		if err := f.refs.Decline(f.provider, r.MarketReferralID, "full", "The group is full until March"); err != nil {
			t.Fatal(err)
		}
		f.wantEnded(t, id, "rejected", "revoked")
	})
}

// A referral the team declines shows as a rejected Task with the team's
// reason.
func TestTaskShowsATeamsDeclineWithItsReason(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newMsgFixture(t, db)
		id := referralID(t, f.post(t, "systemA", referralBundle(t, "task-3", practiceA, testNHS)))
		r, err := f.svc.Referral(gpActor(practiceA), id)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.team.DeclineReferral(f.lead, r.IncomingID, "Lives outside the area the team covers"); err != nil {
			t.Fatal(err)
		}
		f.wantEnded(t, id, "rejected", "revoked")
	})
}

// A practice's system reads only its own referrals: another's id is 404
// whether it exists or not, and a search by NHS number finds only its own.
func TestReferralReadsArePerPractice(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newMsgFixture(t, db)
		id := referralID(t, f.post(t, "systemA", referralBundle(t, "read-1", practiceA, testNHS)))
		for _, path := range []string{"/fhir/R4/ServiceRequest/" + id, "/fhir/R4/Task?focus=ServiceRequest/" + id,
			"/fhir/R4/ServiceRequest/5d6f0d8e-0000-4000-8000-000000000000", "/fhir/R4/ServiceRequest/not-a-uuid",
			"/fhir/R4/Task?focus=ServiceRequest/not-a-uuid"} {
			a := f.get(t, "systemB", path)
			if code, bars, _ := a.outcome(t); a.status != http.StatusNotFound || code != "not-found" || bars != "REC_NOT_FOUND" {
				t.Errorf("%s as another practice: %d %s", path, a.status, a.body)
			}
		}
		search := "/fhir/R4/ServiceRequest?patient.identifier=https://fhir.nhs.uk/Id/nhs-number|" + testNHS
		mine := f.get(t, "systemA", search)
		mustValidate(t, mine.body)
		if mine.status != http.StatusOK || mine.doc["total"] != float64(1) {
			t.Errorf("own search: %d %s", mine.status, mine.body)
		}
		theirs := f.get(t, "systemB", search)
		if theirs.status != http.StatusOK || theirs.doc["total"] != float64(0) {
			t.Errorf("another practice's search: %d %s", theirs.status, theirs.body)
		}
		for path, want := range map[string]int{
			"/fhir/R4/ServiceRequest?patient.identifier=https://fhir.nhs.uk/Id/nhs-number|" + badNHS: 400,
			"/fhir/R4/ServiceRequest?patient.identifier=http://example.org/mrn|" + testNHS:           400,
			"/fhir/R4/ServiceRequest?patient.identifer=" + testNHS:                                   400,
			"/fhir/R4/ServiceRequest?patient.identifier=" + testNHS:                                  200,
			"/fhir/R4/Task":                            400,
			"/fhir/R4/Task?focus=Patient/" + id:        400,
			"/fhir/R4/Task?focus=ServiceRequest/%00x":  400,
			"/fhir/R4/Task?focus=ServiceRequest/" + id: 200,
		} {
			if a := f.get(t, "systemA", path); a.status != want {
				t.Errorf("%s: %d %s, want %d", path, a.status, a.body, want)
			}
		}
	})
}

// A client that does not take FHIR JSON gets 406; one that takes it among
// others gets it.
func TestReadsAnswerFHIRJSONOrNotAcceptable(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newMsgFixture(t, db)
		id := referralID(t, f.post(t, "systemA", referralBundle(t, "accept-1", practiceA, testNHS)))
		for accept, want := range map[string]int{
			"application/fhir+xml":                         http.StatusNotAcceptable,
			"text/html":                                    http.StatusNotAcceptable,
			"application/fhir+json; fhirVersion=4.0":       http.StatusOK,
			"application/fhir+xml, application/json;q=0.5": http.StatusOK,
			"*/*": http.StatusOK,
		} {
			req, err := http.NewRequest("GET", f.srv.URL+"/fhir/R4/ServiceRequest/"+id, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+f.token(t, "systemA"))
			req.Header.Set("Accept", accept)
			resp, err := f.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != want || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/fhir+json") {
				t.Errorf("Accept %q: %d %s, want %d", accept, resp.StatusCode, resp.Header.Get("Content-Type"), want)
			}
		}
	})
}
