package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

func TestModeratorsSendANewClaimLinkWhenTheFirstHasExpired(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newOnboardingSite(t, db)
		admin := s.signedIn(t, "admin@example.org", waymark.RoleAdmin)
		_, body, _ := admin.upload("s.csv", importCSV(importRow(1), importRow(2)))
		admin.post("/admin/import/confirm", url.Values{"upload": {uploadID.FindStringSubmatch(body)[1]}})
		first := s.claimPath(t)
		orgID := strings.TrimPrefix(strings.Split(first, "?")[0], "/claim/")

		s.clock.add(31 * 24 * time.Hour)
		anyone := s.browser(t)
		if status, body, _ := anyone.get(first); status != http.StatusBadRequest || !strings.Contains(body, "expired") {
			t.Fatalf("the first link after 31 days: %d", status)
		}
		mod := s.signedIn(t, "mo@example.org", waymark.RoleModerator)
		_, page, _ := mod.get("/moderation/claims")
		if !strings.Contains(page, "Hathersage Walkers 0") || !strings.Contains(page, "2 entries") || !strings.Contains(page, "/moderation/claims/"+orgID+"/resend") {
			t.Fatal("the unclaimed organisation is not listed with a way to send a new link")
		}
		provider := s.signedIn(t, "someone@example.org", "")
		if status, _, _ := provider.post("/moderation/claims/"+orgID+"/resend", nil); status != http.StatusForbidden {
			t.Errorf("someone without a role sending a claim link: %d", status)
		}
		if status, _, h := mod.post("/moderation/claims/"+orgID+"/resend", nil); status != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "sent=1") {
			t.Fatalf("send again: %d", status)
		}
		second := s.claimPath(t)
		if second == first {
			t.Fatal("the new email has the old link")
		}
		if status, body, _ := anyone.get(second); status != http.StatusOK || !strings.Contains(body, "Village ramble 2") {
			t.Errorf("the new link: %d", status)
		}
		if status, _, _ := mod.post("/moderation/claims/00000000-0000-0000-0000-000000000000/resend", nil); status != http.StatusNotFound {
			t.Errorf("an organisation with nothing to claim: %d", status)
		}
	})
}

func TestOnboardingStaffImportAndSeeOnlyTheirOwnImports(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newOnboardingSite(t, db)
		ann := s.signedIn(t, "ann@cvs.example", waymark.RoleOnboarding)
		bob := s.signedIn(t, "bob@pcn.example", waymark.RoleOnboarding)
		for _, who := range []struct {
			b    *browser
			file string
			row  int
		}{{ann, "ann-walks.csv", 1}, {bob, "bob-groups.csv", 50}} {
			_, body, _ := who.b.upload(who.file, importCSV(importRow(who.row)))
			m := uploadID.FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("%s: no dry run", who.file)
			}
			if status, _, _ := who.b.post("/admin/import/confirm", url.Values{"upload": {m[1]}}); status != http.StatusSeeOther && status != http.StatusOK {
				t.Fatalf("%s: import: %d", who.file, status)
			}
		}
		_, page, _ := ann.get("/admin/import")
		if !strings.Contains(page, "ann-walks.csv") || strings.Contains(page, "bob-groups.csv") {
			t.Error("onboarding staff see someone else's imports, or not their own")
		}
		mod := s.signedIn(t, "mo@example.org", waymark.RoleModerator)
		if _, page, _ = mod.get("/admin/import"); !strings.Contains(page, "ann-walks.csv") || !strings.Contains(page, "bob-groups.csv") {
			t.Error("moderators do not see every import")
		}
		for _, path := range []string{"/moderation", "/moderation/claims", "/admin"} {
			if status, _, _ := ann.get(path); status != http.StatusForbidden {
				t.Errorf("onboarding staff opening %s: %d", path, status)
			}
		}
		id := s.services[0].ID
		if status, _, _ := ann.post("/moderation/services/"+id+"/suspend", url.Values{"note": {"x"}}); status != http.StatusForbidden {
			t.Errorf("onboarding staff suspending an entry: %d", status)
		}
	})
}
