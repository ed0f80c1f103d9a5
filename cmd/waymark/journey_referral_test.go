package main

import (
	"context"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"waymark"
	"waymark/internal/account"
	"waymark/internal/browsertest"
	"waymark/internal/directory"
	"waymark/internal/email"
	"waymark/internal/referral"
	"waymark/internal/seed"
	"waymark/internal/sqlstore"
)

// TestJourneySelfReferralAcceptedMessagesAttendanceAndScore is the referral
// journey in a real browser: a member of the public refers themselves with
// no account; the provider accepts in their inbox; they exchange messages;
// two weeks later (the rules run on a clock moved forward) the provider
// answers the attendance email's link; the person scores the service from
// the email they are then sent.
func TestJourneySelfReferralAcceptedMessagesAttendanceAndScore(t *testing.T) {
	r := startServer(t)
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, r.Vars["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var nordic *directory.Service
	_, services := seed.Derbyshire()
	for _, s := range services {
		if s.Name == "Nordic walking for beginners" {
			nordic = s
		}
	}
	// The provider's account, a member of the organisation running the service.
	accounts := sqlstore.NewAccountStore(db)
	u := &account.User{ID: uuid.NewString(), Email: "coach@striders.example", Name: "Jo Coach", CreatedAt: time.Now().UTC(),
		Memberships: []account.Membership{{OrganizationID: nordic.OrganizationID, Role: waymark.RoleProvider}}}
	u.PasswordHash, _ = account.TestPasswordCost().Hash("striders provider password")
	if err := accounts.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := accounts.MarkEmailVerified(ctx, u.ID, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}

	person := browsertest.New(t)
	browsertest.Do(t, person, "refer themselves from the service page",
		chromedp.Navigate(r.URL+"/services/"+nordic.ID),
		chromedp.Click(`//a[contains(., "Refer yourself")]`),
		chromedp.WaitVisible(`input[name="name"]`),
	)
	browsertest.CheckAxe(t, person, "self-referral form")
	browsertest.Do(t, person, "send the form empty",
		chromedp.Submit(`input[name="name"]`),
		chromedp.WaitVisible(`.nhsuk-error-summary`),
	)
	if n := browsertest.Get(t, person, "count the error summaries", chromedp.Evaluate[int](`document.querySelectorAll('.nhsuk-error-summary').length`)); n != 1 {
		t.Errorf("%d error summaries, want 1", n)
	}
	errs := browsertest.Get(t, person, "read the errors", chromedp.Text(`.nhsuk-error-summary`))
	for _, want := range []string{"Enter your full name", "Select how the service should get in touch", "Select an answer to: Do you have your own walking poles?", "Confirm that the details can be shared"} {
		if !strings.Contains(errs, want) {
			t.Errorf("error summary lacks %q: %s", want, errs)
		}
	}
	browsertest.CheckAxe(t, person, "self-referral form with errors")
	browsertest.Screenshot(t, person, "journey-referral-errors")
	browsertest.Do(t, person, "fill in the form",
		chromedp.SendKeys(`input[name="name"]`, "Pat Walker"),
		chromedp.SendKeys(`input[name="email"]`, "pat@example.org"),
		chromedp.Click(`label[for="preferred_contact"]`),
		// The demo service's own questions.
		chromedp.Click(`label[for="q_poles-1"]`),
		chromedp.Click(`label[for="q_group-1"]`),
		chromedp.SendKeys(`textarea[name="q_health"]`, "A stiff knee on hills"),
		chromedp.Click(`label[for="consent"]`),
		chromedp.Submit(`input[name="name"]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Referral sent"]`),
	)
	browsertest.CheckAxe(t, person, "referral sent")
	sent := browsertest.Get(t, person, "read the confirmation", chromedp.Text(`main`))
	ref := regexp.MustCompile(`WM-[0-9A-Z]{4}-[0-9A-Z]{4}`).FindString(sent)
	if ref == "" {
		t.Fatalf("no reference on the confirmation page: %s", sent)
	}
	browsertest.Screenshot(t, person, "journey-referral-sent")
	browsertest.Do(t, person, "open the private link",
		chromedp.Click(`//a[contains(., "See your referral")]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Your referral"]`),
	)
	private := browsertest.Get(t, person, "note the private link", chromedp.Location())

	provider := browsertest.New(t)
	browsertest.Do(t, provider, "provider signs in to the inbox and accepts",
		chromedp.Navigate(r.URL+"/sign-in?next=/referrals"),
		chromedp.WaitVisible(`input[name="email"]`),
		chromedp.SendKeys(`input[name="email"]`, "coach@striders.example"),
		chromedp.SendKeys(`input[name="password"]`, "striders provider password"),
		chromedp.Submit(`input[name="email"]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Referrals"]`),
	)
	browsertest.CheckAxe(t, provider, "referral inbox")
	browsertest.Screenshot(t, provider, "journey-referral-inbox")
	browsertest.Do(t, provider, "open and accept the referral",
		chromedp.Click(`//a[normalize-space()="`+ref+`"]`),
		chromedp.WaitVisible(`//button[normalize-space()="Accept referral"]`),
	)
	browsertest.CheckAxe(t, provider, "referral page")
	browsertest.Screenshot(t, provider, "journey-referral-provider")
	browsertest.Do(t, provider, "accept and write to the person",
		chromedp.Click(`//button[normalize-space()="Accept referral"]`),
		chromedp.WaitVisible(`//strong[normalize-space()="Accepted"]`),
		chromedp.SendKeys(`textarea[name="body"]`, "Welcome! Can you come on Saturday at 10?"),
		chromedp.Submit(`textarea[name="body"]`),
		chromedp.WaitVisible(`//p[contains(., "Can you come on Saturday at 10?")]`),
	)
	browsertest.Do(t, person, "the person sees the acceptance and replies",
		chromedp.Navigate(private),
		chromedp.WaitVisible(`//p[contains(., "Can you come on Saturday at 10?")]`),
		chromedp.SendKeys(`textarea[name="body"]`, "Yes, see you on Saturday"),
		chromedp.Submit(`textarea[name="body"]`),
		chromedp.WaitVisible(`//p[contains(., "Yes, see you on Saturday")]`),
	)
	if text := browsertest.Get(t, person, "read", chromedp.Text(`main`)); !strings.Contains(text, "Accepted") {
		t.Errorf("private page does not show the acceptance: %s", text)
	}
	browsertest.Screenshot(t, person, "journey-referral-messages")
	browsertest.Do(t, provider, "the provider sees the reply",
		chromedp.Reload(),
		chromedp.WaitVisible(`//p[contains(., "Yes, see you on Saturday")]`),
	)

	browsertest.Do(t, provider, "the provider adds a question to the referral form",
		chromedp.Navigate(r.URL+"/provider/services/"+nordic.ID+"/form"),
		chromedp.WaitVisible(`//h1[normalize-space()="Referral form"]`),
		chromedp.SetValue(`select[name="type"]`, "yes_no"),
		chromedp.SendKeys(`input[name="label"]`, "Can you walk for an hour?"),
		chromedp.Click(`label[for="required"]`),
		chromedp.Click(`//button[normalize-space()="Save question"]`),
		chromedp.WaitVisible(`//strong[normalize-space()="Can you walk for an hour?"]`),
	)
	browsertest.CheckAxe(t, provider, "referral form builder")
	browsertest.Screenshot(t, provider, "journey-referral-form-builder")

	// Two weeks and a day later the rules ask the provider about attendance.
	secret, err := db.Secret(ctx, "link-signing")
	if err != nil {
		t.Fatal(err)
	}
	store := sqlstore.NewDirectoryStore(db)
	life := directory.NewLifecycle(store, email.Mailer{}, time.Now, uuid.NewString)
	later := time.Now().Add(15 * 24 * time.Hour)
	rules := referral.NewReferrals(sqlstore.NewReferralStore(db), directory.NewSystem(life, directory.NewReports(store, life, secret)),
		referral.Config{PublicURL: r.URL, Secret: secret}, func() time.Time { return later }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := rules.RunRules(ctx, later); err != nil {
		t.Fatal(err)
	}
	// The demo's other referrals are asked about too: take Pat's link.
	patID := strings.Split(strings.TrimPrefix(private, r.URL+"/track/"), "/")[0]
	attended := newestLinkTo(t, r, nordic.Email, "/referrals/"+patID+"/attendance?answer=attended")
	browsertest.Do(t, provider, "answer the attendance email's link",
		chromedp.Navigate(attended),
		chromedp.Click(`//button[normalize-space()="Yes, they attended"]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Thank you"]`),
	)
	if err := rules.RunRules(ctx, later); err != nil {
		t.Fatal(err)
	}
	rate := newestLinkTo(t, r, "pat@example.org", "/track/")
	// The link is the private page the tab is on, with #rate: navigating
	// only scrolls, so reload to see the page as it is now.
	browsertest.Do(t, person, "open the email's link to score the service",
		chromedp.Navigate(rate),
		chromedp.Reload(),
		chromedp.WaitVisible(`//h1[normalize-space()="Your referral"]`),
	)
	if text := browsertest.Get(t, person, "read", chromedp.Text(`main`)); !strings.Contains(text, "How was it?") {
		t.Fatalf("no scoring form at %s: %s", rate, text)
	}
	browsertest.Do(t, person, "score the service",
		chromedp.Click(`label[for="score-4"]`),
		chromedp.Click(`label[for="met_needs"]`),
		chromedp.Click(`//button[normalize-space()="Send your score"]`),
		chromedp.WaitVisible(`//h2[normalize-space()="Thank you for your score"]`),
	)
	browsertest.CheckAxe(t, person, "private referral page after scoring")
	browsertest.Screenshot(t, person, "journey-referral-scored")
	got, err := sqlstore.NewReferralStore(db).FindReferral(ctx, patID)
	if err != nil || got.ServiceID != nordic.ID || got.Status != referral.StatusAttended || got.Score != 5 {
		t.Fatalf("stored referral: %v %+v", err, got)
	}
}

// newestLinkTo returns the link containing part in the newest email to an
// address.
func newestLinkTo(t *testing.T, r *running, to, part string) string {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), r.Vars["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	list, err := sqlstore.NewEmailStore(db).RecentEmails(context.Background(), 100000)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range list {
		if m.To != to {
			continue
		}
		if link := regexp.MustCompile(`https?://\S*` + regexp.QuoteMeta(part) + `\S*`).FindString(m.Text); link != "" {
			return link
		}
	}
	t.Fatalf("no email to %s with a %s link", to, part)
	return ""
}
