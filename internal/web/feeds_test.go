package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/oruk"
	"waymark/internal/sqlstore"
	"waymark/internal/web"
)

// feedServer serves the ORUK validator's good mock feed.
func feedServer(t *testing.T) *httptest.Server {
	mocks := filepath.Join("..", "..", "..", "shared", "standards", "oruk", "validator", "mocks", "V3.0-UK-Default")
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := "service_list.json"
		if strings.HasPrefix(r.URL.Path, "/services/") {
			name = "service_full.json"
		}
		http.ServeFile(w, r, filepath.Join(mocks, name))
	}))
	t.Cleanup(feed.Close)
	return feed
}

// newFeedSite is a site whose feeds page queues imports for the real
// importer, allowed to reach loopback only when allowLoopback is set, and a
// moderator signed in to it. Runs' Work is the import-feeds job.
func newFeedSite(t *testing.T, db *sqlstore.DB, allowLoopback bool) (*accountSite, *browser, *oruk.Runs) {
	store := sqlstore.NewDirectoryStore(db)
	runs := oruk.NewRuns(store, func() *oruk.Importer {
		return &oruk.Importer{Store: store, Geo: postcodes(t), Backoff: time.Millisecond, Retries: 1, AllowLoopback: allowLoopback}
	}, time.Now, uuid.NewString, slog.New(slog.DiscardHandler))
	s := newAccountSiteWith(t, db, web.Config{}, func(d *web.Deps) {
		d.Lifecycle = directory.NewLifecycle(store, testMailer(db), time.Now, uuid.NewString)
		d.Feeds = runs
	})
	s.accounts.CreateUser(context.Background(), "mo@waymark.example", "Mo", "a moderator password", waymark.RoleModerator)
	mod := s.browser(t)
	mod.post("/sign-in", url.Values{"email": {"mo@waymark.example"}, "password": {"a moderator password"}})
	return s, mod, runs
}

// importFeed posts the feeds form, checks it answers 303 to the run's page,
// runs the import job and returns the run's page.
func importFeed(t *testing.T, mod *browser, runs *oruk.Runs, addr string) string {
	t.Helper()
	status, _, h := mod.post("/moderation/feeds", url.Values{"url": {addr}})
	loc := h.Get("Location")
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/moderation/feeds/runs/") {
		t.Fatalf("%s: %d to %q, want 303 to the run's page", addr, status, loc)
	}
	if status, body, _ := mod.get(loc); status != 200 || !strings.Contains(body, "Waiting to start") {
		t.Errorf("%s: the run's page before the job: %d", addr, status)
	}
	if err := runs.Work(context.Background(), time.Now()); err != nil {
		t.Fatal(err)
	}
	status, body, _ := mod.get(loc)
	if status != 200 {
		t.Fatalf("%s: the run's page: %d", addr, status)
	}
	return body
}

func TestModeratorsQueueAFeedImportAndSeeItsResults(t *testing.T) {
	feed := feedServer(t)
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		_, mod, runs := newFeedSite(t, db, true)
		if status, _, _ := mod.post("/moderation/feeds", url.Values{"url": {"ftp://nope"}}); status != 400 {
			t.Errorf("a non-http feed: %d", status)
		}
		body := importFeed(t, mod, runs, feed.URL)
		for _, want := range []string{"Done", "Created</dt><dd class=\"nhsuk-summary-list__value\">1<", "Not imported</dt><dd class=\"nhsuk-summary-list__value\">0<", feed.URL} {
			if !strings.Contains(body, want) {
				t.Errorf("the finished run's page lacks %q", want)
			}
		}
		if _, queue, _ := mod.get("/moderation"); !strings.Contains(queue, "Community Counselling") {
			t.Error("the untrusted feed's entry is not in the review queue")
		}
		if _, list, _ := mod.get("/moderation/feeds"); !strings.Contains(list, feed.URL) {
			t.Error("the feed is not listed")
		}
		// The job finds nothing more to do: the run is not imported twice.
		body = importFeed(t, mod, runs, feed.URL)
		if !strings.Contains(body, "Unchanged</dt><dd class=\"nhsuk-summary-list__value\">1<") {
			t.Error("the second import did not find the entry unchanged")
		}
	})
}

func TestFeedsAreNotFetchedFromInternalAddressesAndEveryFailureReadsTheSame(t *testing.T) {
	open := feedServer(t)
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		_, mod, runs := newFeedSite(t, db, false) // the loopback switch off, as in production
		services := sqlstore.NewDirectoryStore(db)
		before, _ := services.CountServices(context.Background())
		for _, addr := range []string{open.URL, closedURL, "http://169.254.169.254/", "http://[::1]:1/", "http://10.0.0.1/"} {
			body := importFeed(t, mod, runs, addr)
			if !strings.Contains(body, "The import failed") || !strings.Contains(body, "The feed could not be fetched. Check the address") {
				t.Errorf("%s: the generic message is missing", addr)
			}
			// The address typed is shown back; nothing about what happened
			// when it was tried is.
			for _, detail := range []string{"refused", "not allowed", "loopback", "dial", "connect", "timeout", "status", "public address"} {
				if strings.Contains(body, detail) {
					t.Errorf("%s: the page tells %q", addr, detail)
				}
			}
		}
		if n, _ := services.CountServices(context.Background()); n != before {
			t.Errorf("%d services imported from refused addresses", n-before)
		}
	})
}

func TestFeedPagesAreForModeratorsOnly(t *testing.T) {
	s, _, _ := newFeedSite(t, demo.OpenSQLite(t), true)
	public := s.browser(t)
	for _, path := range []string{"/moderation/feeds", "/moderation/feeds/runs/" + uuid.NewString()} {
		if status, _, _ := public.get(path); status != http.StatusSeeOther {
			t.Errorf("%s signed out: %d", path, status)
		}
	}
}

func TestAFeedImportFormSentTwiceQueuesOneRun(t *testing.T) {
	_, mod, _ := newFeedSite(t, demo.OpenSQLite(t), true)
	_, page, _ := mod.get("/moderation/feeds")
	token := regexp.MustCompile(`name="form_token" value="([0-9a-f]{32})"`).FindStringSubmatch(page)
	if token == nil {
		t.Fatal("the feed form has no form token")
	}
	form := url.Values{"url": {"https://directory.example.org/api"}, "form_token": {token[1]}}
	_, _, first := mod.post("/moderation/feeds", form)
	status, _, again := mod.post("/moderation/feeds", form)
	if status != http.StatusSeeOther || first.Get("Location") == "" || again.Get("Location") != first.Get("Location") {
		t.Errorf("sent twice: %d to %q, then %q; want the same run", status, first.Get("Location"), again.Get("Location"))
	}
}
