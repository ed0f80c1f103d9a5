package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/account"
	"waymark/internal/casework"
	"waymark/internal/directory"
	"waymark/internal/gp"
	"waymark/internal/referral"
	"waymark/internal/sqlstore"
	"waymark/internal/web"
)

// newGPService returns the practice app's service on db, with case
// management behind it and refs for marketplace referrals.
func newGPService(db *sqlstore.DB, refs *referral.Referrals) *gp.Service {
	cw := casework.NewService(sqlstore.NewCaseworkStore(db), time.Now, casework.Config{NewID: uuid.NewString})
	return gp.NewService(gp.Config{Store: sqlstore.NewGPStore(db), Team: cw, Market: refs, Services: sqlstore.NewDirectoryStore(db),
		NewID: uuid.NewString})
}

// mustServePractice makes a social prescribing team serving the practice.
func mustServePractice(t *testing.T, db *sqlstore.DB, ods, name string) *casework.Team {
	t.Helper()
	cw := casework.NewService(sqlstore.NewCaseworkStore(db), time.Now, casework.Config{NewID: uuid.NewString})
	admin := waymark.WithActor(context.Background(), waymark.Actor{UserID: uuid.NewString(), Roles: []waymark.Role{waymark.RoleAdmin}})
	team, err := cw.CreateTeam(admin, "Team for "+name)
	if err != nil {
		t.Fatal(err)
	}
	if err := cw.AddPractice(admin, team.ID, casework.Practice{ODSCode: ods, Name: name}); err != nil {
		t.Fatal(err)
	}
	return team
}

// mustPracticeReferral makes a team serve the practice and refers a
// patient to it; it returns the referral's ID.
func mustPracticeReferral(t *testing.T, db *sqlstore.DB, svc *gp.Service, ods string) string {
	t.Helper()
	mustServePractice(t, db, ods, "Lime Grove Medical Centre")
	ctx := waymark.WithActor(context.Background(), waymark.Actor{UserID: uuid.NewString(), Roles: []waymark.Role{waymark.RoleGP}, Practices: []string{ods}})
	r, err := svc.Refer(ctx, gp.Request{Key: uuid.NewString(), PracticeODS: ods, Channel: gp.ChannelWeb, Reason: "Lonely", Consent: true,
		RequesterName: "Dr Patel", Patient: gp.Patient{NHSNumber: "9434765919", GivenName: "Margaret", FamilyName: "Oakes",
			DateOfBirth: time.Date(1948, 3, 15, 0, 0, 0, 0, time.UTC), Phone: "01629 580000"}})
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}

// notFoundFor answers 404 for the roles (who may use the route but not
// see what it names) and as want for the others.
func notFoundFor(want func(waymark.Role) int, roles ...waymark.Role) func(waymark.Role) int {
	return func(r waymark.Role) int {
		for _, nf := range roles {
			if r == nf {
				return http.StatusNotFound
			}
		}
		return want(r)
	}
}

// practiceSite is a site with the practice app and its users: one of
// practice C81001 (served by a team) and one of C81002.
type practiceSite struct {
	*accountSite
	team *casework.Team
}

func newPracticeSite(t *testing.T) *practiceSite {
	t.Helper()
	db := demo.OpenSQLite(t)
	dstore := sqlstore.NewDirectoryStore(db)
	life := directory.NewLifecycle(dstore, testMailer(db), time.Now, uuid.NewString)
	s := newAccountSiteWith(t, db, web.Config{Dev: true}, func(d *web.Deps) {
		d.Lifecycle, d.Reports = life, directory.NewReports(dstore, life, []byte("k"))
		d.Referrals = referral.NewReferrals(sqlstore.NewReferralStore(db), directory.NewSystem(life, d.Reports), referral.Config{Secret: []byte("k")},
			time.Now, slog.New(slog.DiscardHandler))
		d.GP = newGPService(db, d.Referrals)
		d.Casework = casework.NewService(sqlstore.NewCaseworkStore(db), time.Now, casework.Config{NewID: uuid.NewString})
	})
	ps := &practiceSite{accountSite: s, team: mustServePractice(t, db, "C81001", "Lime Grove Medical Centre")}
	return ps
}

// user makes a verified account and signs it in.
func (s *practiceSite) user(t *testing.T, email string, set func(u *account.User)) *browser {
	t.Helper()
	u := &account.User{ID: uuid.NewString(), Email: email, Name: "Dr Gita Patel", CreatedAt: testNow}
	u.PasswordHash, _ = account.TestPasswordCost().Hash("a practice password")
	set(u)
	if err := s.store.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	s.store.MarkEmailVerified(context.Background(), u.ID, testNow)
	b := s.browser(t)
	if status, _, _ := b.post("/sign-in", url.Values{"email": {email}, "password": {"a practice password"}}); status != http.StatusSeeOther {
		t.Fatalf("sign in %s: %d", email, status)
	}
	return b
}

var formIDPattern = regexp.MustCompile(`name="form_id" value="([0-9a-f]{32})"`)

func referForm(formID string) url.Values {
	return url.Values{"form_id": {formID}, "to": {"team"}, "nhs_number": {"943 476 5919"}, "given_name": {"Margaret"},
		"family_name": {"Oakes"}, "birth_date_day": {"15"}, "birth_date_month": {"3"}, "birth_date_year": {"1948"},
		"phone": {"01629 580000"}, "reason": {"Lonely since her husband died"}, "requester_name": {"Dr Gita Patel"},
		"requester_role": {"GP"}, "consent": {"yes"}}
}

func TestAPracticeUserRefersToTheTeamOnceAndOnlyTheirPracticeSeesIt(t *testing.T) {
	s := newPracticeSite(t)
	gpA := s.user(t, "gp@lime.example", func(u *account.User) { u.Practice, u.PracticeRole = "C81001", waymark.RoleGP })
	staffB := s.user(t, "staff@wirksworth.example", func(u *account.User) { u.Practice, u.PracticeRole = "C81002", waymark.RolePracticeStaff })

	status, page, _ := gpA.get("/practice/refer")
	if status != http.StatusOK || !strings.Contains(page, "Our social prescribing team: "+s.team.Name) {
		t.Fatalf("form %d", status)
	}
	formID := formIDPattern.FindStringSubmatch(page)[1]
	bad := referForm(formID)
	bad.Set("nhs_number", "943 476 5918")
	bad.Del("consent")
	bad.Set("birth_date_month", "13")
	status, page, _ = gpA.post("/practice/refer", bad)
	if status != http.StatusBadRequest || !strings.Contains(page, `id="birth_date-error"`) {
		t.Fatalf("bad date: %d", status)
	}
	bad.Set("birth_date_month", "3")
	status, page, _ = gpA.post("/practice/refer", bad)
	if status != http.StatusBadRequest || !strings.Contains(page, `id="nhs_number-error"`) || !strings.Contains(page, `id="consent-error"`) ||
		!strings.Contains(page, "check digit") {
		t.Fatalf("bad NHS number and no consent: %d", status)
	}
	status, _, h := gpA.post("/practice/refer", referForm(formID))
	if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/practice/referrals/") {
		t.Fatalf("refer: %d %s", status, h.Get("Location"))
	}
	where := h.Get("Location")
	status, _, h = gpA.post("/practice/refer", referForm(formID))
	if status != http.StatusSeeOther || h.Get("Location") != where {
		t.Errorf("sent twice: %d %s, first %s", status, h.Get("Location"), where)
	}
	status, page, _ = gpA.get(where)
	if status != http.StatusOK || !strings.Contains(page, "Referral sent to "+s.team.Name) || !strings.Contains(page, "943 476 5919") || !strings.Contains(page, "Requested") {
		t.Errorf("referral page %d", status)
	}
	_, page, _ = gpA.get("/practice")
	if strings.Count(page, "/practice/referrals/") != 1 {
		t.Errorf("the practice's list shows %d referrals, want 1", strings.Count(page, "/practice/referrals/"))
	}
	if _, page, _ := gpA.get("/practice?nhs_number=9434765919"); strings.Count(page, "/practice/referrals/") != 1 {
		t.Errorf("found by NHS number: %d referrals, want 1", strings.Count(page, "/practice/referrals/"))
	}
	if _, page, _ := gpA.get("/practice?nhs_number=4010232137"); strings.Contains(page, "/practice/referrals/") {
		t.Errorf("another NHS number found the referral")
	}
	if status, page, _ := gpA.get("/practice?nhs_number=123"); status != http.StatusBadRequest || !strings.Contains(page, `id="nhs_number-error"`) {
		t.Errorf("a malformed NHS number: %d", status)
	}
	path, _, _ := strings.Cut(where, "?")
	if status, _, _ := staffB.get(path); status != http.StatusNotFound {
		t.Errorf("another practice opened it: %d", status)
	}
	if _, page, _ := staffB.get("/practice"); strings.Contains(page, "Margaret") {
		t.Errorf("another practice lists it")
	}
	// Practice C81002 has no team and no service with a GP pathway.
	_, page, _ = staffB.get("/practice/refer")
	if !strings.Contains(page, "there is nowhere to refer to") {
		t.Errorf("no warning for a practice with nowhere to refer to")
	}
	other := formID[:31] + "0" // another form: a key of its own
	if other == formID {
		other = formID[:31] + "1"
	}
	status, page, _ = staffB.post("/practice/refer", referForm(other))
	if status != http.StatusBadRequest || !strings.Contains(page, `id="to-error"`) || !strings.Contains(page, "There is no GP practice with ODS code C81002") {
		t.Errorf("refer to a team that does not exist: %d", status)
	}
}

func TestAProviderAgreesAGPPathwayThatListedPracticesCanReferThrough(t *testing.T) {
	s := newPracticeSite(t)
	svc := s.services[0]
	provider := s.user(t, "provider@example.org", func(u *account.User) {
		u.Memberships = []account.Membership{{OrganizationID: svc.OrganizationID, Role: waymark.RoleProvider}}
	})
	otherOrg := ""
	for _, o := range s.services {
		if o.OrganizationID != svc.OrganizationID {
			otherOrg = o.OrganizationID
		}
	}
	other := s.user(t, "other@example.org", func(u *account.User) {
		u.Memberships = []account.Membership{{OrganizationID: otherOrg, Role: waymark.RoleProvider}}
	})
	gpA := s.user(t, "gp@lime.example", func(u *account.User) { u.Practice, u.PracticeRole = "C81001", waymark.RoleGP })
	path := "/provider/services/" + svc.ID + "/gp-pathway"
	if status, _, _ := other.get(path); status != http.StatusNotFound {
		t.Errorf("another provider's settings: %d", status)
	}
	status, page, _ := provider.get(path)
	if status != http.StatusOK {
		t.Fatalf("settings %d", status)
	}
	formID := formIDPattern.FindStringSubmatch(page)[1]
	status, page, _ = provider.post(path, url.Values{"form_id": {formID}, "enabled": {"yes"}, "practices": {"C81001\nnot-a-code"}})
	if status != http.StatusBadRequest || !strings.Contains(page, "not-a-code is not an ODS code") {
		t.Fatalf("a bad code: %d", status)
	}
	if _, page, _ := gpA.get("/practice/refer"); strings.Contains(page, svc.ID) {
		t.Errorf("the service is offered before its pathway was saved")
	}
	status, _, h := provider.post(path, url.Values{"form_id": {formID}, "enabled": {"yes"}, "practices": {"c81001"}})
	if status != http.StatusSeeOther || h.Get("Location") != path+"?saved=1" {
		t.Fatalf("save: %d %s", status, h.Get("Location"))
	}
	if status, _, _ := provider.post(path, url.Values{"form_id": {formID}, "enabled": {"yes"}, "practices": {"c81001"}}); status != http.StatusSeeOther {
		t.Errorf("saved twice: %d", status)
	}
	if _, page, _ := gpA.get("/services/" + svc.ID); !strings.Contains(page, `href="/practice/refer?service=`+svc.ID+`"`) {
		t.Errorf("the service page does not offer the GP pathway to the practice")
	}
	if _, page, _ := provider.get("/services/" + svc.ID); strings.Contains(page, "/practice/refer") {
		t.Errorf("the service page offers the GP pathway to a provider")
	}
	_, page, _ = gpA.get("/practice/refer?service=" + svc.ID)
	if !strings.Contains(page, `value="`+svc.ID+`" checked`) {
		t.Fatalf("the service with a pathway is not offered")
	}
	form := referForm(formIDPattern.FindStringSubmatch(page)[1])
	form.Set("to", svc.ID)
	status, _, h = gpA.post("/practice/refer", form)
	if status != http.StatusSeeOther {
		t.Fatalf("refer to the service: %d", status)
	}
	_, page, _ = gpA.get(h.Get("Location"))
	if !strings.Contains(page, svc.Name) || !strings.Contains(page, "GP pathway") || !strings.Contains(page, "Open the referral with the service") {
		t.Errorf("referral to the service")
	}
	_, page, _ = provider.get("/referrals")
	if !strings.Contains(page, "Margaret Oakes") {
		t.Errorf("the provider's inbox does not show the referral")
	}
}

func TestAdministratorsInvitePracticeStaffToAKnownPractice(t *testing.T) {
	s := newPracticeSite(t)
	admin := s.user(t, "admin@example.org", func(u *account.User) { u.PlatformRole = waymark.RoleAdmin })
	_, page, _ := admin.get("/admin")
	if !strings.Contains(page, `<option value="C81001">Lime Grove Medical Centre (C81001)</option>`) {
		t.Fatalf("the invitation form does not list the practice")
	}
	status, page, _ := admin.post("/admin/invite", url.Values{"name": {"Pam Manager"}, "email": {"pam@lime.example"}, "role": {"practice_staff"}, "practice": {"C81099"}})
	if status != http.StatusBadRequest || !strings.Contains(page, `id="practice-error"`) {
		t.Errorf("an unknown practice: %d", status)
	}
	status, page, _ = admin.post("/admin/invite", url.Values{"name": {"Pam Manager"}, "email": {"pam@lime.example"}, "role": {"practice_staff"}})
	if status != http.StatusBadRequest || !strings.Contains(page, "Choose the practice they work for") {
		t.Errorf("practice staff without a practice: %d", status)
	}
	// A practice no team serves yet is recorded with its postcode.
	if status, page, _ := admin.post("/admin/practices", url.Values{"ods": {"C8100"}, "practice_name": {"Wirksworth Health Centre"}}); status != http.StatusBadRequest || !strings.Contains(page, `id="ods-error"`) {
		t.Errorf("a five-character ODS code: %d", status)
	}
	if status, page, _ := admin.post("/admin/practices", url.Values{"ods": {"C81004"}, "practice_name": {"Wirksworth Health Centre"}, "postcode": {"nowhere"}}); status != http.StatusBadRequest || !strings.Contains(page, `id="postcode-error"`) {
		t.Errorf("a bad postcode: %d", status)
	}
	if status, _, _ := admin.post("/admin/practices", url.Values{"ods": {"c81004"}, "practice_name": {"Wirksworth Health Centre"}, "postcode": {"de4 4ex"}}); status != http.StatusSeeOther {
		t.Fatalf("record a practice: %d", status)
	}
	if _, page, _ := admin.get("/admin/practices"); !strings.Contains(page, "Wirksworth Health Centre") || !strings.Contains(page, "DE4 4EX") || !strings.Contains(page, "Team for Lime Grove") {
		t.Errorf("the practices page does not list both practices")
	}
	if status, _, _ := admin.post("/admin/invite", url.Values{"name": {"Wes"}, "email": {"wes@wirksworth.example"}, "role": {"gp"}, "practice": {"C81004"}}); status != http.StatusSeeOther {
		t.Errorf("invite a GP to the recorded practice: %d", status)
	}
	status, _, _ = admin.post("/admin/invite", url.Values{"name": {"Pam Manager"}, "email": {"pam@lime.example"}, "role": {"practice_staff"}, "practice": {"C81001"}})
	if status != http.StatusSeeOther {
		t.Fatalf("invite: %d", status)
	}
	u, err := s.accounts.User(context.Background(), mustUserID(t, s, "pam@lime.example"))
	if err != nil || !u.Actor().ActsFor("C81001") || !u.Actor().Has(waymark.RolePracticeStaff) {
		t.Errorf("invited %v %+v", err, u)
	}
	if _, page, _ := admin.get("/admin/users"); !strings.Contains(page, "Practice staff at GP practice C81001") {
		t.Errorf("the people page does not show the practice")
	}
}

func mustUserID(t *testing.T, s *practiceSite, email string) string {
	t.Helper()
	u, err := s.store.FindUserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func TestATeamLeadDeclinesAPracticeReferralAndThePracticeSeesWhy(t *testing.T) {
	s := newPracticeSite(t)
	gpA := s.user(t, "gp@lime.example", func(u *account.User) { u.Practice, u.PracticeRole = "C81001", waymark.RoleGP })
	lead := s.user(t, "lead@team.example", func(*account.User) {})
	cw := casework.NewService(sqlstore.NewCaseworkStore(s.db), time.Now, casework.Config{NewID: uuid.NewString})
	admin := waymark.WithActor(context.Background(), waymark.Actor{UserID: uuid.NewString(), Roles: []waymark.Role{waymark.RoleAdmin}})
	if err := cw.AddMember(admin, s.team.ID, "lead@team.example", true); err != nil {
		t.Fatal(err)
	}
	_, page, _ := gpA.get("/practice/refer")
	_, _, h := gpA.post("/practice/refer", referForm(formIDPattern.FindStringSubmatch(page)[1]))
	referral, _, _ := strings.Cut(h.Get("Location"), "?")

	_, page, _ = lead.get("/casework/waiting")
	m := regexp.MustCompile(`href="(/casework/waiting/[0-9a-f-]{36}/decline)\?team=`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no decline link on the waiting list")
	}
	if status, _, _ := lead.get(m[1]); status != http.StatusOK {
		t.Fatalf("decline form: %d", status)
	}
	if status, page, _ := lead.post(m[1], url.Values{"reason": {" "}}); status != http.StatusBadRequest || !strings.Contains(page, `id="reason-error"`) {
		t.Errorf("declined without a reason: %d", status)
	}
	if status, _, _ := lead.post(m[1], url.Values{"reason": {"Margaret lives outside our area; ask the Erewash team"}}); status != http.StatusSeeOther {
		t.Fatalf("decline: %d", status)
	}
	_, page, _ = gpA.get(referral)
	if !strings.Contains(page, "Rejected") || !strings.Contains(page, "Margaret lives outside our area; ask the Erewash team") {
		t.Errorf("the practice does not see the rejection and its reason")
	}
}
