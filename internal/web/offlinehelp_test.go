package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"waymark"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

func TestModeratorsEditTheOfflineHelpList(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newListingSite(t, db)
		mod := s.signInAs(t, "mo@waymark.example", waymark.RoleModerator, "")
		_, form, _ := mod.get("/moderation/offline-help/new")
		checkStructure(t, "/moderation/offline-help/new", form)
		id := regexp.MustCompile(`name="id" value="([0-9a-f-]{36})"`).FindStringSubmatch(form)
		if id == nil {
			t.Fatal("the new form has no id")
		}
		status, body, _ := mod.post("/moderation/offline-help/new", url.Values{"id": {id[1]}, "name": {"Wirksworth Community Hub"}, "phone1": {"999"}})
		if status != http.StatusBadRequest || !strings.Contains(body, "Enter the area it covers") || !strings.Contains(body, `value="Wirksworth Community Hub"`) {
			t.Fatalf("an incomplete entry: %d", status)
		}
		good := url.Values{"id": {id[1]}, "name": {"Wirksworth Community Hub"}, "area": {"Wirksworth"}, "phone1": {"01629 580000"},
			"address": {"1 Market Place\nWirksworth"}}
		for i := 0; i < 2; i++ { // sent twice: added once
			if status, _, h := mod.post("/moderation/offline-help/new", good); status != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "done=saved") {
				t.Fatalf("add: %d", status)
			}
		}
		_, public, _ := s.get(t, "/help/offline")
		if n := strings.Count(public, "Wirksworth Community Hub"); n != 1 {
			t.Fatalf("the public page shows the new organisation %d times, want 1", n)
		}
		if !strings.Contains(public, "01629 580000") || !strings.Contains(public, "1 Market Place<br>Wirksworth") {
			t.Error("the public page lacks the new organisation's details")
		}
		good.Set("area", "Wirksworth and Cromford")
		if status, _, _ := mod.post("/moderation/offline-help/"+id[1]+"/edit", good); status != http.StatusSeeOther {
			t.Fatalf("change: %d", status)
		}
		if _, public, _ = s.get(t, "/help/offline"); !strings.Contains(public, "Covers: Wirksworth and Cromford") {
			t.Error("the change is not public")
		}
		if _, confirm, _ := mod.get("/moderation/offline-help/" + id[1] + "/remove"); !strings.Contains(confirm, "Yes, take it off the list") {
			t.Fatal("no confirmation page before removing")
		}
		if status, _, _ := mod.post("/moderation/offline-help/"+id[1]+"/remove", nil); status != http.StatusSeeOther {
			t.Fatalf("remove: %d", status)
		}
		if _, public, _ = s.get(t, "/help/offline"); strings.Contains(public, "Wirksworth Community Hub") {
			t.Error("a removed organisation is still public")
		}
		provider := s.signInAs(t, "p@example.org", waymark.RoleProvider, s.services[0].OrganizationID)
		if status, _, _ := provider.post("/moderation/offline-help/new", good); status != http.StatusForbidden {
			t.Errorf("a provider adding to the list: %d", status)
		}
	})
}
