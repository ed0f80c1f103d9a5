package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/account"
	"waymark/internal/directory"
	"waymark/internal/email"
	"waymark/internal/freshness"
	"waymark/internal/sqlstore"
	"waymark/internal/web"
)

// signInAs makes a verified user, with a platform role or a role in an
// organisation, and signs them in.
func (s *accountSite) signInAs(t *testing.T, addr string, role waymark.Role, orgID string) *browser {
	t.Helper()
	u := &account.User{ID: uuid.NewString(), Email: addr, Name: "User " + string(role), CreatedAt: testNow}
	if orgID != "" {
		u.Memberships = []account.Membership{{OrganizationID: orgID, Role: role}}
	} else {
		u.PlatformRole = role
	}
	return s.signInNew(t, u)
}

// signInNew creates a verified user with the password "a long password"
// and signs them in.
func (s *accountSite) signInNew(t *testing.T, u *account.User) *browser {
	ctx := context.Background()
	t.Helper()
	u.PasswordHash, _ = account.TestPasswordCost().Hash("a long password")
	if err := s.store.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	s.store.MarkEmailVerified(ctx, u.ID, testNow)
	b := s.browser(t)
	if status, _, _ := b.post("/sign-in", url.Values{"email": {u.Email}, "password": {"a long password"}}); status != http.StatusSeeOther {
		t.Fatalf("sign in %s: %d", u.Email, status)
	}
	return b
}

func TestManualChecksPage(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		clock := &movingClock{t: testNow}
		store := sqlstore.NewDirectoryStore(db)
		fresh := sqlstore.NewFreshnessStore(db)
		logger := slog.New(slog.NewTextHandler(io.Discard, nil))
		life := directory.NewLifecycle(store, testMailer(db), clock.now, uuid.NewString)
		reports := directory.NewReports(store, life, []byte("test signing key"))
		outbox := email.NewOutbox(sqlstore.NewEmailStore(db), email.DevTransport{}, clock.now, logger)
		checks := freshness.NewManualChecks(fresh, directory.NewSystem(life, reports).As(directory.ByManualCheck), outbox,
			freshness.ManualConfig{PublicURL: "https://waymark.test"}, clock.now, uuid.NewString, logger)
		s := newAccountSiteWith(t, db, web.Config{}, func(d *web.Deps) {
			d.Lifecycle, d.Reports, d.Revisions, d.Checks = life, reports, directory.NewRevisions(store, d.Directory, life), checks
		})
		// Two published entries without a website, confirmed four and five
		// months ago; every other entry confirmed today.
		var offline []*directory.Service
		for _, svc := range s.services {
			if err := fresh.SetAssured(ctx, svc.ID, &testNow); err != nil {
				t.Fatal(err)
			}
			if svc.Website == "" && svc.Status == directory.StatusPublished && len(offline) < 2 {
				offline = append(offline, svc)
			}
		}
		if len(offline) < 2 {
			t.Fatal("the demo data has too few entries without a website")
		}
		newer, older := offline[0], offline[1]
		fourMonths, fiveMonths := testNow.AddDate(0, -4, 0), testNow.AddDate(0, -5, 0)
		fresh.SetAssured(ctx, newer.ID, &fourMonths)
		fresh.SetAssured(ctx, older.ID, &fiveMonths)

		provider := s.signInAs(t, "provider@example.org", waymark.RoleProvider, newer.OrganizationID)
		if status, _, _ := provider.get("/moderation/checks"); status != http.StatusForbidden {
			t.Errorf("provider GET /moderation/checks = %d, want 403", status)
		}
		if status, _, _ := provider.post("/moderation/checks/"+newer.ID, url.Values{"outcome": {"running"}}); status != http.StatusForbidden {
			t.Errorf("provider POST /moderation/checks = %d, want 403", status)
		}
		mod := s.signInAs(t, "mo@waymark.example", waymark.RoleModerator, "")
		if _, body, _ := mod.get("/moderation"); !strings.Contains(body, `href="/moderation/checks"`) {
			t.Error("/moderation does not link to the manual checks")
		}
		status, body, _ := mod.get("/moderation/checks")
		if status != 200 {
			t.Fatalf("GET /moderation/checks = %d", status)
		}
		oi, ni := strings.Index(body, ">"+older.DisplayName()+"<"), strings.Index(body, ">"+newer.DisplayName()+"<")
		if oi < 0 || ni < 0 || oi > ni {
			t.Errorf("queue order: older at %d, newer at %d (want older first)", oi, ni)
		}
		for _, want := range []string{`value="running"`, `value="changed"`, `value="unconfirmed"`, `method="post" action="/moderation/checks/` + older.ID + `"`, "every 3 months"} {
			if !strings.Contains(body, want) {
				t.Errorf("queue page lacks %s", want)
			}
		}

		// Still running: confirmed today, gone from the queue.
		status, _, h := mod.post("/moderation/checks/"+older.ID, url.Values{"outcome": {"running"}, "note": {"Rang them"}})
		if status != http.StatusSeeOther || h.Get("Location") != "/moderation/checks?done=running" {
			t.Fatalf("record running: %d to %q", status, h.Get("Location"))
		}
		if got, _ := store.FindServiceByID(ctx, older.ID); got.AssuredAt == nil || !got.AssuredAt.Equal(testNow) {
			t.Errorf("after still running: assured %v", got.AssuredAt)
		}
		if _, body, _ := mod.get("/moderation/checks?done=running"); strings.Contains(body, ">"+older.DisplayName()+"<") || !strings.Contains(body, "still running") {
			t.Error("the checked entry is still in the queue, or no confirmation")
		}
		if status, _, _ := mod.post("/moderation/checks/"+older.ID, url.Values{"outcome": {"running"}}); status != http.StatusConflict {
			t.Errorf("recording twice = %d, want 409", status)
		}

		// Changed: on to the moderators' correction form; nothing is
		// recorded until the correction is saved.
		fresh.SetAssured(ctx, older.ID, &fiveMonths)
		status, _, h = mod.post("/moderation/checks/"+older.ID, url.Values{"outcome": {"changed"}})
		if status != http.StatusSeeOther || h.Get("Location") != "/moderation/services/"+older.ID+"/edit?check=changed" {
			t.Fatalf("record changed: %d to %q", status, h.Get("Location"))
		}
		if got, _ := store.FindServiceByID(ctx, older.ID); !got.AssuredAt.Equal(fiveMonths) {
			t.Errorf("the check was recorded before the correction was saved: assured %v", got.AssuredAt)
		}
		status, form, _ := mod.get(h.Get("Location"))
		if status != 200 || !strings.Contains(form, `name="check" value="changed"`) || !strings.Contains(form, "recorded when you save") {
			t.Fatalf("moderator's correction form = %d", status)
		}
		correction := url.Values{"title": {"Corrected title"}, "email": {older.Email}, "postcode": {older.Locations[0].Address.PostalCode},
			"kind": {"signposting"}, "visibility": {"listed"}, "cost": {"free"}, "check": {"changed"}, "note": {"Rang them: new name"}}
		status, _, h = mod.post("/moderation/services/"+older.ID+"/edit", correction)
		if status != http.StatusSeeOther || h.Get("Location") != "/moderation/checks?done=changed" {
			t.Fatalf("save the correction: %d to %q", status, h.Get("Location"))
		}
		got, _ := store.FindServiceByID(ctx, older.ID)
		if got.Name != "Corrected title" || got.Status != directory.StatusPublished || got.AssuredAt == nil || !got.AssuredAt.Equal(testNow) {
			t.Errorf("after the correction: %q %s, assured %v", got.Name, got.Status, got.AssuredAt)
		}
		if _, page, _ := mod.get("/moderation/services/" + older.ID); !strings.Contains(page, "Corrected by a moderator") || !strings.Contains(page, "Changed: Title") ||
			!strings.Contains(page, "Rang them: new name") || !strings.Contains(page, "running, details changed") {
			t.Error("the history does not record the correction and the check")
		}

		// Could not confirm: suspended and the provider emailed a link that
		// puts it live again.
		status, _, _ = mod.post("/moderation/checks/"+newer.ID, url.Values{"outcome": {"unconfirmed"}})
		if status != http.StatusSeeOther {
			t.Fatalf("record could not confirm: %d", status)
		}
		if got, _ := store.FindServiceByID(ctx, newer.ID); got.Status != directory.StatusSuspended {
			t.Errorf("after could not confirm: %s", got.Status)
		}
		list, _ := s.outbox.Recent(ctx, 1)
		link := regexp.MustCompile(`/services/[0-9a-f-]+/confirm\?\S+`).FindString(list[0].Text)
		if link == "" || !strings.Contains(link, newer.ID) {
			t.Fatalf("no confirmation link in %q", list[0].Text)
		}
		u, _ := url.Parse(link)
		later := testNow.Add(24 * time.Hour)
		clock.mu.Lock()
		clock.t = later
		clock.mu.Unlock()
		if status, body, _ := s.browser(t).post(u.Path, url.Values{"expires": {u.Query().Get("expires")}, "sig": {u.Query().Get("sig")}}); status != 200 || !strings.Contains(body, "back in search") {
			t.Fatalf("confirm: %d", status)
		}
		got, _ = store.FindServiceByID(ctx, newer.ID)
		if got.Status != directory.StatusPublished || got.AssuredAt == nil || !got.AssuredAt.Equal(later) {
			t.Errorf("after confirming: %s, assured %v", got.Status, got.AssuredAt)
		}
		if status, _, _ := mod.post("/moderation/checks/"+newer.ID, url.Values{"outcome": {"maybe"}}); status != http.StatusBadRequest && status != http.StatusConflict {
			t.Errorf("unknown outcome = %d", status)
		}
	})
}

func TestSearchCanKeepOnlyEntriesConfirmedInTheLastYear(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := newSite(t, db, web.Config{})
		fresh := sqlstore.NewFreshnessStore(db)
		walks, nordic := s.service(t, "Matlock health walks"), s.service(t, "Nordic walking for beginners")
		old, recent := testNow.AddDate(0, -13, 0), testNow.AddDate(0, -1, 0)
		if err := fresh.SetAssured(ctx, walks.ID, &old); err != nil {
			t.Fatal(err)
		}
		if err := fresh.SetAssured(ctx, nordic.ID, &recent); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/?q=walk", "/?q=walk&postcode=DE4+3AG&radius=25"} {
			_, body, _ := s.get(t, path)
			if !strings.Contains(body, ">Matlock health walks<") || !strings.Contains(body, ">Nordic walking for beginners<") {
				t.Errorf("%s without the filter lacks an entry", path)
			}
			_, body, _ = s.get(t, path+"&confirmed=1")
			if strings.Contains(body, ">Matlock health walks<") {
				t.Errorf("%s&confirmed=1 shows an entry confirmed 13 months ago", path)
			}
			if !strings.Contains(body, ">Nordic walking for beginners<") {
				t.Errorf("%s&confirmed=1 hides an entry confirmed last month", path)
			}
			if !strings.Contains(body, "Last confirmed: 1 October 2026") {
				t.Errorf("%s&confirmed=1: results do not say when entries were last confirmed", path)
			}
			if !regexp.MustCompile(`id="confirmed" name="confirmed" type="checkbox" value="1" checked`).MatchString(body) {
				t.Errorf("%s&confirmed=1: the box is not ticked", path)
			}
		}
		// Without words the filter is a plain condition too, and pages keep it.
		_, all, _ := s.get(t, "/?confirmed=0")
		_, body, _ := s.get(t, "/?confirmed=1")
		count := regexp.MustCompile(`(\d+) services? found`)
		a, b := count.FindStringSubmatch(all), count.FindStringSubmatch(body)
		if a == nil || b == nil || a[1] == b[1] {
			t.Errorf("counts with and without the filter: %v, %v", a, b)
		}
		if strings.Contains(body, "page=2") && !strings.Contains(body, `href="/?confirmed=1&amp;page=2"`) {
			t.Error("pagination links drop the filter")
		}
		if status, body, _ := s.get(t, "/?confirmed=maybe"); status != 400 || !strings.Contains(body, "Confirmed in the last year must be ticked") {
			t.Errorf("bad confirmed value: %d", status)
		}
	})
}
