package sqlstore_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
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
	"waymark/internal/referral"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

// referralFixture is a directory with one service taking referrals, the
// referral service on a clock the test moves, and its actors.
type referralFixture struct {
	*fixture
	db        *sqlstore.DB
	store     *sqlstore.ReferralStore
	emails    *sqlstore.EmailStore
	life      *directory.Lifecycle
	refs      *referral.Referrals
	svc       *directory.Service
	now       time.Time
	mu        sync.Mutex
	provider  context.Context
	other     context.Context
	worker    context.Context
	workerID  string
	anonymous context.Context
}

func (f *referralFixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *referralFixture) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

func newReferralFixture(t *testing.T, db *sqlstore.DB) *referralFixture {
	t.Helper()
	f := &referralFixture{fixture: newFixture(t, db), db: db, store: sqlstore.NewReferralStore(db), emails: sqlstore.NewEmailStore(db), now: testNow}
	f.life = directory.NewLifecycle(f.fixture.store, email.Mailer{}, f.clock, uuid.NewString)
	f.refs = f.newReferrals()
	f.svc = f.mustCreateService(t, "Men's shed", matlock, "DE4 3AG", func(s *directory.Service) {
		s.Kind, s.Pathway = directory.KindReferral, directory.PathwayWaymarkForm
		s.Email = "shed@peakwalkers.example"
	})
	who := actors(f.org.ID)
	f.provider = waymark.WithActor(context.Background(), who["own provider"])
	f.other = waymark.WithActor(context.Background(), who["other provider"])
	w := who["link worker"]
	f.workerID = w.UserID
	f.worker = waymark.WithActor(context.Background(), w)
	f.anonymous = context.Background()
	return f
}

// newReferrals returns another instance of the referral service on the same
// database, as a second app server would have.
func (f *referralFixture) newReferrals() *referral.Referrals {
	life := directory.NewLifecycle(f.fixture.store, email.Mailer{}, f.clock, uuid.NewString)
	reports := directory.NewReports(f.fixture.store, life, []byte("report secret"))
	return referral.NewReferrals(f.store, directory.NewSystem(life, reports), referral.Config{PublicURL: "https://waymark.test", Secret: []byte("referral secret")},
		f.clock, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func (f *referralFixture) selfRefer(t *testing.T, name string, answers url.Values) (*referral.Referral, string) {
	t.Helper()
	r, track, err := f.refs.SelfRefer(context.Background(), f.svc.ID, referral.Request{
		Client:  referral.Person{Name: name, Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.org", PreferredContact: referral.ContactEmail},
		Consent: true, Answers: func(k string) []string { return answers[k] }})
	if err != nil {
		t.Fatalf("SelfRefer(%s): %v", name, err)
	}
	return r, track
}

// mail returns the queued emails to an address, oldest first.
func (f *referralFixture) mail(t *testing.T, to string) []email.Queued {
	t.Helper()
	all, err := f.emails.RecentEmails(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []email.Queued
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].To == to {
			out = append(out, all[i])
		}
	}
	return out
}

func (f *referralFixture) status(t *testing.T, id string) referral.Status {
	t.Helper()
	r, err := f.store.FindReferral(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r.Status
}

func (f *referralFixture) listing(t *testing.T) *directory.Service {
	t.Helper()
	svc, err := f.fixture.store.FindServiceByID(context.Background(), f.svc.ID)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func TestSelfReferralStoresAnswersGivesAReferenceAndAPrivateLink(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newReferralFixture(t, db)
		ctx := context.Background()
		_, err := f.refs.EditForm(f.provider, f.svc.ID, func(form *referral.Form) error {
			if err := form.Put(referral.Question{ID: "tools", Type: referral.YesNo, Label: "Have you used hand tools before?", Required: true}); err != nil {
				return err
			}
			return form.Put(referral.Question{ID: "days", Type: referral.MultipleChoice, Label: "Which days suit you?", Options: []string{"Monday", "Wednesday", "Friday"}})
		})
		if err != nil {
			t.Fatalf("EditForm: %v", err)
		}
		if _, err := f.refs.EditForm(f.other, f.svc.ID, func(*referral.Form) error { return nil }); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Errorf("another organisation's provider edited the form: %v", err)
		}
		// A missing required answer and a bad email are both reported, and nothing is stored.
		_, _, err = f.refs.SelfRefer(ctx, f.svc.ID, referral.Request{Client: referral.Person{Name: "Ann", Email: "not-an-email", PreferredContact: "email"},
			Consent: true, Answers: func(string) []string { return nil }})
		p, ok := waymark.ProblemsOf(err)
		if !ok || !p.Has("email") || !p.Has("q_tools") || waymark.ErrorCode(err) != waymark.EINVALID {
			t.Fatalf("bad self-referral: %v", err)
		}
		r, track := f.selfRefer(t, "Ann Example", url.Values{"q_tools": {"Yes"}, "q_days": {"Monday", "Friday"}})
		if !regexp.MustCompile(`^WM-[0-9A-Z]{4}-[0-9A-Z]{4}$`).MatchString(r.Reference) {
			t.Errorf("reference %q", r.Reference)
		}
		got, err := f.store.FindReferral(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != referral.StatusSent || got.Source != referral.SourceSelf || len(got.Answers) != 2 ||
			got.Answers[1].Text() != "Monday, Friday" || got.Client.Email != "ann.example@example.org" || !got.Consent {
			t.Errorf("stored referral: %+v", got)
		}
		mine := f.mail(t, "ann.example@example.org")
		if len(mine) != 1 || !strings.Contains(mine[0].Text, "https://waymark.test"+track) || !strings.Contains(mine[0].Subject, r.Reference) ||
			mine[0].HTML == "" {
			t.Fatalf("confirmation email: %+v", mine)
		}
		if strings.Contains(mine[0].Subject, "Men's shed") {
			t.Errorf("subject names the service: %q", mine[0].Subject)
		}
		if n := len(f.mail(t, "shed@peakwalkers.example")); n != 1 {
			t.Errorf("provider emails: %d", n)
		}
		// The private link shows this referral; a forged one shows nothing.
		parts := strings.Split(track, "/")
		c, err := f.refs.Track(ctx, r.ID, parts[3])
		if err != nil || c.Referral.ID != r.ID || len(c.Events) != 1 {
			t.Fatalf("Track: %v %+v", err, c)
		}
		if _, err := f.refs.Track(ctx, r.ID, parts[3][:len(parts[3])-2]+"xx"); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("forged link: %v", err)
		}
		other, _ := f.selfRefer(t, "Bob Example", url.Values{"q_tools": {"No"}})
		if _, err := f.refs.Track(ctx, other.ID, parts[3]); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("Ann's link opened Bob's referral: %v", err)
		}
	})
}

func TestOnlyTheServicesProviderAndTheReferrerSeeAReferralAndEveryViewIsAudited(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newReferralFixture(t, db)
		ctx := f.worker
		req := referral.Request{Client: referral.Person{Name: "Cara Client", Phone: "01629 555 123", PreferredContact: referral.ContactPhone},
			ReferrerName: "Lee Worker", ReferrerEmail: "lee@surgery.example"}
		_, err := f.refs.Refer(ctx, f.svc.ID, req)
		if p, ok := waymark.ProblemsOf(err); !ok || !p.Has("consent") || !p.Has("reason") {
			t.Fatalf("referral without consent or reason: %v", err)
		}
		if _, err := f.refs.Refer(f.provider, f.svc.ID, req); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Errorf("a provider referred on someone's behalf: %v", err)
		}
		req.Consent, req.Reason = true, "Lonely since retiring; keen on woodwork"
		r, err := f.refs.Refer(ctx, f.svc.ID, req)
		if err != nil {
			t.Fatalf("Refer: %v", err)
		}
		if r.Client.Phone != "01629555123" || r.ReferrerID != f.workerID {
			t.Errorf("stored: %+v", r)
		}
		sent, err := f.refs.Sent(ctx)
		if err != nil || len(sent) != 1 || sent[0].ID != r.ID {
			t.Errorf("Sent: %v %d", err, len(sent))
		}
		for name, c := range map[string]context.Context{"other provider": f.other, "anonymous": f.anonymous} {
			if _, err := f.refs.Open(c, r.ID); err == nil {
				t.Errorf("%s opened the referral", name)
			}
			if err := f.refs.Accept(c, r.ID); err == nil {
				t.Errorf("%s accepted the referral", name)
			}
		}
		inbox, err := f.refs.Inbox(f.other)
		if err != nil || len(inbox) != 0 {
			t.Errorf("other provider's inbox: %v %v", err, inbox)
		}
		inbox, _ = f.refs.Inbox(f.provider)
		if len(inbox[referral.TabNew]) != 1 {
			t.Errorf("new tab: %v", inbox)
		}
		c, err := f.refs.Open(f.provider, r.ID)
		if err != nil || c.As != referral.PartyProvider || c.Referral.Reason != req.Reason {
			t.Fatalf("provider Open: %v", err)
		}
		inbox, _ = f.refs.Inbox(f.provider)
		if len(inbox[referral.TabAwaiting]) != 1 || len(inbox[referral.TabNew]) != 0 {
			t.Errorf("opened referral still new: %v", inbox)
		}
		if _, err := f.refs.Open(f.worker, r.ID); err != nil {
			t.Errorf("referrer Open: %v", err)
		}
		accounts := sqlstore.NewAccountStore(db)
		log, err := accounts.AuditLog(context.Background(), 100)
		if err != nil {
			t.Fatal(err)
		}
		views := 0
		for _, e := range log {
			if e.Action == "view referral" && e.Subject == "referral:"+r.ID {
				views++
			}
		}
		if views != 2 {
			t.Errorf("audited views: %d, want 2", views)
		}
		// Declining needs a listed reason; "other" needs words.
		if err := f.refs.Decline(f.provider, r.ID, "whatever", ""); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("unknown reason: %v", err)
		}
		if err := f.refs.Decline(f.provider, r.ID, "other", " "); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("other without a note: %v", err)
		}
		if err := f.refs.Decline(f.provider, r.ID, "full", "Try again in March"); err != nil {
			t.Fatalf("Decline: %v", err)
		}
		if err := f.refs.Accept(f.provider, r.ID); err == nil {
			t.Errorf("accepted a declined referral")
		}
		told := f.mail(t, "lee@surgery.example")
		if len(told) != 1 || !strings.Contains(told[0].Text, "Try again in March") {
			t.Errorf("referrer not told of the decline: %+v", told)
		}
		c, _ = f.refs.Open(f.worker, r.ID)
		if len(c.Events) != 2 || c.Events[1].To != referral.StatusDeclined || c.Events[1].By != referral.PartyProvider || !c.Events[1].At.Equal(testNow) {
			t.Errorf("history: %+v", c.Events)
		}
	})
}

func TestMessagesGoBothWaysAndNotifyTheOtherSideWithoutTheirContent(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newReferralFixture(t, db)
		r, track := f.selfRefer(t, "Dee Example", nil)
		token := strings.Split(track, "/")[3]
		if err := f.refs.PostMessage(f.provider, r.ID, "Can you come on Tuesday at 10?"); err != nil {
			t.Fatal(err)
		}
		if err := f.refs.TrackMessage(context.Background(), r.ID, token, "  "); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("empty message: %v", err)
		}
		if err := f.refs.TrackMessage(context.Background(), r.ID, token, "Yes, see you then"); err != nil {
			t.Fatal(err)
		}
		if err := f.refs.TrackMessage(context.Background(), r.ID, "forged", "Hello"); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("forged link posted: %v", err)
		}
		if err := f.refs.PostMessage(f.other, r.ID, "Hello"); err == nil {
			t.Errorf("another provider posted")
		}
		c, err := f.refs.Track(context.Background(), r.ID, token)
		if err != nil || len(c.Messages) != 2 || c.Messages[0].From != referral.PartyProvider || c.Messages[1].Body != "Yes, see you then" {
			t.Fatalf("thread: %v %+v", err, c)
		}
		toPerson := f.mail(t, "dee.example@example.org")
		toProvider := f.mail(t, "shed@peakwalkers.example")
		if len(toPerson) != 2 || len(toProvider) != 2 {
			t.Fatalf("notifications: %d to the person, %d to the provider", len(toPerson), len(toProvider))
		}
		if strings.Contains(toPerson[1].Text, "Tuesday") || strings.Contains(toProvider[1].Text, "see you then") {
			t.Errorf("a message's text was emailed")
		}
	})
}

// TestRulesFollowTheClock moves time forward through a referral's life: the
// reminders at 3, 7 and 14 days (each sent once, however often the rules
// run), the automatic decline at 30 days, and the suspension after 3
// unanswered referrals in a row, with the provider's signed link putting it
// live again.
func TestRulesFollowTheClock(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newReferralFixture(t, db)
		ctx := context.Background()
		run := func() {
			t.Helper()
			for range 2 {
				if err := f.refs.RunRules(ctx, f.clock()); err != nil {
					t.Fatalf("RunRules: %v", err)
				}
			}
		}
		reminders := func() int {
			n := 0
			for _, m := range f.mail(t, "shed@peakwalkers.example") {
				if strings.HasPrefix(m.Subject, "Reminder") {
					n++
				}
			}
			return n
		}
		var refs []*referral.Referral
		for i := range 3 {
			r, _ := f.selfRefer(t, fmt.Sprintf("Person %c", 'A'+i), nil)
			refs = append(refs, r)
		}
		for _, step := range []struct {
			at   time.Duration
			want int
		}{{2*24*time.Hour + 23*time.Hour, 0}, {3 * 24 * time.Hour, 3}, {6 * 24 * time.Hour, 3}, {7 * 24 * time.Hour, 6}, {14 * 24 * time.Hour, 9}, {29 * 24 * time.Hour, 9}} {
			f.now = testNow.Add(step.at)
			run()
			if got := reminders(); got != step.want {
				t.Fatalf("after %v: %d reminders, want %d", step.at, got, step.want)
			}
		}
		if f.status(t, refs[0].ID) != referral.StatusSent || f.listing(t).Status != directory.StatusPublished {
			t.Fatalf("changed before 30 days")
		}
		f.now = testNow.Add(30 * 24 * time.Hour)
		run()
		for _, r := range refs {
			if s := f.status(t, r.ID); s != referral.StatusAutoDeclined {
				t.Errorf("after 30 days: %s", s)
			}
		}
		told := f.mail(t, "person.a@example.org")
		if len(told) != 2 || !strings.Contains(told[1].Text, "declined automatically") {
			t.Errorf("referrer not told of the automatic decline: %+v", told)
		}
		if s := f.listing(t); s.Status != directory.StatusSuspended {
			t.Fatalf("after 3 unanswered: listing %s", s.Status)
		}
		var confirm *email.Queued
		for _, m := range f.mail(t, "shed@peakwalkers.example") {
			if m.Subject == "Is your service still running?" {
				confirm = &m
			}
		}
		if confirm == nil {
			t.Fatal("provider not asked to confirm")
		}
		q := regexp.MustCompile(`confirm\?(expires=\d+&sig=[0-9a-f]+)`).FindStringSubmatch(confirm.Text)
		if q == nil {
			t.Fatalf("no confirm link in %q", confirm.Text)
		}
		v, _ := url.ParseQuery(q[1])
		reports := directory.NewReports(f.fixture.store, f.life, []byte("report secret"))
		if _, err := reports.Confirm(ctx, f.svc.ID, v.Get("expires"), v.Get("sig")); err != nil {
			t.Fatalf("Confirm: %v", err)
		}
		if s := f.listing(t); s.Status != directory.StatusPublished {
			t.Errorf("after confirming: %s", s.Status)
		}
		run()
		if s := f.listing(t); s.Status != directory.StatusPublished {
			t.Errorf("the same streak suspended the listing twice: %s", s.Status)
		}
	})
}

func TestFiveDeclinesInARowPauseTheListingAndAnAcceptanceResetsTheCount(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newReferralFixture(t, db)
		ctx := context.Background()
		decline := func(n int) {
			for i := range n {
				r, _ := f.selfRefer(t, fmt.Sprintf("Person %d", i), nil)
				if err := f.refs.Decline(f.provider, r.ID, "full", ""); err != nil {
					t.Fatal(err)
				}
			}
		}
		decline(4)
		r, _ := f.selfRefer(t, "Accepted Person", nil)
		if err := f.refs.Accept(f.provider, r.ID); err != nil {
			t.Fatal(err)
		}
		decline(4)
		if err := f.refs.RunRules(ctx, f.clock()); err != nil {
			t.Fatal(err)
		}
		if s := f.listing(t); s.Status != directory.StatusPublished {
			t.Fatalf("paused after 4 declines in a row: %s", s.Status)
		}
		decline(1)
		if err := f.refs.RunRules(ctx, f.clock()); err != nil {
			t.Fatal(err)
		}
		s := f.listing(t)
		if s.Status != directory.StatusSuspended || !strings.Contains(s.StatusNote, "5 referrals declined in a row") {
			t.Fatalf("after 5 declines in a row: %s %q", s.Status, s.StatusNote)
		}
		paused := 0
		for _, m := range f.mail(t, "shed@peakwalkers.example") {
			if m.Subject == "Your Waymark listing is paused" {
				paused++
			}
		}
		if paused != 1 {
			t.Errorf("pause emails: %d", paused)
		}
		// The provider reopens; the old streak does not pause it again.
		if _, err := f.life.Apply(f.provider, f.svc.ID, directory.ActionReopen, ""); err != nil {
			t.Fatal(err)
		}
		if err := f.refs.RunRules(ctx, f.clock()); err != nil {
			t.Fatal(err)
		}
		if s := f.listing(t); s.Status != directory.StatusPublished {
			t.Errorf("paused again by the same streak: %s", s.Status)
		}
	})
}

var attendanceLink = regexp.MustCompile(`https://waymark\.test(/referrals/[0-9a-f-]+/attendance\?answer=attended&expires=\d+&sig=[A-Za-z0-9_-]+)`)

func TestAttendanceIsAskedAfter14DaysAndTheAttendeeScoresTheService(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newReferralFixture(t, db)
		ctx := context.Background()
		r, track := f.selfRefer(t, "Eve Example", nil)
		token := strings.Split(track, "/")[3]
		f.advance(26 * time.Hour)
		if err := f.refs.Accept(f.provider, r.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.refs.Rate(ctx, r.ID, token, 5, "yes"); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("scored before attending: %v", err)
		}
		f.advance(14*24*time.Hour - time.Minute)
		if err := f.refs.RunRules(ctx, f.clock()); err != nil {
			t.Fatal(err)
		}
		asked := func() []string {
			var links []string
			for _, m := range f.mail(t, "shed@peakwalkers.example") {
				if strings.HasPrefix(m.Subject, "Did the person attend?") {
					links = append(links, attendanceLink.FindStringSubmatch(m.Text)[1])
				}
			}
			return links
		}
		if n := len(asked()); n != 0 {
			t.Fatalf("asked before 14 days: %d", n)
		}
		f.advance(time.Minute)
		for range 3 {
			if err := f.refs.RunRules(ctx, f.clock()); err != nil {
				t.Fatal(err)
			}
		}
		links := asked()
		if len(links) != 1 {
			t.Fatalf("attendance asked %d times", len(links))
		}
		u, _ := url.Parse(links[0])
		q := u.Query()
		if _, err := f.refs.AnswerAttendance(ctx, r.ID, "attended", q.Get("expires"), q.Get("sig")+"x"); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("forged attendance link: %v", err)
		}
		if _, err := f.refs.AnswerAttendance(ctx, r.ID, "did_not_attend", q.Get("expires"), q.Get("sig")); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("attendance link's answer changed: %v", err)
		}
		if _, err := f.refs.AnswerAttendance(ctx, r.ID, "attended", q.Get("expires"), q.Get("sig")); err != nil {
			t.Fatalf("AnswerAttendance: %v", err)
		}
		if f.status(t, r.ID) != referral.StatusAttended {
			t.Fatalf("status %s", f.status(t, r.ID))
		}
		for range 2 {
			if err := f.refs.RunRules(ctx, f.clock()); err != nil {
				t.Fatal(err)
			}
		}
		var ask []email.Queued
		for _, m := range f.mail(t, "eve.example@example.org") {
			if strings.HasPrefix(m.Subject, "How was it?") {
				ask = append(ask, m)
			}
		}
		if len(ask) != 1 || !strings.Contains(ask[0].Text, "https://waymark.test"+track) {
			t.Fatalf("rating asks: %+v", ask)
		}
		if err := f.refs.Rate(ctx, r.ID, token, 9, "maybe"); err == nil {
			t.Errorf("accepted a score of 9")
		}
		if err := f.refs.Rate(ctx, r.ID, token, 4, "yes"); err != nil {
			t.Fatal(err)
		}
		if err := f.refs.Rate(ctx, r.ID, token, 1, "no"); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("scored twice: %v", err)
		}
		got, _ := f.store.FindReferral(ctx, r.ID)
		if got.Score != 4 || got.MetNeeds == nil || !*got.MetNeeds {
			t.Errorf("rating stored: %d %v", got.Score, got.MetNeeds)
		}
	})
}

func TestStatisticsAreHiddenUntilThereAreEnoughReferrals(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newReferralFixture(t, db)
		ctx := context.Background()
		var ids []string
		for i := range 4 {
			r, _ := f.selfRefer(t, fmt.Sprintf("Person %d", i), nil)
			ids = append(ids, r.ID)
		}
		st, err := f.refs.Stats(ctx, f.svc.ID)
		if err != nil || st.Received != 4 || st.Enough || st.AcceptanceRate != nil {
			t.Fatalf("4 referrals: %v %+v", err, st)
		}
		r, _ := f.selfRefer(t, "Person 5", nil)
		ids = append(ids, r.ID)
		for i, id := range ids {
			f.advance(time.Duration(i+1) * time.Hour)
			if i == 4 {
				if err := f.refs.Decline(f.provider, id, "full", ""); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if err := f.refs.Accept(f.provider, id); err != nil {
				t.Fatal(err)
			}
		}
		st, _ = f.refs.Stats(ctx, f.svc.ID)
		if st.AcceptanceRate == nil || *st.AcceptanceRate != 0.8 || st.MedianResponse == nil {
			t.Fatalf("5 answered: %+v", st)
		}
		if st.AttendanceRate != nil || st.AverageScore != nil {
			t.Errorf("attendance or score shown with none known: %+v", st)
		}
	})
}

func TestRulesRunningTwiceAtOnceDoNothingTwice(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newReferralFixture(t, db)
		ctx := context.Background()
		var ids []string
		for i := range 6 {
			r, _ := f.selfRefer(t, fmt.Sprintf("Person %d", i), nil)
			ids = append(ids, r.ID)
		}
		for _, id := range ids[:2] {
			if err := f.refs.Accept(f.provider, id); err != nil {
				t.Fatal(err)
			}
		}
		instances := []*referral.Referrals{f.refs, f.newReferrals()}
		for _, at := range []time.Duration{3 * 24 * time.Hour, 15 * 24 * time.Hour, 31 * 24 * time.Hour} {
			f.now = testNow.Add(at)
			var wg sync.WaitGroup
			errs := make(chan error, 4)
			for _, inst := range instances {
				for range 2 {
					wg.Go(func() { errs <- inst.RunRules(ctx, f.clock()) })
				}
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("at %v: %v", at, err)
				}
			}
		}
		count := map[string]int{}
		for _, m := range f.mail(t, "shed@peakwalkers.example") {
			count[strings.Fields(m.Subject)[0]]++
		}
		// 4 unanswered referrals: reminders at 3 days and (the latest due)
		// 14 days; the 2 accepted: one attendance question each.
		if count["Reminder:"] != 8 || count["Did"] != 2 || count["Is"] != 1 {
			t.Errorf("provider emails by kind: %v", count)
		}
		declined := 0
		for _, id := range ids[2:] {
			if f.status(t, id) == referral.StatusAutoDeclined {
				declined++
			}
		}
		if declined != 4 {
			t.Errorf("auto-declined: %d", declined)
		}
		c, _ := f.refs.Open(f.provider, ids[2])
		if len(c.Events) != 2 {
			t.Errorf("an automatic decline was recorded %d times", len(c.Events)-1)
		}
	})
}

func TestAProfessionalsClientSeesTheStatusButNotTheThread(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newReferralFixture(t, db)
		ctx := context.Background()
		r, err := f.refs.Refer(f.worker, f.svc.ID, referral.Request{Client: referral.Person{Name: "Cara Client", Email: "cara@example.org", PreferredContact: referral.ContactEmail},
			Consent: true, Reason: "Keen on woodwork", ReferrerName: "Lee Worker", ReferrerEmail: "lee@surgery.example"})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.refs.PostMessage(f.worker, r.ID, "She can come on Tuesdays"); err != nil {
			t.Fatal(err)
		}
		token := strings.Split(f.refs.TrackPath(r.ID), "/")[3]
		c, err := f.refs.Track(ctx, r.ID, token)
		if err != nil || c.Referral.ID != r.ID || len(c.Messages) != 0 {
			t.Fatalf("client's view: %v, %d messages", err, len(c.Messages))
		}
		if err := f.refs.TrackMessage(ctx, r.ID, token, "Hello"); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Errorf("the client posted to the professional's thread: %v", err)
		}
		if err := f.refs.TrackCancel(ctx, r.ID, token); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Errorf("the client cancelled the professional's referral: %v", err)
		}
		if got := f.status(t, r.ID); got != referral.StatusSent {
			t.Errorf("status %s", got)
		}
		if n := len(f.mail(t, "cara@example.org")); n != 0 {
			t.Errorf("the client was emailed %d times before attending", n)
		}
	})
}

func TestAReferralClosedWithoutAttendanceIsAskedAboutAndTheAnswerKeepsItClosed(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newReferralFixture(t, db)
		ctx := context.Background()
		r, _ := f.selfRefer(t, "Cal Closed", nil)
		if err := f.refs.Accept(f.provider, r.ID); err != nil {
			t.Fatal(err)
		}
		f.advance(2 * 24 * time.Hour)
		if err := f.refs.Close(f.provider, r.ID); err != nil {
			t.Fatal(err)
		}
		f.advance(13 * 24 * time.Hour)
		for range 2 {
			if err := f.refs.RunRules(ctx, f.clock()); err != nil {
				t.Fatal(err)
			}
		}
		var links []string
		for _, m := range f.mail(t, "shed@peakwalkers.example") {
			if strings.HasPrefix(m.Subject, "Did the person attend?") {
				links = append(links, attendanceLink.FindStringSubmatch(m.Text)[1])
			}
		}
		if len(links) != 1 {
			t.Fatalf("a referral closed without attendance was asked about %d times, want once", len(links))
		}
		u, _ := url.Parse(links[0])
		q := u.Query()
		for range 2 { // the link clicked twice records once
			if _, err := f.refs.AnswerAttendance(ctx, r.ID, "attended", q.Get("expires"), q.Get("sig")); err != nil {
				t.Fatalf("AnswerAttendance on a closed referral: %v", err)
			}
		}
		got, err := f.store.FindReferral(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != referral.StatusClosed || got.Attendance != referral.StatusAttended {
			t.Errorf("after the answer: status %s, attendance %s; want closed, attended", got.Status, got.Attendance)
		}
		events, _ := f.store.Events(ctx, r.ID)
		recorded := 0
		for _, e := range events {
			if e.To == referral.StatusAttended {
				recorded++
			}
		}
		if recorded != 1 {
			t.Errorf("the history records the attendance %d times, want once", recorded)
		}
		// Recorded now: the provider cannot change it, and nobody is asked again.
		if err := f.refs.RecordAttendance(f.provider, r.ID, false); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("changing recorded attendance: %v, want EINVALID", err)
		}
		f.advance(24 * time.Hour)
		if err := f.refs.RunRules(ctx, f.clock()); err != nil {
			t.Fatal(err)
		}
		asks := 0
		for _, m := range f.mail(t, "shed@peakwalkers.example") {
			if strings.HasPrefix(m.Subject, "Did the person attend?") {
				asks++
			}
		}
		if asks != 1 {
			t.Errorf("asked %d times in all, want once", asks)
		}
		// The person who went is asked to score the service, as after an
		// accepted referral's attendance.
		rated := 0
		for _, m := range f.mail(t, "cal.closed@example.org") {
			if strings.HasPrefix(m.Subject, "How was it?") {
				rated++
			}
		}
		if rated != 1 {
			t.Errorf("rating asks after attendance on a closed referral: %d, want 1", rated)
		}
	})
}
