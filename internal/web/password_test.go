package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"waymark/internal/sqlstore"
	"waymark/internal/web"
)

// resetToken is the token of the newest reset link in the outbox.
func (s *accountSite) resetToken(t *testing.T) string {
	t.Helper()
	token, _ := url.QueryUnescape(strings.TrimPrefix(s.lastLink(t, "/reset-password"), "/reset-password?token="))
	return token
}

func TestChangingOrResettingAPasswordEndsOtherSessionsAndResetLinks(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newAccountSite(t, db, web.Config{})
		if _, err := s.accounts.CreateUser(context.Background(), "ren@example.org", "Ren", "the first password", ""); err != nil {
			t.Fatal(err)
		}
		signIn := func(password string) *browser {
			b := s.browser(t)
			if status, _, _ := b.post("/sign-in", url.Values{"email": {"ren@example.org"}, "password": {password}}); status != http.StatusSeeOther {
				t.Fatalf("sign in: %d", status)
			}
			return b
		}
		signedIn := func(b *browser) bool {
			status, _, _ := b.get("/account")
			return status == http.StatusOK
		}
		laptop, phone := signIn("the first password"), signIn("the first password")
		// Reset links asked for before the change.
		anon := s.browser(t)
		var tokens []string
		issue := func() {
			_, token, err := s.accounts.RequestPasswordReset(context.Background(), "ren@example.org")
			if err != nil {
				t.Fatal(err)
			}
			tokens = append(tokens, token)
		}
		anon.post("/forgot-password", url.Values{"email": {"ren@example.org"}})
		tokens = append(tokens, s.resetToken(t))
		issue()
		issue()
		change := url.Values{"current_password": {"the first password"}, "password": {"the second password"}, "confirm_password": {"the second password"}}
		if status, body, _ := laptop.post("/account/password", change); status != 200 || !strings.Contains(body, "signed out") {
			t.Fatalf("change password: %d", status)
		}
		if !signedIn(laptop) {
			t.Error("the session that changed the password was signed out")
		}
		if signedIn(phone) {
			t.Error("another session is still signed in after a password change")
		}
		reset := func(token, password string) int {
			status, _, _ := anon.post("/reset-password", url.Values{"token": {token}, "password": {password}, "confirm_password": {password}})
			return status
		}
		if status := reset(tokens[0], "a password from an old link"); status != http.StatusNotFound {
			t.Errorf("a reset link from before the change: %d, want 404", status)
		}
		// A reset ends every session and every other link.
		phone = signIn("the second password")
		issue()
		issue()
		issue()
		if status := reset(tokens[4], "the third password"); status != 200 {
			t.Fatalf("reset: %d", status)
		}
		if signedIn(laptop) || signedIn(phone) {
			t.Errorf("still signed in after a reset: laptop %v, phone %v", signedIn(laptop), signedIn(phone))
		}
		for _, i := range []int{3, 5} {
			if status := reset(tokens[i], "a fourth password here"); status != http.StatusNotFound {
				t.Errorf("another outstanding reset link still works: %d", status)
			}
		}
		if !signedIn(signIn("the third password")) {
			t.Error("cannot sign in with the reset password")
		}
	})
}
