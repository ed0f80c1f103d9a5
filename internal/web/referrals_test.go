package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/referral"
	"waymark/internal/sqlstore"
	"waymark/internal/web"
)

// referralSite is the demo directory with accounts, listings and
// referrals on, on a clock the test moves.
type referralSite struct {
	*accountSite
	clock *movingClock
	refs  *referral.Referrals
}

func newReferralSite(t *testing.T, db *sqlstore.DB, cfg ...web.Config) *referralSite {
	clock := &movingClock{t: testNow}
	store := sqlstore.NewDirectoryStore(db)
	life := directory.NewLifecycle(store, testMailer(db), clock.now, uuid.NewString)
	reports := directory.NewReports(store, life, []byte("test signing key"))
	rs := &referralSite{clock: clock}
	rs.refs = referral.NewReferrals(sqlstore.NewReferralStore(db), directory.NewSystem(life, reports),
		referral.Config{PublicURL: "http://waymark.test", Secret: []byte("test referral key")}, clock.now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	rs.accountSite = newAccountSiteWith(t, db, append(cfg, web.Config{})[0], func(d *web.Deps) {
		d.Lifecycle, d.Reports, d.Revisions, d.Referrals = life, reports, directory.NewRevisions(store, d.Directory, life), rs.refs
	})
	return rs
}

// member signs in a new user holding role in the organisation.
func (s *referralSite) member(t *testing.T, orgID string, role waymark.Role, addr string) *browser {
	t.Helper()
	return s.signInAs(t, addr, role, orgID)
}

// mailTo returns the newest email to an address.
func (s *referralSite) mailTo(t *testing.T, addr string) string {
	t.Helper()
	list, err := s.outbox.Recent(context.Background(), 200)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range list {
		if m.To == addr {
			return m.Text
		}
	}
	t.Fatalf("no email to %s", addr)
	return ""
}

var trackPath = regexp.MustCompile(`/track/[0-9a-f-]+/[A-Za-z0-9_-]+`)

func TestSelfReferralThroughThePagesWithTheProvidersOwnQuestions(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newReferralSite(t, db)
		nordic := s.service(t, "Nordic walking for beginners")
		provider := s.member(t, nordic.OrganizationID, waymark.RoleProvider, "striders@example.org")
		formURL := "/provider/services/" + nordic.ID + "/form"
		// Build the form: a required yes/no question, then a choice question, moved up.
		if status, body, _ := provider.post(formURL, url.Values{"op": {"save"}, "type": {"single_choice"}, "label": {"Which group?"}, "options": {"Tuesday\n"}}); status != 400 || !strings.Contains(body, "at least 2 options") {
			t.Fatalf("choice with one option: %d", status)
		}
		if _, body, _ := provider.post(formURL, url.Values{"op": {"save"}, "type": {"short_text"}}); strings.Count(body, "nhsuk-error-summary__title") != 1 {
			t.Errorf("the form builder shows %d error summaries, want 1", strings.Count(body, "nhsuk-error-summary__title"))
		}
		provider.post(formURL, url.Values{"op": {"save"}, "type": {"yes_no"}, "label": {"Do you have walking poles?"}, "required": {"yes"}})
		provider.post(formURL, url.Values{"op": {"save"}, "type": {"single_choice"}, "label": {"Which group?"}, "options": {"Tuesday\r\nSaturday"}})
		form, _ := s.refs.Form(context.Background(), nordic.ID)
		if len(form.Questions) != 2 {
			t.Fatalf("questions: %+v", form.Questions)
		}
		provider.post(formURL, url.Values{"op": {"up"}, "question": {form.Questions[1].ID}})
		_, body, _ := provider.get("/provider/services/" + nordic.ID + "/form/preview")
		if strings.Index(body, "Which group?") > strings.Index(body, "Do you have walking poles?") || !strings.Contains(body, "disabled") {
			t.Errorf("preview does not show the moved question first, or can send")
		}
		other := s.member(t, s.service(t, "Telephone befriending").OrganizationID, waymark.RoleProvider, "other@example.org")
		if status, _, _ := other.get(formURL); status != 403 {
			t.Errorf("another provider opened the form builder: %d", status)
		}

		// The public refers themselves, without an account.
		person := s.browser(t)
		_, page, _ := person.get("/services/" + nordic.ID)
		if !strings.Contains(page, `href="/services/`+nordic.ID+`/refer"`) {
			t.Fatal("no self-referral button on the service page")
		}
		status, body, _ := person.post("/services/"+nordic.ID+"/refer", url.Values{"name": {"Pat Walker"}, "preferred_contact": {"email"}})
		if status != 400 || !strings.Contains(body, "Enter an email address") || !strings.Contains(body, "Select an answer to: Do you have walking poles?") ||
			!strings.Contains(body, "Confirm that the details can be shared") || !strings.Contains(body, `value="Pat Walker"`) {
			t.Fatalf("incomplete self-referral: %d", status)
		}
		if n := strings.Count(body, "nhsuk-error-summary__title"); n != 1 {
			t.Errorf("the referral form shows %d error summaries, want 1", n)
		}
		status, _, h := person.post("/services/"+nordic.ID+"/refer", url.Values{"name": {"Pat Walker"}, "email": {"pat@example.org"},
			"preferred_contact": {"email"}, "consent": {"yes"}, "q_" + form.Questions[0].ID: {"No"}, "q_" + form.Questions[1].ID: {"Saturday"}})
		if status != http.StatusSeeOther {
			t.Fatalf("self-referral: %d, want a redirect to the confirmation", status)
		}
		if _, body, _ = person.get(h.Get("Location")); !regexp.MustCompile(`Your reference<br><strong>WM-`).MatchString(body) {
			t.Fatalf("self-referral confirmation")
		}
		track := trackPath.FindString(body)
		if track == "" || !strings.Contains(s.mailTo(t, "pat@example.org"), "http://waymark.test"+track) {
			t.Fatalf("private link not shown and emailed: %q", track)
		}
		if _, body, _ = person.get(track); !strings.Contains(body, "Saturday") || !strings.Contains(body, "Sent") {
			t.Errorf("private link page")
		}
		if status, _, _ := person.get(track[:len(track)-3] + "abc"); status != 404 {
			t.Errorf("forged private link: %d", status)
		}
		// The provider sees it in the inbox, new; then accepts.
		_, inbox, _ := provider.get("/referrals")
		if !strings.Contains(inbox, "Pat Walker") || !strings.Contains(inbox, "New (1)") {
			t.Fatalf("inbox has no new referral")
		}
		if _, inbox, _ := other.get("/referrals"); strings.Contains(inbox, "Pat Walker") {
			t.Errorf("another provider's inbox shows the referral")
		}
		id := regexp.MustCompile(`/referrals/([0-9a-f-]{36})`).FindStringSubmatch(inbox)[1]
		if status, _, _ := other.get("/referrals/" + id); status != 404 {
			t.Errorf("another provider opened the referral: %d", status)
		}
		if status, body, _ := provider.post("/referrals/"+id+"/decline", url.Values{"reason": {"other"}}); status != 400 || !strings.Contains(body, "Tell the referrer why") {
			t.Errorf("decline without a note: %d", status)
		}
		if status, _, _ := provider.post("/referrals/"+id+"/accept", nil); status != http.StatusSeeOther {
			t.Fatalf("accept: %d", status)
		}
		if !strings.Contains(s.mailTo(t, "pat@example.org"), "has accepted referral") {
			t.Errorf("the person was not told of the acceptance")
		}
		if _, body, _ = person.get(track); !strings.Contains(body, "Accepted") {
			t.Errorf("private link does not show the acceptance")
		}
		if _, body, _ = provider.get("/provider"); !strings.Contains(body, "Referral statistics") || !strings.Contains(body, "Fewer than 5 referrals so far") {
			t.Errorf("the provider's listings lack the referral statistics")
		}
	})
}

func TestALinkWorkerRefersAClientAndSeesTheirReferrals(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newReferralSite(t, db)
		horti := s.service(t, "Therapeutic horticulture")
		elsewhere := s.service(t, "Telephone befriending").OrganizationID
		worker := s.member(t, elsewhere, waymark.RoleLinkWorker, "lw@surgery.example")
		public := s.browser(t)
		if _, page, _ := public.get("/services/" + horti.ID); strings.Contains(page, "/refer-client") || strings.Contains(page, "For professionals") {
			t.Errorf("the public sees the professionals' box")
		}
		if status, _, _ := public.get("/services/" + horti.ID + "/refer"); status != 400 {
			t.Errorf("self-referral to a professional-only service: %d", status)
		}
		_, page, _ := worker.get("/services/" + horti.ID)
		if !strings.Contains(page, "/services/"+horti.ID+"/refer-client") || !strings.Contains(page, "Fewer than 5 referrals") {
			t.Fatalf("professional's view of the service page lacks the referral link or the statistics")
		}
		status, body, _ := worker.post("/services/"+horti.ID+"/refer-client", url.Values{"name": {"Sam Client"}, "phone": {"07700 900123"}, "preferred_contact": {"text"}})
		if status != 400 || !strings.Contains(body, "Enter why you are referring") || !strings.Contains(body, "has agreed to be referred") {
			t.Fatalf("professional referral without reason or consent: %d", status)
		}
		status, _, h := worker.post("/services/"+horti.ID+"/refer-client", url.Values{"name": {"Sam Client"}, "phone": {"07700 900123"},
			"preferred_contact": {"text"}, "reason": {"Would enjoy being outdoors with others"}, "consent": {"yes"}})
		if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/referrals/") {
			t.Fatalf("professional referral: %d %s", status, h.Get("Location"))
		}
		if _, body, _ = worker.get(h.Get("Location")); !strings.Contains(body, "Referral sent") || !strings.Contains(body, "07700 900123") {
			t.Errorf("referral page after sending")
		}
		if _, body, _ = worker.get("/referrals"); !strings.Contains(body, "Referrals you made") || !strings.Contains(body, "Sam Client") {
			t.Errorf("the worker's referrals list")
		}
		provider := s.member(t, elsewhere, waymark.RoleProvider, "p@example.org")
		if status, _, _ := provider.get("/services/" + horti.ID + "/refer-client"); status != 403 {
			t.Errorf("a provider opened the professional referral form: %d", status)
		}
	})
}

func TestTheAttendanceLinkAsksBeforeRecordingAndTheAttendeeScores(t *testing.T) {
	db := demo.OpenSQLite(t)
	s := newReferralSite(t, db)
	nordic := s.service(t, "Nordic walking for beginners")
	provider := s.member(t, nordic.OrganizationID, waymark.RoleProvider, "striders@example.org")
	person := s.browser(t)
	_, _, h := person.post("/services/"+nordic.ID+"/refer", url.Values{"name": {"Kim"}, "email": {"kim@example.org"}, "preferred_contact": {"email"}, "consent": {"yes"}})
	track := trackPath.FindString(h.Get("Location"))
	id := strings.Split(track, "/")[2]
	provider.post("/referrals/"+id+"/accept", nil)
	s.clock.mu.Lock()
	s.clock.t = s.clock.t.Add(15 * 24 * time.Hour)
	s.clock.mu.Unlock()
	if err := s.refs.RunRules(context.Background(), s.clock.now()); err != nil {
		t.Fatal(err)
	}
	link := regexp.MustCompile(`http://waymark\.test(/referrals/[^\s]+answer=attended[^\s]+)`).FindStringSubmatch(s.mailTo(t, nordic.Email))
	if link == nil {
		t.Fatal("no attendance link emailed")
	}
	anyone := s.browser(t)
	if status, body, _ := anyone.get(link[1]); status != 200 || !strings.Contains(body, "Yes, they attended") {
		t.Fatalf("attendance link page: %d", status)
	}
	if c, _ := s.refs.Open(waymark.WithActor(context.Background(), waymark.Actor{UserID: "x", Memberships: []waymark.Membership{{OrganizationID: nordic.OrganizationID, Role: waymark.RoleProvider}}}), id); c.Referral.Status != referral.StatusAccepted {
		t.Fatalf("opening the link changed the status to %s", c.Referral.Status)
	}
	u, _ := url.Parse(link[1])
	if status, body, _ := anyone.post(u.Path, u.Query()); status != 200 || !strings.Contains(body, "attended") {
		t.Fatalf("confirm attendance: %d", status)
	}
	if err := s.refs.RunRules(context.Background(), s.clock.now()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s.mailTo(t, "kim@example.org"), track+"#rate") {
		t.Fatal("the person was not asked to score the service")
	}
	if status, body, _ := person.post(track+"/rate", url.Values{"score": {"7"}}); status != 400 || !strings.Contains(body, "Select a score from 1 to 5") {
		t.Errorf("bad score: %d", status)
	}
	if status, _, h := person.post(track+"/rate", url.Values{"score": {"5"}, "met_needs": {"yes"}}); status != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "rated=1") {
		t.Fatalf("score: %d", status)
	}
	if _, body, _ := person.get(track + "?rated=1"); !strings.Contains(body, "Thank you for your score") || strings.Contains(body, "Send your score") {
		t.Errorf("after scoring")
	}
}

func TestSelfReferralsFromOneConnectionAreSlowedAfterTen(t *testing.T) {
	db := demo.OpenSQLite(t)
	s := newReferralSite(t, db)
	nordic := s.service(t, "Nordic walking for beginners")
	b := s.browser(t)
	form := url.Values{"name": {"Sam"}, "phone": {"01629 555000"}, "preferred_contact": {"phone"}, "consent": {"yes"}}
	for i := range 10 {
		if status, _, _ := b.post("/services/"+nordic.ID+"/refer", form); status != http.StatusSeeOther {
			t.Fatalf("referral %d: %d", i+1, status)
		}
	}
	status, body, h := b.post("/services/"+nordic.ID+"/refer", form)
	if status != http.StatusTooManyRequests || h.Get("Retry-After") == "" || !strings.Contains(body, "Too many referrals") || !strings.Contains(body, `value="Sam"`) {
		t.Fatalf("11th referral in a row: %d", status)
	}
	inbox, err := s.refs.Stats(context.Background(), nordic.ID)
	if err != nil || inbox.Received != 10 {
		t.Errorf("referrals stored: %v %d, want 10", err, inbox.Received)
	}
}

func TestAQuestionFormSentTwiceAddsTheQuestionOnce(t *testing.T) {
	s := newReferralSite(t, demo.OpenSQLite(t))
	nordic := s.service(t, "Nordic walking for beginners")
	provider := s.member(t, nordic.OrganizationID, waymark.RoleProvider, "striders@example.org")
	formURL := "/provider/services/" + nordic.ID + "/form"
	_, page, _ := provider.get(formURL)
	id := regexp.MustCompile(`name="new_question" value="([0-9a-f]{12})"`).FindStringSubmatch(page)
	if id == nil {
		t.Fatal("the add-a-question form has no id for its question")
	}
	add := url.Values{"op": {"save"}, "type": {"yes_no"}, "label": {"Do you have walking poles?"}, "new_question": {id[1]}}
	for range 2 {
		if status, _, _ := provider.post(formURL, add); status != http.StatusSeeOther {
			t.Fatalf("add a question: %d", status)
		}
	}
	form, _ := s.refs.Form(context.Background(), nordic.ID)
	if len(form.Questions) != 1 || form.Questions[0].ID != id[1] {
		t.Errorf("after sending the form twice: %+v, want one question", form.Questions)
	}
}
