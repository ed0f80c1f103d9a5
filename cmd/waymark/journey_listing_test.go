package main

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"waymark/internal/browsertest"
	"waymark/internal/sqlstore"
)

// newestLink reads the newest email in the server's outbox and returns the
// link in it that starts with path.
func newestLink(t *testing.T, r *running, path string) string {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), r.Vars["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	list, err := sqlstore.NewEmailStore(db).RecentEmails(context.Background(), 1)
	if err != nil || len(list) == 0 {
		t.Fatalf("no email: %v", err)
	}
	m := regexp.MustCompile(`https?://\S+` + regexp.QuoteMeta(path) + `\S*`).FindString(list[0].Text)
	if m == "" {
		t.Fatalf("no %s link in %q", path, list[0].Text)
	}
	return m
}

// TestJourneyProviderListsAServiceModeratorApprovesProviderFreezes is the
// listing journey in a real browser: a provider registers, confirms their
// email, creates a signposting entry with only an email address and a
// postcode, and posts it; a moderator approves it; it appears in public
// search; the provider freezes it and its page shows the waiting-time note.
func TestJourneyProviderListsAServiceModeratorApprovesProviderFreezes(t *testing.T) {
	r := startServer(t)
	var out bytes.Buffer
	m := &Main{Stdin: strings.NewReader("moderator password 1\n"), Stdout: &out, Stderr: io.Discard, Getenv: env(r.Vars)}
	if err := m.Run(context.Background(), []string{"user", "create", "--role", "moderator", "--password-stdin", "mo@waymark.example"}); err != nil {
		t.Fatal(err)
	}
	provider := browsertest.New(t)
	browsertest.Do(t, provider, "register",
		chromedp.Navigate(r.URL+"/register"),
		chromedp.WaitVisible(`input[name="name"]`),
		chromedp.SendKeys(`input[name="name"]`, "Alex Rivers"),
		chromedp.SendKeys(`input[name="email"]`, "alex@riverside.example"),
		chromedp.SendKeys(`input[name="password"]`, "riverside group password"),
		chromedp.SendKeys(`input[name="confirm_password"]`, "riverside group password"),
		chromedp.Submit(`input[name="name"]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Check your email"]`),
	)
	browsertest.Do(t, provider, "confirm the email address and sign in",
		chromedp.Navigate(newestLink(t, r, "/verify-email")),
		chromedp.WaitVisible(`//h1[normalize-space()="Email address confirmed"]`),
		chromedp.Navigate(r.URL+"/sign-in?next=/provider/services/new"),
		chromedp.WaitVisible(`input[name="email"]`),
		chromedp.SendKeys(`input[name="email"]`, "alex@riverside.example"),
		chromedp.SendKeys(`input[name="password"]`, "riverside group password"),
		chromedp.Submit(`input[name="email"]`),
		chromedp.WaitVisible(`input[name="organisation"]`),
	)
	browsertest.CheckAxe(t, provider, "new service form")
	browsertest.Do(t, provider, "post a signposting entry with only an email and a postcode",
		chromedp.SendKeys(`input[name="organisation"]`, "Riverside Knitters"),
		chromedp.SendKeys(`input[name="email"]`, "knit@riverside.example"),
		chromedp.SendKeys(`input[name="postcode"]`, "DE4 3AG"),
		chromedp.Click(`button[value="post"]`),
		chromedp.WaitVisible(`.nhsuk-inset-text`),
	)
	if text := browsertest.Get(t, provider, "read", chromedp.Text(`main`)); !strings.Contains(text, "sent for review") || !strings.Contains(text, "Waiting for review") {
		t.Fatalf("after posting: %s", text)
	}

	moderator := browsertest.NewTab(t, provider)
	browsertest.Do(t, moderator, "moderator approves",
		chromedp.Navigate(r.URL+"/sign-in?next=/moderation"),
		chromedp.WaitVisible(`input[name="email"]`),
		chromedp.SendKeys(`input[name="email"]`, "mo@waymark.example"),
		chromedp.SendKeys(`input[name="password"]`, "moderator password 1"),
		chromedp.Submit(`input[name="email"]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Listings to review"]`),
	)
	queue := browsertest.Get(t, moderator, "read the queue", chromedp.Text(`main`))
	if !strings.Contains(queue, "Riverside Knitters") {
		t.Fatalf("queue: %s", queue)
	}
	browsertest.CheckAxe(t, moderator, "review queue")
	browsertest.Do(t, moderator, "open the entry as the public will see it",
		chromedp.Click(`//a[normalize-space()="Review Riverside Knitters"]`),
		chromedp.WaitVisible(`//h2[normalize-space()="For moderators"]`),
	)
	if page := browsertest.Get(t, moderator, "read the review page", chromedp.Text(`main`)); !strings.Contains(page, "How to get help") || !strings.Contains(page, "DE4 3AG") {
		t.Errorf("the review page does not show the entry as the public will see it: %s", page)
	}
	browsertest.CheckAxe(t, moderator, "review page")
	browsertest.Do(t, moderator, "approve the entry",
		chromedp.Click(`//button[contains(., "Approve and publish")]`),
		chromedp.WaitVisible(`//p[contains(., "is approved and published")]`),
	)

	browsertest.Do(t, provider, "find it in public search",
		chromedp.Navigate(r.URL+"/?q=riverside+knitters"),
		chromedp.WaitVisible(`#results-heading`),
	)
	if text := browsertest.Get(t, provider, "read results", chromedp.Text(`main`)); !strings.Contains(text, "Riverside Knitters") {
		t.Fatalf("not in search after approval: %s", text)
	}
	browsertest.Do(t, provider, "freeze it with a waiting-time note",
		chromedp.Navigate(r.URL+"/provider"),
		chromedp.WaitVisible(`textarea[name="note"]`),
		chromedp.SendKeys(`form[action$="/freeze"] textarea`, "Full until January: about 4 weeks' wait"),
		chromedp.Submit(`form[action$="/freeze"] textarea`),
		chromedp.WaitVisible(`.nhsuk-inset-text`),
		chromedp.Click(`main a[href^="/services/"]`),
		chromedp.WaitVisible(`//h2[contains(., "How to get help")]`),
	)
	page := browsertest.Get(t, provider, "read the service page", chromedp.Text(`main`))
	if !strings.Contains(page, "Full until January: about 4 weeks") {
		t.Errorf("the service page lacks the waiting-time note: %s", page)
	}
	browsertest.CheckAxe(t, provider, "frozen service page")
	browsertest.Screenshot(t, provider, "journey-frozen-listing")
}
