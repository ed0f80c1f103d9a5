package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/fhir"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
	"waymark/internal/web"
)

// TestEmailLinksUseTheConfiguredAddressNeverTheHostHeader asks for a
// password reset and registers with a forged Host header: the links in the
// emails go to the configured public address.
func TestEmailLinksUseTheConfiguredAddressNeverTheHostHeader(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newAccountSite(t, db, web.Config{})
		if _, err := s.accounts.CreateUser(context.Background(), "jo@example.org", "Jo", "a long enough password", ""); err != nil {
			t.Fatal(err)
		}
		for path, form := range map[string]url.Values{
			"/forgot-password": {"email": {"jo@example.org"}},
			"/register":        {"name": {"Sam"}, "email": {"sam@example.org"}, "password": {"a long enough password"}, "confirm_password": {"a long enough password"}},
		} {
			req, _ := http.NewRequest("POST", s.URL+path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Host = "evil.example"
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("POST %s: %d", path, resp.StatusCode)
			}
			list, err := s.outbox.Recent(context.Background(), 1)
			if err != nil || len(list) == 0 {
				t.Fatalf("POST %s: no email: %v", path, err)
			}
			m := list[0]
			if strings.Contains(m.Text+m.HTML, "evil.example") || !strings.Contains(m.Text, testPublicURL+"/") {
				t.Errorf("POST %s with Host evil.example: the email's links are not to %s:\n%s", path, testPublicURL, m.Text)
			}
		}
	})
}

// TestMetricsAskForTheTokenOrAreLeftOff: with a token /metrics answers only
// requests that carry it; hidden, the site does not serve it at all.
func TestMetricsAskForTheTokenOrAreLeftOff(t *testing.T) {
	db := sqlstoretest.OpenSQLite(t)
	token := "a-long-metrics-token-0123456789"
	s := newSite(t, db, web.Config{MetricsToken: token})
	for auth, want := range map[string]int{"": 401, "Bearer wrong-token-0123456789": 401, "Bearer " + token: 200} {
		req, _ := http.NewRequest("GET", s.URL+"/metrics", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("/metrics with %q: %d, want %d", auth, resp.StatusCode, want)
		}
	}
	hidden := newSite(t, sqlstoretest.OpenSQLite(t), web.Config{HideMetrics: true})
	if status, _, _ := hidden.get(t, "/metrics"); status != http.StatusNotFound {
		t.Errorf("hidden /metrics: %d, want 404", status)
	}
}

// The connected system's page shows administrators the token endpoint (the
// audience the system's assertions must name) and the FHIR base from the
// configured address, not from the Host header the page was asked with.
func TestSystemPageAddressesUseTheConfiguredAddressNeverTheHostHeader(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newAccountSiteWith(t, db, web.Config{PublicURL: "https://waymark.example.org"}, func(d *web.Deps) {
			d.Systems = fhir.NewSystems(sqlstore.NewFHIRStore(db), time.Now, uuid.NewString)
		})
		sys := registerSystem(t, db)
		admin := s.signInAs(t, "admin@example.org", waymark.RoleAdmin, "")
		req, _ := http.NewRequest("GET", s.URL+"/admin/systems/"+sys.ID, nil)
		req.Host = "evil.example"
		req.AddCookie(admin.cookie("waymark_session")) // the jar keeps it for the server's own host
		status, page, h := s.browser(t).do(req)
		if status != http.StatusOK || strings.Contains(page, "evil.example") ||
			!strings.Contains(page, "https://waymark.example.org/oauth2/token") || !strings.Contains(page, "https://waymark.example.org/fhir/R4") {
			t.Errorf("system page asked with Host evil.example: %d %s %s", status, h.Get("Location"), mainPart.FindString(page))
		}
	})
}
