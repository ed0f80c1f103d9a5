package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"waymark/internal/sqlstore"
	"waymark/internal/web"
)

// hostileNext are "next" values that a browser could follow to another site
// or that carry characters browsers strip or rewrite.
var hostileNext = []string{
	"/\t/evil.example/", "/\n/evil.example", "/\r\n/evil.example", "/\r/evil.example", "/ /evil.example",
	"//evil.example", "///evil.example", "//evil.example/account", "/\\evil.example", "/\\/evil.example",
	"\\\\evil.example", "\\/evil.example", "/account\\..\\..\\evil", "https://evil.example", "http:evil.example",
	"HTTPS://evil.example/", "https:/evil.example", "//@evil.example", "javascript:alert(1)", "data:text/html,x",
	"evil.example", "account", " /account", "\t/account", "/account\x0b", "/\x00/evil.example", "/\x7f/evil",
	"/\u00a0/evil.example", "/\u3002evil.example", "/\u202e/evil.example", "/\u2028/evil.example",
	"/" + strings.Repeat("a", 600), "", "\x00", "%2F%2Fevil.example", "/%0",
}

// TestSignInGoesOnlyToPagesOnThisSite replays hostile "next" values through
// every place that takes one: the sign-in form and its post, registration
// and the email confirmation link.
func TestSignInGoesOnlyToPagesOnThisSite(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newAccountSite(t, db, web.Config{})
		if _, err := s.accounts.CreateUser(context.Background(), "nia@example.org", "Nia", "walking in the peak", ""); err != nil {
			t.Fatal(err)
		}
		hidden := regexp.MustCompile(`name="next" value="([^"]*)"`)
		for _, next := range hostileNext {
			b := s.browser(t)
			_, body, _ := b.get("/sign-in?next=" + url.QueryEscape(next))
			if m := hidden.FindStringSubmatch(body); m == nil || html.UnescapeString(m[1]) != "/account" {
				t.Errorf("sign-in form keeps next %q: %v", next, m)
			}
			if _, body, _ := b.get("/register?next=" + url.QueryEscape(next)); hidden.MatchString(body) {
				t.Errorf("registration keeps next %q", next)
			}
			if _, body, _ := b.get("/verify-email?token=x&next=" + url.QueryEscape(next)); !strings.Contains(body, `href="/sign-in"`) {
				t.Errorf("the confirmation page's sign-in link keeps next %q", next)
			}
		}
		// One client signs in with each (failed sign-ins are what is
		// limited, so these all go through).
		b := s.browser(t)
		for _, next := range hostileNext {
			status, _, h := b.post("/sign-in", url.Values{"email": {"nia@example.org"}, "password": {"walking in the peak"}, "next": {next}})
			if status != http.StatusSeeOther || h.Get("Location") != "/account" {
				t.Errorf("sign in with next %q: %d to %q, want /account", next, status, h.Get("Location"))
			}
		}
		for _, next := range []string{"/account", "/services/7d8a1f52?x=1&y=2", "/claim/abc?expires=1&sig=AbC-_", "/%09/stays-here"} {
			status, _, h := b.post("/sign-in", url.Values{"email": {"nia@example.org"}, "password": {"walking in the peak"}, "next": {next}})
			if status != http.StatusSeeOther || h.Get("Location") != next {
				t.Errorf("sign in with next %q: %d to %q", next, status, h.Get("Location"))
			}
		}
	})
}
