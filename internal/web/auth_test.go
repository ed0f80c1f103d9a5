package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/google/uuid"

	"waymark"
	"waymark/internal/account"
	"waymark/internal/casework"
	"waymark/internal/directory"
	"waymark/internal/email"
	"waymark/internal/fhir"
	"waymark/internal/gp"
	"waymark/internal/insights"
	"waymark/internal/media"
	"waymark/internal/onboarding"
	"waymark/internal/oruk"
	"waymark/internal/pcn"
	"waymark/internal/referral"
	"waymark/internal/sqlstore"
	"waymark/internal/web"
)

// accountSite is a site with accounts switched on and email kept in the
// development outbox.
type accountSite struct {
	*site
	accounts *account.Service
	outbox   *email.Outbox
	store    *sqlstore.AccountStore
}

func newAccountSite(t *testing.T, db *sqlstore.DB, cfg web.Config) *accountSite {
	return newAccountSiteWith(t, db, cfg)
}

func newAccountSiteWith(t *testing.T, db *sqlstore.DB, cfg web.Config, more ...func(*web.Deps)) *accountSite {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	as := &accountSite{store: sqlstore.NewAccountStore(db)}
	as.outbox = email.NewOutbox(sqlstore.NewEmailStore(db), email.DevTransport{}, func() time.Time { return testNow }, logger)
	as.accounts = account.NewService(as.store, email.Mailer{Sender: as.outbox, PublicURL: testPublicURL}, func() time.Time { return testNow }, logger, account.WithPasswordCost(account.TestPasswordCost()))
	sessions := scs.New()
	sessions.Store = sqlstore.NewSessionStore(db, time.Now)
	sessions.Cookie.Name = "waymark_session"
	sessions.Cookie.SameSite = http.SameSiteLaxMode
	as.site = newSite(t, db, cfg, append([]func(*web.Deps){func(d *web.Deps) {
		d.Accounts, d.Sessions, d.Outbox, d.FormTokens = as.accounts, sessions, as.outbox, db
	}}, more...)...)
	return as
}

// browser is a client that keeps cookies and does not follow redirects.
type browser struct {
	t *testing.T
	c *http.Client
	u string
}

func (s *accountSite) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, u: s.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func (b *browser) do(req *http.Request) (int, string, http.Header) {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header
}

func (b *browser) get(path string) (int, string, http.Header) {
	req, _ := http.NewRequest("GET", b.u+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) (int, string, http.Header) {
	req, _ := http.NewRequest("POST", b.u+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *browser) cookie(name string) *http.Cookie {
	u, _ := url.Parse(b.u)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// lastLink returns the path and query of the newest email's link to path.
func (s *accountSite) lastLink(t *testing.T, path string) string {
	t.Helper()
	list, err := s.outbox.Recent(context.Background(), 1)
	if err != nil || len(list) == 0 {
		t.Fatalf("no email in the outbox: %v", err)
	}
	m := regexp.MustCompile(`https?://[^/\s]+(` + regexp.QuoteMeta(path) + `\?token=[A-Za-z0-9_%-]+(?:&next=\S+)?)`).FindStringSubmatch(list[0].Text)
	if m == nil {
		t.Fatalf("no %s link in %q", path, list[0].Text)
	}
	return m[1]
}

func TestRegisterVerifySignInChangePasswordAndSignOut(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newAccountSite(t, db, web.Config{})
		b := s.browser(t)
		if status, _, h := b.get("/account"); status != http.StatusSeeOther || h.Get("Location") != "/sign-in?next=%2Faccount" {
			t.Fatalf("signed-out /account = %d to %q", status, h.Get("Location"))
		}
		form := url.Values{"name": {"Sam Taylor"}, "email": {"sam@example.org"}, "password": {"walking in the peak"}, "confirm_password": {"walking in the peek"}}
		status, body, _ := b.post("/register", form)
		if status != 400 || !strings.Contains(body, "The passwords do not match") || !strings.Contains(body, `value="sam@example.org"`) || strings.Contains(body, "walking in the") {
			t.Errorf("mismatched passwords: %d (email kept, passwords not echoed)", status)
		}
		form.Set("confirm_password", "walking in the peak")
		if status, body, _ := b.post("/register", form); status != 200 || !strings.Contains(body, "Check your email") {
			t.Fatalf("register: %d", status)
		}
		verify := s.lastLink(t, "/verify-email")
		// A second registration looks the same; the owner is emailed.
		if status, body, _ := b.post("/register", form); status != 200 || !strings.Contains(body, "Check your email") {
			t.Errorf("second registration: %d", status)
		}
		signIn := url.Values{"email": {"Sam@Example.org"}, "password": {"walking in the peak"}, "next": {"/account"}}
		if status, body, _ := b.post("/sign-in", signIn); status != 401 || !strings.Contains(body, "Confirm your email address first") {
			t.Errorf("sign in before verifying: %d", status)
		}
		if status, body, _ := b.get(verify); status != 200 || !strings.Contains(body, "Email address confirmed") {
			t.Fatalf("verify: %d", status)
		}
		if status, _, _ := b.get(verify); status != 404 {
			t.Errorf("verification link reused: %d", status)
		}
		wrong := url.Values{"email": {"sam@example.org"}, "password": {"wrong password"}}
		if status, body, _ := b.post("/sign-in", wrong); status != 401 || !strings.Contains(body, "Enter a correct email address and password") {
			t.Errorf("wrong password: %d", status)
		}
		b.get("/") // a session may exist before signing in
		before := b.cookie("waymark_session")
		status, _, h := b.post("/sign-in", signIn)
		if status != http.StatusSeeOther || h.Get("Location") != "/account" {
			t.Fatalf("sign in: %d to %q", status, h.Get("Location"))
		}
		after := b.cookie("waymark_session")
		if after == nil || (before != nil && before.Value == after.Value) {
			t.Error("the session token was not renewed on sign-in")
		}
		if sc := h.Get("Set-Cookie"); !strings.Contains(sc, "HttpOnly") || !strings.Contains(sc, "SameSite=Lax") {
			t.Errorf("session cookie flags: %s", sc)
		}
		if status, body, _ := b.get("/account"); status != 200 || !strings.Contains(body, "Sam Taylor") {
			t.Errorf("account page: %d", status)
		}
		change := url.Values{"current_password": {"nope nope nope"}, "password": {"a brand new password"}, "confirm_password": {"a brand new password"}}
		if status, body, _ := b.post("/account/password", change); status != 400 || !strings.Contains(body, "current password is not correct") {
			t.Errorf("change with a wrong current password: %d", status)
		}
		change.Set("current_password", "walking in the peak")
		if status, body, _ := b.post("/account/password", change); status != 200 || !strings.Contains(body, "Password changed") {
			t.Errorf("change password: %d", status)
		}
		if status, _, _ := b.post("/sign-out", nil); status != http.StatusSeeOther {
			t.Errorf("sign out: %d", status)
		}
		if status, _, _ := b.get("/account"); status != http.StatusSeeOther {
			t.Errorf("/account after signing out = %d", status)
		}
		signIn.Set("password", "a brand new password")
		if status, _, _ := b.post("/sign-in", signIn); status != http.StatusSeeOther {
			t.Errorf("sign in with the changed password: %d", status)
		}
	})
}

func TestPasswordResetByEmailLink(t *testing.T) {
	s := newAccountSite(t, demo.OpenSQLite(t), web.Config{})
	ctx := context.Background()
	if _, err := s.accounts.CreateUser(ctx, "jo@example.org", "Jo", "the old password", ""); err != nil {
		t.Fatal(err)
	}
	b := s.browser(t)
	_, unknown, _ := b.post("/forgot-password", url.Values{"email": {"nobody@example.org"}})
	_, known, _ := b.post("/forgot-password", url.Values{"email": {"jo@example.org"}})
	unknown, known = strings.ReplaceAll(unknown, "nobody@example.org", "ADDRESS"), strings.ReplaceAll(known, "jo@example.org", "ADDRESS")
	if !strings.Contains(known, "If there is a Waymark account") || stripTitle(unknown) != stripTitle(known) {
		t.Error("the reset page tells whether an address has an account")
	}
	link := s.lastLink(t, "/reset-password")
	if status, body, _ := b.get(link); status != 200 || !strings.Contains(body, `name="token"`) {
		t.Fatalf("reset form: %d", status)
	}
	token := strings.TrimPrefix(link, "/reset-password?token=")
	token, _ = url.QueryUnescape(token)
	if status, _, _ := b.post("/reset-password", url.Values{"token": {token}, "password": {"short"}, "confirm_password": {"short"}}); status != 400 {
		t.Errorf("weak new password: %d", status)
	}
	if status, body, _ := b.post("/reset-password", url.Values{"token": {token}, "password": {"the new password"}, "confirm_password": {"the new password"}}); status != 200 || !strings.Contains(body, "Password changed") {
		t.Fatalf("reset: %d", status)
	}
	if status, _, _ := b.post("/reset-password", url.Values{"token": {token}, "password": {"another new password"}, "confirm_password": {"another new password"}}); status != 404 {
		t.Errorf("reset link reused: %d", status)
	}
	if status, _, _ := b.post("/sign-in", url.Values{"email": {"jo@example.org"}, "password": {"the new password"}}); status != http.StatusSeeOther {
		t.Errorf("sign in after reset: %d", status)
	}
}

func stripTitle(page string) string {
	i := strings.Index(page, "<main")
	if i < 0 {
		return page
	}
	return page[i:]
}

func TestSignInIsRateLimitedPerAddress(t *testing.T) {
	s := newAccountSite(t, demo.OpenSQLite(t), web.Config{})
	if _, err := s.accounts.CreateUser(context.Background(), "lee@example.org", "Lee", "the right password", ""); err != nil {
		t.Fatal(err)
	}
	b := s.browser(t)
	var last int
	var body string
	for range 6 {
		last, body, _ = b.post("/sign-in", url.Values{"email": {"lee@example.org"}, "password": {"a wrong guess"}})
	}
	if last != http.StatusTooManyRequests || !strings.Contains(body, "Too many attempts") {
		t.Errorf("sixth wrong attempt: %d", last)
	}
	// Another address from the same client is not locked out by it.
	if status, _, _ := b.post("/sign-in", url.Values{"email": {"other@example.org"}, "password": {"x"}}); status == http.StatusTooManyRequests {
		t.Error("another address was locked out too")
	}
}

// TestEveryAccountRouteChecksWhoMayUseIt walks the account routes with every
// role, signed out too: allowed, 403, or sent to sign in.
func TestEveryRouteChecksWhoMayUseIt(t *testing.T) {
	db := demo.OpenSQLite(t)
	dstore := sqlstore.NewDirectoryStore(db)
	life := directory.NewLifecycle(dstore, testMailer(db), time.Now, uuid.NewString)
	feedRuns := oruk.NewRuns(dstore, nil, time.Now, uuid.NewString, slog.New(slog.DiscardHandler)) // queued, never run
	var gpSvc *gp.Service
	cw := casework.NewService(sqlstore.NewCaseworkStore(db), time.Now, casework.Config{NewID: uuid.NewString, Postcodes: postcodes(t)})
	s := newAccountSiteWith(t, db, web.Config{Dev: true}, func(d *web.Deps) {
		d.Lifecycle, d.Revisions, d.Images = life, directory.NewRevisions(dstore, d.Directory, life), media.NewImages(dstore, time.Now, uuid.NewString)
		d.Reports = directory.NewReports(dstore, life, []byte("k"))
		d.Requests = directory.NewServiceRequests(dstore, time.Now, uuid.NewString)
		d.Onboarding = onboarding.NewService(onboarding.Config{Store: sqlstore.NewOnboardingStore(db), Geocoder: postcodes(t), Categories: dstore.ListCategories,
			Listings: directory.NewSystem(life, d.Reports), Secret: []byte("k"), PublicURL: "https://waymark.test", Now: time.Now})
		d.Referrals = referral.NewReferrals(sqlstore.NewReferralStore(db), directory.NewSystem(life, d.Reports), referral.Config{Secret: []byte("k")},
			time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
		d.Feeds = feedRuns
		d.Systems = fhir.NewSystems(sqlstore.NewFHIRStore(db), time.Now, uuid.NewString)
		d.Insights = insights.NewInsights(sqlstore.NewInsightsStore(db), insights.Config{}, time.Now)
		gpSvc = newGPService(db, d.Referrals)
		d.GP = gpSvc
		d.Casework = cw
		d.PCNs = pcn.NewService(sqlstore.NewPCNStore(db), uuid.NewString, time.Now)
	})
	ctx := context.Background()
	gpReferral := mustPracticeReferral(t, db, gpSvc, "C81001")
	feedRun, err := feedRuns.Queue(ctx, "https://directory.example.org/api", false)
	if err != nil {
		t.Fatal(err)
	}
	system := registerSystem(t, db)
	orgID := s.services[0].OrganizationID
	ownService := s.services[0].ID
	nordic := s.service(t, "Nordic walking for beginners").ID
	roles := []waymark.Role{"", waymark.RoleProvider, waymark.RoleLinkWorker, waymark.RoleGP, waymark.RolePracticeStaff, waymark.RoleModerator, waymark.RoleAdmin, waymark.RoleCommissioner, waymark.RoleOnboarding}
	browsers, ids := map[waymark.Role]*browser{}, map[waymark.Role]string{}
	for _, r := range roles {
		b := s.browser(t)
		browsers[r] = b
		if r == "" {
			continue
		}
		addr := string(r) + "@example.org"
		u := &account.User{ID: uuid.NewString(), Email: addr, Name: string(r), CreatedAt: testNow}
		ids[r] = u.ID
		u.PasswordHash, _ = account.TestPasswordCost().Hash("a role password")
		switch r {
		case waymark.RoleProvider, waymark.RoleLinkWorker, waymark.RoleGP:
			u.Memberships = []account.Membership{{OrganizationID: orgID, Role: r}}
			if r == waymark.RoleGP {
				u.Practice, u.PracticeRole = "C81001", r
			}
		case waymark.RolePracticeStaff:
			u.Practice, u.PracticeRole = "C81001", r
		default:
			u.PlatformRole = r
		}
		if err := s.store.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		s.store.MarkEmailVerified(ctx, u.ID, testNow)
		if status, _, _ := b.post("/sign-in", url.Values{"email": {addr}, "password": {"a role password"}}); status != http.StatusSeeOther {
			t.Fatalf("sign in as %s: %d", r, status)
		}
	}
	// Case management: the link worker is in a team (not its lead: leads
	// have their own pages, tested with the team's scoping) with a client;
	// nobody else is in a team.
	admin := waymark.WithActor(ctx, waymark.Actor{UserID: ids[waymark.RoleAdmin], Roles: []waymark.Role{waymark.RoleAdmin}})
	team, err := cw.CreateTeam(admin, "Amber Valley PCN social prescribing team")
	if err != nil {
		t.Fatal(err)
	}
	if err := cw.AddMember(admin, team.ID, "link_worker@example.org", false); err != nil {
		t.Fatal(err)
	}
	worker := waymark.WithActor(ctx, waymark.Actor{UserID: ids[waymark.RoleLinkWorker]})
	nc, err := cw.CreateClient(worker, team.ID, casework.Client{GivenName: "Margaret", FamilyName: "Oakes", DateOfBirth: time.Date(1948, 3, 15, 0, 0, 0, 0, time.UTC),
		Postcode: "DE4 3AG", Phone: "01629 580000", PreferredContact: "phone", GPPractice: "C81001", Ethnicity: "A", Gender: "female"}, true)
	if err != nil {
		t.Fatal(err)
	}
	network, err := pcn.NewService(sqlstore.NewPCNStore(db), uuid.NewString, time.Now).Create(admin, pcn.PCN{Name: "Amber Valley PCN", ODSCode: "U12345", Teams: []string{team.ID}})
	if err != nil {
		t.Fatal(err)
	}
	clientGets, _ := clientRoutes(t, cw, ids[waymark.RoleLinkWorker], nc.Client.ID)
	client := "/casework/clients/" + nc.Client.ID
	clientGets = append(clientGets, client+"/refer", client+"/access-log", client+"/letter", client+"/export", client+"/export.json")
	const badRequest = 400 // the team's own answer on the letter: not discharged yet
	const ok, forbidden, toSignIn = 200, 403, 303
	// Who may open a page: everyone, anyone signed in, or only some roles
	// (anonymous visitors are sent to sign in, others refused).
	everyone := func(waymark.Role) int { return ok }
	signedIn := func(r waymark.Role) int {
		if r == "" {
			return toSignIn
		}
		return ok
	}
	only := func(allowed ...waymark.Role) func(waymark.Role) int {
		return func(r waymark.Role) int {
			switch {
			case r == "":
				return toSignIn
			case slices.Contains(allowed, r):
				return ok
			}
			return forbidden
		}
	}
	routes := []struct {
		path string
		want func(waymark.Role) int
	}{
		{"/register", everyone},
		{"/sign-in", everyone},
		{"/forgot-password", everyone},
		{"/reset-password?token=x", everyone},
		{"/account", signedIn},
		{"/", everyone},
		{"/services/" + ownService, everyone},
		{"/services/" + ownService + "/report", everyone},
		{"/help/offline", everyone},
		{"/provider", signedIn},
		{"/provider/services/new", signedIn},
		// its own provider, or the platform team
		{"/provider/services/" + ownService + "/edit", only(waymark.RoleProvider, waymark.RoleModerator, waymark.RoleAdmin)},
		{"/moderation", only(waymark.RoleModerator, waymark.RoleAdmin)},
		{"/moderation/services/" + ownService, only(waymark.RoleModerator, waymark.RoleAdmin)},
		{"/moderation/services/" + ownService + "/edit", only(waymark.RoleModerator, waymark.RoleAdmin)},
		{"/provider/services/" + ownService + "/delete", only(waymark.RoleProvider, waymark.RoleModerator, waymark.RoleAdmin)},
		{"/services/" + nordic + "/refer", everyone},
		{"/services/" + nordic + "/refer-client", only(waymark.RoleLinkWorker, waymark.RoleGP)},
		{"/referrals", signedIn},
		{"/provider/services/" + ownService + "/form", only(waymark.RoleProvider, waymark.RoleModerator, waymark.RoleAdmin)},
		{"/provider/services/" + ownService + "/form/preview", only(waymark.RoleProvider, waymark.RoleModerator, waymark.RoleAdmin)},
		{"/admin", only(waymark.RoleAdmin)},
		{"/admin/users", only(waymark.RoleAdmin)},
		{"/admin/messages", only(waymark.RoleAdmin)},
		{"/add-your-service", everyone},
		{"/add-your-service/sent", everyone},
		{"/moderation/requests", only(waymark.RoleModerator, waymark.RoleAdmin)},
		{"/admin/import", only(waymark.RoleModerator, waymark.RoleAdmin, waymark.RoleOnboarding)},
		{"/moderation/claims", only(waymark.RoleModerator, waymark.RoleAdmin)},
		{"/moderation/offline-help", only(waymark.RoleModerator, waymark.RoleAdmin)},
		{"/moderation/offline-help/new", only(waymark.RoleModerator, waymark.RoleAdmin)},
		{"/moderation/feeds", only(waymark.RoleModerator, waymark.RoleAdmin)},
		{"/moderation/feeds/runs/" + feedRun, only(waymark.RoleModerator, waymark.RoleAdmin)},
		{"/dev/mail", only(waymark.RoleAdmin)},
		{"/admin/systems", only(waymark.RoleAdmin)},
		{"/admin/systems/" + system.ID, only(waymark.RoleAdmin)},
		{"/admin/systems/" + system.ID + "/edit", only(waymark.RoleAdmin)},
		// insights: the whole area for administrators and commissioners, a
		// provider's own services, the directory for moderators; a link
		// worker or GP who leads no team has none
		{"/insights", only(waymark.RoleAdmin, waymark.RoleCommissioner, waymark.RoleProvider, waymark.RoleModerator)},
		{"/insights/referrals", only(waymark.RoleAdmin, waymark.RoleCommissioner, waymark.RoleProvider)},
		{"/insights/referrals/download?table=sources&format=csv", only(waymark.RoleAdmin, waymark.RoleCommissioner, waymark.RoleProvider)},
		{"/insights/providers", only(waymark.RoleAdmin, waymark.RoleCommissioner, waymark.RoleProvider)},
		{"/insights/providers/download?table=services&format=xlsx", only(waymark.RoleAdmin, waymark.RoleCommissioner, waymark.RoleProvider)},
		{"/insights/providers/" + ownService + "/report", only(waymark.RoleAdmin, waymark.RoleCommissioner, waymark.RoleProvider)},
		{"/insights/teams", only(waymark.RoleAdmin, waymark.RoleCommissioner)},
		{"/insights/directory", only(waymark.RoleAdmin, waymark.RoleCommissioner, waymark.RoleModerator)},
		{"/insights/unmet-need", only(waymark.RoleAdmin, waymark.RoleCommissioner)},
		{"/practice", only(waymark.RoleGP, waymark.RolePracticeStaff)},
		{"/practice/refer", only(waymark.RoleGP, waymark.RolePracticeStaff)},
		{"/practice/referrals/" + gpReferral, only(waymark.RoleGP, waymark.RolePracticeStaff)},
		{"/practice/referrals/" + uuid.NewString(), notFoundFor(only(waymark.RoleGP, waymark.RolePracticeStaff), waymark.RoleGP, waymark.RolePracticeStaff)},
		// no letter before discharge
		{"/practice/referrals/" + gpReferral + "/letter", notFoundFor(only(waymark.RoleGP, waymark.RolePracticeStaff), waymark.RoleGP, waymark.RolePracticeStaff)},
		{"/provider/services/" + ownService + "/gp-pathway", only(waymark.RoleProvider, waymark.RoleAdmin)},
		{"/admin/practices", only(waymark.RoleAdmin)},
		// case management: the pages of a team for its members, the client
		// routes below
		{"/casework", only(waymark.RoleLinkWorker)},
		{"/casework/team", only()}, // leads only
		{"/casework/search", only(waymark.RoleLinkWorker)},
		{"/casework/clients/new", only(waymark.RoleLinkWorker)},
		{"/casework/waiting", only(waymark.RoleLinkWorker)},
		{client + "/break-glass", only(waymark.RoleAdmin)},
		{"/refer-to-social-prescribing", everyone},
		{"/refer-to-social-prescribing/sent", everyone},
		{"/admin/audit", only(waymark.RoleAdmin)},
		{"/admin/teams", only(waymark.RoleAdmin)},
		{"/admin/teams/" + team.ID, only(waymark.RoleAdmin)},
		{"/admin/teams/" + team.ID + "/remove?user=" + ids[waymark.RoleLinkWorker], only(waymark.RoleAdmin)},
		{"/admin/pcns", only(waymark.RoleAdmin)},
		{"/admin/pcns/" + network.ID, only(waymark.RoleAdmin)},
	}
	// A client's record and forms: its team only. Everyone else is told
	// there is no such page, and administrators are sent to break the glass.
	const notFound = 404
	for _, path := range clientGets {
		routes = append(routes, struct {
			path string
			want func(waymark.Role) int
		}{path, func(r waymark.Role) int {
			switch {
			case r == waymark.RoleLinkWorker && strings.HasSuffix(path, "/letter"):
				return badRequest
			case r == waymark.RoleLinkWorker && strings.HasSuffix(path, "/access-log"):
				return forbidden // the lead's
			case r == waymark.RoleLinkWorker:
				return ok
			case r == "" || r == waymark.RoleAdmin:
				return toSignIn // to sign in, or to break the glass
			}
			return notFound
		}})
	}
	for _, rt := range routes {
		for _, r := range roles {
			name := string(r)
			if name == "" {
				name = "anonymous"
			}
			if status, _, _ := browsers[r].get(rt.path); status != rt.want(r) {
				t.Errorf("GET %s as %s = %d, want %d", rt.path, name, status, rt.want(r))
			}
		}
	}
	// Outside development the outbox page does not exist, even for admins.
	prod := newAccountSite(t, demo.OpenSQLite(t), web.Config{Dev: false})
	if _, err := prod.accounts.CreateUser(ctx, "admin@example.org", "Admin", "an admin password", waymark.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	b := prod.browser(t)
	b.post("/sign-in", url.Values{"email": {"admin@example.org"}, "password": {"an admin password"}})
	if status, _, _ := b.get("/dev/mail"); status != 404 {
		t.Errorf("/dev/mail outside development = %d, want 404", status)
	}
}

func TestEveryFormRefusesCrossOriginPosts(t *testing.T) {
	db := demo.OpenSQLite(t)
	store := sqlstore.NewDirectoryStore(db)
	life := directory.NewLifecycle(store, testMailer(db), time.Now, uuid.NewString)
	s := newAccountSiteWith(t, db, web.Config{Dev: true}, func(d *web.Deps) {
		d.Lifecycle, d.Reports = life, directory.NewReports(store, life, []byte("k"))
		d.Requests = directory.NewServiceRequests(store, time.Now, uuid.NewString)
		d.Systems = fhir.NewSystems(sqlstore.NewFHIRStore(db), time.Now, uuid.NewString)
	})
	id := s.services[0].ID
	for _, path := range []string{"/register", "/sign-in", "/sign-out", "/forgot-password", "/reset-password", "/account/password",
		"/admin/invite", "/provider/services/new", "/provider/services/" + id + "/freeze", "/moderation/services/" + id + "/approve", "/moderation/services/" + id + "/edit",
		"/moderation/reports/services/" + id + "/suspend", "/provider/services/" + id + "/delete",
		"/services/" + id + "/report", "/services/" + id + "/confirm", "/services/" + id + "/refer", "/services/" + id + "/refer-client",
		"/track/" + id + "/token/message", "/referrals/" + id + "/accept", "/referrals/" + id + "/attendance", "/provider/services/" + id + "/form",
		"/add-your-service", "/moderation/requests/" + id + "/done", "/moderation/claims/" + id + "/resend",
		"/moderation/offline-help/new", "/moderation/offline-help/" + id + "/edit", "/moderation/offline-help/" + id + "/remove",
		"/casework/search", "/admin/audit",
		"/practice/refer", "/provider/services/" + id + "/gp-pathway", "/admin/practices",
		"/admin/systems", "/admin/systems/" + id + "/edit", "/admin/systems/" + id + "/disable", "/admin/pcns", "/admin/pcns/" + id} {
		req, _ := http.NewRequest("POST", s.URL+path, strings.NewReader("email=a%40b.example&password=x&reason=closed+down"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://attacker.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-origin POST %s = %d, want 403", path, resp.StatusCode)
		}
	}
}

func TestAdminsInvitePeopleWhoChooseTheirPasswordAndTheInviteIsAudited(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newAccountSite(t, db, web.Config{})
		ctx := context.Background()
		if _, err := s.accounts.CreateUser(ctx, "admin@example.org", "Ada", "an admin password", waymark.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		admin := s.browser(t)
		admin.post("/sign-in", url.Values{"email": {"admin@example.org"}, "password": {"an admin password"}})
		orgID := s.services[0].OrganizationID
		if status, body, _ := admin.post("/admin/invite", url.Values{"name": {"Lin"}, "email": {"lin@example.org"}, "role": {"link_worker"}}); status != 400 || !strings.Contains(body, "Choose the organisation") {
			t.Errorf("link worker without an organisation: %d", status)
		}
		// The confirmation comes through the session: no address in the URL.
		_, form, _ := admin.get("/admin")
		formToken := regexp.MustCompile(`name="form_token" value="([0-9a-f]{32})"`).FindStringSubmatch(form)
		if formToken == nil {
			t.Fatal("the invitation form has no form token")
		}
		invite := url.Values{"name": {"Lin"}, "email": {"lin@example.org"}, "role": {"link_worker"}, "organization": {orgID}, "form_token": {formToken[1]}}
		if status, _, h := admin.post("/admin/invite", invite); status != http.StatusSeeOther || h.Get("Location") != "/admin" {
			t.Fatalf("invite: %d to %q, want 303 to /admin", status, h.Get("Location"))
		}
		// Sent again (a refresh after the post): nobody is invited twice.
		if status, _, h := admin.post("/admin/invite", invite); status != http.StatusSeeOther || h.Get("Location") != "/admin" {
			t.Errorf("the same invitation sent again: %d to %q, want 303 to /admin", status, h.Get("Location"))
		}
		_, page, _ := admin.get("/admin")
		if !strings.Contains(page, "We have emailed an invitation to lin@example.org") {
			t.Error("after inviting, the page does not confirm the invitation")
		}
		if strings.Contains(page, `href="/admin/import"`) {
			t.Error("bulk onboarding is off, yet the page links to the spreadsheet import")
		}
		if _, again, _ := admin.get("/admin"); strings.Contains(again, "We have emailed an invitation") {
			t.Error("the confirmation shows again on the next visit")
		}
		if !strings.Contains(page, "Invited lin@example.org") || !strings.Contains(page, "role link_worker") || !strings.Contains(page, ">Ada<") {
			t.Error("the invitation is not in the audit log, in words, with who made it")
		}
		link := s.lastLink(t, "/reset-password")
		token, _ := url.QueryUnescape(strings.TrimPrefix(link, "/reset-password?token="))
		invited := s.browser(t)
		if status, _, _ := invited.post("/reset-password", url.Values{"token": {token}, "password": {"lin's own password"}, "confirm_password": {"lin's own password"}}); status != 200 {
			t.Fatalf("choosing a password: %d", status)
		}
		if status, _, _ := invited.post("/sign-in", url.Values{"email": {"lin@example.org"}, "password": {"lin's own password"}}); status != http.StatusSeeOther {
			t.Fatalf("invited person signing in: %d", status)
		}
		u, _ := s.store.FindUserByEmail(ctx, "lin@example.org")
		if !u.Actor().In(orgID, waymark.RoleLinkWorker) {
			t.Errorf("invited person's roles: %+v", u.Memberships)
		}
		if status, _, _ := invited.get("/admin"); status != http.StatusForbidden {
			t.Errorf("a link worker opening /admin: %d", status)
		}
	})
}
