package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
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

// newFeedSite is a site whose feeds page imports with the real importer,
// allowed to reach loopback only when allowLoopback is set, and a
// moderator signed in to it.
func newFeedSite(t *testing.T, db *sqlstore.DB, allowLoopback bool) (*accountSite, *browser) {
	store := sqlstore.NewDirectoryStore(db)
	s := newAccountSiteWith(t, db, web.Config{}, func(d *web.Deps) {
		d.Lifecycle = directory.NewLifecycle(store, testMailer(db), time.Now, uuid.NewString)
		d.Feeds = &web.Feeds{List: store.ListFeeds, Import: func(ctx context.Context, u string, trusted bool) (string, []string, error) {
			im := &oruk.Importer{Store: store, Geo: postcodes(t), Backoff: time.Millisecond, Retries: 1, AllowLoopback: allowLoopback}
			sum, err := im.Run(ctx, u, trusted)
			if sum == nil {
				return "", nil, err
			}
			return sum.String(), nil, err
		}}
	})
	s.accounts.CreateUser(context.Background(), "mo@waymark.example", "Mo", "a moderator password", waymark.RoleModerator)
	mod := s.browser(t)
	mod.post("/sign-in", url.Values{"email": {"mo@waymark.example"}, "password": {"a moderator password"}})
	return s, mod
}

func TestModeratorsImportAFeedFromTheirPage(t *testing.T) {
	feed := feedServer(t)
	_, mod := newFeedSite(t, demo.OpenSQLite(t), true)
	if status, _, _ := mod.post("/moderation/feeds", url.Values{"url": {"ftp://nope"}}); status != 400 {
		t.Errorf("a non-http feed: %d", status)
	}
	status, body, _ := mod.post("/moderation/feeds", url.Values{"url": {feed.URL}})
	if status != 200 || !strings.Contains(body, "1 created") || !strings.Contains(body, feed.URL) {
		t.Fatalf("import: %d", status)
	}
	if _, queue, _ := mod.get("/moderation"); !strings.Contains(queue, "Community Counselling") {
		t.Error("the untrusted feed's entry is not in the review queue")
	}
}

func TestFeedsAreNotFetchedFromInternalAddressesAndEveryFailureReadsTheSame(t *testing.T) {
	open := feedServer(t)
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		_, mod := newFeedSite(t, db, false) // the loopback switch off, as in production
		services := sqlstore.NewDirectoryStore(db)
		before, _ := services.CountServices(context.Background())
		for _, addr := range []string{open.URL, closedURL, "http://169.254.169.254/", "http://[::1]:1/", "http://10.0.0.1/"} {
			status, body, _ := mod.post("/moderation/feeds", url.Values{"url": {addr}})
			if status != http.StatusBadGateway {
				t.Errorf("%s: status %d, want 502", addr, status)
			}
			if !strings.Contains(body, "The feed could not be fetched. Check the address") {
				t.Errorf("%s: the generic message is missing", addr)
			}
			// The address typed is shown back in the form; nothing about
			// what happened when it was tried is.
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

func TestFeedsPageIsForModeratorsOnly(t *testing.T) {
	s, _ := newFeedSite(t, demo.OpenSQLite(t), true)
	public := s.browser(t)
	if status, _, _ := public.get("/moderation/feeds"); status != http.StatusSeeOther {
		t.Errorf("signed out: %d", status)
	}
}
