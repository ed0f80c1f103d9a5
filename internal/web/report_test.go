package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/sqlstore"
	"waymark/internal/web"
)

type movingClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *movingClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func TestAReportGoesToTheModeratorsWhoDecideToSuspendAndThePageStaysWithAlternatives(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		clock := &movingClock{t: testNow}
		store := sqlstore.NewDirectoryStore(db)
		life := directory.NewLifecycle(store, testMailer(db), clock.now, uuid.NewString)
		s := newAccountSiteWith(t, db, web.Config{}, func(d *web.Deps) {
			d.Lifecycle = life
			d.Reports = directory.NewReports(store, life, []byte("test signing key"))
		})
		walks := s.service(t, "Matlock health walks")
		b := s.browser(t)
		if status, body, _ := b.get("/services/" + walks.ID); status != 200 || !strings.Contains(body, "/services/"+walks.ID+"/report") {
			t.Fatalf("service page has no report link: %d", status)
		}
		if status, body, _ := b.post("/services/"+walks.ID+"/report", url.Values{"reason": {"x"}, "email": {"not an email"}}); status != 400 || !strings.Contains(body, "Tell us what is wrong") {
			t.Errorf("report without a reason: %d", status)
		}
		status, _, h := b.post("/services/"+walks.ID+"/report", url.Values{"reason": {"The walks stopped in the summer."}, "email": {"walker@example.org"}})
		if status != http.StatusSeeOther {
			t.Fatalf("report: %d, want a redirect", status)
		}
		if status, body, _ := b.get(h.Get("Location")); status != 200 || !strings.Contains(body, "Thank you for telling us") {
			t.Fatalf("after the report: %d", status)
		}
		b.post("/services/"+walks.ID+"/report", url.Values{"reason": {"Nobody came on Tuesday."}})
		// Nothing changes for the public, and nobody is emailed, until a
		// moderator decides.
		if _, body, _ := b.get("/?q=matlock+health+walks"); !strings.Contains(body, ">Matlock health walks<") {
			t.Error("a report took the entry out of search")
		}
		if status, _, _ := b.get("/services/" + walks.ID); status != 200 {
			t.Errorf("the reported entry's page: %d", status)
		}
		if list, _ := s.outbox.Recent(ctx, 5); len(list) != 0 {
			t.Errorf("a report emailed someone: %+v", list)
		}
		mod := s.signInAs(t, "mo@waymark.example", waymark.RoleModerator, "")
		_, queue, _ := mod.get("/moderation")
		if !strings.Contains(queue, "The walks stopped in the summer.") || !strings.Contains(queue, "2 reports") {
			t.Error("the moderators' queue does not show the reports and their count")
		}
		// A decision needs a reason, asked for next to the field.
		status, body, _ := mod.post("/moderation/reports/services/"+walks.ID+"/suspend", url.Values{"note": {" "}})
		if status != 400 || !strings.Contains(body, `id="suspend-note-`+walks.ID+`-error"`) || !strings.Contains(body, "Enter why it is suspended") {
			t.Errorf("suspend without a reason: %d", status)
		}
		if status, _, _ := mod.post("/moderation/reports/services/"+walks.ID+"/suspend", url.Values{"note": {"Two people say the walks have stopped."}}); status != http.StatusSeeOther {
			t.Fatalf("suspend: %d", status)
		}
		list, _ := s.outbox.Recent(ctx, 1)
		if len(list) != 1 || list[0].To != walks.Email || !strings.Contains(list[0].Text, "Two people say the walks have stopped.") {
			t.Fatalf("provider not emailed the reason: %+v", list)
		}
		if _, body, _ := mod.get("/moderation"); strings.Contains(body, "The walks stopped in the summer.") {
			t.Error("the reports stay open after the decision")
		}
		if _, body, _ := b.get("/?q=matlock+health+walks"); strings.Contains(body, ">Matlock health walks<") {
			t.Error("the suspended entry is still in search")
		}
		// Its page stays, says it is paused and why, and offers similar
		// services nearby.
		status, page, _ := b.get("/services/" + walks.ID)
		if status != 200 || !strings.Contains(page, "This service is paused") || !strings.Contains(page, "Our moderators have paused this listing") ||
			!strings.Contains(page, "Similar services nearby") || !strings.Contains(page, `content="noindex"`) {
			t.Errorf("the suspended entry's page: %d", status)
		}
		alt := regexp.MustCompile(`Similar services nearby</h2>\s*<ul[^>]*>\s*<li[^>]*>\s*<h3[^>]*><a href="/services/([0-9a-f-]{36})"`).FindStringSubmatch(page)
		if alt == nil || alt[1] == walks.ID {
			t.Fatalf("no alternative offered")
		}
		if strings.Contains(page, "/services/"+walks.ID+"/report") {
			t.Error("the paused page offers to report it")
		}
		// Only a moderator reopens what a moderator suspended.
		provider := s.signInAs(t, "walks@example.org", waymark.RoleProvider, walks.OrganizationID)
		if _, body, _ := provider.get("/provider"); !strings.Contains(body, "only a moderator can reopen it") {
			t.Error("the provider's page does not say only a moderator can reopen it")
		}
		if status, _, _ := provider.post("/provider/services/"+walks.ID+"/reopen", nil); status != http.StatusForbidden {
			t.Errorf("provider reopening a moderator's suspension: %d", status)
		}
		if status, _, _ := mod.post("/moderation/services/"+walks.ID+"/reopen", nil); status != http.StatusSeeOther {
			t.Errorf("moderator reopening: %d", status)
		}
		if _, body, _ := b.get("/?q=matlock+health+walks"); !strings.Contains(body, ">Matlock health walks<") {
			t.Error("the reopened entry is not back in search")
		}
		// Reports can be dismissed too.
		b.post("/services/"+walks.ID+"/report", url.Values{"reason": {"I did not like the route."}})
		if status, _, _ := mod.post("/moderation/reports/services/"+walks.ID+"/dismiss", nil); status != http.StatusSeeOther {
			t.Errorf("dismiss: %d", status)
		}
		if open, _ := store.OpenReports(ctx); len(open) != 0 {
			t.Errorf("%d reports open after dismissing", len(open))
		}
	})
}

func TestReportsAreLimitedPerConnectionAndPerEntry(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		store := sqlstore.NewDirectoryStore(db)
		life := directory.NewLifecycle(store, testMailer(db), time.Now, uuid.NewString)
		s := newAccountSiteWith(t, db, web.Config{}, func(d *web.Deps) {
			d.Lifecycle, d.Reports = life, directory.NewReports(store, life, []byte("k"))
		})
		b := s.browser(t)
		var public []*directory.Service
		for _, svc := range s.services {
			if svc.Status.Public() {
				public = append(public, svc)
			}
		}
		report := func(svc *directory.Service) int {
			status, _, _ := b.post("/services/"+svc.ID+"/report", url.Values{"reason": {"It has closed down."}})
			return status
		}
		for i := 0; i < 3; i++ {
			if status := report(public[0]); status != http.StatusSeeOther {
				t.Fatalf("report %d on one entry: %d", i+1, status)
			}
		}
		if status := report(public[0]); status != http.StatusTooManyRequests {
			t.Errorf("fourth report on one entry: %d, want 429", status)
		}
		// The connection may still report other entries, up to its own limit.
		sent := 4
		for i := 1; sent < 10; i++ {
			if status := report(public[i]); status != http.StatusSeeOther {
				t.Fatalf("report %d from the connection: %d", sent+1, status)
			}
			sent++
		}
		status, body, _ := b.post("/services/"+public[8].ID+"/report", url.Values{"reason": {"It has closed down."}})
		if status != http.StatusTooManyRequests || !strings.Contains(body, "Too many reports") || !strings.Contains(body, "It has closed down.") {
			t.Errorf("eleventh report from one connection: %d, want 429 keeping what was typed", status)
		}
		if open, _ := store.OpenReports(context.Background()); len(open) != 9 {
			t.Errorf("%d reports stored, want 9", len(open))
		}
	})
}

func TestReportingAHiddenEntryIsNotFound(t *testing.T) {
	db := demo.OpenSQLite(t)
	store := sqlstore.NewDirectoryStore(db)
	life := directory.NewLifecycle(store, testMailer(db), time.Now, uuid.NewString)
	s := newAccountSiteWith(t, db, web.Config{}, func(d *web.Deps) {
		d.Lifecycle, d.Reports = life, directory.NewReports(store, life, []byte("k"))
	})
	pending := s.service(t, "Community larder")
	b := s.browser(t)
	if status, _, _ := b.post("/services/"+pending.ID+"/report", url.Values{"reason": {"Does not exist"}}); status != http.StatusNotFound {
		t.Errorf("reporting a pending entry: %d", status)
	}
}
