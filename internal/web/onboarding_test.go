package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/bulk"
	"waymark/internal/directory"
	"waymark/internal/media"
	"waymark/internal/onboarding"
	"waymark/internal/sqlstore"
	"waymark/internal/web"
)

// add moves the clock on.
func (c *movingClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// onboardingSite is a site with accounts, listings and bulk onboarding.
type onboardingSite struct {
	*accountSite
	clock *movingClock
	store *sqlstore.DirectoryStore
}

func newOnboardingSite(t *testing.T, db *sqlstore.DB) *onboardingSite {
	t.Helper()
	os := &onboardingSite{clock: &movingClock{t: testNow}, store: sqlstore.NewDirectoryStore(db)}
	life := directory.NewLifecycle(os.store, testMailer(db), os.clock.now, uuid.NewString)
	reports := directory.NewReports(os.store, life, []byte("k"))
	os.accountSite = newAccountSiteWith(t, db, web.Config{}, func(d *web.Deps) {
		d.Lifecycle, d.Revisions, d.Images, d.Reports = life, directory.NewRevisions(os.store, d.Directory, life), media.NewImages(os.store, time.Now, uuid.NewString), reports
		d.Onboarding = onboarding.NewService(onboarding.Config{
			Store: sqlstore.NewOnboardingStore(db), Geocoder: postcodes(t), Categories: os.store.ListCategories,
			Listings: directory.NewSystem(life, reports), Secret: []byte("claim secret"), PublicURL: "https://waymark.test", Now: os.clock.now,
		})
	})
	return os
}

// signedIn returns a browser signed in as a new user with a platform role.
func (s *onboardingSite) signedIn(t *testing.T, addr string, role waymark.Role) *browser {
	t.Helper()
	if _, err := s.accounts.CreateUser(context.Background(), addr, "User", "a long test password", role); err != nil {
		t.Fatal(err)
	}
	b := s.browser(t)
	if status, _, _ := b.post("/sign-in", url.Values{"email": {addr}, "password": {"a long test password"}}); status != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d", addr, status)
	}
	return b
}

// upload posts a file to /admin/import as a multipart form.
func (b *browser) upload(name string, data []byte) (int, string, http.Header) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if name != "" {
		part, _ := w.CreateFormFile("file", name)
		part.Write(data)
	}
	w.Close()
	req, _ := http.NewRequest("POST", b.u+"/admin/import", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.do(req)
}

// importCSV writes services as a CSV file with the template's columns.
func importCSV(rows ...map[string]string) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(bulk.Columns())
	for _, r := range rows {
		rec := make([]string, 0, len(bulk.Columns()))
		for _, c := range bulk.Columns() {
			rec = append(rec, r[c])
		}
		w.Write(rec)
	}
	w.Flush()
	return buf.Bytes()
}

func importRow(n int, kv ...string) map[string]string {
	r := map[string]string{
		bulk.ColOrganisationName:  fmt.Sprintf("Hathersage Walkers %d", n/10),
		bulk.ColOrganisationEmail: fmt.Sprintf("walkers%d@example.org", n/10),
		bulk.ColServiceName:       fmt.Sprintf("Village ramble %d", n),
		bulk.ColDescription:       "A friendly walk around the village.",
		bulk.ColPostcode:          "DE4 3AG",
		bulk.ColPhone:             "01629 580000",
	}
	for i := 0; i+1 < len(kv); i += 2 {
		r[kv[i]] = kv[i+1]
	}
	return r
}

// mixedImport has rows 2, 3 and 4 valid and rows 5 to 8 with errors.
func mixedImport() []byte {
	return importCSV(importRow(1), importRow(2), importRow(11),
		importRow(3, bulk.ColPostcode, "ZZ99 9ZZ"),
		importRow(4, bulk.ColOrganisationEmail, "nobody at example"),
		importRow(5, bulk.ColPhone, "999"),
		importRow(6, bulk.ColDescription, ""))
}

var uploadID = regexp.MustCompile(`name="upload" value="([0-9a-f-]{36})"`)

func TestBulkImportDryRunThenImportAndNothingTwice(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newOnboardingSite(t, db)
		ctx := context.Background()
		admin := s.signedIn(t, "admin@example.org", waymark.RoleAdmin)
		if status, body, _ := admin.get("/admin/import"); status != 200 || !strings.Contains(body, `href="/admin/import/template.xlsx"`) || !strings.Contains(body, `href="/admin/import/template.csv"`) {
			t.Fatalf("upload form: %d", status)
		}
		if status, body, h := admin.get("/admin/import/template.xlsx"); status != 200 || !strings.HasPrefix(body, "PK") || !strings.Contains(h.Get("Content-Disposition"), "attachment") {
			t.Errorf("xlsx template: %d %q", status, h.Get("Content-Type"))
		}
		if status, body, h := admin.get("/admin/import/template.csv"); status != 200 || !strings.Contains(body, "organisation_name") || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
			t.Errorf("csv template: %d %q", status, h.Get("Content-Type"))
		}

		// Bad uploads get a message next to the field and a 4xx.
		for _, c := range []struct {
			name   string
			data   []byte
			status int
			msg    string
		}{
			{"", nil, 400, "Select a CSV or Excel file to upload"},
			{"empty.csv", nil, 400, "The file is empty"},
			{"old.xls", []byte("\xd0\xcf\x11\xe0rest"), 400, "older Excel file"},
			{"photo.csv", []byte("\x89PNG\x00\x00"), 400, "not a CSV or Excel file"},
			{"nocolumns.csv", []byte("a,b\n1,2\n"), 400, "organisation_name"},
		} {
			status, body, _ := admin.upload(c.name, c.data)
			if status != c.status || !strings.Contains(body, c.msg) || !strings.Contains(body, `id="file-error"`) {
				t.Errorf("upload %q = %d, want %d with %q", c.name, status, c.status, c.msg)
			}
		}

		before, _ := s.store.CountServices(ctx)
		status, body, _ := admin.upload("services.csv", mixedImport())
		if status != 200 {
			t.Fatalf("dry run: %d", status)
		}
		for _, want := range []string{"Row 5, postcode:", "Row 6, organisation_email:", "Row 7, phone:", "Row 8, description:", "Import 3 valid rows", "<strong>4</strong> have errors"} {
			if !strings.Contains(body, want) {
				t.Errorf("dry run lacks %q", want)
			}
		}
		if n, _ := s.store.CountServices(ctx); n != before {
			t.Errorf("the dry run created %d services", n-before)
		}
		m := uploadID.FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no upload id in the dry run")
		}
		// Someone else cannot import the upload.
		mod := s.signedIn(t, "mod@example.org", waymark.RoleModerator)
		if status, _, _ := mod.post("/admin/import/confirm", url.Values{"upload": {m[1]}}); status != http.StatusConflict {
			t.Errorf("another user's upload = %d, want 409", status)
		}
		status, body, _ = admin.post("/admin/import/confirm", url.Values{"upload": {m[1]}})
		if status != 200 || !strings.Contains(body, "Import complete") || !strings.Contains(body, "We created 3 entries") {
			t.Fatalf("import: %d %s", status, stripTitle(body))
		}
		if n, _ := s.store.CountServices(ctx); n != before+3 {
			t.Errorf("import created %d services, want 3", n-before)
		}
		if status, _, _ := admin.post("/admin/import/confirm", url.Values{"upload": {m[1]}}); status != http.StatusConflict {
			t.Errorf("confirming twice = %d, want 409", status)
		}
		if status, _, _ := admin.post("/admin/import/confirm", url.Values{"upload": {"not-an-id"}}); status != http.StatusConflict {
			t.Errorf("unknown upload = %d, want 409", status)
		}

		// The same file again: three rows already listed, nothing to create.
		status, body, _ = mod.upload("services.csv", mixedImport())
		if status != 200 || !strings.Contains(body, "<strong>0</strong> will be created") || !strings.Contains(body, "<strong>3</strong> are already") || uploadID.MatchString(body) {
			t.Errorf("second upload: %d", status)
		}
		if n, _ := s.store.CountServices(ctx); n != before+3 {
			t.Errorf("after the second upload %d services, want %d", n, before+3)
		}
	})
}

func TestOnlyAdministratorsAndModeratorsMayImport(t *testing.T) {
	s := newOnboardingSite(t, demo.OpenSQLite(t))
	anon := s.browser(t)
	commissioner := s.signedIn(t, "c@example.org", waymark.RoleCommissioner)
	for _, path := range []string{"/admin/import", "/admin/import/template.xlsx", "/admin/import/template.csv"} {
		if status, _, h := anon.get(path); status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/sign-in") {
			t.Errorf("anonymous GET %s = %d", path, status)
		}
		if status, _, _ := commissioner.get(path); status != http.StatusForbidden {
			t.Errorf("commissioner GET %s = %d, want 403", path, status)
		}
	}
	if status, _, _ := commissioner.upload("s.csv", mixedImport()); status != http.StatusForbidden {
		t.Errorf("commissioner upload = %d, want 403", status)
	}
	if status, _, _ := commissioner.post("/admin/import/confirm", url.Values{"upload": {uuid.NewString()}}); status != http.StatusForbidden {
		t.Errorf("commissioner confirm = %d, want 403", status)
	}
	// Cross-origin posts are refused, even from an administrator's browser.
	admin := s.signedIn(t, "admin@example.org", waymark.RoleAdmin)
	if _, page, _ := admin.get("/admin"); !strings.Contains(page, `href="/admin/import"`) {
		t.Error("with bulk onboarding on, the administrators' page does not link to the import")
	}
	for _, path := range []string{"/admin/import", "/admin/import/confirm", "/claim/" + uuid.NewString()} {
		req, _ := http.NewRequest("POST", s.URL+path, strings.NewReader("upload=x&action=remove"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://attacker.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if status, _, _ := admin.do(req); status != http.StatusForbidden {
			t.Errorf("cross-origin POST %s = %d, want 403", path, status)
		}
	}
}

func TestUploadsLargerThanTheLimitAreRefused(t *testing.T) {
	s := newOnboardingSite(t, demo.OpenSQLite(t))
	admin := s.signedIn(t, "admin@example.org", waymark.RoleAdmin)
	big := bytes.Repeat([]byte("a,b,c\n"), bulk.MaxFileSize/6+100)
	if status, body, _ := admin.upload("big.csv", big); status != http.StatusRequestEntityTooLarge || !strings.Contains(body, "smaller than 20 MB") {
		t.Errorf("upload of %d bytes = %d, want 413 with a message", len(big), status)
	}
}

// claimPath returns the path and query of the newest email's claim link.
func (s *onboardingSite) claimPath(t *testing.T) string {
	t.Helper()
	list, err := s.outbox.Recent(context.Background(), 1)
	if err != nil || len(list) == 0 {
		t.Fatalf("no email: %v", err)
	}
	m := regexp.MustCompile(`https://waymark\.test(/claim/[0-9a-f-]{36}\?expires=\d+&sig=[0-9a-f]+)`).FindStringSubmatch(list[0].Text)
	if m == nil {
		t.Fatalf("no claim link in %q", list[0].Text)
	}
	return m[1]
}

func TestANewUserClaimsTheirEntryAndEditsIt(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newOnboardingSite(t, db)
		admin := s.signedIn(t, "admin@example.org", waymark.RoleAdmin)
		_, body, _ := admin.upload("s.csv", importCSV(importRow(1), importRow(2)))
		admin.post("/admin/import/confirm", url.Values{"upload": {uploadID.FindStringSubmatch(body)[1]}})
		claim := s.claimPath(t)
		orgID := strings.TrimPrefix(strings.Split(claim, "?")[0], "/claim/")

		// Forged and altered links are refused.
		b := s.browser(t)
		for _, bad := range []string{
			regexp.MustCompile(`sig=[0-9a-f]+`).ReplaceAllString(claim, "sig="+strings.Repeat("ab", 32)),
			regexp.MustCompile(`expires=\d+`).ReplaceAllString(claim, "expires=99999999999"),
			"/claim/" + uuid.NewString() + "?" + strings.Split(claim, "?")[1],
		} {
			if status, body, _ := b.get(bad); status != 400 || !strings.Contains(body, "This link is not valid") {
				t.Errorf("GET %s = %d, want 400", bad, status)
			}
		}

		status, body, _ := b.get(claim)
		if status != 200 || !strings.Contains(body, "Hathersage Walkers 0") || !strings.Contains(body, "Village ramble 2") || !strings.Contains(body, "Please remove us") {
			t.Fatalf("claim page: %d", status)
		}
		q, _ := url.ParseQuery(strings.Split(claim, "?")[1])
		form := url.Values{"action": {"claim"}, "expires": {q.Get("expires")}, "sig": {q.Get("sig")}}
		status, _, h := b.post("/claim/"+orgID, form)
		if next := h.Get("Location"); status != http.StatusSeeOther || !strings.HasPrefix(next, "/sign-in?next=") {
			t.Fatalf("claim signed out = %d to %q, want sign-in", status, next)
		}
		// Register from the claim page's link, confirm the address and sign
		// in from the confirmation page: back to the claim page.
		register := regexp.MustCompile(`href="(/register\?next=[^"]+)"`).FindStringSubmatch(body)
		if register == nil {
			t.Fatal("the claim page has no link to create an account that comes back")
		}
		_, page, _ := b.get(html.UnescapeString(register[1]))
		hidden := regexp.MustCompile(`name="next" value="([^"]+)"`).FindStringSubmatch(page)
		if hidden == nil || html.UnescapeString(hidden[1]) != claim {
			t.Fatalf("the register form does not carry the claim page: %v", hidden)
		}
		reg := url.Values{"name": {"Pat"}, "email": {"pat@example.org"}, "password": {"walking in the peak"}, "confirm_password": {"walking in the peak"},
			"next": {html.UnescapeString(hidden[1])}}
		if status, _, _ := b.post("/register", reg); status != 200 {
			t.Fatalf("register: %d", status)
		}
		_, confirmed, _ := b.get(s.lastLink(t, "/verify-email"))
		signIn := regexp.MustCompile(`href="(/sign-in\?next=[^"]+)"`).FindStringSubmatch(confirmed)
		if signIn == nil {
			t.Fatalf("the confirmation page's sign-in link does not come back: %s", confirmed)
		}
		_, page, _ = b.get(html.UnescapeString(signIn[1]))
		hidden = regexp.MustCompile(`name="next" value="([^"]+)"`).FindStringSubmatch(page)
		status, _, h = b.post("/sign-in", url.Values{"email": {"pat@example.org"}, "password": {"walking in the peak"}, "next": {html.UnescapeString(hidden[1])}})
		if status != http.StatusSeeOther || h.Get("Location") != claim {
			t.Fatalf("sign in = %d to %q, want back to %q", status, h.Get("Location"), claim)
		}
		if _, body, _ := b.get(claim); !strings.Contains(body, `value="claim"`) {
			t.Fatal("signed in, the claim page has no claim button")
		}
		if status, _, h := b.post("/claim/"+orgID, form); status != http.StatusSeeOther || h.Get("Location") != "/provider" {
			t.Fatalf("claim = %d to %q", status, h.Get("Location"))
		}
		entries, err := sqlstore.NewOnboardingStore(db).Entries(context.Background(), orgID)
		if err != nil || len(entries) != 2 {
			t.Fatalf("entries: %v %d", err, len(entries))
		}
		if status, body, _ := b.get("/provider"); status != 200 || !strings.Contains(body, "Village ramble 1") {
			t.Errorf("the provider page lacks the claimed entry: %d", status)
		}
		if status, body, _ := b.get("/provider/services/" + entries[0].ServiceID + "/edit"); status != 200 || !strings.Contains(body, entries[0].ServiceName) {
			t.Errorf("edit the claimed entry = %d", status)
		}
		if entries[0].ClaimedAt == nil {
			t.Error("claim not recorded")
		}
		// Another provider's entry stays out of reach.
		if status, _, _ := b.get("/provider/services/" + s.services[0].ID + "/edit"); status != http.StatusForbidden {
			t.Errorf("someone else's entry = %d, want 403", status)
		}

		// A month later the link has expired.
		s.clock.add(onboarding.ClaimTTL + time.Hour)
		if status, body, _ := b.get(claim); status != 400 || !strings.Contains(body, "This link has expired") {
			t.Errorf("expired link = %d, want 400", status)
		}
		if status, _, _ := b.post("/claim/"+orgID, url.Values{"action": {"nonsense"}}); status != 400 {
			t.Errorf("unknown action = %d, want 400", status)
		}
	})
}

func TestPleaseRemoveUsTakesTheEntriesDown(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newOnboardingSite(t, db)
		admin := s.signedIn(t, "admin@example.org", waymark.RoleAdmin)
		_, body, _ := admin.upload("s.csv", importCSV(importRow(1)))
		admin.post("/admin/import/confirm", url.Values{"upload": {uploadID.FindStringSubmatch(body)[1]}})
		claim := s.claimPath(t)
		orgID := strings.TrimPrefix(strings.Split(claim, "?")[0], "/claim/")
		entries, _ := sqlstore.NewOnboardingStore(db).Entries(context.Background(), orgID)
		if status, _, _ := s.browser(t).get("/services/" + entries[0].ServiceID); status != 200 {
			t.Fatalf("the imported entry is not public: %d", status)
		}
		q, _ := url.ParseQuery(strings.Split(claim, "?")[1])
		b := s.browser(t)
		status, body, _ := b.post("/claim/"+orgID, url.Values{"action": {"remove"}, "expires": {q.Get("expires")}, "sig": {q.Get("sig")}})
		if status != 200 || !strings.Contains(body, "We have removed your entries") {
			t.Fatalf("remove: %d", status)
		}
		if status, _, _ := b.get("/services/" + entries[0].ServiceID); status != 404 {
			t.Errorf("removed entry = %d, want 404", status)
		}
		entries, _ = sqlstore.NewOnboardingStore(db).Entries(context.Background(), orgID)
		if entries[0].RemovedAt == nil || entries[0].ServiceStatus != directory.StatusDeleted {
			t.Errorf("entry = %+v, want removed and deleted", entries[0])
		}
		if _, body, _ := b.get(claim); !strings.Contains(body, "removed at your request") {
			t.Error("the claim page does not say the entries were removed")
		}
	})
}
