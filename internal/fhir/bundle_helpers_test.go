package fhir_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"waymark/internal/fhir"
)

// barsExamples is the BaRS 1.4.0 examples folder in ../shared.
var barsExamples = filepath.Join("..", "..", "..", "shared", "standards", "fhir", "bars-1.4.0", "specification", "examples1.4.0")

// docsExample is the referral Bundle the README shows (waymark fhir send).
var docsExample = filepath.Join("..", "..", "docs", "examples", "fhir-referral-bundle.json")

// Valid NHS numbers (modulus 11) used by the tests.
const (
	testNHS      = "9434765919"
	testNHSOther = "4010232137"
	badNHS       = "9434765918" // check digit wrong
)

// readDoc decodes a JSON file into a generic document.
func readDoc(t testing.TB, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return doc
}

func encode(t testing.TB, doc any) []byte {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// entries returns the resources of a Bundle document of the given type.
func entries(doc map[string]any, resourceType string) []map[string]any {
	var out []map[string]any
	list, _ := doc["entry"].([]any)
	for _, e := range list {
		res, _ := e.(map[string]any)["resource"].(map[string]any)
		if res != nil && res["resourceType"] == resourceType {
			out = append(out, res)
		}
	}
	return out
}

// addEntry appends a resource to a Bundle document.
func addEntry(doc map[string]any, fullURL string, res map[string]any) {
	list, _ := doc["entry"].([]any)
	doc["entry"] = append(list, map[string]any{"fullUrl": fullURL, "resource": res})
}

// removeEntries drops the resources of a type from a Bundle document.
func removeEntries(doc map[string]any, resourceType string) {
	list, _ := doc["entry"].([]any)
	kept := list[:0]
	for _, e := range list {
		res, _ := e.(map[string]any)["resource"].(map[string]any)
		if res == nil || res["resourceType"] != resourceType {
			kept = append(kept, e)
		}
	}
	doc["entry"] = kept
}

// adapt turns a BaRS example referral into one Waymark takes, changing only
// what BaRS leaves to the receiver or what the example gets wrong:
//   - the ServiceRequest is coded SNOMED CT 871731000000106 (to the team),
//     or, when serviceID is given, names that HealthcareService as performer
//     (instead of the example's NHS Directory of Services one);
//   - the Patient's NHS number gets a valid check digit (the examples'
//     3478526985 fails the modulus 11 check);
//   - Organizations without an identifier get the practice's ODS code (the
//     examples leave the requester's organisation without one);
//   - a reason and an active Consent are added where the example has none;
//   - the Bundle id is set (the key of the message).
func adapt(t testing.TB, doc map[string]any, bundleID, ods, serviceID, nhs string) []byte {
	t.Helper()
	doc["id"] = bundleID
	srs := entries(doc, "ServiceRequest")
	if len(srs) == 0 {
		t.Fatal("example has no ServiceRequest")
	}
	sr := srs[0]
	sr["code"] = map[string]any{"coding": []any{map[string]any{"system": fhir.SNOMEDSystem, "code": fhir.SocialPrescribingReferral,
		"display": "Referral to social prescribing service"}}}
	delete(sr, "performer") // the examples' performer is a service of the NHS Directory of Services
	if serviceID != "" {
		sr["performer"] = []any{map[string]any{"reference": "HealthcareService/" + serviceID}}
	}
	if _, ok := sr["reasonCode"]; !ok {
		sr["reasonCode"] = []any{map[string]any{"text": "Low mood and isolation; would like support to join local groups."}}
	}
	for _, p := range entries(doc, "Patient") {
		for _, id := range p["identifier"].([]any) {
			m := id.(map[string]any)
			if m["system"] == fhir.NHSNumberSystem {
				m["value"] = nhs
			}
		}
	}
	for _, o := range entries(doc, "Organization") {
		if _, ok := o["identifier"]; !ok {
			o["identifier"] = []any{map[string]any{"system": fhir.ODSSystem, "value": ods}}
		}
	}
	if len(entries(doc, "Consent")) == 0 {
		subject := sr["subject"].(map[string]any)["reference"]
		addEntry(doc, "urn:uuid:6a1c0c2e-4c8e-4f0e-9d59-3b1c7e2a9f10", map[string]any{
			"resourceType": "Consent", "status": "active",
			"scope":    map[string]any{"coding": []any{map[string]any{"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy"}}},
			"category": []any{map[string]any{"coding": []any{map[string]any{"system": "http://loinc.org", "code": "59284-0"}}}},
			"patient":  map[string]any{"reference": subject},
		})
	}
	return encode(t, doc)
}

// referralBundle returns the docs example Bundle for a practice, with a Bundle
// id and NHS number, after the changes (if any) to its document.
func referralBundle(t testing.TB, bundleID, ods, nhs string, change ...func(doc map[string]any)) []byte {
	t.Helper()
	doc := readDoc(t, docsExample)
	doc["id"] = bundleID
	for _, o := range entries(doc, "Organization") {
		o["identifier"].([]any)[0].(map[string]any)["value"] = ods
	}
	entries(doc, "Patient")[0]["identifier"].([]any)[0].(map[string]any)["value"] = nhs
	for _, c := range change {
		c(doc)
	}
	return encode(t, doc)
}
