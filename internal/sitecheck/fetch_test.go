package sitecheck

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"waymark"
)

// fakeClock records sleeps instead of sleeping, moving its time on.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return ctx.Err()
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// testPage is one response of a testSite.
type testPage struct {
	status      int
	contentType string
	location    string
	body        string
}

// testSite is an httptest server whose pages can be changed between runs.
type testSite struct {
	*httptest.Server
	mu     sync.Mutex
	pages  map[string]testPage
	robots string // served at /robots.txt; 404 when empty
	hits   map[string]int
}

// newTestSite starts a server on addr ("127.0.0.1:0" if empty).
func newTestSite(t *testing.T, addr string) *testSite {
	t.Helper()
	s := &testSite{pages: make(map[string]testPage), hits: make(map[string]int)}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	if addr != "" {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Skipf("cannot listen on %s: %v", addr, err)
		}
		srv.Listener.Close()
		srv.Listener = l
	}
	srv.Start()
	t.Cleanup(srv.Close)
	s.Server = srv
	return s
}

func (s *testSite) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.Path]++
	p, ok := s.pages[r.URL.Path]
	robots := s.robots
	s.mu.Unlock()
	if r.URL.Path == "/robots.txt" && robots != "" {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, robots)
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	if p.location != "" {
		http.Redirect(w, r, p.location, http.StatusFound)
		return
	}
	if p.contentType == "" {
		p.contentType = "text/html; charset=utf-8"
	}
	w.Header().Set("Content-Type", p.contentType)
	if p.status != 0 {
		w.WriteHeader(p.status)
	}
	fmt.Fprint(w, p.body)
}

func (s *testSite) set(path string, p testPage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages[path] = p
}

func (s *testSite) setRobots(robots string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.robots = robots
}

func (s *testSite) hitCount(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func (s *testSite) addrPort(t *testing.T) netip.AddrPort {
	t.Helper()
	ap, err := netip.ParseAddrPort(s.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return ap
}

// servicePage is a typical provider page; the arguments vary what changes.
type servicePage struct {
	Title, Phone, Updated, Visitors, Extra string
}

func (p servicePage) html() string {
	if p.Title == "" {
		p.Title = "Hope Centre walking group"
	}
	if p.Phone == "" {
		p.Phone = "01332 123456"
	}
	return `<!doctype html><html><head><title>` + p.Title + `</title></head><body>
<h1>` + p.Title + `</h1>
<p>Our friendly walking group meets every week at the community hall on Station Road.
Everyone is welcome, whatever your age or fitness, and there is no need to book.
Walks last about an hour on flat paths and finish with tea and biscuits in the hall.</p>
<p>Volunteer walk leaders are trained in first aid and know the local footpaths well.
If you have mobility needs, tell us before your first walk and we will plan a suitable route.</p>
<h2>Contact</h2><p>Call ` + p.Phone + ` or email <a href="mailto:walks@hope.org.uk">walks@hope.org.uk</a>.
Hope Centre, Station Road, Derby DE1 1AA.</p>
<h2>Opening times</h2><p>Mon-Fri 9am–5pm</p>
` + p.Extra + `
<footer><p>Last updated ` + p.Updated + `. ` + p.Visitors + ` visitors. © 2024 Hope Centre.</p></footer>
</body></html>`
}

// newTestFetcher returns a fetcher for httptest servers with a fake clock.
func newTestFetcher(t *testing.T, opts Options) (*Fetcher, *fakeClock) {
	t.Helper()
	clock := newFakeClock()
	opts.Clock = clock
	return NewFetcher(opts), clock
}

// fetch fetches u with a fresh fetcher (a new run) and fails on error.
func fetch(t *testing.T, u string) Snapshot {
	t.Helper()
	f, _ := newTestFetcher(t, Options{AllowLoopback: true})
	snap, err := f.Fetch(t.Context(), u)
	if err != nil {
		t.Fatalf("Fetch(%s): %v", u, err)
	}
	return snap
}

func wantMaterial(t *testing.T, ch Change, want bool, reason string) {
	t.Helper()
	if ch.Material != want {
		t.Errorf("Material = %v, want %v; reasons %q, similarity %.2f", ch.Material, want, ch.Reasons, ch.Similarity)
	}
	if reason == "" {
		return
	}
	for _, r := range ch.Reasons {
		if strings.Contains(r, reason) {
			return
		}
	}
	t.Errorf("no reason contains %q; got %q", reason, ch.Reasons)
}

func TestFetchUnchangedPageIsNotMaterial(t *testing.T) {
	s := newTestSite(t, "")
	s.set("/walks", testPage{body: servicePage{Updated: "3 March 2025"}.html()})
	prev := fetch(t, s.URL+"/walks")
	cur := fetch(t, s.URL+"/walks")

	if prev.Status != 200 || prev.Title != "Hope Centre walking group" || prev.TextHash == "" {
		t.Fatalf("first snapshot = %+v", prev)
	}
	if got, want := prev.Phones, []string{"01332123456"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Phones = %q, want %q", got, want)
	}
	if got, want := prev.OpeningTimes, []string{"Mon-Fri 09:00-17:00"}; !reflect.DeepEqual(got, want) {
		t.Errorf("OpeningTimes = %q, want %q", got, want)
	}
	ch := Compare(prev, cur)
	wantMaterial(t, ch, false, "")
	if ch.Similarity != 1 {
		t.Errorf("Similarity = %v, want 1", ch.Similarity)
	}
}

func TestFetchDateCounterAndWhitespaceChangesAreNotMaterial(t *testing.T) {
	s := newTestSite(t, "")
	s.set("/walks", testPage{body: servicePage{Updated: "Monday 3rd March 2025 at 09:14", Visitors: "1,024"}.html()})
	prev := fetch(t, s.URL+"/walks")

	body := servicePage{Updated: "Tuesday 18th November 2025 at 16:02", Visitors: "58,311"}.html()
	body = strings.ReplaceAll(body, " ", "  \n\t")
	body = strings.ReplaceAll(body, "© 2024", "© 2025")
	s.set("/walks", testPage{body: body})
	cur := fetch(t, s.URL+"/walks")

	wantMaterial(t, Compare(prev, cur), false, "")
	if prev.TextHash != cur.TextHash {
		t.Errorf("TextHash changed: %s → %s", prev.TextHash, cur.TextHash)
	}
}

func TestFetchPhoneChangeIsMaterialNamingTheOldNumber(t *testing.T) {
	s := newTestSite(t, "")
	s.set("/walks", testPage{body: servicePage{}.html()})
	prev := fetch(t, s.URL+"/walks")
	s.set("/walks", testPage{body: servicePage{Phone: "+44 (0)1332 654321"}.html()})
	cur := fetch(t, s.URL+"/walks")

	ch := Compare(prev, cur)
	wantMaterial(t, ch, true, "Phone number 01332 123456 no longer appears on the page")
	wantMaterial(t, ch, true, "A new phone number appears on the page: 01332 654321")
}

func TestFetchPageNotFoundIsMaterial(t *testing.T) {
	s := newTestSite(t, "")
	s.set("/walks", testPage{body: servicePage{}.html()})
	prev := fetch(t, s.URL+"/walks")
	s.set("/walks", testPage{status: http.StatusNotFound, body: "<h1>Not found</h1>"})
	cur := fetch(t, s.URL+"/walks")

	if cur.Status != 404 || !cur.Gone() {
		t.Fatalf("Status = %d, Gone = %v; want 404, true", cur.Status, cur.Gone())
	}
	wantMaterial(t, Compare(prev, cur), true, "The page could not be found (404)")
}

func TestFetchRedirectToAnotherHostIsMaterial(t *testing.T) {
	other := newTestSite(t, "127.0.0.2:0") // another host name: 127.0.0.2, not 127.0.0.1
	other.set("/", testPage{body: servicePage{Title: "Cheap flights and hotels"}.html()})
	s := newTestSite(t, "")
	s.set("/walks", testPage{body: servicePage{}.html()})
	prev := fetch(t, s.URL+"/walks")

	s.set("/walks", testPage{location: "/new-walks"})
	s.set("/new-walks", testPage{body: servicePage{}.html()})
	moved := fetch(t, s.URL+"/walks")
	if moved.FinalURL != s.URL+"/new-walks" {
		t.Errorf("FinalURL = %q, want %q", moved.FinalURL, s.URL+"/new-walks")
	}
	wantMaterial(t, Compare(prev, moved), false, "") // same site

	s.set("/walks", testPage{location: other.URL + "/"})
	cur := fetch(t, s.URL+"/walks")
	if cur.FinalURL != other.URL+"/" || cur.Status != 200 {
		t.Fatalf("FinalURL, Status = %q, %d; want %q, 200", cur.FinalURL, cur.Status, other.URL+"/")
	}
	wantMaterial(t, Compare(prev, cur), true, "The page now redirects to another site (127.0.0.2)")
}

func TestFetchParkedDomainIsMaterial(t *testing.T) {
	s := newTestSite(t, "")
	s.set("/", testPage{body: servicePage{}.html()})
	prev := fetch(t, s.URL+"/")
	s.set("/", testPage{body: `<html><head><title>hope.org.uk</title></head><body>
<h1>hope.org.uk</h1><p>This domain is for sale! Make an offer today.</p></body></html>`})
	cur := fetch(t, s.URL+"/")

	wantMaterial(t, Compare(prev, cur), true, "The page looks like a parked domain")
}

func TestFetchLargelyRewrittenTextIsMaterial(t *testing.T) {
	s := newTestSite(t, "")
	s.set("/walks", testPage{body: servicePage{}.html()})
	prev := fetch(t, s.URL+"/walks")
	s.set("/walks", testPage{body: `<html><head><title>Hope Centre walking group</title></head><body>
<h1>Hope Centre walking group</h1><p>We have stopped our weekly walks while we look for new volunteers.
In the meantime our café is open to everyone, serving soup, sandwiches and cakes made by local bakers.
Come along to meet neighbours, read the papers and find out about other activities nearby.</p>
<p>Call 01332 123456 or email <a href="mailto:walks@hope.org.uk">walks@hope.org.uk</a>.
Hope Centre, Station Road, Derby DE1 1AA.</p><p>Mon-Fri 9am–5pm</p></body></html>`})
	cur := fetch(t, s.URL+"/walks")

	ch := Compare(prev, cur)
	wantMaterial(t, ch, true, "of the page's text has changed")
	if ch.Similarity >= DefaultMinSimilarity {
		t.Errorf("Similarity = %.2f, want below %.2f", ch.Similarity, DefaultMinSimilarity)
	}
	for _, r := range ch.Reasons {
		if strings.Contains(r, "Phone") || strings.Contains(r, "different site") {
			t.Errorf("unexpected reason %q", r)
		}
	}
}

func TestFetchDisallowedByRobotsIsNotFetchedNorAChange(t *testing.T) {
	s := newTestSite(t, "")
	s.set("/private/walks", testPage{body: servicePage{}.html()})
	prev := fetch(t, s.URL+"/private/walks")
	s.setRobots("User-agent: *\nAllow: /\n\nUser-agent: WaymarkLinkChecker\nDisallow: /private/\n")
	hits := s.hitCount("/private/walks")

	f, _ := newTestFetcher(t, Options{AllowLoopback: true})
	cur, err := f.Fetch(t.Context(), s.URL+"/private/walks")
	if !errors.Is(err, ErrDisallowed) {
		t.Fatalf("err = %v, want ErrDisallowed", err)
	}
	if !cur.Disallowed {
		t.Error("Disallowed = false, want true")
	}
	if got := s.hitCount("/private/walks"); got != hits {
		t.Errorf("page requested %d times after robots.txt forbade it", got-hits)
	}
	wantMaterial(t, Compare(prev, cur), false, "")
}

func TestFetchFetchesRobotsOncePerHostPerRun(t *testing.T) {
	s := newTestSite(t, "")
	s.setRobots("User-agent: *\nDisallow: /private/\n")
	s.set("/a", testPage{body: "<p>a</p>"})
	s.set("/b", testPage{body: "<p>b</p>"})
	f, _ := newTestFetcher(t, Options{AllowLoopback: true})
	for _, p := range []string{"/a", "/b", "/private/c"} {
		_, _ = f.Fetch(t.Context(), s.URL+p)
	}
	if got := s.hitCount("/robots.txt"); got != 1 {
		t.Errorf("robots.txt fetched %d times, want 1", got)
	}
}

func TestFetchTruncatesBodyOverMaxBytes(t *testing.T) {
	s := newTestSite(t, "")
	s.set("/big", testPage{body: "<html><body><p>Call 01332 123456</p><p>" + strings.Repeat("walking ", 2000) + "</p></body></html>"})
	f, _ := newTestFetcher(t, Options{AllowLoopback: true, MaxBytes: 1000})
	snap, err := f.Fetch(t.Context(), s.URL+"/big")
	if err != nil {
		t.Fatal(err)
	}
	if !snap.Truncated {
		t.Error("Truncated = false, want true")
	}
	if len(snap.Text) > 1000 {
		t.Errorf("len(Text) = %d, want at most 1000", len(snap.Text))
	}
	if len(snap.Phones) != 1 {
		t.Errorf("Phones = %q; the start of the page should still be read", snap.Phones)
	}

	small := fetch(t, s.URL+"/big")
	if small.Truncated {
		t.Error("Truncated = true under the default MaxBytes, want false")
	}
}

func TestFetchRecordsNonHTMLWithoutParsing(t *testing.T) {
	s := newTestSite(t, "")
	s.set("/leaflet", testPage{contentType: "application/pdf", body: "%PDF-1.4 Call 01332 123456"})
	snap := fetch(t, s.URL+"/leaflet")
	if snap.ContentType != "application/pdf" || snap.Text != "" || snap.Phones != nil {
		t.Errorf("ContentType, Text, Phones = %q, %q, %q; want application/pdf and nothing parsed", snap.ContentType, snap.Text, snap.Phones)
	}
}

func TestFetchDecodesLegacyCharsets(t *testing.T) {
	s := newTestSite(t, "")
	s.set("/", testPage{contentType: "text/html; charset=windows-1252", body: "<p>Caf\xe9 open Monday 9am\x965pm</p>"})
	snap := fetch(t, s.URL+"/")
	if snap.Text != "Café open Monday 9am–5pm" {
		t.Errorf("Text = %q", snap.Text)
	}
	if got, want := snap.OpeningTimes, []string{"Mon 09:00-17:00"}; !reflect.DeepEqual(got, want) {
		t.Errorf("OpeningTimes = %q, want %q", got, want)
	}
}

func TestFetchGivesUpAfterFiveRedirects(t *testing.T) {
	s := newTestSite(t, "")
	for i := range 7 {
		s.set(fmt.Sprintf("/r%d", i), testPage{location: fmt.Sprintf("/r%d", i+1)})
	}
	s.set("/r7", testPage{body: "<p>end</p>"})
	snap := fetch(t, s.URL+"/r0")
	if snap.ErrorKind != FailureRedirects || !snap.Gone() {
		t.Errorf("ErrorKind = %q, want %q", snap.ErrorKind, FailureRedirects)
	}
	if got := s.hitCount("/r6"); got != 0 {
		t.Errorf("followed a sixth redirect")
	}

	s.set("/five", testPage{location: "/r3"}) // /five → r3 → r4 → r5 → r6 → r7: five redirects
	if snap := fetch(t, s.URL+"/five"); snap.Status != 200 {
		t.Errorf("five redirects: Status = %d, ErrorKind = %q; want 200", snap.Status, snap.ErrorKind)
	}
}

func TestFetchRejectsNonWebURLs(t *testing.T) {
	f, _ := newTestFetcher(t, Options{})
	for _, u := range []string{"ftp://example.org/", "javascript:alert(1)", "www.example.org", "file:///etc/passwd", ""} {
		_, err := f.Fetch(t.Context(), u)
		if code := waymark.ErrorCode(err); code != waymark.EINVALID {
			t.Errorf("Fetch(%q) error code = %q, want %q", u, code, waymark.EINVALID)
		}
	}
}

func TestFetchUnresolvableHostIsMaterial(t *testing.T) {
	s := newTestSite(t, "")
	s.set("/", testPage{body: servicePage{}.html()})
	prev := fetch(t, s.URL+"/")
	prev.URL = "http://walks.invalid/" // as if the listing's domain had lapsed since

	f, _ := newTestFetcher(t, Options{Timeout: 5 * time.Second})
	cur, err := f.Fetch(t.Context(), "http://walks.invalid/")
	if err != nil {
		t.Fatal(err)
	}
	if cur.ErrorKind != FailureDNS && cur.ErrorKind != FailureConnect {
		t.Fatalf("ErrorKind = %q (%s), want a DNS or connection failure", cur.ErrorKind, cur.Error)
	}
	wantMaterial(t, Compare(prev, cur), true, "")
}

func TestFetchRefusesNonPublicAddresses(t *testing.T) {
	s := newTestSite(t, "")
	s.set("/", testPage{body: "<p>secret</p>"})
	port := s.addrPort(t).Port()
	f, _ := newTestFetcher(t, Options{Timeout: 2 * time.Second}) // AllowLoopback off
	for _, u := range []string{
		s.URL + "/",
		fmt.Sprintf("http://[::1]:%d/", port),
		fmt.Sprintf("http://[::ffff:127.0.0.1]:%d/", port),
		"http://10.0.0.1/",
		"http://169.254.169.254/latest/meta-data/",
		"http://0.0.0.0/",
	} {
		snap, err := f.Fetch(t.Context(), u)
		if err != nil {
			t.Fatalf("Fetch(%s): %v", u, err)
		}
		if snap.ErrorKind != FailureBlocked {
			t.Errorf("Fetch(%s): ErrorKind = %q (%s), want %q", u, snap.ErrorKind, snap.Error, FailureBlocked)
		}
	}
	if got := s.hitCount("/"); got != 0 {
		t.Errorf("loopback server was reached %d times", got)
	}
}

func TestFetchRefusesRedirectsToNonPublicAddresses(t *testing.T) {
	private := newTestSite(t, "")
	private.set("/", testPage{body: "<p>internal admin</p>"})
	s := newTestSite(t, "")
	// Only the first server's exact address is allowed.
	f, _ := newTestFetcher(t, Options{AllowAddrs: []netip.AddrPort{s.addrPort(t)}, Timeout: 2 * time.Second})
	for _, target := range []string{private.URL + "/", "http://10.0.0.1/", "http://169.254.169.254/", "http://[::1]/"} {
		s.set("/go", testPage{location: target})
		snap, err := f.Fetch(t.Context(), s.URL+"/go")
		if err != nil {
			t.Fatalf("redirect to %s: %v", target, err)
		}
		if snap.ErrorKind != FailureBlocked || snap.FinalURL != target {
			t.Errorf("redirect to %s: ErrorKind, FinalURL = %q, %q (%s); want %q", target, snap.ErrorKind, snap.FinalURL, snap.Error, FailureBlocked)
		}
	}
	if got := private.hitCount("/"); got != 0 {
		t.Errorf("private server was reached %d times", got)
	}
}

func TestGuardRefusesNonPublicAddresses(t *testing.T) {
	g := guard{}
	for _, a := range []string{
		"127.0.0.1:80", "127.9.9.9:80", "[::1]:80", "10.0.0.1:80", "172.16.5.4:80", "192.168.1.1:443",
		"169.254.169.254:80", "[fe80::1]:80", "[fc00::1]:80", "[fd12::1]:80", "0.0.0.0:80", "[::]:80",
		"100.64.0.1:80", "100.127.255.254:80", "224.0.0.1:80", "255.255.255.255:80",
		"[::ffff:10.0.0.1]:80", "[::ffff:127.0.0.1]:80", "[::ffff:169.254.169.254]:80",
		"[64:ff9b::a00:1]:80", "[2002:a00:1::]:80", "[ff02::1]:80",
	} {
		if err := g.control("tcp", a, nil); !errors.Is(err, ErrBlockedAddress) {
			t.Errorf("control(%s) = %v, want ErrBlockedAddress", a, err)
		}
	}
	for _, a := range []string{"93.184.215.14:443", "[2606:4700::6810:84e5]:443", "100.128.0.1:80", "[64:ff9b::5db8:d70e]:80"} {
		if err := g.control("tcp", a, nil); err != nil {
			t.Errorf("control(%s) = %v, want nil", a, err)
		}
	}
	loop := guard{allowLoopback: true}
	if err := loop.control("tcp", "127.0.0.1:8080", nil); err != nil {
		t.Errorf("AllowLoopback: control(127.0.0.1) = %v, want nil", err)
	}
	if err := loop.control("tcp", "10.0.0.1:80", nil); err == nil {
		t.Error("AllowLoopback: control(10.0.0.1) = nil, want an error")
	}
}

func TestFetchWaitsBetweenRequestsToTheSameHost(t *testing.T) {
	s := newTestSite(t, "")
	other := newTestSite(t, "127.0.0.2:0")
	for _, site := range []*testSite{s, other} {
		site.set("/a", testPage{body: "<p>a</p>"})
		site.set("/b", testPage{body: "<p>b</p>"})
	}
	f, clock := newTestFetcher(t, Options{AllowLoopback: true, PerHostInterval: 5 * time.Second})

	// robots.txt, then /a 5s later, then /b 5s after that.
	for _, u := range []string{s.URL + "/a", s.URL + "/b"} {
		if _, err := f.Fetch(t.Context(), u); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := clock.Sleeps(), []time.Duration{5 * time.Second, 5 * time.Second}; !reflect.DeepEqual(got, want) {
		t.Fatalf("sleeps = %v, want %v", got, want)
	}
	// Another host has its own interval: its robots.txt needs no wait.
	if _, err := f.Fetch(t.Context(), other.URL+"/a"); err != nil {
		t.Fatal(err)
	}
	if got, want := clock.Sleeps(), []time.Duration{5 * time.Second, 5 * time.Second, 5 * time.Second}; !reflect.DeepEqual(got, want) {
		t.Errorf("sleeps = %v, want %v", got, want)
	}
}

func TestFetchStopsWaitingWhenContextEnds(t *testing.T) {
	s := newTestSite(t, "")
	s.set("/a", testPage{body: "<p>a</p>"})
	f := NewFetcher(Options{AllowLoopback: true, PerHostInterval: time.Hour}) // real clock
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := f.Fetch(ctx, s.URL+"/a"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want context.DeadlineExceeded", err)
	}
}

func TestSnapshotRoundTripsThroughJSON(t *testing.T) {
	s := newTestSite(t, "")
	s.set("/", testPage{body: servicePage{}.html()})
	snap := fetch(t, s.URL+"/")
	data, err := json.Marshal(snap)
	if err != nil {
		t.Fatal(err)
	}
	var got Snapshot
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, snap) {
		t.Errorf("after JSON round trip\n got %+v\nwant %+v", got, snap)
	}
	wantMaterial(t, Compare(got, snap), false, "")
}
