package freshness_test

import (
	"context"
	"fmt"
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

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/email"
	"waymark/internal/freshness"
	"waymark/internal/sitecheck"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

// clock is a moving test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// site is an httptest website whose pages change between runs and which
// counts the requests for each page.
type site struct {
	*httptest.Server
	mu    sync.Mutex
	pages map[string]page
	hits  map[string]int
}

type page struct {
	status   int
	body     string
	location string // for redirects
}

func newSite(t *testing.T) *site {
	s := &site{pages: map[string]page{}, hits: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		p, ok := s.pages[r.URL.Path]
		s.hits[r.URL.Path]++
		s.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		if p.location != "" {
			w.Header().Set("Location", p.location)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(p.status)
		io.WriteString(w, p.body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *site) set(path string, status int, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages[path] = page{status: status, body: body}
}

func (s *site) redirect(path, target string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages[path] = page{status: http.StatusMovedPermanently, location: target}
}

func (s *site) hitsOf(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// walksPage is a provider's page; updated and visitors change cosmetically.
func walksPage(phone, updated string, visitors string) string {
	return `<!doctype html><html><head><title>Matlock Striders health walks</title></head><body>
<h1>Matlock Striders</h1>
<p>Gentle health walks around Matlock for people of every age and ability. Walks last about an hour
and finish with a cup of tea in the community centre. Walk leaders are trained volunteers who make sure
nobody is left behind, and the routes avoid stiles and steep hills.</p>
<p>Call us on ` + phone + ` or email walks@striders.example. Meet at Hall Leys Park, Matlock DE4 3AG.</p>
<p>Page updated ` + updated + `. ` + visitors + ` visitors.</p>
</body></html>`
}

type env struct {
	db      *sqlstore.DB
	store   *sqlstore.DirectoryStore
	fresh   *sqlstore.FreshnessStore
	clock   *clock
	life    *directory.Lifecycle
	reports *directory.Reports
	system  *directory.System
	outbox  *email.Outbox
	log     *slog.Logger
	org     directory.Organization
}

var start = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

func newEnv(t *testing.T, db *sqlstore.DB) *env {
	e := &env{db: db, store: sqlstore.NewDirectoryStore(db), fresh: sqlstore.NewFreshnessStore(db), clock: &clock{t: start},
		log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	e.life = directory.NewLifecycle(e.store, email.Mailer{}, e.clock.now, uuid.NewString)
	e.reports = directory.NewReports(e.store, e.life, []byte("test signing key"))
	e.system = directory.NewSystem(e.life, e.reports)
	e.outbox = email.NewOutbox(sqlstore.NewEmailStore(db), email.DevTransport{}, e.clock.now, e.log)
	e.org = directory.Organization{ID: uuid.NewString(), Name: "Matlock Striders", Email: "hello@striders.example", CreatedAt: start, UpdatedAt: start}
	if err := e.store.CreateOrganizations(context.Background(), []directory.Organization{e.org}); err != nil {
		t.Fatal(err)
	}
	return e
}

// service stores a published entry.
func (e *env) service(t *testing.T, name, website, mail string, created time.Time, assured *time.Time) *directory.Service {
	t.Helper()
	svc := &directory.Service{ID: uuid.NewString(), OrganizationID: e.org.ID, Name: name, Website: website, Email: mail,
		Kind: directory.KindSignposting, Pathway: directory.PathwayNone, Visibility: directory.VisibilityListed,
		Status: directory.StatusPublished, CreatedAt: created, UpdatedAt: created, AssuredAt: assured}
	if err := e.store.CreateServices(context.Background(), []*directory.Service{svc}); err != nil {
		t.Fatal(err)
	}
	return svc
}

func (e *env) find(t *testing.T, id string) *directory.Service {
	t.Helper()
	svc, err := e.store.FindServiceByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func (e *env) checker(publicURL string) *freshness.Checker {
	return freshness.NewChecker(e.fresh, e.system, e.outbox, freshness.CheckerConfig{
		PublicURL: publicURL,
		Fetch:     sitecheck.Options{AllowLoopback: true, PerHostInterval: -1, Timeout: 5 * time.Second},
	}, e.log)
}

func (e *env) mailTo(t *testing.T, to string) []email.Queued {
	t.Helper()
	list, err := e.outbox.Recent(context.Background(), 50)
	if err != nil {
		t.Fatal(err)
	}
	var out []email.Queued
	for _, m := range list {
		if m.To == to {
			out = append(out, m)
		}
	}
	return out
}

func assuredAt(t *testing.T, svc *directory.Service, want time.Time) {
	t.Helper()
	if svc.AssuredAt == nil || !svc.AssuredAt.Equal(want) {
		t.Errorf("%s assured at %v, want %v", svc.Name, svc.AssuredAt, want)
	}
}

var confirmLink = regexp.MustCompile(`https://waymark\.test(/services/[0-9a-f-]+/confirm)\?(\S+)`)

// confirm follows the provider's signed link in a message.
func (e *env) confirm(t *testing.T, m email.Queued) *directory.Service {
	t.Helper()
	l := confirmLink.FindStringSubmatch(m.Text)
	if l == nil {
		t.Fatalf("no confirmation link in %q", m.Text)
	}
	q, err := url.ParseQuery(l[2])
	if err != nil {
		t.Fatal(err)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(l[1], "/services/"), "/confirm")
	svc, err := e.reports.Confirm(context.Background(), id, q.Get("expires"), q.Get("sig"))
	if err != nil {
		t.Fatalf("confirm: %v", err)
	}
	return svc
}

func TestWebsiteCheckerSuspendsOnMaterialChangesOnly(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		web := newSite(t)
		web.set("/walks", 200, walksPage("01629 555101", "3 March 2026", "1,024"))
		web.set("/larder", 200, walksPage("01629 555202", "3 March 2026", "88"))
		walks := e.service(t, "Matlock health walks", web.URL+"/walks", "walks@striders.example", start.AddDate(0, -6, 0), nil)
		larder := e.service(t, "Community larder", web.URL+"/larder", "", start.AddDate(0, -6, 0), nil)
		offline := e.service(t, "Knit and natter", "", "knit@example.org", start.AddDate(0, -6, 0), nil)
		c := e.checker("https://waymark.test")

		run := func(at time.Time) freshness.RunStats {
			t.Helper()
			e.clock.set(at)
			st, err := c.RunStats(ctx, at)
			if err != nil {
				t.Fatalf("run at %v: %v", at, err)
			}
			return st
		}

		// The first check stores the baseline and confirms live pages.
		if st := run(start); st.Baselines != 2 || st.Suspended != 0 {
			t.Fatalf("first run: %+v", st)
		}
		assuredAt(t, e.find(t, walks.ID), start)
		if e.find(t, offline.ID).AssuredAt != nil {
			t.Error("an entry without a website was confirmed by the website checker")
		}
		if snap, _, err := e.fresh.Snapshot(ctx, walks.ID); err != nil || !strings.Contains(string(snap), "01629555101") {
			t.Errorf("baseline snapshot = %s, %v", snap, err)
		}
		// Not due again within the period.
		if st := run(start.Add(24 * time.Hour)); st.Checked != 0 {
			t.Errorf("checked again the next day: %+v", st)
		}

		// Unchanged a week later: confirmed again.
		week := start.Add(freshness.DefaultCheckEvery)
		if st := run(week); st.Unchanged != 2 {
			t.Fatalf("unchanged run: %+v", st)
		}
		assuredAt(t, e.find(t, walks.ID), week)

		// Cosmetic changes (date, counter, white space) do not suspend.
		web.set("/walks", 200, strings.ReplaceAll(walksPage("01629 555101", "17 March 2026", "1,311"), " ", "  "))
		two := week.Add(freshness.DefaultCheckEvery)
		if st := run(two); st.Unchanged != 2 || st.Suspended != 0 {
			t.Fatalf("cosmetic run: %+v", st)
		}
		if got := e.find(t, walks.ID); got.Status != directory.StatusPublished {
			t.Fatalf("cosmetic change: status %s", got.Status)
		}
		assuredAt(t, e.find(t, walks.ID), two)

		// A new phone number suspends the entry and emails the provider the
		// reasons with a working confirmation link.
		web.set("/walks", 200, walksPage("01629 555999", "17 March 2026", "1,400"))
		three := two.Add(freshness.DefaultCheckEvery)
		if st := run(three); st.Suspended != 1 || st.Unchanged != 1 {
			t.Fatalf("phone change run: %+v", st)
		}
		got := e.find(t, walks.ID)
		if got.Status != directory.StatusSuspended || !strings.Contains(got.StatusNote, "01629 555101") {
			t.Fatalf("after a phone change: %s %q", got.Status, got.StatusNote)
		}
		mails := e.mailTo(t, "walks@striders.example")
		if len(mails) != 1 {
			t.Fatalf("provider emails: %d", len(mails))
		}
		for _, want := range []string{"Phone number 01629 555101 no longer appears", "A new phone number appears on the page: 01629 555999", "/confirm?"} {
			if !strings.Contains(mails[0].Text, want) {
				t.Errorf("email lacks %q:\n%s", want, mails[0].Text)
			}
		}
		four := three.Add(48 * time.Hour)
		e.clock.set(four)
		if svc := e.confirm(t, mails[0]); svc.ID != walks.ID {
			t.Fatalf("confirmed %s", svc.ID)
		}
		got = e.find(t, walks.ID)
		if got.Status != directory.StatusPublished {
			t.Fatalf("after confirming: %s", got.Status)
		}
		assuredAt(t, got, four)

		// The new page is the baseline now: the next check finds no change.
		five := three.Add(freshness.DefaultCheckEvery)
		if st := run(five); st.Suspended != 0 || st.Unchanged != 2 {
			t.Fatalf("after confirming, next run: %+v", st)
		}

		// A page gone (404) suspends; the organisation's address is emailed
		// when the service has none.
		web.set("/larder", 404, "gone")
		six := five.Add(freshness.DefaultCheckEvery)
		if st := run(six); st.Suspended != 1 {
			t.Fatalf("404 run: %+v", st)
		}
		if got := e.find(t, larder.ID); got.Status != directory.StatusSuspended {
			t.Errorf("404: status %s", got.Status)
		}
		if mails := e.mailTo(t, e.org.Email); len(mails) != 1 || !strings.Contains(mails[0].Text, "404") {
			t.Errorf("organisation emails: %+v", mails)
		}
		// Suspended entries are not checked.
		if st := run(six.Add(freshness.DefaultCheckEvery)); st.Checked != 1 {
			t.Errorf("run with one live website: %+v", st)
		}
	})
}

func TestTwoCheckersAtOnceCheckEachEntryOnce(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		web := newSite(t)
		const n = 12
		for i := range n {
			path := fmt.Sprintf("/s%d", i)
			web.set(path, 200, walksPage(fmt.Sprintf("01629 5551%02d", i), "3 March 2026", "1"))
			e.service(t, fmt.Sprintf("Service %d", i), web.URL+path, "", start, nil)
		}
		a, b := e.checker("https://waymark.test"), e.checker("https://waymark.test")
		var wg sync.WaitGroup
		var sa, sb freshness.RunStats
		var ea, eb error
		wg.Go(func() { sa, ea = a.RunStats(ctx, start) })
		wg.Go(func() { sb, eb = b.RunStats(ctx, start) })
		wg.Wait()
		if ea != nil || eb != nil {
			t.Fatal(ea, eb)
		}
		if sa.Checked+sb.Checked != n {
			t.Errorf("checked %d + %d, want %d in all", sa.Checked, sb.Checked, n)
		}
		for i := range n {
			if h := web.hitsOf(fmt.Sprintf("/s%d", i)); h != 1 {
				t.Errorf("/s%d fetched %d times", i, h)
			}
		}
	})
}

func moderatorCtx() context.Context {
	return waymark.WithActor(context.Background(), waymark.Actor{UserID: uuid.NewString(), Roles: []waymark.Role{waymark.RoleModerator}})
}

func names(list []*directory.Service) []string {
	var out []string
	for _, s := range list {
		out = append(out, s.Name)
	}
	return out
}

func TestManualChecksComeUpEveryThreeMonthsOldestFirst(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		mod := moderatorCtx()
		m := freshness.NewManualChecks(e.fresh, e.system.As(directory.ByManualCheck), e.outbox, freshness.ManualConfig{PublicURL: "https://waymark.test"},
			e.clock.now, uuid.NewString, e.log)
		jan := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
		feb := time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)
		knit := e.service(t, "Knit and natter", "", "knit@example.org", jan, nil)
		lunch := e.service(t, "Lunch club", "", "lunch@example.org", time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), &feb)
		garden := e.service(t, "Community garden", "", "", time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), &feb)
		e.service(t, "Walks with a website", "https://walks.example", "", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), nil)

		queue := func(at time.Time) []string {
			t.Helper()
			e.clock.set(at)
			list, err := m.Queue(mod)
			if err != nil {
				t.Fatal(err)
			}
			return names(list)
		}
		if got := queue(time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)); len(got) != 0 {
			t.Errorf("queue in March = %v, want none", got)
		}
		if got := queue(time.Date(2026, 4, 2, 0, 0, 0, 0, time.UTC)); strings.Join(got, ",") != "Knit and natter" {
			t.Errorf("queue on 2 April = %v", got)
		}
		may := time.Date(2026, 5, 5, 0, 0, 0, 0, time.UTC)
		if got := queue(may); strings.Join(got, ",") != "Knit and natter,Community garden,Lunch club" && strings.Join(got, ",") != "Knit and natter,Lunch club,Community garden" {
			t.Errorf("queue on 5 May = %v, want oldest first", got)
		}

		// Only moderators.
		provider := waymark.WithActor(context.Background(), waymark.Actor{UserID: uuid.NewString(), Roles: []waymark.Role{waymark.RoleProvider}})
		if _, err := m.Queue(provider); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Errorf("provider sees the queue: %v", err)
		}
		if err := m.Record(provider, knit.ID, freshness.OutcomeRunning, ""); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Errorf("provider records a check: %v", err)
		}
		if _, err := m.Queue(context.Background()); waymark.ErrorCode(err) != waymark.EUNAUTHORIZED {
			t.Errorf("signed out: %v", err)
		}

		// Still running: confirmed now, recorded with who, out of the queue;
		// a second record (another moderator) conflicts.
		if err := m.Record(mod, knit.ID, freshness.OutcomeRunning, "Spoke to Jan on the phone"); err != nil {
			t.Fatal(err)
		}
		assuredAt(t, e.find(t, knit.ID), may)
		if err := m.Record(mod, knit.ID, freshness.OutcomeRunning, ""); waymark.ErrorCode(err) != waymark.ECONFLICT {
			t.Errorf("second record: %v", err)
		}
		events, err := e.store.History(context.Background(), knit.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := events[len(events)-1]
		if last.Action != freshness.ActionCheck || last.ActorID != waymark.ActorFrom(mod).UserID || !strings.Contains(last.Note, "still running") || !strings.Contains(last.Note, "Spoke to Jan") || !last.At.Equal(may) {
			t.Errorf("history event = %+v", last)
		}
		if got := queue(may); strings.Join(got, ",") == "" || got[0] == "Knit and natter" {
			t.Errorf("queue after the check = %v", got)
		}

		// Changed: confirmed now too (the moderator edits next).
		if err := m.Record(mod, lunch.ID, freshness.OutcomeChanged, ""); err != nil {
			t.Fatal(err)
		}
		assuredAt(t, e.find(t, lunch.ID), may)

		// Could not confirm: suspended, and the provider (the organisation,
		// as the service has no address) is emailed a working link.
		if err := m.Record(mod, garden.ID, freshness.OutcomeUnconfirmed, "No answer on the phone"); err != nil {
			t.Fatal(err)
		}
		got := e.find(t, garden.ID)
		if got.Status != directory.StatusSuspended || !strings.Contains(got.StatusNote, "could not confirm") {
			t.Errorf("after could not confirm: %s %q", got.Status, got.StatusNote)
		}
		mails := e.mailTo(t, e.org.Email)
		if len(mails) != 1 {
			t.Fatalf("provider emails: %d", len(mails))
		}
		if got := queue(may); len(got) != 0 {
			t.Errorf("queue after every check = %v", got)
		}
		later := may.Add(72 * time.Hour)
		e.clock.set(later)
		e.confirm(t, mails[0])
		got = e.find(t, garden.ID)
		if got.Status != directory.StatusPublished {
			t.Errorf("after the provider confirmed: %s", got.Status)
		}
		assuredAt(t, got, later)

		// Three months on, they come up again.
		if got := queue(may.AddDate(0, 3, 4)); len(got) != 3 {
			t.Errorf("queue three months later = %v", got)
		}
		if err := m.Record(mod, knit.ID, freshness.Outcome("maybe"), ""); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("unknown outcome: %v", err)
		}
	})
}

func TestTwoModeratorsRecordingAtOnceRecordOneCheck(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		m := freshness.NewManualChecks(e.fresh, e.system.As(directory.ByManualCheck), e.outbox, freshness.ManualConfig{Months: 1},
			e.clock.now, uuid.NewString, e.log)
		svc := e.service(t, "Knit and natter", "", "", start.AddDate(0, -2, 0), nil)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Go(func() { errs[i] = m.Record(moderatorCtx(), svc.ID, freshness.OutcomeRunning, "") })
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case waymark.ErrorCode(err) != waymark.ECONFLICT:
				t.Errorf("record: %v", err)
			}
		}
		if ok != 1 {
			t.Errorf("%d checks recorded, want 1", ok)
		}
	})
}

func TestConfirmingALiveEntryRecordsItConfirmed(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		svc := e.service(t, "Knit and natter", "", "knit@example.org", start.AddDate(-1, 0, 0), nil)
		q, _ := url.ParseQuery(e.system.ConfirmLink(svc.ID))
		later := start.Add(time.Hour)
		e.clock.set(later)
		if _, err := e.reports.Confirm(context.Background(), svc.ID, q.Get("expires"), q.Get("sig")); err != nil {
			t.Fatal(err)
		}
		got := e.find(t, svc.ID)
		if got.Status != directory.StatusPublished {
			t.Errorf("status %s", got.Status)
		}
		assuredAt(t, got, later)
	})
}

func TestWebsiteCheckerRedirectsParkingAndPagesBackAgain(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		web := newSite(t)
		elsewhere := newSite(t)
		elsewhere.set("/", 200, "<html><head><title>Cheap flights</title></head><body><p>Book cheap flights and hotels today.</p></body></html>")
		web.set("/moved", 200, walksPage("01629 555101", "3 March 2026", "1"))
		web.set("/parked", 200, walksPage("01629 555202", "3 March 2026", "1"))
		web.set("/flaky", 200, walksPage("01629 555303", "3 March 2026", "1"))
		moved := e.service(t, "Moved", web.URL+"/moved", "moved@example.org", start, nil)
		parked := e.service(t, "Parked", web.URL+"/parked", "parked@example.org", start, nil)
		flaky := e.service(t, "Flaky", web.URL+"/flaky", "flaky@example.org", start, nil)
		gone := e.service(t, "Gone from the start", web.URL+"/never", "never@example.org", start, nil)
		demo := e.service(t, "Demo entry", "https://matlock-striders.example/walks", "demo@example.org", start, nil)
		c := e.checker("https://waymark.test")
		run := func(at time.Time) freshness.RunStats {
			t.Helper()
			e.clock.set(at)
			st, err := c.RunStats(ctx, at)
			if err != nil {
				t.Fatal(err)
			}
			return st
		}
		// A page gone at the first check is suspended straight away.
		if st := run(start); st.Baselines != 3 || st.Suspended != 1 || st.Skipped != 1 {
			t.Fatalf("first run: %+v", st)
		}
		// Reserved names (.example) never resolve: demo data, left alone.
		if got := e.find(t, demo.ID); got.Status != directory.StatusPublished {
			t.Errorf("demo entry with a .example website: %s", got.Status)
		}
		if got := e.find(t, gone.ID); got.Status != directory.StatusSuspended || got.AssuredAt != nil {
			t.Errorf("gone from the start: %s, assured %v", got.Status, got.AssuredAt)
		}

		// Now redirecting to another site (localhost is another host than
		// 127.0.0.1), parked, and gone.
		elsewhereURL := strings.Replace(elsewhere.URL, "127.0.0.1", "localhost", 1) + "/"
		web.redirect("/moved", elsewhereURL)
		web.set("/parked", 200, "<html><head><title>striders.example</title></head><body><p>This domain is for sale. Buy this domain today.</p></body></html>")
		web.set("/flaky", 503, "down for maintenance")
		week := start.Add(freshness.DefaultCheckEvery)
		if st := run(week); st.Suspended != 2 || st.Retrying != 1 {
			t.Fatalf("second run: %+v", st)
		}
		// A server error may pass: the site is looked at again a day later,
		// and only then, still down, is the entry suspended.
		if got := e.find(t, flaky.ID); got.Status != directory.StatusPublished {
			t.Errorf("a site down once was suspended at once: %s", got.Status)
		}
		if st := run(week.Add(freshness.DefaultRetryAfter - time.Minute)); st.Checked != 0 {
			t.Fatalf("looked again before the retry was due: %+v", st)
		}
		retry := week.Add(freshness.DefaultRetryAfter)
		if st := run(retry); st.Suspended != 1 || st.Checked != 1 {
			t.Fatalf("retry run: %+v", st)
		}
		for _, tt := range []struct {
			svc  *directory.Service
			want string
		}{
			{moved, "redirects to another site"},
			{parked, "parked domain"},
			{flaky, "503"},
		} {
			got := e.find(t, tt.svc.ID)
			if got.Status != directory.StatusSuspended {
				t.Errorf("%s: status %s", tt.svc.Name, got.Status)
			}
			mails := e.mailTo(t, tt.svc.Email)
			if len(mails) != 1 || !strings.Contains(mails[0].Text, tt.want) {
				t.Errorf("%s: email lacks %q: %+v", tt.svc.Name, tt.want, mails)
			}
		}

		// The provider of the flaky site confirms while it is down; still
		// down at the next check, it is not suspended again (nor confirmed);
		// back up the check after, it becomes the new baseline.
		e.clock.set(retry.Add(time.Hour))
		e.confirm(t, e.mailTo(t, flaky.Email)[0])
		two := retry.Add(freshness.DefaultCheckEvery)
		if st := run(two); st.Suspended != 0 {
			t.Fatalf("still down after confirming: %+v", st)
		}
		if got := e.find(t, flaky.ID); got.Status != directory.StatusPublished || !got.AssuredAt.Equal(retry.Add(time.Hour)) {
			t.Errorf("still down: %s, assured %v", got.Status, got.AssuredAt)
		}
		web.set("/flaky", 200, walksPage("01629 555303", "4 March 2026", "2"))
		three := two.Add(freshness.DefaultCheckEvery)
		if st := run(three); st.Suspended != 0 || st.Baselines != 1 {
			t.Fatalf("back up: %+v", st)
		}
		if got := e.find(t, flaky.ID); got.Status != directory.StatusPublished || !got.AssuredAt.Equal(three) {
			t.Errorf("back up: %s, assured %v", got.Status, got.AssuredAt)
		}
	})
}

func TestFrozenEntriesAreCheckedByHandToo(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		m := freshness.NewManualChecks(e.fresh, e.system.As(directory.ByManualCheck), e.outbox, freshness.ManualConfig{}, e.clock.now, uuid.NewString, e.log)
		svc := &directory.Service{ID: uuid.NewString(), OrganizationID: e.org.ID, Name: "Full lunch club", Kind: directory.KindSignposting,
			Pathway: directory.PathwayNone, Visibility: directory.VisibilityListed, Status: directory.StatusFrozen, StatusNote: "Waiting list",
			CreatedAt: start.AddDate(-1, 0, 0), UpdatedAt: start.AddDate(-1, 0, 0)}
		if err := e.store.CreateServices(ctx, []*directory.Service{svc}); err != nil {
			t.Fatal(err)
		}
		mod := moderatorCtx()
		if list, err := m.Queue(mod); err != nil || strings.Join(names(list), ",") != "Full lunch club" {
			t.Fatalf("queue = %v, %v", names(list), err)
		}
		if err := m.Record(mod, svc.ID, freshness.OutcomeRunning, ""); err != nil {
			t.Fatal(err)
		}
		got := e.find(t, svc.ID)
		if got.Status != directory.StatusFrozen {
			t.Errorf("status %s, want still frozen", got.Status)
		}
		assuredAt(t, got, start)
		events, _ := e.store.History(ctx, svc.ID)
		if len(events) == 0 || events[len(events)-1].From != directory.StatusFrozen || events[len(events)-1].To != directory.StatusFrozen {
			t.Errorf("history: %+v", events)
		}
	})
}
