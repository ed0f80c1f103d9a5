package web_test

import (
	"context"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"waymark/internal/sqlstore"
	"waymark/internal/web"
)

// behindProxy is a configuration in which the test's requests come through
// a trusted proxy on loopback that names the client in X-Forwarded-For.
var behindProxy = web.Config{TrustedProxyHeader: "X-Forwarded-For",
	TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}}

// postFrom posts a form as the client at addr behind the proxy.
func (b *browser) postFrom(addr, path string, form url.Values) (int, string, http.Header) {
	req, _ := http.NewRequest("POST", b.u+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", addr)
	return b.do(req)
}

// sleeps records the waits the server asks for instead of waiting.
type sleeps struct {
	mu sync.Mutex
	n  int
}

func (z *sleeps) sleep(context.Context, time.Duration) { z.mu.Lock(); z.n++; z.mu.Unlock() }
func (z *sleeps) count() int                           { z.mu.Lock(); defer z.mu.Unlock(); return z.n }

func TestSuccessfulSignInsAreNotCounted(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newAccountSite(t, db, web.Config{})
		if _, err := s.accounts.CreateUser(context.Background(), "ama@example.org", "Ama", "walking in the peak", ""); err != nil {
			t.Fatal(err)
		}
		b := s.browser(t)
		for i := range 12 {
			if status, _, _ := b.post("/sign-in", url.Values{"email": {"ama@example.org"}, "password": {"walking in the peak"}}); status != http.StatusSeeOther {
				t.Fatalf("successful sign-in %d: %d", i+1, status)
			}
		}
		// Failures just below the limit, a success, and as many again: the
		// success cleared them.
		for round := range 2 {
			for range 4 {
				b.post("/sign-in", url.Values{"email": {"ama@example.org"}, "password": {"a wrong guess"}})
			}
			if status, _, _ := b.post("/sign-in", url.Values{"email": {"ama@example.org"}, "password": {"walking in the peak"}}); status != http.StatusSeeOther {
				t.Fatalf("round %d: sign in after 4 wrong passwords: %d", round, status)
			}
		}
	})
}

func TestWrongPasswordsSlowTheGuesserNotTheOwner(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		z := &sleeps{}
		s := newAccountSiteWith(t, db, behindProxy, func(d *web.Deps) { d.Sleep = z.sleep })
		if _, err := s.accounts.CreateUser(context.Background(), "lee@example.org", "Lee", "the right password", ""); err != nil {
			t.Fatal(err)
		}
		right := url.Values{"email": {"lee@example.org"}, "password": {"the right password"}}
		wrong := url.Values{"email": {"lee@example.org"}, "password": {"a wrong guess"}}
		b := s.browser(t)
		const guesser, owner = "203.0.113.7", "198.51.100.20"
		for range 5 {
			if status, _, _ := b.postFrom(guesser, "/sign-in", wrong); status != http.StatusUnauthorized {
				t.Fatalf("wrong password: %d", status)
			}
		}
		// The guesser is refused even with the right password ...
		status, body, h := b.postFrom(guesser, "/sign-in", right)
		if status != http.StatusTooManyRequests || !strings.Contains(body, "Too many attempts to sign in") || h.Get("Retry-After") == "" {
			t.Errorf("sixth attempt from the guesser: %d", status)
		}
		// ... while the owner elsewhere signs in at once.
		if status, _, _ := b.postFrom(owner, "/sign-in", right); status != http.StatusSeeOther {
			t.Errorf("the owner from another connection: %d", status)
		}
		if z.count() != 0 {
			t.Errorf("%d waits before the account's own limit", z.count())
		}
		// Guessing spread over many clients slows every attempt on the
		// account but does not refuse the owner.
		for i := range 10 {
			b.postFrom("192.0.2."+string(rune('1'+i%9))+"0", "/sign-in", wrong)
		}
		before := z.count()
		if status, _, _ := b.postFrom(owner, "/sign-in", right); status != http.StatusSeeOther {
			t.Errorf("the owner after spread guessing: %d", status)
		}
		if z.count() != before+1 {
			t.Errorf("the attempt after spread guessing waited %d times, want 1", z.count()-before)
		}
		// That success cleared the account's count: no more waiting.
		if b.postFrom(owner, "/sign-in", right); z.count() != before+1 {
			t.Error("still slowed after the owner signed in")
		}
		// A password reset clears the guesser's connection too (the owner
		// may be the one who got it wrong).
		b.postFrom(guesser, "/forgot-password", url.Values{"email": {"lee@example.org"}})
		token, _ := url.QueryUnescape(strings.TrimPrefix(s.lastLink(t, "/reset-password"), "/reset-password?token="))
		if status, _, _ := b.postFrom(guesser, "/reset-password", url.Values{"token": {token}, "password": {"a new right password"}, "confirm_password": {"a new right password"}}); status != 200 {
			t.Fatalf("reset: %d", status)
		}
		right.Set("password", "a new right password")
		if status, _, _ := b.postFrom(guesser, "/sign-in", right); status != http.StatusSeeOther {
			t.Errorf("after a reset, from the connection that got it wrong: %d", status)
		}
	})
}

func TestOneClientGuessingManyAccountsIsRefused(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newAccountSite(t, db, behindProxy)
		if _, err := s.accounts.CreateUser(context.Background(), "kai@example.org", "Kai", "the right password", ""); err != nil {
			t.Fatal(err)
		}
		b := s.browser(t)
		for i := range 20 {
			if status, _, _ := b.postFrom("203.0.113.9", "/sign-in", url.Values{"email": {"user" + string(rune('a'+i)) + "@example.org"}, "password": {"password123"}}); status != http.StatusUnauthorized {
				t.Fatalf("guess %d: %d", i+1, status)
			}
		}
		right := url.Values{"email": {"kai@example.org"}, "password": {"the right password"}}
		if status, _, _ := b.postFrom("203.0.113.9", "/sign-in", right); status != http.StatusTooManyRequests {
			t.Errorf("21st attempt from the sprayer: %d", status)
		}
		// Behind the proxy, the proxy's own address is not the client: others
		// are not refused.
		if status, _, _ := b.postFrom("203.0.113.10", "/sign-in", right); status != http.StatusSeeOther {
			t.Errorf("another client: %d", status)
		}
		// A client cannot pose as another by adding to the header: only the
		// address the trusted proxy appended counts.
		if status, _, _ := b.postFrom("198.51.100.1, 203.0.113.9", "/sign-in", right); status != http.StatusTooManyRequests {
			t.Errorf("forged X-Forwarded-For: %d", status)
		}
	})
}

func TestProxyHeadersAreIgnoredUnlessConfigured(t *testing.T) {
	s := newAccountSite(t, demo.OpenSQLite(t), web.Config{})
	b := s.browser(t)
	for i := range 20 {
		b.postFrom("203.0.113."+string(rune('a'+i)), "/sign-in", url.Values{"email": {"x" + string(rune('a'+i)) + "@example.org"}, "password": {"password123"}})
	}
	if status, _, _ := b.postFrom("198.51.100.99", "/sign-in", url.Values{"email": {"y@example.org"}, "password": {"password123"}}); status != http.StatusTooManyRequests {
		t.Errorf("a client changing X-Forwarded-For escaped the per-connection limit: %d", status)
	}
}
