package web_test

import (
	"context"
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/account"
	"waymark/internal/casework"
	"waymark/internal/directory"
	"waymark/internal/insights"
	"waymark/internal/pcn"
	"waymark/internal/referral"
	"waymark/internal/sqlstore"
	"waymark/internal/web"
)

// caseSite is a site with case management: team A (a lead and a link
// worker), team B (another link worker) and people in every other role,
// each signed in.
type caseSite struct {
	*accountSite
	cw       *casework.Service
	refs     *referral.Referrals
	teamA    string
	browsers map[string]*browser
	ids      map[string]string
}

func newCaseSite(t *testing.T, db *sqlstore.DB) *caseSite {
	t.Helper()
	ctx := context.Background()
	cs := &caseSite{browsers: map[string]*browser{}, ids: map[string]string{}}
	// The clock moves on a millisecond at each look, so entries made one
	// after another have their order.
	var mu sync.Mutex
	now := testNow
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Millisecond)
		return now
	}
	cs.cw = casework.NewService(sqlstore.NewCaseworkStore(db), clock, casework.Config{NewID: uuid.NewString, Postcodes: postcodes(t)})
	cs.accountSite = newAccountSiteWith(t, db, web.Config{}, func(d *web.Deps) {
		d.Casework = cs.cw
		store := sqlstore.NewDirectoryStore(db)
		life := directory.NewLifecycle(store, testMailer(db), clock, uuid.NewString)
		reports := directory.NewReports(store, life, []byte("test signing key"))
		d.Lifecycle, d.Reports, d.Revisions = life, reports, directory.NewRevisions(store, d.Directory, life)
		d.Referrals = referral.NewReferrals(sqlstore.NewReferralStore(db), directory.NewSystem(life, reports),
			referral.Config{PublicURL: "http://waymark.test", Secret: []byte("test referral key")}, clock, slog.New(slog.DiscardHandler))
		cs.refs = d.Referrals
		d.Insights = insights.NewInsights(sqlstore.NewInsightsStore(db), insights.Config{}, clock)
		d.PCNs = pcn.NewService(sqlstore.NewPCNStore(db), uuid.NewString, clock)
	})
	orgID := cs.services[0].OrganizationID
	people := []struct {
		name string
		role waymark.Role
	}{{"admin", waymark.RoleAdmin}, {"lead", waymark.RoleLinkWorker}, {"worker", waymark.RoleLinkWorker}, {"other", waymark.RoleLinkWorker},
		{"moderator", waymark.RoleModerator}, {"provider", waymark.RoleProvider}, {"commissioner", waymark.RoleCommissioner}, {"gp", waymark.RoleGP}}
	for _, p := range people {
		addr := p.name + "@example.org"
		u := &account.User{ID: uuid.NewString(), Email: addr, Name: strings.ToUpper(p.name[:1]) + p.name[1:], CreatedAt: testNow}
		u.PasswordHash, _ = account.HashPassword("a role password")
		switch p.role {
		case waymark.RoleProvider, waymark.RoleLinkWorker, waymark.RoleGP:
			u.Memberships = []account.Membership{{OrganizationID: orgID, Role: p.role}}
		default:
			u.PlatformRole = p.role
		}
		if err := cs.store.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		cs.store.MarkEmailVerified(ctx, u.ID, testNow)
		cs.ids[p.name] = u.ID
		b := cs.browser(t)
		if status, _, _ := b.post("/sign-in", url.Values{"email": {addr}, "password": {"a role password"}}); status != http.StatusSeeOther {
			t.Fatalf("sign in as %s: %d", p.name, status)
		}
		cs.browsers[p.name] = b
	}
	cs.browsers["anonymous"] = cs.browser(t)
	admin := cs.browsers["admin"]
	mustSee := func(status int, h http.Header) string {
		t.Helper()
		if status != http.StatusSeeOther {
			t.Fatalf("status %d", status)
		}
		return h.Get("Location")
	}
	_, _, h := admin.post("/admin/teams", url.Values{"name": {"Amber Valley PCN social prescribing team"}})
	cs.teamA = strings.TrimPrefix(mustSee(http.StatusSeeOther, h), "/admin/teams/")
	status, _, h := admin.post("/admin/teams/"+cs.teamA+"/members", url.Values{"email": {"lead@example.org"}, "lead": {"yes"}})
	mustSee(status, h)
	status, _, h = admin.post("/admin/teams/"+cs.teamA+"/members", url.Values{"email": {"worker@example.org"}})
	mustSee(status, h)
	status, _, h = admin.post("/admin/teams", url.Values{"name": {"Erewash PCN social prescribing team"}})
	teamB := strings.TrimPrefix(mustSee(status, h), "/admin/teams/")
	status, _, h = admin.post("/admin/teams/"+teamB+"/members", url.Values{"email": {"other@example.org"}})
	mustSee(status, h)
	return cs
}

// clientRoutes gives a client one of everything a client route names (a
// goal, a case note, a consent, an agreed action, an appointment), as the
// link worker workerID, and returns the paths of the client's forms and
// pages to GET, and of the forms and buttons to POST.
func clientRoutes(t *testing.T, cw *casework.Service, workerID, clientID string) (gets, posts []string) {
	t.Helper()
	ctx := waymark.WithActor(context.Background(), waymark.Actor{UserID: workerID})
	g, err := cw.AddGoal(ctx, clientID, "Walk to the shops", 2)
	if err != nil {
		t.Fatal(err)
	}
	e, err := cw.AddContact(ctx, clientID, casework.Contact{Type: "phone", At: testNow, Note: "Called"})
	if err != nil {
		t.Fatal(err)
	}
	if err := cw.AddConsent(ctx, clientID, casework.ConsentContactPhone, ""); err != nil {
		t.Fatal(err)
	}
	if err := cw.AddAction(ctx, clientID, casework.Action{Text: "Ring", Who: "Peggy", Due: testNow}); err != nil {
		t.Fatal(err)
	}
	a, err := cw.AddAppointment(ctx, clientID, casework.Appointment{StartsAt: testNow.Add(48 * time.Hour), Mode: "phone", Place: "01629 580000"})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := cw.Record(ctx, clientID, "")
	if err != nil {
		t.Fatal(err)
	}
	c := "/casework/clients/" + clientID
	forms := []string{c + "/edit", c + "/contact", c + "/entries/" + e.ID + "/amend", c + "/consent",
		c + "/consent/" + rec.Consents[0].ID + "/withdraw", c + "/what-matters", c + "/goals", c + "/goals/" + g.ID + "/progress", c + "/actions",
		c + "/appointments", c + "/measures/ons4", c + "/measures/swemwbs", c + "/status", c + "/discharge"}
	gets = append(append([]string{c, c + "?kind=contact"}, forms...), c+"/referral")
	posts = append(slices.Clone(forms), c+"/actions/"+rec.Actions[0].ID+"/done", c+"/appointments/"+a.ID+"/attendance", c+"/transfer")
	return gets, posts
}

// formID reads the form's ID from a page.
func formID(t *testing.T, page string) string {
	t.Helper()
	m := regexp.MustCompile(`name="form_id" value="([0-9a-f-]{36})"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no form_id in the form")
	}
	return m[1]
}

func clientForm() url.Values {
	return url.Values{"given_name": {"Margaret"}, "family_name": {"Oakes"}, "preferred_name": {"Peggy"}, "dob_day": {"15"}, "dob_month": {"3"},
		"dob_year": {"1948"}, "nhs_number": {"943 476 5919"}, "address": {"4 Bank Road\nMatlock"}, "postcode": {"DE4 3AG"},
		"phone": {"01629 580000"}, "email": {"peggy@example.org"}, "preferred_contact": {"email"}, "gp_practice": {"C81001"},
		"ethnicity": {"A"}, "gender": {"female"}}
}

// addClient adds a client as the worker and returns its ID.
func (cs *caseSite) addClient(t *testing.T, f url.Values) string {
	t.Helper()
	b := cs.browsers["worker"]
	_, page, _ := b.get("/casework/clients/new")
	f.Set("form_id", formID(t, page))
	f.Set("team", cs.teamA)
	status, body, h := b.post("/casework/clients/new", f)
	if status != http.StatusSeeOther {
		t.Fatalf("add client: %d %s", status, body)
	}
	return strings.TrimSuffix(strings.TrimPrefix(h.Get("Location"), "/casework/clients/"), "?saved=1")
}

func TestLinkWorkerKeepsAClientRecordThroughThePages(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		cs := newCaseSite(t, db)
		b := cs.browsers["worker"]
		// A bad NHS number is shown next to its field and nothing typed is lost.
		_, page, _ := b.get("/casework/clients/new")
		f := clientForm()
		f.Set("nhs_number", "943 476 5918")
		f.Set("form_id", formID(t, page))
		f.Set("team", cs.teamA)
		status, body, _ := b.post("/casework/clients/new", f)
		if status != http.StatusBadRequest || !strings.Contains(body, `id="nhs_number-error"`) || !strings.Contains(body, `value="Oakes"`) || !strings.Contains(body, `href="#nhs_number"`) {
			t.Fatalf("bad NHS number: %d", status)
		}
		id := cs.addClient(t, clientForm())
		status, body, _ = b.get("/casework/clients/" + id)
		if status != 200 || !strings.Contains(body, "Peggy Oakes") || !strings.Contains(body, "943 476 5919") || !strings.Contains(body, "Waiting") {
			t.Fatalf("record page: %d", status)
		}
		// Each form: post it, and it shows on the record.
		post := func(path string, f url.Values) {
			t.Helper()
			_, page, _ := b.get("/casework/clients/" + id + path)
			f.Set("form_id", formID(t, page))
			status, body, h := b.post("/casework/clients/"+id+path, f)
			if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/casework/clients/"+id) {
				t.Fatalf("POST %s: %d %s", path, status, body)
			}
			// Sending the same form again changes nothing.
			if status, _, _ := b.post("/casework/clients/"+id+path, f); status != http.StatusSeeOther && status != http.StatusBadRequest {
				t.Errorf("POST %s again: %d", path, status)
			}
		}
		post("/contact", url.Values{"type": {"home_visit"}, "date_day": {"1"}, "date_month": {"11"}, "date_year": {"2026"}, "date_time": {"10:00"},
			"minutes": {"45"}, "note": {"Met Peggy at home; lonely since her husband died."}})
		post("/consent", url.Values{"kind": {"contact_email"}})
		post("/what-matters", url.Values{"what_matters": {"Seeing people again"}, "needs": {"loneliness", "physical_activity"}})
		post("/goals", url.Values{"words": {"Walk to the shops on my own"}, "score": {"3"}})
		post("/actions", url.Values{"text": {"Try the Thursday walking group"}, "who": {"Peggy"}, "due_day": {"20"}, "due_month": {"11"}, "due_year": {"2026"}})
		post("/appointments", url.Values{"date_day": {"10"}, "date_month": {"11"}, "date_year": {"2026"}, "date_time": {"14:30"}, "mode": {"in_person"}, "place": {"Matlock library"}})
		post("/measures/ons4", url.Values{"stage": {"first"}, "q1": {"3"}, "q2": {"4"}, "q3": {"5"}, "q4": {"8"}})
		post("/measures/swemwbs", url.Values{"stage": {"first"}, "q1": {"2"}, "q2": {"2"}, "q3": {"2"}, "q4": {"2"}, "q5": {"2"}, "q6": {"2"}, "q7": {"2"}})
		post("/measures/ons4", url.Values{"stage": {"review"}, "q1": {"7"}, "q2": {"7"}, "q3": {"8"}, "q4": {"2"}})
		post("/status", url.Values{"status": {"active"}, "note": {"First contact made"}})
		_, body, _ = b.get("/casework/clients/" + id)
		for _, want := range []string{"Home visit contact, 45 minutes", "lonely since her husband died", "Seeing people again", "Loneliness and isolation",
			"Walk to the shops on my own", "Try the Thursday walking group", "Matlock library", "ONS4 life satisfaction", "3 (low)", "7 (high)", "+4",
			"8 (high)", "2 (low)", "-6", "SWEMWBS metric score", "15.32", "Contact by email", "Status: waiting to active"} {
			if !strings.Contains(body, want) {
				t.Errorf("record page lacks %q", want)
			}
		}
		if n := strings.Count(body, "Home visit contact, 45 minutes"); n != 1 {
			t.Errorf("the contact shows %d times, want once", n)
		}
		// A measure with a missing answer is refused next to that question.
		_, page, _ = b.get("/casework/clients/" + id + "/measures/swemwbs")
		status, body, _ = b.post("/casework/clients/"+id+"/measures/swemwbs", url.Values{"form_id": {formID(t, page)}, "stage": {"review"},
			"q1": {"2"}, "q2": {"2"}, "q3": {"9"}, "q4": {"2"}, "q5": {"2"}, "q6": {"2"}, "q7": {"2"}})
		if status != 400 || !strings.Contains(body, `id="q3-error"`) {
			t.Errorf("bad SWEMWBS answer: %d", status)
		}
		// The caseload shows the client with the next action.
		status, body, _ = b.get("/casework?sort=name")
		if status != 200 || !strings.Contains(body, "Peggy Oakes") || !strings.Contains(body, "Appointment") {
			t.Errorf("caseload: %d", status)
		}
		// Search by NHS number and by date of birth.
		// The search is posted: no name, NHS number or date of birth in an address.
		if _, body, _ := b.get("/casework/search"); !strings.Contains(body, `<form method="post" action="/casework/search"`) {
			t.Errorf("the search form is not posted")
		}
		for _, q := range []url.Values{{"q": {"9434765919"}}, {"q": {""}, "dob_day": {"15"}, "dob_month": {"3"}, "dob_year": {"1948"}}, {"q": {"peg"}}} {
			if status, body, _ := b.post("/casework/search", q); status != 200 || !strings.Contains(body, "Peggy Oakes") {
				t.Errorf("search %v: %d", q, status)
			}
		}
		if status, body, _ := b.get("/casework/search?q=peg"); status != 200 || strings.Contains(body, "Peggy Oakes") {
			t.Errorf("a search in the address was run: %d", status)
		}
		if status, _, _ := b.post("/casework/search", url.Values{"q": {""}}); status != 400 {
			t.Errorf("empty search: %d", status)
		}
		// Discharge asks on its own page, then the lead sees it in the access log.
		if status, body, _ := b.get("/casework/clients/" + id + "/discharge"); status != 200 || !strings.Contains(body, "Check before you continue") {
			t.Errorf("discharge page: %d", status)
		}
		post("/discharge", url.Values{"reason": {"goals_met"}, "summary": {"Walking group every week"}})
		status, body, _ = cs.browsers["lead"].get("/casework/clients/" + id + "/access-log")
		if status != 200 || !strings.Contains(body, "Client record, view") || !strings.Contains(body, "Client record, status") || !strings.Contains(body, "Worker") {
			t.Errorf("access log: %d", status)
		}
		if status, _, _ := b.get("/casework/clients/" + id + "/access-log"); status != 403 {
			t.Errorf("a link worker's access log: %d, want 403", status)
		}
		// The lead moves the client to themselves from the team caseload.
		status, body, _ = cs.browsers["lead"].get("/casework/team?status=discharged")
		if status != 200 || !strings.Contains(body, "Peggy Oakes") {
			t.Fatalf("team caseload: %d", status)
		}
		if status, _, _ := cs.browsers["lead"].post("/casework/clients/"+id+"/transfer", url.Values{"worker": {cs.ids["lead"]}, "team": {cs.teamA}}); status != 303 {
			t.Errorf("transfer: %d", status)
		}
		if status, _, _ := b.post("/casework/clients/"+id+"/transfer", url.Values{"worker": {cs.ids["worker"]}}); status != 403 {
			t.Errorf("a link worker transferred: %d", status)
		}
		// Administrators search the audit log by user and by client.
		// By user, posted: no email address in the page's address.
		status, body, _ = cs.browsers["admin"].post("/admin/audit", url.Values{"user": {"worker@example.org"}})
		if status != 200 || !strings.Contains(body, "Client record, create") || !strings.Contains(body, `<form method="post" action="/admin/audit"`) {
			t.Errorf("audit by user: %d", status)
		}
		if _, body, _ = cs.browsers["admin"].get("/admin/audit?user=nobody@example.org"); !strings.Contains(body, "Client record, create") {
			t.Errorf("an email address in the audit page's address filtered it")
		}
		status, body, _ = cs.browsers["admin"].get("/admin/audit?client=" + id)
		if status != 200 || !strings.Contains(body, "Client record, transfer") {
			t.Errorf("audit by client: %d", status)
		}
	})
}

func TestOnlyTheClientsTeamOpensCaseworkPages(t *testing.T) {
	db := demo.OpenSQLite(t)
	cs := newCaseSite(t, db)
	id := cs.addClient(t, clientForm())
	c := "/casework/clients/" + id
	clientGets, clientPosts := clientRoutes(t, cs.cw, cs.ids["worker"], id)
	const ok, notFound, forbidden, toSignIn, toBreakGlass = 200, 404, 403, 303, 303
	// Client routes: the team reads; another team's link worker and every
	// other role get 404; administrators are sent to break the glass.
	want := map[string]int{"worker": ok, "lead": ok, "other": notFound, "moderator": notFound, "provider": notFound, "commissioner": notFound,
		"gp": notFound, "admin": toBreakGlass, "anonymous": toSignIn}
	for _, path := range clientGets {
		for who, code := range want {
			status, _, h := cs.browsers[who].get(path)
			if status != code {
				t.Errorf("GET %s as %s = %d, want %d", path, who, status, code)
			}
			if who == "admin" && h.Get("Location") != c+"/break-glass" {
				t.Errorf("GET %s as admin went to %q", path, h.Get("Location"))
			}
		}
	}
	for _, path := range clientPosts {
		for who, code := range want {
			if code == ok {
				continue
			}
			if status, _, _ := cs.browsers[who].post(path, url.Values{"note": {"x"}, "reason": {"x"}}); status != code {
				t.Errorf("POST %s as %s = %d, want %d", path, who, status, code)
			}
		}
	}
	// The lead's access log: leads only.
	if status, _, _ := cs.browsers["lead"].get(c + "/access-log"); status != ok {
		t.Errorf("access log as lead = %d", status)
	}
	for who, code := range map[string]int{"worker": forbidden, "other": notFound, "moderator": notFound, "gp": notFound, "admin": toBreakGlass, "anonymous": toSignIn} {
		if status, _, _ := cs.browsers[who].get(c + "/access-log"); status != code {
			t.Errorf("access log as %s = %d, want %d", who, status, code)
		}
	}
	// Caseload pages: team members only; everyone else is in no team.
	// Searching finds only the searcher's team's clients.
	for who, code := range map[string]int{"worker": ok, "other": ok, "moderator": forbidden, "provider": forbidden,
		"commissioner": forbidden, "gp": forbidden, "admin": forbidden, "anonymous": toSignIn} {
		status, body, _ := cs.browsers[who].post("/casework/search", url.Values{"q": {"oakes"}})
		if status != code || (who == "worker") != strings.Contains(body, "Peggy Oakes") {
			t.Errorf("POST /casework/search as %s = %d, want %d", who, status, code)
		}
	}
	for _, path := range []string{"/casework", "/casework/search", "/casework/clients/new"} {
		for who, code := range map[string]int{"worker": ok, "lead": ok, "other": ok, "moderator": forbidden, "provider": forbidden,
			"commissioner": forbidden, "gp": forbidden, "admin": forbidden, "anonymous": toSignIn} {
			if status, _, _ := cs.browsers[who].get(path); status != code {
				t.Errorf("GET %s as %s = %d, want %d", path, who, status, code)
			}
		}
	}
	for who, code := range map[string]int{"lead": ok, "worker": forbidden, "other": ok, "moderator": forbidden, "gp": forbidden, "anonymous": toSignIn} {
		if who == "other" {
			continue // leads no team
		}
		if status, _, _ := cs.browsers[who].get("/casework/team"); status != code {
			t.Errorf("GET /casework/team as %s = %d, want %d", who, status, code)
		}
	}
	// Administrators' pages.
	for _, path := range []string{"/admin/teams", "/admin/teams/" + cs.teamA, "/admin/audit", "/admin/teams/" + cs.teamA + "/remove?user=" + cs.ids["worker"], c + "/break-glass"} {
		for who, code := range map[string]int{"admin": ok, "lead": forbidden, "worker": forbidden, "moderator": forbidden, "commissioner": forbidden, "anonymous": toSignIn} {
			if status, _, _ := cs.browsers[who].get(path); status != code {
				t.Errorf("GET %s as %s = %d, want %d", path, who, status, code)
			}
		}
	}
	// Breaking the glass needs a reason, then opens the record.
	admin := cs.browsers["admin"]
	if status, body, _ := admin.post(c+"/break-glass", url.Values{"reason": {""}}); status != 400 || !strings.Contains(body, `id="reason-error"`) {
		t.Errorf("break glass without a reason: %d", status)
	}
	if status, _, _ := admin.post(c+"/break-glass", url.Values{"reason": {"Safeguarding call from the GP"}}); status != 303 {
		t.Errorf("break glass: %d", status)
	}
	if status, body, _ := admin.get(c); status != 200 || !strings.Contains(body, "Emergency access") {
		t.Errorf("after breaking the glass: %d", status)
	}
}

func TestSomeoneRefersThemselvesAndTheTeamAcceptsFromTheWaitingList(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		cs := newCaseSite(t, db)
		admin := cs.browsers["admin"]
		if status, _, _ := admin.post("/admin/teams/"+cs.teamA+"/practices", url.Values{"ods": {"C8100"}, "practice_name": {"Lime Grove"}}); status != 400 {
			t.Errorf("a bad ODS code: %d", status)
		}
		if status, _, _ := admin.post("/admin/teams/"+cs.teamA+"/practices", url.Values{"ods": {"C81001"}, "practice_name": {"Lime Grove Medical Centre"}}); status != 303 {
			t.Fatalf("add practice: %d", status)
		}
		if status, _, _ := admin.post("/admin/teams/"+cs.teamA+"/areas", url.Values{"area": {"DE4"}}); status != 303 {
			t.Fatalf("add area: %d", status)
		}
		public := cs.browsers["anonymous"]
		status, page, _ := public.get("/refer-to-social-prescribing")
		if status != 200 || !strings.Contains(page, "Lime Grove Medical Centre") {
			t.Fatalf("public form: %d", status)
		}
		f := url.Values{"form_id": {formID(t, page)}, "given_name": {"Irene"}, "family_name": {"Walsh"}, "dob_day": {"30"}, "dob_month": {"5"},
			"dob_year": {"1939"}, "postcode": {"DE4 3PT"}, "phone": {"01629 580123"}, "preferred_contact": {"phone"}, "reason": {"I feel lonely"}}
		if status, body, _ := public.post("/refer-to-social-prescribing", f); status != 400 || !strings.Contains(body, `id="consent-error"`) || !strings.Contains(body, `value="Walsh"`) {
			t.Errorf("without consent: %d", status)
		}
		f.Set("consent", "yes")
		for range 2 {
			if status, _, h := public.post("/refer-to-social-prescribing", f); status != 303 || h.Get("Location") != "/refer-to-social-prescribing/sent" {
				t.Fatalf("refer: %d %s", status, h.Get("Location"))
			}
		}
		lead := cs.browsers["lead"]
		status, body, _ := lead.get("/casework/waiting")
		if status != 200 || strings.Count(body, "/allocate\"") != 1 || !strings.Contains(body, "Irene Walsh") || !strings.Contains(body, "0 working days") {
			t.Fatalf("waiting list: %d, %d mentions", status, strings.Count(body, "Irene Walsh"))
		}
		id := regexp.MustCompile(`/casework/waiting/([0-9a-f-]{36})/allocate`).FindStringSubmatch(body)[1]
		if status, _, _ := cs.browsers["worker"].post("/casework/waiting/"+id+"/allocate", url.Values{"worker": {cs.ids["worker"]}}); status != 403 {
			t.Errorf("a worker allocated: %d", status)
		}
		if status, _, _ := lead.post("/casework/waiting/"+id+"/allocate", url.Values{"worker": {cs.ids["worker"]}, "team": {cs.teamA}}); status != 303 {
			t.Fatalf("allocate: %d", status)
		}
		if status, _, _ := cs.browsers["other"].post("/casework/waiting/"+id+"/accept", nil); status != 404 {
			t.Errorf("another team accepted: %d", status)
		}
		status, _, h := cs.browsers["worker"].post("/casework/waiting/"+id+"/accept", url.Values{"team": {cs.teamA}})
		if status != 303 || !strings.HasPrefix(h.Get("Location"), "/casework/clients/") {
			t.Fatalf("accept: %d %s", status, h.Get("Location"))
		}
		if status, body, _ := cs.browsers["worker"].get(strings.TrimSuffix(h.Get("Location"), "?saved=1")); status != 200 || !strings.Contains(body, "Irene Walsh") || !strings.Contains(body, "Referral accepted from the waiting list") {
			t.Errorf("client record: %d", status)
		}
		for who, code := range map[string]int{"moderator": 403, "gp": 403, "anonymous": 303, "other": 200} {
			status, body, _ := cs.browsers[who].get("/casework/waiting")
			if status != code || strings.Contains(body, "Irene") {
				t.Errorf("waiting list as %s: %d", who, status)
			}
		}
		// A professional refers, signed in: their name and email are asked for.
		status, page, _ = cs.browsers["gp"].get("/refer-to-social-prescribing")
		if status != 200 || !strings.Contains(page, "Your work email address") || !strings.Contains(page, `value="gp@example.org"`) {
			t.Errorf("professional form: %d", status)
		}
	})
}

func TestALinkWorkerRefersAClientFromTheirRecordWithConsentChecked(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		cs := newCaseSite(t, db)
		id := cs.addClient(t, clientForm())
		nordic := cs.service(t, "Nordic walking for beginners")
		b := cs.browsers["worker"]
		if status, body, _ := b.get("/casework/clients/" + id + "/refer?q=nordic+walking"); status != 200 || !strings.Contains(body, "/services/"+nordic.ID+"/refer-client?client="+id) {
			t.Fatalf("find a service: %d", status)
		}
		form := "/services/" + nordic.ID + "/refer-client"
		// Without consent to share, the form says so and nothing is sent.
		status, body, _ := b.get(form + "?client=" + id)
		if status != 200 || !strings.Contains(body, `value="Margaret Oakes"`) || !strings.Contains(body, `id="consent-error"`) {
			t.Fatalf("prefilled form without consent: %d", status)
		}
		send := url.Values{"client": {id}, "name": {"Margaret Oakes"}, "email": {"peggy@example.org"}, "preferred_contact": {"email"},
			"reason": {"Lonely; would like a walking group"}, "consent": {"yes"}}
		if status, body, _ := b.post(form, send); status != 400 || !strings.Contains(body, "has not agreed to share") {
			t.Fatalf("referral without consent on the record: %d", status)
		}
		if status, _, _ := cs.browsers["other"].get(form + "?client=" + id); status != 404 {
			t.Errorf("another team's worker prefilled from the record: %d", status)
		}
		ctx := waymark.WithActor(context.Background(), waymark.Actor{UserID: cs.ids["worker"]})
		if err := cs.cw.AddConsent(ctx, id, casework.ConsentShare, nordic.DisplayName()); err != nil {
			t.Fatal(err)
		}
		if status, body, _ := b.get(form + "?client=" + id); status != 200 || strings.Contains(body, `id="consent-error"`) || !strings.Contains(body, `name="consent" type="checkbox" value="yes" checked`) {
			t.Errorf("prefilled form with consent: %d", status)
		}
		status, _, h := b.post(form, send)
		if status != 303 || h.Get("Location") != "/casework/clients/"+id+"?saved=1" {
			t.Fatalf("referral from the record: %d %s", status, h.Get("Location"))
		}
		_, body, _ = b.get("/casework/clients/" + id)
		if !strings.Contains(body, "Referred to "+nordic.DisplayName()) || !strings.Contains(body, "Referrals made") || !strings.Contains(body, "/referrals/") {
			t.Errorf("the record does not show the referral")
		}
	})
}

// TestEachChangeOfAReferralFromTheRecordIsOnTheTimeline follows two
// referrals made from a record: the provider accepts one, the client does
// not attend and the provider closes it; the provider declines the other
// with a reason. Each change is its own timeline entry with who made it,
// under the referrals filter too, and the subject access export lists them.
func TestEachChangeOfAReferralFromTheRecordIsOnTheTimeline(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		cs := newCaseSite(t, db)
		id := cs.addClient(t, clientForm())
		nordic := cs.service(t, "Nordic walking for beginners")
		worker := waymark.WithActor(context.Background(), waymark.Actor{UserID: cs.ids["worker"]})
		if err := cs.cw.AddConsent(worker, id, casework.ConsentShare, nordic.DisplayName()); err != nil {
			t.Fatal(err)
		}
		b := cs.browsers["worker"]
		form := "/services/" + nordic.ID + "/refer-client"
		var refIDs []string
		for _, reason := range []string{"Lonely; would like a walking group", "Second try for the Saturday group"} {
			status, _, _ := b.post(form, url.Values{"client": {id}, "name": {"Margaret Oakes"}, "email": {"peggy@example.org"},
				"preferred_contact": {"email"}, "reason": {reason}, "consent": {"yes"}})
			if status != 303 {
				t.Fatalf("referral from the record: %d", status)
			}
		}
		_, page, _ := b.get("/casework/clients/" + id)
		for _, m := range regexp.MustCompile(`href="/referrals/([0-9a-f-]{36})"`).FindAllStringSubmatch(page, -1) {
			if !slices.Contains(refIDs, m[1]) {
				refIDs = append(refIDs, m[1])
			}
		}
		if len(refIDs) != 2 {
			t.Fatalf("%d referrals on the record, want 2", len(refIDs))
		}
		provider := referral.WithUserName(waymark.WithActor(context.Background(), waymark.Actor{UserID: cs.ids["provider"],
			Roles: []waymark.Role{waymark.RoleProvider}, Memberships: []waymark.Membership{{OrganizationID: nordic.OrganizationID, Role: waymark.RoleProvider}}}), "Pat Provider")
		for _, step := range []func() error{
			func() error { return cs.refs.Accept(provider, refIDs[0]) },
			func() error { return cs.refs.RecordAttendance(provider, refIDs[0], false) },
			func() error { return cs.refs.Close(provider, refIDs[0]) },
			func() error { return cs.refs.Decline(provider, refIDs[1], "full", "Try again in the spring") },
		} {
			if err := step(); err != nil {
				t.Fatal(err)
			}
		}
		who := "Pat Provider, Matlock Striders"
		entry := regexp.MustCompile(`(?s)<li class="waymark-timeline__item">\s*<h3 class="nhsuk-heading-s">([^<]*)</h3>\s*<p class="nhsuk-body-s">([^<]*)</p>`)
		for _, kind := range []string{"", "?kind=referral"} {
			_, page, _ = b.get("/casework/clients/" + id + kind)
			var got []string
			for _, m := range entry.FindAllStringSubmatch(page, -1) {
				if strings.Contains(m[1], "Referr") {
					got = append(got, html.UnescapeString(m[1]+" | "+m[2]))
				}
			}
			s := nordic.DisplayName()
			want := []string{"Referral to " + s + ": Declined", "Referral to " + s + ": Closed", "Referral to " + s + ": Did not attend",
				"Referral to " + s + ": Accepted", "Referred to " + s, "Referred to " + s}
			if len(got) != len(want) {
				t.Fatalf("timeline%s referral entries:\n%s", kind, strings.Join(got, "\n"))
			}
			for i, w := range want {
				by := " by " + who
				if strings.HasPrefix(w, "Referred") {
					by = " by Worker"
				}
				if !strings.HasPrefix(got[i], w+" | ") || !strings.Contains(got[i], "2026") || !strings.HasSuffix(got[i], by) {
					t.Errorf("timeline%s entry %d = %q, want %q with the date and%s", kind, i, got[i], w, by)
				}
			}
			if !strings.Contains(page, "The service is full at the moment. Try again in the spring") {
				t.Errorf("timeline%s: the decline's reason is missing", kind)
			}
		}
		if _, page, _ = b.get("/casework/clients/" + id + "?kind=contact"); strings.Contains(page, "Referral to ") {
			t.Errorf("referral news under the contacts filter")
		}
		if _, page, _ = b.get("/casework/clients/" + id + "/export"); !strings.Contains(page, ", Did not attend (Pat Provider)</li>") ||
			!strings.Contains(page, ", Declined (Pat Provider): The service is full at the moment. Try again in the spring</li>") {
			t.Errorf("the export lacks the referrals' history")
		}
	})
}

// Anyone may refer themselves to a social prescribing team, so one
// connection may send 10 referrals, then one every 6 minutes; signed-in
// professionals are not held up.
func TestAnonymousReferralsToATeamAreLimitedPerClient(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		cs := newCaseSite(t, db)
		public := cs.browsers["anonymous"]
		_, page, _ := public.get("/refer-to-social-prescribing")
		f := url.Values{"form_id": {formID(t, page)}, "given_name": {"Irene"}, "family_name": {"Walsh"}, "dob_day": {"30"}, "dob_month": {"5"},
			"dob_year": {"1939"}, "phone": {"01629 580123"}, "preferred_contact": {"phone"}, "reason": {"I feel lonely"}} // no consent
		for i := range 10 {
			if status, _, _ := public.post("/refer-to-social-prescribing", f); status != http.StatusBadRequest {
				t.Fatalf("referral %d: %d", i+1, status)
			}
		}
		status, body, h := public.post("/refer-to-social-prescribing", f)
		if status != http.StatusTooManyRequests || h.Get("Retry-After") == "" || !strings.Contains(body, "Too many referrals") || !strings.Contains(body, `value="Walsh"`) {
			t.Errorf("11th referral from one connection: %d", status)
		}
		if status, _, _ := cs.browsers["lead"].post("/refer-to-social-prescribing", f); status != http.StatusBadRequest {
			t.Errorf("a signed-in link worker from the same connection: %d", status)
		}
	})
}

// The form adding a team sent twice (a refresh, a retry after a dropped
// connection) makes one team and leads to it both times.
func TestAddingATeamTwiceWithTheSameFormMakesOneTeam(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		cs := newCaseSite(t, db)
		admin := cs.browsers["admin"]
		_, page, _ := admin.get("/admin/teams")
		m := formTokenField.FindStringSubmatch(page)
		if m == nil {
			t.Fatal("the form adding a team has no form token")
		}
		form := url.Values{"name": {"Wirksworth social prescribing team"}, "form_token": {m[1]}}
		var places []string
		for range 2 {
			status, _, h := admin.post("/admin/teams", form)
			if status != http.StatusSeeOther {
				t.Fatalf("add a team: %d", status)
			}
			places = append(places, h.Get("Location"))
		}
		if places[0] != places[1] {
			t.Errorf("the second sending went to %s, the first to %s", places[1], places[0])
		}
		_, page, _ = admin.get("/admin/teams")
		if n := strings.Count(page, "Wirksworth social prescribing team"); n != 1 {
			t.Errorf("the team is listed %d times", n)
		}
	})
}
