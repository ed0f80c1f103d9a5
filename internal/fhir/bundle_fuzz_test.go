package fhir_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"waymark/internal/casework"
	"waymark/internal/fhir"
)

// FuzzParseMessage checks that no body makes the message parser panic or
// answer anything but a 4xx refusal or a complete referral.
func FuzzParseMessage(f *testing.F) {
	if err := fhir.LoadSchema(); err != nil { // once, before the inputs
		f.Fatal(err)
	}
	if b, err := os.ReadFile(docsExample); err == nil {
		f.Add(b)
	}
	doc := readDoc(f, filepath.Join(barsExamples, "process_message", "request", "ValidationRequest (POST) .json"))
	f.Add(adapt(f, doc, "fuzz-1", "C81001", "", testNHS))
	f.Add(referralBundle(f, "fuzz-2", "C81001", badNHS))
	f.Add([]byte(`{"resourceType":"Bundle","id":"x","type":"message","entry":[{"fullUrl":"urn:uuid:a","resource":{"resourceType":"MessageHeader","eventCoding":{"code":"servicerequest-request"},"source":{"endpoint":"x"},"focus":[{"reference":"urn:uuid:b"}]}},{"fullUrl":"urn:uuid:b","resource":{"resourceType":"ServiceRequest","status":"active","intent":"order","subject":{"reference":"Patient/p"}}}]}`))
	f.Add([]byte(`{"resourceType":"Bundle"`))
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := fhir.ParseMessage(body)
		if err != nil {
			var me *fhir.MessageError
			if !errors.As(err, &me) || me.Status < 400 || me.Status > 499 || len(me.Issues) == 0 {
				t.Fatalf("refusal %v is not a 4xx with issues", err)
			}
			return
		}
		if m.BundleID == "" || m.PracticeODS == "" || !casework.ValidNHSNumber(m.NHSNumber) || !m.Consent || m.Reason == "" ||
			m.GivenName == "" || m.FamilyName == "" || m.DateOfBirth.IsZero() {
			t.Fatalf("accepted an incomplete referral: %+v", m)
		}
	})
}
