package fhir_test

import (
	"net/url"
	"strings"
	"testing"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/fhir"
	"waymark/internal/input"
)

// FuzzParseServiceSearch checks reading a HealthcareService search from
// any query a connected system sends: it never panics, every refusal names
// the parameter, and what it accepts is in range and plain one-line text.
func FuzzParseServiceSearch(f *testing.F) {
	for _, s := range []string{"name=walking", "location.address-postalcode=DE4+3AG&distance=5&_count=20&page=2", "distance=5", "_count=0&page=-1",
		"name=%00", "name=a&name=b", "_format=xml", "unknown=1", "page=99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, issues := fhir.ParseServiceSearch(v)
		for _, is := range issues {
			if len(is.Expression) == 0 || is.Diagnostics == "" {
				t.Fatalf("%q: an issue without its parameter or words: %+v", raw, is)
			}
		}
		if len(issues) > 0 {
			return
		}
		if q.Page < 1 || q.Page > directory.MaxPage || q.PerPage < 1 || q.PerPage > directory.MaxPerPage || q.RadiusMiles < 1 {
			t.Fatalf("%q: accepted page %d, %d a page, %d miles", raw, q.Page, q.PerPage, q.RadiusMiles)
		}
		if _, err := input.Line("name", q.Text, directory.MaxQueryLength); err != nil || strings.TrimSpace(q.Text) != q.Text {
			t.Fatalf("%q: accepted the words %q: %v", raw, q.Text, err)
		}
	})
}

// FuzzParseKeys checks reading the public key an administrator pastes (PEM
// or a JWKS document): it never panics, refuses with EINVALID, and every key
// it accepts is RSA of 2048 bits or more.
func FuzzParseKeys(f *testing.F) {
	good, _ := keys(f)
	pub := publicPEM(f, good)
	for _, s := range []string{pub, `{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}`, `{"keys":[]}`, "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----",
		"-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----", "{", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		keys, err := fhir.ParseKeys(text)
		if err != nil {
			if waymark.ErrorCode(err) != waymark.EINVALID {
				t.Fatalf("%q: %v is not EINVALID", text, err)
			}
			return
		}
		for _, k := range keys {
			if k.Key == nil || k.Key.N.BitLen() < 2048 {
				t.Fatalf("%q: accepted a key of %d bits", text, k.Key.N.BitLen())
			}
		}
	})
}
