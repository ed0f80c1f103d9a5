package fhir_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"waymark/internal/fhir"
)

func TestParseMessageReadsTheDocsExample(t *testing.T) {
	b, err := os.ReadFile(docsExample)
	if err != nil {
		t.Fatal(err)
	}
	m, err := fhir.ParseMessage(b)
	if err != nil {
		t.Fatal(err)
	}
	want := fhir.Message{BundleID: "5f0c7d2e-0b7a-4c1e-9a52-3d1f6a0e2b41", PracticeODS: "C81001", NHSNumber: testNHS,
		GivenName: "Sam", FamilyName: "Example", DateOfBirth: time.Date(1961, 4, 12, 0, 0, 0, 0, time.UTC),
		Postcode: "DE4 3AG", Phone: "01629 580000", Consent: true,
		Reason:        "Lonely since moving to the area; would like to meet people and get more active.",
		RequesterName: "Dr Ada Okafor", RequesterRole: "General practitioner"}
	got := m.Stripped()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

// The BaRS referral examples that the standards README lists as valid R4
// (process_message/request/ValidationRequest (POST) and its HTTP response
// twin) are accepted once adapted to a Waymark practice (see adapt), both to
// the team and to a named service.
func TestParseMessageAcceptsTheValidBaRSReferralExamples(t *testing.T) {
	for _, name := range []string{
		filepath.Join("process_message", "request", "ValidationRequest (POST) .json"),
		filepath.Join("process_message", "response", "ValidationRequest (HTTP Response) .json"),
	} {
		for _, service := range []string{"", "0b9f5c1e-7d2a-4e3b-8c4d-5e6f7a8b9c0d"} {
			t.Run(name+" service="+service, func(t *testing.T) {
				doc := readDoc(t, filepath.Join(barsExamples, name))
				m, err := fhir.ParseMessage(adapt(t, doc, "bundle-1", "C81001", service, testNHS))
				if err != nil {
					t.Fatal(err)
				}
				if m.PracticeODS != "C81001" || m.ServiceID != service || m.NHSNumber != testNHS || !m.Consent ||
					m.GivenName != "Julie" || m.FamilyName != "Jones" || m.DateOfBirth.Format(time.DateOnly) != "1959-05-04" {
					t.Errorf("got %+v", m)
				}
				if m.RequesterName != "Marcy BLAKE" {
					t.Errorf("requester %q, want Marcy BLAKE", m.RequesterName)
				}
				if m.Reason == "" {
					t.Error("no reason")
				}
			})
		}
	}
}

// refusedWith parses body and checks the refusal's status, issue code,
// BaRS error code and that the diagnostics mention want.
func refusedWith(t *testing.T, body []byte, status int, code, want string) {
	t.Helper()
	_, err := fhir.ParseMessage(body)
	var me *fhir.MessageError
	if !errors.As(err, &me) {
		t.Fatalf("got %v, want a fhir.MessageError", err)
	}
	if me.Status != status || len(me.Issues) != 1 || me.Issues[0].Code != code || me.Issues[0].Error != "REC_BAD_REQUEST" {
		t.Fatalf("got %d %+v, want %d %s REC_BAD_REQUEST", me.Status, me.Issues, status, code)
	}
	if !strings.Contains(me.Issues[0].Diagnostics, want) {
		t.Errorf("diagnostics %q do not say %q", me.Issues[0].Diagnostics, want)
	}
}

func TestParseMessageRefusesOtherBaRSExamples(t *testing.T) {
	cases := []struct {
		file, code, want string
	}{
		// Valid R4, but not a referral request.
		{"process_message/request/Booking (POST).json", "not-supported", "booking-request"},
		{"process_message/request/ValidationResponse (POST) .json", "not-supported", "servicerequest-response"},
		{"process_message/POST-body.json", "not-supported", "booking-request"},
		// Listed by the README as not valid R4.
		{"process_message/POST-success.json", "structure", "not valid FHIR R4"},
		{"service_request/GET-success.json", "structure", "not valid FHIR R4"},
		{"service_request/PUT-body.json", "invalid", "takes a Bundle"},
		{"service_request/id/GET-success.json", "invalid", "takes a Bundle"},
		{"document_reference/GET-success.json", "structure", "not valid JSON"},
		{"OperationOutcome/REC/400-REC_BAD_REQUEST-invalid.json", "invalid", "takes a Bundle"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(barsExamples, filepath.FromSlash(c.file)))
			if err != nil {
				t.Fatal(err)
			}
			refusedWith(t, b, 400, c.code, c.want)
		})
	}
}

func TestParseMessageRefusesHostileBundles(t *testing.T) {
	cases := []struct {
		name        string
		change      func(doc map[string]any)
		code, wants string
	}{
		{"wrong SNOMED code", func(doc map[string]any) {
			entries(doc, "ServiceRequest")[0]["code"].(map[string]any)["coding"].([]any)[0].(map[string]any)["code"] = "183524004"
		}, "value", "http://snomed.info/sct|183524004"},
		{"no code and no service", func(doc map[string]any) { delete(entries(doc, "ServiceRequest")[0], "code") }, "value", "871731000000106"},
		{"bad NHS number", func(doc map[string]any) {
			entries(doc, "Patient")[0]["identifier"].([]any)[0].(map[string]any)["value"] = badNHS
		}, "value", "check digit"},
		{"no NHS number", func(doc map[string]any) { delete(entries(doc, "Patient")[0], "identifier") }, "required", "NHS number"},
		{"missing patient", func(doc map[string]any) { removeEntries(doc, "Patient") }, "required", "subject must be a Patient"},
		{"no consent", func(doc map[string]any) { removeEntries(doc, "Consent") }, "required", "consent"},
		{"consent withdrawn", func(doc map[string]any) { entries(doc, "Consent")[0]["status"] = "rejected" }, "required", "consent"},
		{"no reason", func(doc map[string]any) { delete(entries(doc, "ServiceRequest")[0], "reasonCode") }, "required", "reason"},
		{"no ODS code", func(doc map[string]any) { delete(entries(doc, "Organization")[0], "identifier") }, "required", "ODS code"},
		{"no requester", func(doc map[string]any) { delete(entries(doc, "ServiceRequest")[0], "requester") }, "required", "requester"},
		{"partial birth date", func(doc map[string]any) { entries(doc, "Patient")[0]["birthDate"] = "1961" }, "value", "full date"},
		{"no Bundle id", func(doc map[string]any) { delete(doc, "id") }, "required", "id"},
		{"not a message", func(doc map[string]any) { doc["type"] = "collection" }, "invalid", "message"},
		{"header not first", func(doc map[string]any) {
			list := doc["entry"].([]any)
			list[0], list[1] = list[1], list[0]
		}, "invalid", "MessageHeader"},
		{"cancellation", func(doc map[string]any) {
			entries(doc, "MessageHeader")[0]["reason"].(map[string]any)["coding"].([]any)[0].(map[string]any)["code"] = "cancel"
		}, "not-supported", "new referrals only"},
		{"revoked", func(doc map[string]any) { entries(doc, "ServiceRequest")[0]["status"] = "revoked" }, "value", "active"},
		{"foreign HealthcareService", func(doc map[string]any) {
			addEntry(doc, "urn:uuid:11111111-2222-4333-8444-555555555555", map[string]any{"resourceType": "HealthcareService",
				"identifier": []any{map[string]any{"system": "http://fhir.nhs.uk/Id/dos-service-id", "value": "111111111"}}})
			entries(doc, "ServiceRequest")[0]["performer"] = []any{map[string]any{"reference": "urn:uuid:11111111-2222-4333-8444-555555555555"}}
		}, "value", "Waymark service"},
		{"thousands of contained resources", func(doc map[string]any) {
			c := make([]any, 5000)
			for i := range c {
				c[i] = map[string]any{"resourceType": "Basic", "code": map[string]any{"text": "x"}}
			}
			entries(doc, "Patient")[0]["contained"] = c
		}, "structure", "more than 500 resources"},
		{"invalid contained resource", func(doc map[string]any) {
			entries(doc, "Patient")[0]["contained"] = []any{map[string]any{"resourceType": "Basic", "id": "b"}}
		}, "structure", "Bundle.entry[2].resource.contained[0]"},
		{"schema: unknown element", func(doc map[string]any) { entries(doc, "Patient")[0]["shoeSize"] = 9 }, "structure", "shoeSize"},
		{"unknown status code", func(doc map[string]any) { entries(doc, "ServiceRequest")[0]["status"] = "sent" }, "structure", "sent"},
		{"schema: unknown resource", func(doc map[string]any) {
			addEntry(doc, "urn:uuid:x", map[string]any{"resourceType": "Referral"})
		}, "structure", `"Referral" is not an R4 resource`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			refusedWith(t, referralBundle(t, "b1", "C81001", testNHS, c.change), 400, c.code, c.wants)
		})
	}
	for name, body := range map[string]string{
		"malformed JSON":   `{"resourceType": "Bundle", "type": "message",`,
		"two values":       `{"resourceType": "Bundle"} {}`,
		"an array":         `[]`,
		"not UTF-8":        "{\"resourceType\": \"Bundle\", \"id\": \"\xff\"}",
		"a Patient":        `{"resourceType": "Patient"}`,
		"no resourceType":  `{"type": "message"}`,
		"empty":            ``,
		"deeply nested":    strings.Repeat("[", 20000) + strings.Repeat("]", 20000),
		"empty message":    `{"resourceType": "Bundle", "id": "x", "type": "message"}`,
		"entry without it": `{"resourceType": "Bundle", "id": "x", "type": "message", "entry": [{"fullUrl": "urn:uuid:a"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := fhir.ParseMessage([]byte(body))
			var me *fhir.MessageError
			if !errors.As(err, &me) || me.Status != 400 {
				t.Fatalf("got %v, want a 400 fhir.MessageError", err)
			}
		})
	}
}

func TestValidateResourceNamesWhereTheSchemaFails(t *testing.T) {
	doc := readDoc(t, docsExample)
	entries(doc, "Patient")[0]["gender"] = "unknown-ish"
	v, err := fhir.DecodeDoc(encode(t, doc))
	if err != nil {
		t.Fatal(err)
	}
	err = fhir.ValidateResource(v)
	var se *fhir.SchemaError
	if !errors.As(err, &se) {
		t.Fatalf("got %v, want a fhir.SchemaError", err)
	}
	if got := strings.Join(se.Locations(), ","); got != "Bundle.entry[2].resource.gender" {
		t.Errorf("locations %q, want Bundle.entry[2].resource.gender", got)
	}
	// The document is given back whole after a Bundle's check.
	if len(entries(v.(map[string]any), "Patient")) != 1 {
		t.Error("the entries' resources were not put back")
	}
}

// A performer HealthcareService copied from our HealthcareService answers
// names the service by its identifier, whatever its id in the Bundle.
func TestParseMessageReadsTheServiceFromABundledHealthcareService(t *testing.T) {
	const service = "0b9f5c1e-7d2a-4e3b-8c4d-5e6f7a8b9c0d"
	body := referralBundle(t, "b1", "C81001", testNHS, func(doc map[string]any) {
		addEntry(doc, "urn:uuid:11111111-2222-4333-8444-555555555556", map[string]any{"resourceType": "HealthcareService", "id": "local-7",
			"identifier": []any{map[string]any{"system": "https://waymark.example.org/fhir/Id/service", "value": service}}})
		entries(doc, "ServiceRequest")[0]["performer"] = []any{map[string]any{"reference": "urn:uuid:11111111-2222-4333-8444-555555555556"}}
	})
	m, err := fhir.ParseMessage(body)
	if err != nil || m.ServiceID != service {
		t.Fatalf("got %v %+v, want service %s", err, m, service)
	}
}

// Valid contained resources are accepted: each is checked by its own type.
func TestParseMessageAcceptsValidContainedResources(t *testing.T) {
	body := referralBundle(t, "b1", "C81001", testNHS, func(doc map[string]any) {
		entries(doc, "Patient")[0]["contained"] = []any{
			map[string]any{"resourceType": "Basic", "id": "b1", "code": map[string]any{"text": "carer"}},
			map[string]any{"resourceType": "RelatedPerson", "id": "r1", "patient": map[string]any{"reference": "#"}},
		}
	})
	if _, err := fhir.ParseMessage(body); err != nil {
		t.Fatal(err)
	}
}
