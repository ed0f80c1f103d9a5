package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"waymark/internal/browsertest"
)

// TestJourneyBulkOnboardingAndClaim is bulk onboarding in a real browser:
// the demo administrator uploads a spreadsheet with one bad row, checks the
// dry run, imports the good rows; the group's organiser opens the claim link
// from the email, creates an account on the way, and finds the entry among
// their listings. A moderator looks at the manual checks queue.
func TestJourneyBulkOnboardingAndClaim(t *testing.T) {
	r := startServer(t)
	file := filepath.Join(t.TempDir(), "groups.csv")
	csv := "organisation_name,organisation_email,service_name,description,postcode,phone\n" +
		"Grindleford Gardeners,hello@grindleford-gardeners.org.uk,Community allotment,Grow vegetables with neighbours every Saturday.,S32 2HS,01433 630000\n" +
		"Grindleford Gardeners,hello@grindleford-gardeners.org.uk,Seed swap,Swap seeds and cuttings each spring.,S32 2HS,01433 630000\n" +
		"Eyam Singers,sing@eyam-singers.org.uk,Community choir,Sing together on Thursdays; no auditions.,ZZ9 9ZZ,01433 631111\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	admin := browsertest.New(t)
	browsertest.Do(t, admin, "the administrator signs in to the import page",
		chromedp.Navigate(r.URL+"/sign-in?next=/admin/import"),
		chromedp.WaitVisible(`input[name="email"]`),
		chromedp.SendKeys(`input[name="email"]`, "admin@demo.waymark.example"),
		chromedp.SendKeys(`input[name="password"]`, DemoPassword),
		chromedp.Submit(`input[name="email"]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Import services from a spreadsheet"]`),
	)
	browsertest.CheckAxe(t, admin, "import page")
	browsertest.Do(t, admin, "upload the spreadsheet for a dry run",
		chromedp.SetUploadFiles(`input[name="file"]`, []string{file}),
		chromedp.Click(`//button[normalize-space()="Check the file"]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Check your file"]`),
	)
	check := browsertest.Get(t, admin, "read the dry run", chromedp.Text(`main`))
	if !strings.Contains(check, "Row 4") || !strings.Contains(check, "ZZ9 9ZZ") || !strings.Contains(check, "Community allotment") {
		t.Fatalf("dry run lacks the bad row's error or the good rows: %s", check)
	}
	browsertest.CheckAxe(t, admin, "import dry run")
	browsertest.Screenshot(t, admin, "journey-import-dry-run")
	browsertest.Do(t, admin, "import the valid rows",
		chromedp.Click(`//button[starts-with(normalize-space(), "Import 2 valid rows")]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Import complete"]`),
	)

	organiser := browsertest.New(t)
	browsertest.Do(t, organiser, "the organiser opens the claim link and creates an account",
		chromedp.Navigate(newestLinkTo(t, r, "hello@grindleford-gardeners.org.uk", "/claim/")),
		chromedp.WaitVisible(`//h1[normalize-space()="Claim your entry on Waymark"]`),
	)
	browsertest.CheckAxe(t, organiser, "claim page")
	browsertest.Screenshot(t, organiser, "journey-claim")
	browsertest.Do(t, organiser, "create an account from the claim page",
		chromedp.Click(`//a[normalize-space()="create an account"]`),
		chromedp.WaitVisible(`input[name="name"]`),
		chromedp.SendKeys(`input[name="name"]`, "Robin Digger"),
		chromedp.SendKeys(`input[name="email"]`, "robin@grindleford-gardeners.org.uk"),
		chromedp.SendKeys(`input[name="password"]`, "grow more beans please"),
		chromedp.SendKeys(`input[name="confirm_password"]`, "grow more beans please"),
		chromedp.Submit(`input[name="name"]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Check your email"]`),
	)
	browsertest.Do(t, organiser, "confirm the address and sign in: back to the claim",
		chromedp.Navigate(newestLinkTo(t, r, "robin@grindleford-gardeners.org.uk", "/verify-email")),
		chromedp.WaitVisible(`//h1[normalize-space()="Email address confirmed"]`),
	)
	browsertest.Do(t, organiser, "sign in from the confirmation page",
		chromedp.Click(`main a[href^="/sign-in"]`),
		chromedp.WaitVisible(`input[name="email"]`),
		chromedp.SendKeys(`input[name="email"]`, "robin@grindleford-gardeners.org.uk"),
		chromedp.SendKeys(`input[name="password"]`, "grow more beans please"),
		chromedp.Submit(`input[name="email"]`),
	)
	browsertest.Do(t, organiser, "claim the entries",
		chromedp.WaitVisible(`//button[starts-with(normalize-space(), "Claim")]`),
		chromedp.Click(`//button[starts-with(normalize-space(), "Claim")]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Your listings"]`),
	)
	if text := browsertest.Get(t, organiser, "read the listings", chromedp.Text(`main`)); !strings.Contains(text, "Community allotment") || !strings.Contains(text, "Seed swap") {
		t.Fatalf("the claimed entries are not among the organiser's listings: %s", text)
	}

	moderator := browsertest.New(t)
	browsertest.Do(t, moderator, "a moderator opens the manual checks",
		chromedp.Navigate(r.URL+"/sign-in?next=/moderation/checks"),
		chromedp.WaitVisible(`input[name="email"]`),
		chromedp.SendKeys(`input[name="email"]`, "moderator@demo.waymark.example"),
		chromedp.SendKeys(`input[name="password"]`, DemoPassword),
		chromedp.Submit(`input[name="email"]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Listings to check"]`),
	)
	if text := browsertest.Get(t, moderator, "read the queue", chromedp.Text(`main`)); !strings.Contains(text, "due a check") {
		t.Errorf("the queue does not say how many listings are due: %s", text[:min(len(text), 500)])
	}
	browsertest.CheckAxe(t, moderator, "manual checks")
	browsertest.Screenshot(t, moderator, "journey-manual-checks")
}
