package fhir_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"waymark/internal/casework"
	"waymark/internal/gp"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

// The BaRS referral examples the standards README lists as valid R4 are
// accepted, adapted to our practice and services (see adapt), to the team
// and to a service with a GP pathway; the answer is the message Bundle, valid
// R4, its ServiceRequest carrying the referral's id.
func TestProcessMessageAcceptsTheValidBaRSReferralExamples(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newMsgFixture(t, db)
		n := 0
		for _, name := range []string{
			filepath.Join("process_message", "request", "ValidationRequest (POST) .json"),
			filepath.Join("process_message", "response", "ValidationRequest (HTTP Response) .json"),
		} {
			for _, service := range []string{"", f.pathway.ID} {
				n++
				doc := readDoc(t, filepath.Join(barsExamples, name))
				a := f.post(t, "systemA", adapt(t, doc, fmt.Sprintf("example-%d", n), practiceA, service, testNHS))
				id := referralID(t, a)
				mustValidate(t, a.body)
				if a.header.Get("X-Request-Id") != "60f4c8c5-7f5f-4c43-9b59-1d6b3e1c0a11" {
					t.Errorf("X-Request-Id not mirrored: %q", a.header.Get("X-Request-Id"))
				}
				r, err := f.svc.Referral(gpActor(practiceA), id)
				if err != nil {
					t.Fatal(err)
				}
				if r.ServiceID != service || r.PracticeODS != practiceA || r.Patient.NHSNumber != testNHS || r.Channel != gp.ChannelFHIR ||
					r.SystemID != f.systems["systemA"].ID || r.Patient.FamilyName != "Jones" || r.Status != gp.StatusRequested {
					t.Errorf("%s service %q: referral %+v", name, service, r)
				}
				sr := f.get(t, "systemA", "/fhir/R4/ServiceRequest/"+id)
				if sr.status != http.StatusOK || sr.doc["id"] != id || sr.doc["status"] != "active" {
					t.Errorf("ServiceRequest: %d %s", sr.status, sr.body)
				}
				mustValidate(t, sr.body)
			}
		}
		waiting, err := f.team.WaitingList(f.lead, f.teamID)
		if err != nil || len(waiting) != 2 || waiting[0].Source != casework.SourceGP {
			t.Errorf("waiting list: %v %+v, want the two team referrals", err, waiting)
		}
	})
}

// The docs example, as README shows it, is accepted for its practice.
func TestProcessMessageAcceptsTheDocsExample(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newMsgFixture(t, db)
		a := f.post(t, "systemA", readFile(t, docsExample))
		id := referralID(t, a)
		r, err := f.svc.Referral(gpActor(practiceA), id)
		if err != nil || r.RequesterName != "Dr Ada Okafor" || r.RequesterRole != "General practitioner" || r.Patient.Postcode != "DE4 3AG" {
			t.Errorf("referral %v %+v", err, r)
		}
	})
}

func TestProcessMessageRefusesHostileMessagesWithAnOperationOutcome(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newMsgFixture(t, db)
		toService := func(id string) func(map[string]any) {
			return func(doc map[string]any) {
				entries(doc, "ServiceRequest")[0]["performer"] = []any{map[string]any{"reference": "HealthcareService/" + id}}
			}
		}
		cases := []struct {
			name        string
			system      string
			contentType string
			body        []byte
			status      int
			code, bars  string
			says        string
		}{
			{"wrong SNOMED code", "systemA", "", referralBundle(t, "h1", practiceA, testNHS, func(doc map[string]any) {
				entries(doc, "ServiceRequest")[0]["code"].(map[string]any)["coding"].([]any)[0].(map[string]any)["code"] = "306206005"
			}), 400, "value", "REC_BAD_REQUEST", "871731000000106"},
			{"bad NHS number", "systemA", "", referralBundle(t, "h2", practiceA, badNHS), 400, "value", "REC_BAD_REQUEST", "check digit"},
			{"missing patient", "systemA", "", referralBundle(t, "h3", practiceA, testNHS, func(doc map[string]any) { removeEntries(doc, "Patient") }),
				400, "required", "REC_BAD_REQUEST", "Patient"},
			{"no way to contact the patient", "systemA", "", referralBundle(t, "h4", practiceA, testNHS, func(doc map[string]any) {
				delete(entries(doc, "Patient")[0], "telecom")
			}), 400, "value", "REC_BAD_REQUEST", "phone number or an email"},
			{"unknown practice", "systemAll", "", referralBundle(t, "h5", "Z99999", testNHS), 404, "not-found", "REC_NOT_FOUND", "Z99999"},
			{"practice the system does not act for", "systemB", "", referralBundle(t, "h6", practiceA, testNHS), 403, "forbidden", "REC_FORBIDDEN", practiceA},
			{"practice no team serves", "systemB", "", referralBundle(t, "h7", practiceB, testNHS), 404, "not-found", "REC_NOT_FOUND", "No social prescribing team"},
			{"service without a GP pathway", "systemA", "", referralBundle(t, "h8", practiceA, testNHS, toService(f.noPathway.ID)),
				403, "forbidden", "REC_FORBIDDEN", "GP pathway"},
			{"unknown service", "systemA", "", referralBundle(t, "h9", practiceA, testNHS, toService("5d6f0d8e-0000-4000-8000-000000000000")),
				404, "not-found", "REC_NOT_FOUND", "no service"},
			{"malformed JSON", "systemA", "", []byte(`{"resourceType": "Bundle", "entry": [`), 400, "structure", "REC_BAD_REQUEST", "not valid JSON"},
			{"a booking", "systemA", "", readFile(t, filepath.Join(barsExamples, "process_message", "request", "Booking (POST).json")),
				400, "not-supported", "REC_BAD_REQUEST", "booking-request"},
			{"10 MB body", "systemA", "", append([]byte(`{"resourceType": "Bundle", "id": "`), bytes.Repeat([]byte("a"), 10<<20)...),
				413, "too-long", "REC_BAD_REQUEST", "larger than"},
			{"wrong content type", "systemA", "text/plain", readFile(t, docsExample), 415, "not-supported", "REC_BAD_REQUEST", "application/fhir+json"},
			{"XML", "systemA", "application/fhir+xml", []byte(`<Bundle xmlns="http://hl7.org/fhir"/>`), 415, "not-supported", "REC_BAD_REQUEST", "application/fhir+json"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				ct := c.contentType
				if ct == "" {
					ct = "application/fhir+json; fhirVersion=4.0"
				}
				a := f.do(t, c.system, "POST", "/fhir/R4/$process-message", ct, c.body)
				code, bars, says := a.outcome(t)
				if a.status != c.status || code != c.code || bars != c.bars || !strings.Contains(says, c.says) {
					t.Errorf("got %d %s %s %q, want %d %s %s saying %q", a.status, code, bars, says, c.status, c.code, c.bars, c.says)
				}
				mustValidate(t, a.body)
			})
		}
		list, err := f.svc.Referrals(gpActor(practiceA, practiceB), gp.Filter{})
		if err != nil || len(list) != 0 {
			t.Errorf("refused messages made referrals: %v %+v", err, list)
		}
	})
}

// The same Bundle sent again (also several times at once) makes one
// referral and gets the same answer; its id reused for another patient is
// a duplicate; another system's Bundle with the same id is its own message.
func TestProcessMessageTwiceMakesOneReferralAndAnswersTheSame(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newMsgFixture(t, db)
		body := referralBundle(t, "same-bundle", practiceA, testNHS)
		first := f.post(t, "systemA", body)
		id := referralID(t, first)
		var wg sync.WaitGroup
		answers := make([]answer, 4)
		for i := range answers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				answers[i] = f.post(t, "systemA", body)
			}()
		}
		wg.Wait()
		for _, a := range answers {
			if a.status != http.StatusOK || !bytes.Equal(a.body, first.body) {
				t.Errorf("again: %d %s\nfirst: %s", a.status, a.body, first.body)
			}
		}
		waiting, err := f.team.WaitingList(f.lead, f.teamID)
		if err != nil || len(waiting) != 1 {
			t.Fatalf("waiting list after five sends: %v %d entries", err, len(waiting))
		}

		reused := f.post(t, "systemA", referralBundle(t, "same-bundle", practiceA, testNHSOther))
		if code, bars, _ := reused.outcome(t); reused.status != http.StatusConflict || code != "duplicate" || bars != "REC_CONFLICT" {
			t.Errorf("id reused for another patient: %d %s", reused.status, reused.body)
		}
		other := f.post(t, "systemAll", body)
		if otherID := referralID(t, other); otherID == id {
			t.Error("another system's message with the same Bundle id was taken for the first")
		}
	})
}

// A message without a token, with a made-up one or with one that expired
// is refused with 401 and makes nothing.
func TestProcessMessageNeedsAValidToken(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newMsgFixture(t, db)
		body := referralBundle(t, "token-1", practiceA, testNHS)
		expired := f.token(t, "systemA")
		f.advance(11 * time.Minute)
		for name, token := range map[string]string{"none": "", "made up": "Bearer 3q2-7wEAAAA", "expired": "Bearer " + expired,
			"not bearer": "Basic c3lzdGVtQTpwYXNzd29yZA=="} {
			req, err := http.NewRequest("POST", f.srv.URL+"/fhir/R4/$process-message", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/fhir+json")
			if token != "" {
				req.Header.Set("Authorization", token)
			}
			resp, err := f.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var oo struct {
				ResourceType string
				Issue        []struct{ Code string }
			}
			err = json.NewDecoder(resp.Body).Decode(&oo)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusUnauthorized || oo.ResourceType != "OperationOutcome" || len(oo.Issue) != 1 {
				t.Errorf("%s: %d %v %+v", name, resp.StatusCode, err, oo)
			}
		}
		list, err := f.svc.Referrals(gpActor(practiceA), gp.Filter{})
		if err != nil || len(list) != 0 {
			t.Errorf("refused messages made referrals: %v %+v", err, list)
		}
	})
}
