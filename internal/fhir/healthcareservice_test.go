package fhir_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"waymark/internal/fhir"
	"waymark/internal/sqlstore"
)

// searchset is what the tests read of a searchset Bundle.
type searchset struct {
	Type  string `json:"type"`
	Total int    `json:"total"`
	Link  []struct{ Relation, URL string }
	Entry []struct {
		FullURL  string          `json:"fullUrl"`
		Resource json.RawMessage `json:"resource"`
		Search   struct {
			Mode      string `json:"mode"`
			Extension []struct {
				URL           string `json:"url"`
				ValueDistance struct {
					Value float64 `json:"value"`
					Code  string  `json:"code"`
				} `json:"valueDistance"`
			} `json:"extension"`
		} `json:"search"`
	} `json:"entry"`
}

func TestTheCapabilityStatementValidatesAndDeclaresWhatIsServed(t *testing.T) {
	f := newFixture(t, directoryDB.OpenSQLite(t), fhir.Config{})
	status, h, body := f.get("/fhir/R4/metadata", "")
	if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "application/fhir+json") {
		t.Fatalf("metadata without a token: %d", status)
	}
	validate(t, "CapabilityStatement", body)
	for _, want := range []string{`"fhirVersion":"4.0.0"`, `"code":"OAuth"`, f.srv.URL + "/oauth2/token", `"name":"process-message"`,
		`"type":"HealthcareService"`, `"name":"location.address-postalcode"`, `"name":"distance"`, `"type":"ServiceRequest"`,
		`"name":"patient.identifier"`, `"type":"Task"`, `"name":"focus"`, `bars-message-servicerequest-request-referral`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("the CapabilityStatement does not say %s", want)
		}
	}
	if status, _, body := f.get("/fhir/R4/Nothing", ""); status != http.StatusNotFound {
		t.Errorf("an unknown endpoint: %d", status)
	} else {
		outcomeIssue(t, body)
	}
}

func TestHealthcareServicesAreFoundByNameAndByPostcodeNearestFirstWithTheirLocationAndOrganization(t *testing.T) {
	directoryDB.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db, fhir.Config{})
		token := f.token()
		status, _, body := f.get("/fhir/R4/HealthcareService?name=walking&_count=2", token)
		if status != http.StatusOK {
			t.Fatalf("search by name: %d %s", status, body)
		}
		validate(t, "Bundle", body)
		var byName searchset
		json.Unmarshal(body, &byName)
		if byName.Type != "searchset" || byName.Total < 2 || len(byName.Entry) != 2 {
			t.Fatalf("by name: type %s, total %d, %d entries", byName.Type, byName.Total, len(byName.Entry))
		}
		next := ""
		for _, l := range byName.Link {
			if l.Relation == "next" {
				next = l.URL
			}
		}
		if byName.Total > 2 && !strings.Contains(next, "page=2") {
			t.Errorf("no next link: %+v", byName.Link)
		}
		for _, e := range byName.Entry {
			validate(t, "HealthcareService", e.Resource)
			var hs struct {
				ID         string `json:"id"`
				Name       string `json:"name"`
				Contained  []struct{ ResourceType, ID string }
				ProvidedBy struct{ Reference string } `json:"providedBy"`
				Location   []struct{ Reference string }
			}
			json.Unmarshal(e.Resource, &hs)
			if !strings.HasSuffix(e.FullURL, "/fhir/R4/HealthcareService/"+hs.ID) || hs.ProvidedBy.Reference != "#org" || len(hs.Location) == 0 {
				t.Errorf("entry %s: %+v", e.FullURL, hs)
			}
			kinds := map[string]bool{}
			for _, c := range hs.Contained {
				kinds[c.ResourceType] = true
			}
			if !kinds["Organization"] || !kinds["Location"] {
				t.Errorf("%s does not contain its Organization and Location: %+v", hs.Name, hs.Contained)
			}
		}
		q := url.Values{"location.address-postalcode": {"DE4 3AG"}, "distance": {"5"}}
		status, _, body = f.get("/fhir/R4/HealthcareService?"+q.Encode(), token)
		if status != http.StatusOK {
			t.Fatalf("search by postcode: %d %s", status, body)
		}
		validate(t, "Bundle", body)
		var near searchset
		json.Unmarshal(body, &near)
		if len(near.Entry) == 0 {
			t.Fatal("nothing within 5 miles of DE4 3AG")
		}
		last := -1.0
		for _, e := range near.Entry {
			if len(e.Search.Extension) != 1 || !strings.HasSuffix(e.Search.Extension[0].URL, "location-distance") {
				t.Fatalf("no distance on %s", e.FullURL)
			}
			d := e.Search.Extension[0].ValueDistance.Value
			if d < last || d > 5 || e.Search.Extension[0].ValueDistance.Code != "[mi_i]" {
				t.Errorf("distances not nearest first within 5 miles: %v after %v", d, last)
			}
			last = d
		}
		var first struct{ ID string }
		json.Unmarshal(near.Entry[0].Resource, &first)
		status, _, body = f.get("/fhir/R4/HealthcareService/"+first.ID, token)
		if status != http.StatusOK {
			t.Fatalf("read: %d", status)
		}
		validate(t, "HealthcareService", body)
		if !strings.Contains(string(body), `"resourceType":"Location"`) || !strings.Contains(string(body), `"postalCode"`) {
			t.Errorf("the read has no Location with its address: %s", body)
		}
	})
}

func TestHealthcareServiceSearchesThatCannotBeAnsweredGetAnOperationOutcome(t *testing.T) {
	directoryDB.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db, fhir.Config{})
		token := f.token()
		for _, tc := range []struct {
			query      string
			status     int
			code, expr string
		}{
			{"/fhir/R4/HealthcareService?nmae=walking", 400, "not-supported", "nmae"},
			{"/fhir/R4/HealthcareService?location.address-postalcode=ZZ99+9ZZ", 400, "value", "location.address-postalcode"},
			{"/fhir/R4/HealthcareService?location.address-postalcode=DE4+3AG&distance=500", 400, "value", "distance"},
			{"/fhir/R4/HealthcareService?distance=5", 400, "value", "distance"},
			{"/fhir/R4/HealthcareService?_count=0", 400, "value", "_count"},
			{"/fhir/R4/HealthcareService?page=x", 400, "value", "page"},
			{"/fhir/R4/HealthcareService/not-a-service", 404, "not-found", ""},
			{"/fhir/R4/HealthcareService/00000000-0000-4000-8000-000000000000", 404, "not-found", ""},
		} {
			status, _, body := f.get(tc.query, token)
			if status != tc.status {
				t.Errorf("%s: %d, want %d", tc.query, status, tc.status)
				continue
			}
			if code, _ := outcomeIssue(t, body); code != tc.code || !strings.Contains(string(body), tc.expr) {
				t.Errorf("%s: issue %s %s", tc.query, code, body)
			}
		}
	})
}
