package oruk_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"waymark/internal/directory"
	"waymark/internal/oruk"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

// mockFeed serves one of the ORUK validator's mock feeds: its service list
// on /services and its full service on /services/{id}, as a real feed would.
type mockFeed struct {
	dir      string
	mu       sync.Mutex
	rename   string                    // when set, the full service's name is changed to it
	extend   func(full map[string]any) // when set, changes the full service
	empty    bool                      // when set, the list is empty
	failures atomic.Int32
	requests atomic.Int32
}

func (m *mockFeed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.requests.Add(1)
	if m.failures.Load() > 0 { // a flaky server: fail, then recover
		m.failures.Add(-1)
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	read := func(name string) map[string]any {
		b, err := os.ReadFile(filepath.Join(m.dir, name))
		if err != nil {
			panic(err)
		}
		var v map[string]any
		json.Unmarshal(b, &v)
		return v
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case r.URL.Path == "/services":
		list := read("service_list.json")
		if m.empty {
			list["contents"] = []any{}
			list["total_items"], list["total_pages"], list["size"] = 0, 0, 0
		}
		json.NewEncoder(w).Encode(list)
	case strings.HasPrefix(r.URL.Path, "/services/"):
		full := read("service_full.json")
		if full["id"] != strings.TrimPrefix(r.URL.Path, "/services/") {
			http.NotFound(w, r)
			return
		}
		if m.rename != "" {
			full["name"] = m.rename
		}
		if m.extend != nil {
			m.extend(full)
		}
		json.NewEncoder(w).Encode(full)
	default:
		http.NotFound(w, r)
	}
}

func newImporter(t *testing.T, db *sqlstore.DB) (*oruk.Importer, *sqlstore.DirectoryStore) {
	store := sqlstore.NewDirectoryStore(db)
	return &oruk.Importer{Store: store, Geo: postcodes(t), Backoff: time.Millisecond, AllowLoopback: true,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, store
}

func TestImportTheValidatorsGoodFeedThenUpdateAndRetire(t *testing.T) {
	mocks := filepath.Join(standards(t), "validator", "mocks")
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		feed := &mockFeed{dir: filepath.Join(mocks, "V3.0-UK-Default")}
		srv := httptest.NewServer(feed)
		defer srv.Close()
		im, store := newImporter(t, db)

		sum, err := im.Run(ctx, srv.URL, false)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Created != 1 || len(sum.Rejected) != 0 {
			t.Fatalf("first import: %s %+v", sum, sum.Rejected)
		}
		ids, _, _ := store.ListPublicServiceIDs(ctx, directory.ListFilter{Limit: 100})
		if len(ids) != 0 {
			t.Errorf("an untrusted feed's entry is public before moderation: %v", ids)
		}
		n, _ := store.CountServices(ctx)
		if n != 1 {
			t.Fatalf("%d services after import, want 1", n)
		}

		// The same feed again: nothing is created twice.
		sum, err = im.Run(ctx, srv.URL, false)
		if err != nil || sum.Unchanged != 1 || sum.Created != 0 {
			t.Fatalf("second import: %v %s", err, sum)
		}
		// Upstream changes the name: the entry is updated in place.
		feed.rename = "Community Counselling (renamed)"
		sum, err = im.Run(ctx, srv.URL, true)
		if err != nil || sum.Updated != 1 {
			t.Fatalf("import after a change: %v %s", err, sum)
		}
		if n, _ := store.CountServices(ctx); n != 1 {
			t.Errorf("%d services after the update, want 1", n)
		}
		ids, _, _ = store.ListPublicServiceIDs(ctx, directory.ListFilter{Limit: 100})
		if len(ids) != 1 {
			t.Fatalf("a trusted feed's entry is not published: %v", ids)
		}
		m, _ := store.FindServices(ctx, ids, true)
		svc := m[ids[0]]
		if svc.Name != "Community Counselling (renamed)" || svc.Organization.Name == "" {
			t.Errorf("updated service: %q from %q", svc.Name, svc.Organization.Name)
		}
		// Upstream drops it: it is marked inactive, not deleted.
		feed.empty = true
		sum, err = im.Run(ctx, srv.URL, true)
		if err != nil || sum.Removed != 1 {
			t.Fatalf("import after removal: %v %s", err, sum)
		}
		m, _ = store.FindServices(ctx, ids, false)
		if m[ids[0]].Status != directory.StatusSuspended {
			t.Errorf("removed upstream: status %s, want suspended", m[ids[0]].Status)
		}
	})
}

func TestImportTheValidatorsFailingFeedRejectsWithReasonsAndLosesNothing(t *testing.T) {
	mocks := filepath.Join(standards(t), "validator", "mocks")
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		good := httptest.NewServer(&mockFeed{dir: filepath.Join(mocks, "V3.0-UK-Default")})
		defer good.Close()
		bad := httptest.NewServer(&mockFeed{dir: filepath.Join(mocks, "V3.0-UK-Fail")})
		defer bad.Close()
		im, store := newImporter(t, db)
		if _, err := im.Run(ctx, good.URL, true); err != nil {
			t.Fatal(err)
		}
		sum, err := im.Run(ctx, bad.URL, true)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Created+sum.Updated != 0 || len(sum.Rejected) == 0 {
			t.Fatalf("failing feed: %s", sum)
		}
		for _, r := range sum.Rejected {
			if r.Reason == "" || r.RemoteID == "" {
				t.Errorf("rejection without a reason: %+v", r)
			}
		}
		reasons := ""
		for _, r := range sum.Rejected {
			reasons += r.Reason + "\n"
		}
		if !strings.Contains(reasons, "name is missing") && !strings.Contains(reasons, "not a web address") && !strings.Contains(reasons, "wrong type") {
			t.Errorf("reasons do not name the faults:\n%s", reasons)
		}
		// The good feed's service is still there and still public.
		ids, total, _ := store.ListPublicServiceIDs(ctx, directory.ListFilter{Limit: 10})
		if total != 1 || len(ids) != 1 {
			t.Errorf("after the failing feed, %d public services, want the good feed's 1", total)
		}
	})
}

func TestImportRetriesAFlakyFeed(t *testing.T) {
	mocks := filepath.Join(standards(t), "validator", "mocks")
	feed := &mockFeed{dir: filepath.Join(mocks, "V3.0-UK-Default")}
	feed.failures.Store(2)
	srv := httptest.NewServer(feed)
	defer srv.Close()
	im, _ := newImporter(t, sqlstoretest.OpenSQLite(t))
	sum, err := im.Run(context.Background(), srv.URL, false)
	if err != nil || sum.Created != 1 {
		t.Fatalf("import from a flaky feed: %v %v", err, sum)
	}
	// A feed that never answers properly fails with a clear error.
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	}))
	defer down.Close()
	if _, err := im.Run(context.Background(), down.URL, false); err == nil || !strings.Contains(err.Error(), "status 502") {
		t.Errorf("import from a broken feed: %v", err)
	}
	if _, err := im.Run(context.Background(), "ftp://example.org", false); err == nil {
		t.Error("a non-http feed address was accepted")
	}
}

func TestImportStopsAtThePageLimitWithoutRetiring(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		// An endless feed: every page claims there are more.
		w.Write([]byte(`{"total_items":1000,"total_pages":1000,"page_number":1,"size":0,"first_page":false,"last_page":false,"empty":false,"contents":[{"id":"not-a-uuid"}]}`))
	}))
	defer srv.Close()
	im, _ := newImporter(t, sqlstoretest.OpenSQLite(t))
	im.MaxPages = 3
	sum, err := im.Run(context.Background(), srv.URL, false)
	if err != nil {
		t.Fatal(err)
	}
	if !sum.Truncated || sum.Pages != 3 || calls.Load() != 3 || len(sum.Rejected) != 3 {
		t.Errorf("page limit: %s, %d calls", sum, calls.Load())
	}
}

func TestImportSkipsServicesWithControlCharacters(t *testing.T) {
	mocks := filepath.Join(standards(t), "validator", "mocks")
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		for _, name := range []string{"Community\x00Counselling", "Community \x1b[31mCounselling", "Two\nlines"} {
			feed := &mockFeed{dir: filepath.Join(mocks, "V3.0-UK-Default"), rename: name}
			srv := httptest.NewServer(feed)
			im, store := newImporter(t, db)
			sum, err := im.Run(ctx, srv.URL, true)
			srv.Close()
			if err != nil {
				t.Fatalf("import with name %q: %v", name, err)
			}
			if sum.Created != 0 || len(sum.Rejected) != 1 || !strings.HasPrefix(sum.Rejected[0].Reason, "name must") {
				t.Errorf("import with name %q: %s %+v", name, sum, sum.Rejected)
			}
			if n, _ := store.CountServices(ctx); n != 0 {
				t.Errorf("%d services stored, want none", n)
			}
		}
	})
}

func TestImportReadsLanguagesAndDeliveryMethods(t *testing.T) {
	mocks := filepath.Join(standards(t), "validator", "mocks")
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		_, terms := directory.DeliveryTaxonomy()
		feed := &mockFeed{dir: filepath.Join(mocks, "V3.0-UK-Default"), extend: func(full map[string]any) {
			full["languages"] = []any{map[string]any{"id": "0f4b6a52-98b4-4c1e-9b59-5b2d4f1e0a01", "code": "pl", "name": "Polish"},
				map[string]any{"id": "0f4b6a52-98b4-4c1e-9b59-5b2d4f1e0a02", "code": "xx", "name": "Unknown"}}
			attrs, _ := full["attributes"].([]any)
			full["attributes"] = append(attrs, map[string]any{"id": "0f4b6a52-98b4-4c1e-9b59-5b2d4f1e0a03", "taxonomy_term_id": terms[2].ID,
				"taxonomy_term": map[string]any{"id": terms[2].ID, "name": "By phone", "description": "By phone", "taxonomy_id": directory.DeliveryTaxonomyID, "term": "phone"}})
		}}
		srv := httptest.NewServer(feed)
		defer srv.Close()
		im, store := newImporter(t, db)
		if sum, err := im.Run(ctx, srv.URL, true); err != nil || sum.Created != 1 {
			t.Fatalf("import: %v %s", err, sum)
		}
		ids, _, _ := store.ListPublicServiceIDs(ctx, directory.ListFilter{Limit: 10})
		m, _ := store.FindServices(ctx, ids, true)
		svc := m[ids[0]]
		if fmt.Sprint(svc.Languages, svc.Delivery) != "[pl] [phone]" {
			t.Errorf("languages %v, delivery %v; want [pl] and [phone]", svc.Languages, svc.Delivery)
		}
		for _, c := range svc.Categories {
			if c.Name == "By phone" {
				t.Error("the delivery method became a category")
			}
		}
	})
}
