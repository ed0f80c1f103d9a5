package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"waymark/internal/account"
	"waymark/internal/email"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
	"waymark/internal/web"
)

// newest is the newest email in the outbox.
func (s *accountSite) newest(t *testing.T) email.Queued {
	t.Helper()
	list, err := s.outbox.Recent(context.Background(), 1)
	if err != nil || len(list) == 0 {
		t.Fatalf("no email in the outbox: %v", err)
	}
	return list[0]
}

func (s *accountSite) outboxSize(t *testing.T) int {
	t.Helper()
	list, err := s.outbox.Recent(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

func TestRegisterAndForgotPasswordDoNotTellWhetherAnAddressHasAnAccount(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		hashes := account.NewHashLimiter(4, 0)
		s := newAccountSiteWith(t, db, web.Config{}, func(d *web.Deps) { d.Accounts.SetHashLimiter(hashes) })
		if _, err := s.accounts.CreateUser(context.Background(), "owner@example.org", "Olu", "the owner's password", ""); err != nil {
			t.Fatal(err)
		}
		b := s.browser(t)
		register := func(addr string) (int, string, int64) {
			before := hashes.Hashes()
			status, body, _ := b.post("/register", url.Values{"name": {"Someone"}, "email": {addr}, "password": {"walking in the peak"}, "confirm_password": {"walking in the peak"}})
			return status, stripTitle(strings.ReplaceAll(body, addr, "ADDRESS")), hashes.Hashes() - before
		}
		newStatus, newPage, newHashes := register("newcomer@example.org")
		takenStatus, takenPage, takenHashes := register("owner@example.org")
		if newStatus != 200 || takenStatus != newStatus || takenPage != newPage {
			t.Errorf("registering a taken address answers %d, a new one %d; pages differ: %v", takenStatus, newStatus, takenPage != newPage)
		}
		if strings.Contains(takenPage, "already exists") {
			t.Error("the page says the address has an account")
		}
		// The costly part, hashing the password, happens either way.
		if newHashes != 1 || takenHashes != 1 {
			t.Errorf("password hashes: %d for a new address, %d for a taken one", newHashes, takenHashes)
		}
		m := s.newest(t)
		if m.To != "owner@example.org" || !strings.Contains(m.Text, "already has one") || !strings.Contains(m.Text, "/forgot-password") || strings.Contains(m.Text, "token=") {
			t.Errorf("the owner's email: to %s %q", m.To, m.Text)
		}

		forgot := func(addr string) (int, string, int) {
			before := s.outboxSize(t)
			status, body, _ := b.post("/forgot-password", url.Values{"email": {addr}})
			return status, stripTitle(strings.ReplaceAll(body, addr, "ADDRESS")), s.outboxSize(t) - before
		}
		knownStatus, knownPage, knownMail := forgot("owner@example.org")
		if m := s.newest(t); m.To != "owner@example.org" || !strings.Contains(m.Text, "/reset-password?token=") {
			t.Errorf("the reset email: to %s %q", m.To, m.Text)
		}
		unknownStatus, unknownPage, unknownMail := forgot("stranger@example.org")
		if m := s.newest(t); m.To != "stranger@example.org" || !strings.Contains(m.Text, "no Waymark account") || strings.Contains(m.Text, "token=") {
			t.Errorf("the no-account email: to %s %q", m.To, m.Text)
		}
		if knownStatus != 200 || unknownStatus != 200 || knownPage != unknownPage {
			t.Errorf("forgot password answers %d and %d; pages differ: %v", knownStatus, unknownStatus, knownPage != unknownPage)
		}
		if knownMail != 1 || unknownMail != 1 {
			t.Errorf("emails queued: %d for a known address, %d for an unknown one", knownMail, unknownMail)
		}
		// Nobody can fill an inbox: after three, the answer is the same but
		// no more email goes to the address.
		forgot("stranger@example.org")
		forgot("stranger@example.org")
		if _, page, mail := forgot("stranger@example.org"); mail != 0 || page != unknownPage {
			t.Errorf("a fourth request for one address sent %d emails", mail)
		}
	})
}

func TestRegistrationAndForgotPasswordAreLimitedPerClient(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newAccountSite(t, db, behindProxy)
		b := s.browser(t)
		mismatched := url.Values{"name": {"Someone"}, "email": {"a@example.org"}, "password": {"walking in the peak"}, "confirm_password": {"walking in the dales"}}
		for i := range 10 {
			if status, _, _ := b.postFrom("203.0.113.5", "/register", mismatched); status != 400 {
				t.Fatalf("registration %d: %d", i+1, status)
			}
		}
		status, body, h := b.postFrom("203.0.113.5", "/register", mismatched)
		if status != http.StatusTooManyRequests || h.Get("Retry-After") == "" || !strings.Contains(body, "Too many attempts to create an account") || !strings.Contains(body, `value="a@example.org"`) {
			t.Errorf("11th registration from one client: %d", status)
		}
		if status, _, _ := b.postFrom("203.0.113.6", "/register", mismatched); status != 400 {
			t.Errorf("another client: %d", status)
		}
		for i := range 10 {
			if status, _, _ := b.postFrom("203.0.113.5", "/forgot-password", url.Values{"email": {"not an address"}}); status != 400 {
				t.Fatalf("forgot password %d: %d", i+1, status)
			}
		}
		if status, body, h := b.postFrom("203.0.113.5", "/forgot-password", url.Values{"email": {"x@example.org"}}); status != http.StatusTooManyRequests || h.Get("Retry-After") == "" || !strings.Contains(body, "Too many requests") {
			t.Errorf("11th forgot-password from one client: %d", status)
		}
	})
}

func TestPasswordHashesWaitForAFreeSlotAndGiveUpWith503(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		hashes := account.NewHashLimiter(1, 0)
		s := newAccountSiteWith(t, db, web.Config{}, func(d *web.Deps) { d.Accounts.SetHashLimiter(hashes) })
		if _, err := s.accounts.CreateUser(context.Background(), "pat@example.org", "Pat", "pat's password here", ""); err != nil {
			t.Fatal(err)
		}
		release, err := hashes.Acquire(context.Background()) // every slot busy
		if err != nil {
			t.Fatal(err)
		}
		b := s.browser(t)
		form := url.Values{"name": {"Sol"}, "email": {"sol@example.org"}, "password": {"walking in the peak"}, "confirm_password": {"walking in the peak"}}
		status, body, h := b.post("/register", form)
		if status != http.StatusServiceUnavailable || h.Get("Retry-After") == "" || !strings.Contains(body, "busy") || !strings.Contains(body, `value="sol@example.org"`) {
			t.Errorf("registering while every hash slot is busy: %d", status)
		}
		if status, _, h := b.post("/sign-in", url.Values{"email": {"pat@example.org"}, "password": {"pat's password here"}}); status != http.StatusServiceUnavailable || h.Get("Retry-After") == "" {
			t.Errorf("signing in while every hash slot is busy: %d", status)
		}
		// Busy is not a wrong password: it does not count towards the limits.
		for range 6 {
			b.post("/sign-in", url.Values{"email": {"pat@example.org"}, "password": {"pat's password here"}})
		}
		release()
		if status, _, _ := b.post("/register", form); status != 200 {
			t.Errorf("registering with a slot free: %d", status)
		}
		if status, _, _ := b.post("/sign-in", url.Values{"email": {"pat@example.org"}, "password": {"pat's password here"}}); status != http.StatusSeeOther {
			t.Errorf("signing in with a slot free: %d", status)
		}
	})
}

func TestCommonPasswordsAreRefusedWithAClearMessage(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newAccountSite(t, db, web.Config{})
		if _, err := s.accounts.CreateUser(context.Background(), "ida@example.org", "Ida", "the right password", ""); err != nil {
			t.Fatal(err)
		}
		b := s.browser(t)
		for _, pw := range []string{"password12", "1234567890"} {
			status, body, _ := b.post("/register", url.Values{"name": {"Ed"}, "email": {"ed@example.org"}, "password": {pw}, "confirm_password": {pw}})
			if status != 400 || !strings.Contains(body, "This password is too common") || !strings.Contains(body, `id="password-error"`) || !strings.Contains(body, `value="ed@example.org"`) {
				t.Errorf("registering with %q: %d", pw, status)
			}
			b.post("/sign-in", url.Values{"email": {"ida@example.org"}, "password": {"the right password"}})
			change := url.Values{"current_password": {"the right password"}, "password": {pw}, "confirm_password": {pw}}
			if status, body, _ := b.post("/account/password", change); status != 400 || !strings.Contains(body, "This password is too common") {
				t.Errorf("changing to %q: %d", pw, status)
			}
			_, token, err := s.accounts.RequestPasswordReset(context.Background(), "ida@example.org")
			if err != nil {
				t.Fatal(err)
			}
			if status, body, _ := b.post("/reset-password", url.Values{"token": {token}, "password": {pw}, "confirm_password": {pw}}); status != 400 || !strings.Contains(body, "This password is too common") {
				t.Errorf("resetting to %q: %d", pw, status)
			}
		}
	})
}

// Choosing a password from a reset link costs a password hash before the
// link is looked at, so one client may try it 10 times, then once a
// minute; another client is not held up.
func TestChoosingAPasswordFromAResetLinkIsLimitedPerClient(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newAccountSite(t, db, behindProxy)
		b := s.browser(t)
		made := url.Values{"token": {"a made-up token"}, "password": {"walking in the peak"}, "confirm_password": {"walking in the peak"}}
		for i := range 10 {
			if status, _, _ := b.postFrom("203.0.113.5", "/reset-password", made); status != http.StatusNotFound {
				t.Fatalf("reset %d: %d", i+1, status)
			}
		}
		status, body, h := b.postFrom("203.0.113.5", "/reset-password", made)
		if status != http.StatusTooManyRequests || h.Get("Retry-After") == "" || !strings.Contains(body, "Too many attempts to choose a password") {
			t.Errorf("11th reset from one client: %d", status)
		}
		if status, _, _ := b.postFrom("203.0.113.6", "/reset-password", made); status != http.StatusNotFound {
			t.Errorf("another client: %d", status)
		}
	})
}
