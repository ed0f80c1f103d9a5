package onboarding_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/account"
	"waymark/internal/bulk"
	"waymark/internal/directory"
	"waymark/internal/email"
	"waymark/internal/onboarding"
	"waymark/internal/postcode"
	"waymark/internal/seed"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

// table decodes the national postcode table once for all tests.
var table = sync.OnceValues(postcode.Embedded)

// clock is a moving test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fixture is an onboarding service over a real database.
type fixture struct {
	db       *sqlstore.DB
	store    *sqlstore.DirectoryStore
	accounts *sqlstore.AccountStore
	outbox   *email.Outbox
	svc      *onboarding.Service
	life     *directory.Lifecycle
	clock    *clock
	admin    context.Context
}

func newFixture(tb testing.TB, db *sqlstore.DB) *fixture {
	tb.Helper()
	ctx := context.Background()
	pc, err := table()
	if err != nil {
		tb.Fatal(err)
	}
	f := &fixture{db: db, store: sqlstore.NewDirectoryStore(db), accounts: sqlstore.NewAccountStore(db),
		clock: &clock{t: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}}
	tax, terms := seed.Categories()
	if err := f.store.CreateTaxonomy(ctx, &tax, terms); err != nil {
		tb.Fatal(err)
	}
	f.life = directory.NewLifecycle(f.store, email.Mailer{}, f.clock.Now, uuid.NewString)
	reports := directory.NewReports(f.store, f.life, []byte("report secret"))
	f.outbox = email.NewOutbox(sqlstore.NewEmailStore(db), email.DevTransport{}, f.clock.Now, discard())
	f.svc = onboarding.NewService(onboarding.Config{
		Store:      sqlstore.NewOnboardingStore(db),
		Geocoder:   pc,
		Categories: f.store.ListCategories,
		Listings:   directory.NewSystem(f.life, reports),
		Secret:     []byte("claim secret"),
		PublicURL:  "https://waymark.test/",
		Now:        f.clock.Now,
	})
	f.admin = f.user(tb, "admin@example.org", waymark.RoleAdmin)
	return f
}

// user creates a user with a platform role ("" for none) and returns a
// context acting as them.
func (f *fixture) user(tb testing.TB, addr string, role waymark.Role) context.Context {
	tb.Helper()
	u := &account.User{ID: uuid.NewString(), Email: addr, Name: addr, PlatformRole: role, CreatedAt: f.clock.Now()}
	if err := f.accounts.CreateUser(context.Background(), u); err != nil {
		tb.Fatal(err)
	}
	return f.actor(tb, u.ID)
}

// actor returns a context acting as the user as stored now.
func (f *fixture) actor(tb testing.TB, userID string) context.Context {
	tb.Helper()
	u, err := f.accounts.FindUserByID(context.Background(), userID)
	if err != nil {
		tb.Fatal(err)
	}
	return waymark.WithActor(context.Background(), u.Actor())
}

// mails returns the queued emails, newest first.
func (f *fixture) mails(tb testing.TB) []email.Queued {
	tb.Helper()
	list, err := f.outbox.Recent(context.Background(), 100000)
	if err != nil {
		tb.Fatal(err)
	}
	return list
}

// header is the template's columns.
var header = bulk.Columns()

// row is one service by column name.
type row map[string]string

var postcodes = []string{"DE4 3AG", "DE45 1AH", "S40 1PA", "SK17 6EQ", "NG10 4HD", "DE1 2AW", "SK13 8BW"}

// validRow is a row that imports, numbered n; every ten rows share an
// organisation.
func validRow(n int) row {
	return row{
		bulk.ColOrganisationName:    fmt.Sprintf("Friends of Park %d", n/10),
		bulk.ColOrganisationEmail:   fmt.Sprintf("park%d@example.org", n/10),
		bulk.ColOrganisationWebsite: fmt.Sprintf("https://park%d.example.org", n/10),
		bulk.ColServiceName:         fmt.Sprintf("Health walk %d", n),
		bulk.ColDescription:         "A gentle walk with tea afterwards.",
		bulk.ColCategory:            "physical-activity",
		bulk.ColAddressLine:         "1 Park Road",
		bulk.ColTown:                "Matlock",
		bulk.ColPostcode:            postcodes[n%len(postcodes)],
		bulk.ColPhone:               "01629 580000",
		bulk.ColEmail:               fmt.Sprintf("walk%d@example.org", n),
		bulk.ColWebsite:             fmt.Sprintf("https://park%d.example.org/walks/%d", n/10, n),
		bulk.ColFree:                "Yes",
	}
}

func (r row) with(kv ...string) row {
	c := row{}
	for k, v := range r {
		c[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		c[kv[i]] = kv[i+1]
	}
	return c
}

// csvFile writes rows as a CSV file with the template's header.
func csvFile(tb testing.TB, rows ...row) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(header)
	for _, r := range rows {
		rec := make([]string, len(header))
		for i, h := range header {
			rec[i] = r[h]
		}
		w.Write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// mixedFile has three valid rows in two organisations and four with
// errors: rows 2, 3 and 7 are valid.
func mixedFile(tb testing.TB) []byte {
	return csvFile(tb,
		validRow(1),
		validRow(2),
		validRow(3).with(bulk.ColPostcode, "ZZ99 9ZZ"),
		validRow(4).with(bulk.ColOrganisationEmail, "not an email"),
		validRow(5).with(bulk.ColPhone, "12345"),
		validRow(6).with(bulk.ColServiceName, ""),
		validRow(11),
	)
}

func importFile(tb testing.TB, f *fixture, ctx context.Context, data []byte) *onboarding.Batch {
	tb.Helper()
	sheet, err := bulk.Parse(bytes.NewReader(data), "services.csv")
	if err != nil {
		tb.Fatal(err)
	}
	b, _, err := f.svc.Import(ctx, "services.csv", sheet)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestDryRunShowsEveryErrorWithItsRowAndColumnAndCreatesNothing(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		c, err := f.svc.DryRun(f.admin, "../../services.csv", mixedFile(t))
		if err != nil {
			t.Fatal(err)
		}
		if c.FileName != "services.csv" {
			t.Errorf("file name = %q, want the path dropped", c.FileName)
		}
		if c.UploadID == "" {
			t.Error("no upload kept for the import")
		}
		want := map[string]bool{"Row 4, postcode": true, "Row 5, organisation_email": true, "Row 6, phone": true, "Row 7, service_name": true}
		for _, e := range c.Result.Errors() {
			delete(want, fmt.Sprintf("Row %d, %s", e.Row, e.Column))
		}
		if len(want) > 0 {
			t.Errorf("missing errors %v in %v", want, c.Result.Errors())
		}
		if got := c.Result.Count(bulk.ActionCreate); got != 3 {
			t.Errorf("rows to create = %d, want 3", got)
		}
		if n, _ := f.store.CountServices(context.Background()); n != 0 {
			t.Errorf("a dry run created %d services", n)
		}
		// Files that are not spreadsheets are refused with a message.
		if _, err := f.svc.DryRun(f.admin, "x.csv", []byte("   ")); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("empty file: %v, want EINVALID", err)
		}
	})
}

func TestImportCreatesValidRowsOnceAndEmailsEachOrganisation(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		c, err := f.svc.DryRun(f.admin, "services.csv", mixedFile(t))
		if err != nil {
			t.Fatal(err)
		}
		b, _, err := f.svc.ImportUpload(f.admin, c.UploadID)
		if err != nil {
			t.Fatal(err)
		}
		if b.Created != 3 || b.Errors != 4 || b.Skipped != 0 || b.Rows != 7 {
			t.Errorf("batch = %+v, want 3 created, 4 errors of 7 rows", b)
		}
		if n, _ := f.store.CountServices(ctx); n != 3 {
			t.Errorf("services = %d, want 3", n)
		}
		// The upload is used up.
		if _, _, err := f.svc.ImportUpload(f.admin, c.UploadID); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("second import of the upload: %v, want ENOTFOUND", err)
		}
		mails := f.mails(t)
		if len(mails) != 2 {
			t.Fatalf("%d emails, want one per organisation (2)", len(mails))
		}
		for _, m := range mails {
			if strings.Contains(m.Subject, "Park") || strings.Contains(m.Subject, "@") {
				t.Errorf("subject %q names the organisation or an address", m.Subject)
			}
			if !strings.Contains(m.Text, "https://waymark.test/claim/") || m.HTML == "" {
				t.Errorf("claim email lacks its link or HTML part: %q", m.Text)
			}
		}
		// Entries are published and unclaimed (no provider yet).
		res, err := f.store.SearchServices(ctx, directory.SearchQuery{Text: "health walk", Page: 1, PerPage: 20})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 3 {
			t.Errorf("search finds %d imported entries, want 3", res.Total)
		}

		// The same file again creates nothing and emails nobody.
		b2 := importFile(t, f, f.admin, mixedFile(t))
		if b2.Created != 0 || b2.Skipped != 3 {
			t.Errorf("second import = %+v, want 0 created, 3 skipped", b2)
		}
		if n, _ := f.store.CountServices(ctx); n != 3 {
			t.Errorf("services after importing twice = %d, want 3", n)
		}
		if got := len(f.mails(t)); got != 2 {
			t.Errorf("emails after importing twice = %d, want 2", got)
		}

		// A new row for a known organisation joins the same organisation.
		b3 := importFile(t, f, f.admin, csvFile(t, validRow(1), validRow(8)))
		if b3.Created != 1 || b3.Skipped != 1 {
			t.Errorf("third import = %+v, want 1 created, 1 skipped", b3)
		}
		orgs, _ := f.store.ListOrganizations(ctx)
		if len(orgs) != 2 {
			t.Errorf("organisations = %d, want 2", len(orgs))
		}
	})
}

func TestRowsThatRepeatAnExistingEntryAreSkipped(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		dir := directory.NewDirectory(f.store, mustTable(t), f.clock.Now, discard())
		org := directory.Organization{Name: "Existing"}
		if err := dir.CreateOrganization(ctx, &org); err != nil {
			t.Fatal(err)
		}
		for _, svc := range []*directory.Service{
			{OrganizationID: org.ID, Name: "HEALTH WALK 1", Email: "a@example.org", Status: directory.StatusPublished,
				Locations: []directory.Location{{Address: directory.Address{PostalCode: postcodes[1]}}}},
			{OrganizationID: org.ID, Name: "Other name", Email: "a@example.org", Website: "http://www.park0.example.org/walks/2/", Status: directory.StatusPublished,
				Locations: []directory.Location{{Address: directory.Address{PostalCode: "DE4 3AG"}}}},
		} {
			if err := dir.CreateService(ctx, svc); err != nil {
				t.Fatal(err)
			}
		}
		c, err := f.svc.DryRun(f.admin, "s.csv", csvFile(t, validRow(1), validRow(2), validRow(3)))
		if err != nil {
			t.Fatal(err)
		}
		got := []bulk.Action{}
		for _, r := range c.Result.Rows {
			got = append(got, r.Action)
		}
		want := []bulk.Action{bulk.ActionSkipDuplicate, bulk.ActionSkipDuplicate, bulk.ActionCreate}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("actions = %v, want %v (same name and postcode; same website)", got, want)
		}
	})
}

func mustTable(tb testing.TB) *postcode.Table {
	pc, err := table()
	if err != nil {
		tb.Fatal(err)
	}
	return pc
}

// claimLink returns the organisation id, expires and sig of the newest
// claim email.
func claimLink(tb testing.TB, f *fixture) (id, expires, sig string) {
	tb.Helper()
	mails := f.mails(tb)
	if len(mails) == 0 {
		tb.Fatal("no email")
	}
	text := mails[0].Text
	i := strings.Index(text, "/claim/")
	if i < 0 {
		tb.Fatalf("no claim link in %q", text)
	}
	link := strings.Fields(text[i:])[0]
	var rest string
	id, rest, _ = strings.Cut(strings.TrimPrefix(link, "/claim/"), "?expires=")
	expires, sig, _ = strings.Cut(rest, "&sig=")
	return id, expires, sig
}

func TestClaimLinksMakeTheUserTheProviderAndRefuseForgeries(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		importFile(t, f, f.admin, csvFile(t, validRow(1), validRow(2)))
		id, expires, sig := claimLink(t, f)

		if _, err := f.svc.ClaimEntries(context.Background(), id, expires, sig); waymark.ErrorCode(err) != waymark.EUNAUTHORIZED {
			t.Errorf("claim signed out: %v, want EUNAUTHORIZED", err)
		}
		someone := f.user(t, "someone@example.org", "")
		for name, args := range map[string][3]string{
			"forged signature":   {id, expires, strings.Repeat("0", len(sig))},
			"another org":        {uuid.NewString(), expires, sig},
			"later expiry":       {id, fmt.Sprint(f.clock.Now().Add(365 * 24 * time.Hour).Unix()), sig},
			"not a number":       {id, "soon", sig},
			"missing everything": {id, "", ""},
		} {
			if _, err := f.svc.ClaimEntries(someone, args[0], args[1], args[2]); waymark.ErrorCode(err) != waymark.EINVALID {
				t.Errorf("%s: %v, want EINVALID", name, err)
			}
		}
		c, err := f.svc.Open(context.Background(), id, expires, sig)
		if err != nil {
			t.Fatal(err)
		}
		if c.OrganizationName != "Friends of Park 0" || len(c.Entries) != 2 || c.Claimed {
			t.Errorf("claim = %+v, want Friends of Park 0's 2 unclaimed entries", c)
		}
		if _, err := f.svc.ClaimEntries(someone, id, expires, sig); err != nil {
			t.Fatal(err)
		}
		u := waymark.ActorFrom(someone)
		now := f.actor(t, u.UserID)
		if !waymark.ActorFrom(now).In(id, waymark.RoleProvider) {
			t.Fatal("the claimer is not the organisation's provider")
		}
		// As provider they may now change the entry.
		if _, err := f.life.Apply(now, c.Entries[0].ServiceID, directory.ActionFreeze, "Full until spring"); err != nil {
			t.Errorf("provider freezes the claimed entry: %v", err)
		}
		// Claiming again is harmless.
		if _, err := f.svc.ClaimEntries(now, id, expires, sig); err != nil {
			t.Errorf("claim again: %v", err)
		}

		// After 30 days the link has expired.
		f.clock.Add(onboarding.ClaimTTL + time.Second)
		if _, err := f.svc.Open(context.Background(), id, expires, sig); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("expired link: %v, want EINVALID", err)
		}
	})
}

func TestPleaseRemoveUsDeletesTheEntriesAndRecordsIt(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		importFile(t, f, f.admin, csvFile(t, validRow(1), validRow(2)))
		id, expires, sig := claimLink(t, f)
		c, err := f.svc.Remove(ctx, id, expires, sig)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range c.Entries {
			svc, err := f.store.FindServiceByID(ctx, e.ServiceID)
			if err != nil {
				t.Fatal(err)
			}
			if svc.Status != directory.StatusDeleted {
				t.Errorf("status = %s, want deleted", svc.Status)
			}
			events, _ := f.store.History(ctx, e.ServiceID)
			if len(events) == 0 || events[len(events)-1].Note != onboarding.RemoveNote || events[len(events)-1].ActorID != "" {
				t.Errorf("history = %+v, want a system deletion with the note", events)
			}
		}
		entries, err := sqlstore.NewOnboardingStore(db).Entries(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.RemovedAt == nil {
				t.Errorf("entry %s removal not recorded", e.ServiceID)
			}
		}
		again, err := f.svc.Open(ctx, id, expires, sig)
		if err != nil || !again.Removed {
			t.Errorf("open after removal = %+v, %v; want removed", again, err)
		}
		someone := f.user(t, "someone@example.org", "")
		if _, err := f.svc.ClaimEntries(someone, id, expires, sig); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("claim after removal: %v, want EINVALID", err)
		}
		// Uploading the same rows again does not bring them back.
		if b := importFile(t, f, f.admin, csvFile(t, validRow(1), validRow(2))); b.Created != 0 {
			t.Errorf("re-import after removal created %d", b.Created)
		}
	})
}

func TestOneReminderFourteenDaysAfterTheClaimEmail(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		importFile(t, f, f.admin, csvFile(t, validRow(1), validRow(11)))
		claimedID, expires, sig := claimLink(t, f)
		if _, err := f.svc.ClaimEntries(f.user(t, "p@example.org", ""), claimedID, expires, sig); err != nil {
			t.Fatal(err)
		}
		reminders := func() int {
			n := 0
			for _, m := range f.mails(t) {
				if strings.HasPrefix(m.Subject, "Reminder") {
					n++
				}
			}
			return n
		}
		runTwice := func() {
			var wg sync.WaitGroup
			errs := make(chan error, 2)
			for range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- f.svc.Remind(context.Background(), f.clock.Now())
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		f.clock.Add(onboarding.RemindAfter - time.Minute)
		runTwice()
		if n := reminders(); n != 0 {
			t.Fatalf("%d reminders before 14 days", n)
		}
		f.clock.Add(time.Minute)
		runTwice()
		if n := reminders(); n != 1 {
			t.Fatalf("%d reminders at 14 days from two concurrent runs, want 1 (the claimed organisation gets none)", n)
		}
		f.clock.Add(7 * 24 * time.Hour)
		runTwice()
		if n := reminders(); n != 1 {
			t.Errorf("%d reminders a week later, want still 1", n)
		}
		if !strings.Contains(f.mails(t)[0].Text, "/claim/") {
			t.Error("the reminder has no claim link")
		}
	})
}

func TestOnlyAdministratorsAndModeratorsImport(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		data := csvFile(t, validRow(1))
		if _, err := f.svc.DryRun(context.Background(), "s.csv", data); waymark.ErrorCode(err) != waymark.EUNAUTHORIZED {
			t.Errorf("anonymous: %v, want EUNAUTHORIZED", err)
		}
		for _, r := range []waymark.Role{"", waymark.RoleCommissioner} {
			ctx := f.user(t, string(r)+"x@example.org", r)
			if _, err := f.svc.DryRun(ctx, "s.csv", data); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
				t.Errorf("role %q: %v, want EFORBIDDEN", r, err)
			}
			sheet, _ := bulk.Parse(bytes.NewReader(data), "s.csv")
			if _, _, err := f.svc.Import(ctx, "s.csv", sheet); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
				t.Errorf("import as %q: %v, want EFORBIDDEN", r, err)
			}
		}
		mod := f.user(t, "mod@example.org", waymark.RoleModerator)
		c, err := f.svc.DryRun(mod, "s.csv", data)
		if err != nil {
			t.Fatalf("moderator: %v", err)
		}
		// Another importer cannot import someone else's upload.
		if _, _, err := f.svc.ImportUpload(f.admin, c.UploadID); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("someone else's upload: %v, want ENOTFOUND", err)
		}
		if _, _, err := f.svc.ImportUpload(mod, c.UploadID); err != nil {
			t.Errorf("moderator imports: %v", err)
		}
	})
}

// fileRows is n valid rows, ten to an organisation.
func fileRows(tb testing.TB, n int) []byte {
	rows := make([]row, n)
	for i := range rows {
		rows[i] = validRow(i)
	}
	return csvFile(tb, rows...)
}

// How long a 5,000-row import takes is measured by BenchmarkImport5000
// (figures in docs/benchmarks.md); this test checks what it does.
func TestImportingAFileTwiceCreatesEveryRowOnceAndThenSkipsThem(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sqlstoretest.OpenSQLite(t))
	data := fileRows(t, 500)
	if b := importFile(t, f, f.admin, data); b.Created != 500 {
		t.Fatalf("created %d, want 500", b.Created)
	}
	if got := len(f.mails(t)); got != 50 {
		t.Errorf("%d claim emails, want one to each of the 50 organisations", got)
	}
	if b := importFile(t, f, f.admin, data); b.Created != 0 || b.Skipped != 500 {
		t.Errorf("again: %+v, want all 500 skipped", b)
	}
}

// BenchmarkImport5000 imports a file of 5,000 new services (500
// organisations, each emailed) into an empty database: parse, dry-run
// checks against the database, and the import in one transaction. It runs
// on SQLite, and on PostgreSQL when WAYMARK_TEST_POSTGRES is set.
func BenchmarkImport5000(b *testing.B) {
	data := fileRows(b, 5000)
	for _, d := range sqlstoretest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				f := newFixture(b, sqlstoretest.Open(b, d))
				b.StartTimer()
				sheet, err := bulk.Parse(bytes.NewReader(data), "services.csv")
				if err != nil {
					b.Fatal(err)
				}
				batch, _, err := f.svc.Import(f.admin, "services.csv", sheet)
				if err != nil {
					b.Fatal(err)
				}
				if batch.Created != 5000 {
					b.Fatalf("created %d", batch.Created)
				}
			}
		})
	}
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestAnOrganisationWithOnlyAMobileGetsItsClaimLinkByText(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		// No organisation email and a landline: the row cannot be claimed.
		landline := validRow(1).with(bulk.ColOrganisationEmail, "")
		mobile := validRow(11).with(bulk.ColOrganisationEmail, "", bulk.ColPhone, "07700 900982")
		sheet, err := bulk.Parse(bytes.NewReader(csvFile(t, landline, mobile)), "services.csv")
		if err != nil {
			t.Fatal(err)
		}
		b, res, err := f.svc.Import(f.admin, "services.csv", sheet)
		if err != nil {
			t.Fatal(err)
		}
		if b.Created != 1 || b.Errors != 1 || !strings.Contains(fmt.Sprint(res.Rows[0].Errors), "UK mobile number in the phone column") {
			t.Fatalf("import: %d created, %d errors: %v", b.Created, b.Errors, res.Rows[0].Errors)
		}
		list := f.mails(t)
		if len(list) != 1 || list[0].To != "" || list[0].Phone != "+447700900982" || list[0].Prefer != email.ChannelSMS ||
			!strings.Contains(list[0].SMS, "/claim/") || !strings.Contains(list[0].SMS, "replies to this text are not read") {
			t.Fatalf("claim messages: %+v", list)
		}
		// The reminder and a moderator's new link go by text too.
		f.clock.Add(onboarding.RemindAfter)
		if err := f.svc.Remind(context.Background(), f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if list = f.mails(t); len(list) != 2 || list[0].Phone != "+447700900982" || !strings.Contains(list[0].SMS, "a reminder") {
			t.Fatalf("reminder: %+v", list[0])
		}
		un, err := f.svc.Unclaimed(f.admin)
		if err != nil || len(un) != 1 || un[0].ClaimPhone != "+447700900982" {
			t.Fatalf("unclaimed: %+v, %v", un, err)
		}
		if err := f.svc.Reissue(f.admin, un[0].OrganizationID); err != nil {
			t.Fatal(err)
		}
		if list = f.mails(t); len(list) != 3 || list[0].Phone != "+447700900982" {
			t.Errorf("new link: %+v", list[0])
		}
	})
}
