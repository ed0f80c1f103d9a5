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

func TestReportSomethingWrongSuspendsUntilTheProviderConfirms(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
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
		if status, body, _ := b.post("/services/"+walks.ID+"/report", url.Values{"reason": {"The walks stopped in the summer."}, "email": {"walker@example.org"}}); status != 200 || !strings.Contains(body, "Thank you for telling us") {
			t.Fatalf("report: %d", status)
		}
		if _, body, _ := b.get("/?q=matlock+health+walks"); strings.Contains(body, ">Matlock health walks<") {
			t.Error("the reported entry is still in search")
		}
		// Moderators see the report.
		s.accounts.CreateUser(context.Background(), "mo@waymark.example", "Mo", "a moderator password", waymark.RoleModerator)
		mod := s.browser(t)
		mod.post("/sign-in", url.Values{"email": {"mo@waymark.example"}, "password": {"a moderator password"}})
		if _, body, _ := mod.get("/moderation"); !strings.Contains(body, "The walks stopped in the summer.") {
			t.Error("moderators do not see the report")
		}
		// The provider's email has a signed link that needs no sign-in.
		list, _ := s.outbox.Recent(context.Background(), 1)
		if len(list) == 0 || list[0].To != walks.Email {
			t.Fatalf("provider not emailed: %+v", list)
		}
		link := regexp.MustCompile(`/services/[0-9a-f-]+/confirm\?\S+`).FindString(list[0].Text)
		if link == "" {
			t.Fatalf("no confirmation link in %q", list[0].Text)
		}
		provider := s.browser(t)
		if status, body, _ := provider.get(link); status != 200 || !strings.Contains(body, "Yes, it is still running") {
			t.Fatalf("confirmation page: %d", status)
		}
		if _, body, _ := provider.get("/?q=matlock+health+walks"); strings.Contains(body, ">Matlock health walks<") {
			t.Error("opening the link (a GET) changed the listing")
		}
		u, _ := url.Parse(link)
		form := url.Values{"expires": {u.Query().Get("expires")}, "sig": {u.Query().Get("sig")}}
		tampered := url.Values{"expires": {u.Query().Get("expires") + "0"}, "sig": {u.Query().Get("sig")}}
		if status, _, _ := provider.post(u.Path, tampered); status != 400 {
			t.Errorf("tampered link: %d", status)
		}
		other := s.service(t, "Debt and benefits advice")
		if status, _, _ := provider.post("/services/"+other.ID+"/confirm", form); status != 400 {
			t.Errorf("the link used for another listing: %d", status)
		}
		if status, body, _ := provider.post(u.Path, form); status != 200 || !strings.Contains(body, "back in search") {
			t.Fatalf("confirm: %d", status)
		}
		if _, body, _ := b.get("/?q=matlock+health+walks"); !strings.Contains(body, "Matlock health walks") {
			t.Error("the confirmed entry is not back in search")
		}
		if _, body, _ := mod.get("/moderation"); strings.Contains(body, "The walks stopped in the summer.") {
			t.Error("the report stays open after the provider confirmed")
		}
		// Links expire.
		b.post("/services/"+walks.ID+"/report", url.Values{"reason": {"Stopped again, I think."}})
		list, _ = s.outbox.Recent(context.Background(), 1)
		late, _ := url.Parse(regexp.MustCompile(`/services/[0-9a-f-]+/confirm\?\S+`).FindString(list[0].Text))
		clock.mu.Lock()
		clock.t = clock.t.Add(directory.ConfirmTTL + time.Hour)
		clock.mu.Unlock()
		if status, body, _ := provider.post(late.Path, url.Values{"expires": {late.Query().Get("expires")}, "sig": {late.Query().Get("sig")}}); status != 400 || !strings.Contains(body, "expired") {
			t.Errorf("expired link: %d", status)
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

func TestAReportedListingGoesLiveAgainWhenTheProvidersChangesAreApproved(t *testing.T) {
	db := demo.OpenSQLite(t)
	store := sqlstore.NewDirectoryStore(db)
	life := directory.NewLifecycle(store, testMailer(db), time.Now, uuid.NewString)
	s := newAccountSiteWith(t, db, web.Config{}, func(d *web.Deps) {
		d.Lifecycle, d.Revisions = life, directory.NewRevisions(store, d.Directory, life)
		d.Reports = directory.NewReports(store, life, []byte("k"))
	})
	ctx := context.Background()
	walks := s.service(t, "Matlock health walks")
	s.accounts.CreateUser(ctx, "admin@example.org", "Ada", "an admin password", waymark.RoleAdmin)
	admin := s.browser(t)
	admin.post("/sign-in", url.Values{"email": {"admin@example.org"}, "password": {"an admin password"}})
	public := s.browser(t)
	public.post("/services/"+walks.ID+"/report", url.Values{"reason": {"They moved to Tuesdays."}})
	edit := url.Values{"email": {walks.Email}, "postcode": {"DE4 3AG"}, "title": {"Matlock health walks"}, "days": {"TU"}, "opens_at": {"10:00"}, "closes_at": {"11:30"}}
	if status, _, _ := admin.post("/provider/services/"+walks.ID+"/edit", edit); status != http.StatusSeeOther {
		t.Fatalf("edit: %d", status)
	}
	revs, _ := store.PendingRevisions(ctx)
	if len(revs) != 1 {
		t.Fatalf("%d revisions", len(revs))
	}
	if status, _, _ := admin.post("/moderation/revisions/"+revs[0].ID+"/approve", nil); status != http.StatusSeeOther {
		t.Fatalf("approve: %d", status)
	}
	got, _ := store.FindServiceByID(ctx, walks.ID)
	if got.Status != directory.StatusPublished || len(got.Schedules) != 1 || got.Schedules[0].ByDay != "TU" {
		t.Errorf("after approved changes: %s %+v", got.Status, got.Schedules)
	}
	if open, _ := store.OpenReports(ctx); len(open) != 0 {
		t.Errorf("%d reports still open", len(open))
	}
}
