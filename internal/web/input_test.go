package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"waymark"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
	"waymark/internal/web"
)

func TestControlCharactersAndBadUTF8AreRefusedWith400AndTheFieldsMessage(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newFullSite(t, db, web.Config{})
		id := s.services[0].ID
		orgID := s.services[0].OrganizationID
		provider := s.signInAs(t, "provider@example.org", waymark.RoleProvider, orgID)
		moderator := s.signInAs(t, "moderator@example.org", waymark.RoleModerator, "")
		anon := s.browser(t)
		tests := []struct {
			b     *browser
			path  string
			form  url.Values
			label string
		}{
			{anon, "/register", url.Values{"name": {"Ann\x00"}, "email": {"ann@example.org"}, "password": {"a long password"}, "confirm_password": {"a long password"}}, "Name"},
			{anon, "/services/" + id + "/refer", url.Values{"name": {"Ann \xff\xfe"}, "email": {"ann@example.org"}, "preferred_contact": {"email"}, "consent": {"yes"}}, "Name"},
			{anon, "/services/" + id + "/report", url.Values{"reason": {"closed\x00down"}}, "Reason"},
			{provider, "/referrals/" + id + "/message", url.Values{"body": {"hello\x1b[31m"}}, "Body"},
			{moderator, "/moderation/services/" + id + "/decline", url.Values{"note": {"no\x00"}}, "Note"},
			{provider, "/provider/services/new", url.Values{"title": {"Walks\x00"}, "description": {"ok"}, "email": {"a@example.org"}, "postcode": {"DE4 3AG"}}, "Title"},
			{provider, "/provider/services/new", url.Values{"title": {"Walks"}, "description": {"bad \xc3\x28 text"}, "email": {"a@example.org"}, "postcode": {"DE4 3AG"}}, "Description"},
		}
		for _, tt := range tests {
			status, body, _ := tt.b.post(tt.path, tt.form)
			if status != http.StatusBadRequest {
				t.Errorf("POST %s with %v = %d, want 400", tt.path, tt.form, status)
				continue
			}
			if !strings.Contains(body, tt.label+" must") {
				t.Errorf("POST %s: the page does not say what is wrong with %s", tt.path, tt.label)
			}
		}
		// Query parameters too: the search page and the API.
		if status, _, _ := anon.get("/?q=" + url.QueryEscape("walk\x00")); status != http.StatusBadRequest {
			t.Errorf("search with a NUL = %d, want 400", status)
		}
	})
}
