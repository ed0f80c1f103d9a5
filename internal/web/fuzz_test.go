package web_test

import (
	"net/url"
	"strings"
	"testing"

	"waymark/internal/web"
)

// FuzzSafeNext checks the page to go to after signing in: whatever is
// asked for, it is the account page or a path a browser reads as this
// site's (issue 11, 5).
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/account", "/services/1?q=walk", "/\t/evil.example/", "//evil.example", "/\\evil.example", "https://evil.example/",
		"/%2f%2fevil.example", "/a/../..//evil.example", "/ /evil.example", "javascript:alert(1)", "/@evil.example", "/?next=//evil"} {
		f.Add(s)
	}
	site, _ := url.Parse("https://waymark.example.org/sign-in")
	f.Fuzz(func(t *testing.T, next string) {
		got := web.SafeNext(next)
		if got == "/account" {
			return
		}
		if got != next {
			t.Fatalf("SafeNext(%q) = %q: neither the page asked for nor the account page", next, got)
		}
		for i := 0; i < len(got); i++ {
			if c := got[i]; c <= ' ' || c >= 0x7f || c == '\\' {
				t.Fatalf("SafeNext(%q) keeps byte %#x, which browsers strip or read as a slash", next, c)
			}
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("SafeNext(%q) = %q does not parse: %v", next, got, err)
		}
		if to := site.ResolveReference(u); to.Host != site.Host || to.Scheme != site.Scheme {
			t.Fatalf("SafeNext(%q) = %q leads to %s", next, got, to)
		}
	})
}

// FuzzParseInsightsFilter checks reading an insights filter from any query:
// it never panics, every problem names its field, and a filter it accepts
// has both ends of its range or neither (insights.Service checks the
// order and the length).
func FuzzParseInsightsFilter(f *testing.F) {
	for _, s := range []string{"from=2026-01-01&to=2026-01-31&interval=week", "from=2026-02-30&to=x", "to=2026-01-01", "interval=day&team=%00",
		"from=0001-01-01&to=9999-12-31", "area=DE4&from=2026-12-31&to=2026-01-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		filter, errs := web.ParseInsightsFilter(q)
		if len(errs) > 0 {
			for field, msg := range errs {
				if field == "" || strings.TrimSpace(msg) == "" {
					t.Fatalf("%q: a problem without a field or message: %q %q", raw, field, msg)
				}
			}
			return
		}
		if filter.From.IsZero() != filter.To.IsZero() {
			t.Fatalf("%q: accepted a range from %v to %v", raw, filter.From, filter.To)
		}
	})
}
