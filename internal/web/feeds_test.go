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

func TestModeratorsImportAFeedFromTheirPage(t *testing.T) {
	db := demo.OpenSQLite(t)
	store := sqlstore.NewDirectoryStore(db)
	mocks := filepath.Join("..", "..", "..", "shared", "standards", "oruk", "validator", "mocks", "V3.0-UK-Default")
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := "service_list.json"
		if strings.HasPrefix(r.URL.Path, "/services/") {
			name = "service_full.json"
		}
		http.ServeFile(w, r, filepath.Join(mocks, name))
	}))
	defer feed.Close()
	s := newAccountSiteWith(t, db, web.Config{}, func(d *web.Deps) {
		d.Lifecycle = directory.NewLifecycle(store, testMailer(db), time.Now, uuid.NewString)
		d.Feeds = &web.Feeds{List: store.ListFeeds, Import: func(ctx context.Context, u string, trusted bool) (string, []string, error) {
			sum, err := (&oruk.Importer{Store: store, Geo: postcodes(t), Backoff: time.Millisecond}).Run(ctx, u, trusted)
			if sum == nil {
				return "", nil, err
			}
			return sum.String(), nil, err
		}}
	})
	s.accounts.CreateUser(context.Background(), "mo@waymark.example", "Mo", "a moderator password", waymark.RoleModerator)
	mod := s.browser(t)
	mod.post("/sign-in", url.Values{"email": {"mo@waymark.example"}, "password": {"a moderator password"}})
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
	public := s.browser(t)
	if status, _, _ := public.get("/moderation/feeds"); status != http.StatusSeeOther {
		t.Errorf("signed out: %d", status)
	}
}
