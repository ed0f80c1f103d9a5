package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"waymark/internal/directory"
	"waymark/internal/email"
	"waymark/internal/postcode"
	"waymark/internal/seed"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
	"waymark/internal/web"
)

var (
	tableOnce sync.Once
	table     *postcode.Table
	tableErr  error
)

// postcodes decodes the built-in table once for the package's tests.
func postcodes(t testing.TB) *postcode.Table {
	table, err := embeddedPostcodes()
	if err != nil {
		t.Fatal(err)
	}
	return table
}

func embeddedPostcodes() (*postcode.Table, error) {
	tableOnce.Do(func() { table, tableErr = postcode.Embedded() })
	return table, tableErr
}

// site is a test server over a database loaded with the Derbyshire demo data.
type site struct {
	*httptest.Server
	db       *sqlstore.DB
	services []*directory.Service
	srv      *web.Server
}

// testNow is the tests' clock: a month after the demo entries were confirmed.
var testNow = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// demo is a migrated database holding the Derbyshire demo directory, loaded
// once per dialect per test process; each test gets a copy (see
// sqlstoretest.Template).
var demo = sqlstoretest.NewTemplate("demo directory", func(ctx context.Context, db *sqlstore.DB) error {
	services, err := loadDemo(ctx, db)
	if err != nil {
		return err
	}
	b, err := json.Marshal(services)
	demoServices.Store(db.Dialect(), b)
	return err
})

// demoServices holds the services as loadDemo stored them, by dialect, in
// JSON: each site decodes its own copy, so no test changes another's.
var demoServices sync.Map

// loadDemo loads the demo directory into db through the directory service.
func loadDemo(ctx context.Context, db *sqlstore.DB) ([]*directory.Service, error) {
	table, err := embeddedPostcodes()
	if err != nil {
		return nil, err
	}
	store := sqlstore.NewDirectoryStore(db)
	dir := directory.NewDirectory(store, table, time.Now, slog.New(slog.DiscardHandler))
	tax, terms := seed.Categories()
	if err := store.CreateTaxonomy(ctx, &tax, terms); err != nil {
		return nil, err
	}
	orgs, services := seed.Derbyshire()
	if err := seed.Load(ctx, dir, orgs, services, 100); err != nil {
		return nil, err
	}
	if err := dir.ReplaceOfflineHelp(ctx, seed.OfflineHelp()); err != nil {
		return nil, err
	}
	return services, nil
}

// newSite serves db with the demo data: db is a copy of demo, or an empty
// migrated database that it loads the demo into. opts may change the web
// server's dependencies, such as its clock.
func newSite(t *testing.T, db *sqlstore.DB, cfg web.Config, opts ...func(*web.Deps)) *site {
	t.Helper()
	ctx := context.Background()
	store := sqlstore.NewDirectoryStore(db)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	dir := directory.NewDirectory(store, postcodes(t), time.Now, logger)
	var services []*directory.Service
	if n, err := store.CountServices(ctx); err != nil {
		t.Fatal(err)
	} else if v, ok := demoServices.Load(db.Dialect()); ok && n > 0 {
		if err := json.Unmarshal(v.([]byte), &services); err != nil {
			t.Fatal(err)
		}
	} else if services, err = loadDemo(ctx, db); err != nil {
		t.Fatal(err)
	}
	cfg.Attribution = postcode.Attribution
	deps := web.Deps{Directory: dir, Ready: db.Ping, Logger: logger, Registry: prometheus.NewRegistry(), Now: func() time.Time { return testNow }}
	for _, o := range opts {
		o(&deps)
	}
	srv, err := web.NewServer(cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &site{Server: ts, db: db, services: services, srv: srv}
}

func (s *site) get(t *testing.T, path string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Get(s.URL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func (s *site) service(t *testing.T, name string) *directory.Service {
	for _, svc := range s.services {
		if svc.Name == name {
			return svc
		}
	}
	t.Fatalf("no demo service %q", name)
	return nil
}

func TestPublicPages(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newSite(t, db, web.Config{})
		walks := s.service(t, "Matlock health walks")
		tests := []struct {
			name, path string
			status     int
			want       []string
		}{
			{"home lists every public service", "/", 200, []string{"Find community support near you", "services found", "Skip to main content", "Help without the internet", "Open Government Licence"}},
			{"keyword search is stemmed", "/?q=walk", 200, []string{"Matlock health walks", "Nordic walking for beginners"}},
			{"postcode search shows distances", "/?q=walking&postcode=de43ag&radius=10", 200, []string{"within 10 miles of DE4 3AG", "miles away", "Matlock health walks"}},
			{"outward code search", "/?postcode=DE45&radius=3", 200, []string{"within 3 miles of DE45", "Debt and benefits advice"}},
			{"short outward code search", "/?postcode=de4&radius=5&q=walk", 200, []string{"within 5 miles of DE4", "Matlock health walks", "miles away"}},
			{"free only", "/?q=nordic&free=1", 200, []string{"No services found", "remove some filters"}},
			{"category", "/?category=money-advice", 200, []string{"Debt and benefits advice"}},
			{"referral type", "/?referral=professional&q=exercise", 200, []string{"Exercise referral programme"}},
			{"empty results suggest next steps", "/?q=zzyzx", 200, []string{"No services found", "check the spelling", "help without the internet"}},
			{"service page has the full entry", "/services/" + walks.ID, 200, []string{"Matlock health walks", "Matlock Striders", "Tuesdays and Fridays, 10:00 to 11:30", "01629 555101", "tel:01629555101", "Contact the service directly", "DE4 3AG", "Last confirmed"}},
			{"service page shows distance from the searched postcode", "/services/" + walks.ID + "?postcode=DE4+3AG", 200, []string{"from DE4 3AG"}},
			{"offline help", "/help/offline", 200, []string{"Community Action Derby", "tel:01332346266", "Connex Buxton and Ashbourne", "High Peak area", "Derbyshire Dales CVS"}},
			{"healthz", "/healthz", 200, []string{"ok"}},
			{"readyz", "/readyz", 200, []string{"ready"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				status, body, _ := s.get(t, tt.path)
				if status != tt.status {
					t.Errorf("GET %s = %d, want %d", tt.path, status, tt.status)
				}
				for _, w := range tt.want {
					if !strings.Contains(body, w) {
						t.Errorf("GET %s lacks %q", tt.path, w)
					}
				}
			})
		}
	})
}

func TestFrozenUnlistedAndHiddenEntries(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newSite(t, db, web.Config{})
		frozen := s.service(t, "Telephone befriending")
		status, body, _ := s.get(t, "/services/"+frozen.ID)
		if status != 200 || !strings.Contains(body, "This service is full at the moment") || !strings.Contains(body, "about 8 weeks") {
			t.Errorf("frozen entry: %d, waiting note shown %v", status, strings.Contains(body, "about 8 weeks"))
		}
		if _, body, _ := s.get(t, "/?q=befriending"); !strings.Contains(body, "Waiting list") {
			t.Error("frozen entry is not tagged in search")
		}
		unlisted := s.service(t, "Perinatal peer support group")
		if status, body, _ := s.get(t, "/services/"+unlisted.ID); status != 200 || !strings.Contains(body, `<meta name="robots" content="noindex">`) {
			t.Errorf("unlisted entry by direct link = %d, want 200 and noindex", status)
		}
		if _, body, _ := s.get(t, "/services/"+frozen.ID); strings.Contains(body, "noindex") {
			t.Error("a listed entry asks not to be indexed")
		}
		if _, body, _ := s.get(t, "/?q=perinatal"); strings.Contains(body, "Perinatal peer support group") {
			t.Error("unlisted entry appears in search")
		}
		pending := s.service(t, "Community larder")
		if status, _, _ := s.get(t, "/services/"+pending.ID); status != 404 {
			t.Errorf("pending entry = %d, want 404", status)
		}
		if _, body, _ := s.get(t, "/?q=larder"); strings.Contains(body, "Community larder") {
			t.Error("pending entry appears in search")
		}
	})
}

func TestPaginationKeepsFilters(t *testing.T) {
	s := newSite(t, demo.OpenSQLite(t), web.Config{})
	status, body, _ := s.get(t, "/?free=1&radius=25&postcode=DE4+3AG")
	if status != 200 {
		t.Fatalf("status %d", status)
	}
	if !strings.Contains(body, `rel="next"`) {
		t.Fatal("no next page link for a long result list")
	}
	for _, want := range []string{"page=2", "free=1", "postcode=DE4", "radius=25"} {
		if !strings.Contains(body, want) {
			t.Errorf("pagination links lack %s", want)
		}
	}
	status, body, _ = s.get(t, "/?free=1&radius=25&postcode=DE4+3AG&page=2")
	if status != 200 || !strings.Contains(body, "Page 2 of") || !strings.Contains(body, `rel="prev"`) {
		t.Errorf("page 2: status %d", status)
	}
}

func TestBadInputGetsAMessageAndA4xx(t *testing.T) {
	s := newSite(t, demo.OpenSQLite(t), web.Config{})
	tests := []struct {
		name, query string
		status      int
		want        string
	}{
		{"over-long keywords", "q=" + strings.Repeat("walk+", 100), 400, "200 characters or fewer"},
		{"invalid UTF-8", "q=%ff%fe", 400, "plain text"},
		{"unknown category", "category=underwater-basket-weaving", 400, "Choose a category from the list"},
		{"malformed category", "category=%3Cscript%3E", 400, "Choose a category from the list"},
		{"bad postcode", "postcode=NOTAPOSTCODE", 400, "Enter a real postcode"},
		{"postcode with symbols", "postcode=DE4-3AG", 400, "only letters, numbers and spaces"},
		{"unknown postcode", "postcode=ZZ9+9ZZ", 400, "could not find the postcode ZZ9 9ZZ"},
		{"over-long postcode", "postcode=" + strings.Repeat("A", 300), 400, "8 characters or fewer"},
		{"radius not offered", "postcode=DE4+3AG&radius=7", 400, "Choose a distance from the list"},
		{"unknown sort", "sort=price", 400, "Choose how to sort"},
		{"bad referral type", "referral=pigeon", 400, "Choose a way to get help"},
		{"page not a number", "page=two", 400, "whole number"},
		{"page zero", "page=0", 400, "whole number"},
		{"huge page", "page=99999999999999999999999", 400, "whole number"},
		{"page beyond the cap", "page=501", 400, "narrow your search"},
		{"page beyond the last", "page=300", 404, "There is no page 300"},
		{"free not a flag", "free=maybe", 400, "ticked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body, _ := s.get(t, "/?"+tt.query)
			if status != tt.status {
				t.Errorf("status %d, want %d", status, tt.status)
			}
			if !strings.Contains(body, tt.want) {
				t.Errorf("body lacks %q", tt.want)
			}
			if !strings.Contains(body, "nhsuk-error-summary") && status == 400 {
				t.Error("no error summary")
			}
			if strings.Contains(body, "<script>") {
				t.Error("input echoed unescaped")
			}
		})
	}
	for _, path := range []string{"/services/not-a-uuid", "/services/7d8a1f52-3a8e-4b7c-9a42-5f0c2b8d9e11", "/nowhere", "/static/", "/static/nothing.css"} {
		if status, body, _ := s.get(t, path); status != 404 || !strings.Contains(body, "Page not found") {
			t.Errorf("GET %s = %d, want a 404 page", path, status)
		}
	}
	resp, err := http.PostForm(s.URL+"/", url.Values{"q": {"x"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed && resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
		t.Errorf("POST / = %d, want a 4xx", resp.StatusCode)
	}
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	s := newSite(t, demo.OpenSQLite(t), web.Config{Secure: true, TileURL: "https://tiles.example/{z}/{x}/{y}.png"})
	for _, path := range []string{"/", "/?page=abc", "/services/nope", "/help/offline", "/static/waymark.css", "/healthz", "/metrics"} {
		_, _, h := s.get(t, path)
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "frame-ancestors 'none'", "img-src 'self' data: https://tiles.example", "object-src 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP allows inline code", path)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" || h.Get("Referrer-Policy") == "" {
			t.Errorf("%s: headers %v", path, h)
		}
		if !strings.HasPrefix(h.Get("Strict-Transport-Security"), "max-age=") {
			t.Errorf("%s: no HSTS when secure", path)
		}
	}
	plain := newSite(t, demo.OpenSQLite(t), web.Config{})
	if _, _, h := plain.get(t, "/"); h.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS sent without TLS")
	}
}

func TestStaticFilesAreServedWithCaching(t *testing.T) {
	s := newSite(t, demo.OpenSQLite(t), web.Config{})
	_, home, _ := s.get(t, "/")
	css := regexp.MustCompile(`href="(/static/[0-9a-f]{12}/vendor/nhsuk/nhsuk-frontend\.min\.css)"`).FindStringSubmatch(home)
	js := regexp.MustCompile(`src="(/static/[0-9a-f]{12}/waymark\.js)"`).FindStringSubmatch(home)
	if css == nil || js == nil {
		t.Fatal("the layout does not link fingerprinted static files")
	}
	tests := []struct {
		path, contentType, cache string
	}{
		{css[1], "text/css", "immutable"},
		{js[1], "javascript", "immutable"},
		{strings.Replace(js[1], "waymark.js", "vendor/nhsuk/nhsuk-frontend.min.js", 1), "javascript", "immutable"},
		{strings.Replace(js[1], "waymark.js", "vendor/leaflet/leaflet.js", 1), "javascript", "immutable"},
		{strings.Replace(js[1], "waymark.js", "vendor/nhsuk/images/nhsuk-icon-cross.svg", 1), "image/svg+xml", "immutable"},
		{"/static/waymark.js", "javascript", "max-age=3600"},
		{"/static/000000000000/waymark.css", "text/css", "max-age=3600"}, // an earlier release's page
	}
	for _, tt := range tests {
		status, body, h := s.get(t, tt.path)
		if status != 200 || len(body) == 0 {
			t.Errorf("GET %s = %d (run make assets for vendor files)", tt.path, status)
			continue
		}
		if !strings.Contains(h.Get("Content-Type"), tt.contentType) {
			t.Errorf("GET %s: Content-Type %q, want %s", tt.path, h.Get("Content-Type"), tt.contentType)
		}
		if !strings.Contains(h.Get("Cache-Control"), tt.cache) {
			t.Errorf("GET %s: Cache-Control %q, want %s", tt.path, h.Get("Cache-Control"), tt.cache)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no nosniff", tt.path)
		}
	}
	_, style, _ := s.get(t, css[1])
	if strings.Contains(style, "@font-face") || strings.Contains(style, "url(/assets/") {
		t.Error("the vendored NHS.UK style sheet still loads fonts from another origin or images from /assets/")
	}
	for _, path := range []string{"/static/", "/static/vendor/", "/static/nothing.css", css[1] + ".map", "/static/%2e%2e/server.go"} {
		status, body, h := s.get(t, path)
		if status != 404 || !strings.Contains(body, "Page not found") || h.Get("Content-Security-Policy") == "" {
			t.Errorf("GET %s = %d, want the 404 page", path, status)
		}
	}
}

func TestReadyzFailsWhenTheDatabaseIsDown(t *testing.T) {
	db := demo.OpenSQLite(t)
	s := newSite(t, db, web.Config{})
	db.Close()
	if status, _, _ := s.get(t, "/readyz"); status != http.StatusServiceUnavailable {
		t.Errorf("readyz with the database closed = %d, want 503", status)
	}
	if status, _, _ := s.get(t, "/healthz"); status != http.StatusOK {
		t.Errorf("healthz = %d, want 200", status)
	}
	if status, body, _ := s.get(t, "/"); status != http.StatusInternalServerError || !strings.Contains(body, "Sorry, there is a problem") {
		t.Errorf("search with the database closed = %d", status)
	}
}

func TestMetricsCountRequestsByRoute(t *testing.T) {
	s := newSite(t, demo.OpenSQLite(t), web.Config{})
	s.get(t, "/?q=walk")
	s.get(t, "/?page=0")
	_, body, _ := s.get(t, "/metrics")
	for _, want := range []string{`waymark_http_requests_total{code="200",route="GET /{$}"} 1`, `waymark_http_requests_total{code="400",route="GET /{$}"} 1`,
		"waymark_http_request_duration_seconds_bucket"} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, "walk") {
		t.Error("metrics leak query strings")
	}
}

func FuzzSearchPage(f *testing.F) {
	db := sqlstoretest.OpenSQLite(f)
	store := sqlstore.NewDirectoryStore(db)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	dir := directory.NewDirectory(store, postcodes(f), time.Now, logger)
	tax, terms := seed.Categories()
	store.CreateTaxonomy(context.Background(), &tax, terms)
	orgs, services := seed.Derbyshire()
	seed.Load(context.Background(), dir, orgs, services[:10], 100)
	srv, err := web.NewServer(web.Config{}, web.Deps{Directory: dir, Ready: db.Ping, Logger: logger, Registry: prometheus.NewRegistry()})
	if err != nil {
		f.Fatal(err)
	}
	h := srv.Handler()
	f.Add("walking", "DE4 3AG", "10", "1", "")
	f.Add(`"a" OR b*`, "de4", "1", "2", "food")
	f.Add("NEAR(x y)", "ZZ9 9ZZ", "x", "-1", "%")
	f.Fuzz(func(t *testing.T, q, pc, radius, page, cat string) {
		v := url.Values{"q": {q}, "postcode": {pc}, "radius": {radius}, "page": {page}, "category": {cat}}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/?"+v.Encode(), nil))
		if rec.Code >= 500 {
			t.Fatalf("GET /?%s = %d", v.Encode(), rec.Code)
		}
	})
}

// testPublicURL is the configured address of the sites under test, from
// which every link in their email is built.
const testPublicURL = "http://waymark.test"

// testMailer queues email in db's outbox with links to testPublicURL.
func testMailer(db *sqlstore.DB) email.Mailer {
	return email.Mailer{Sender: email.NewOutbox(sqlstore.NewEmailStore(db), email.DevTransport{}, time.Now, slog.New(slog.NewTextHandler(io.Discard, nil))), PublicURL: testPublicURL}
}
