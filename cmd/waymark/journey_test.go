package main

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"waymark/internal/browsertest"
)

// TestJourneyFindAFreeWalkingGroupNearMatlock is the public search journey in
// a real browser: open the home page, search "walking" near DE4 3AG, keep
// only free services, open a result, and check the distance shown and that
// every page passes axe-core's WCAG 2.2 AA rules.
func TestJourneyFindAFreeWalkingGroupNearMatlock(t *testing.T) {
	r := startServer(t)
	ctx := browsertest.New(t)

	browsertest.Do(t, ctx, "open the home page",
		chromedp.Navigate(r.URL+"/"),
		chromedp.WaitVisible(`input[name="q"]`),
	)
	browsertest.CheckAxe(t, ctx, "home page")
	browsertest.Screenshot(t, ctx, "journey-1-home")

	browsertest.Do(t, ctx, "search for walking near DE4 3AG",
		chromedp.SendKeys(`input[name="q"]`, "walking"),
		chromedp.SendKeys(`input[name="postcode"]`, "DE4 3AG"),
		chromedp.Submit(`input[name="q"]`),
		chromedp.WaitVisible(`a[href^="/services/"]`),
	)
	all := browsertest.Get(t, ctx, "read the result count", chromedp.Text(`main`))
	countAll := resultCount(t, all)
	if countAll == 0 {
		t.Fatalf("no services found for walking near DE4 3AG: %s", all)
	}
	if !strings.Contains(all, "miles") {
		t.Errorf("results near a postcode do not show distances: %s", all)
	}
	browsertest.CheckAxe(t, ctx, "search results")
	browsertest.Screenshot(t, ctx, "journey-2-results")

	browsertest.Do(t, ctx, "keep free services only",
		chromedp.Click(`details.waymark-filters summary`),
		chromedp.WaitVisible(`label[for="free"]`),
		// Click the label, as a person does: the NHS.UK checkbox draws its own box over the input.
		chromedp.Click(`label[for="free"]`),
		waitChecked("free"),
		chromedp.Submit(`input[name="free"]`),
		// The old results page has service links too: wait for the new address.
		browsertest.WaitURL("free="),
		chromedp.WaitVisible(`a[href^="/services/"]`),
	)
	url := browsertest.Get(t, ctx, "read the address", chromedp.Location())
	if !strings.Contains(url, "free=") || !strings.Contains(url, "postcode=DE4") {
		t.Errorf("the filtered search lost its criteria: %s", url)
	}
	free := browsertest.Get(t, ctx, "read the free results", chromedp.Text(`main`))
	countFree := resultCount(t, free)
	if countFree == 0 || countFree > countAll {
		t.Errorf("free only found %d services of %d", countFree, countAll)
	}
	first := browsertest.Get(t, ctx, "read the first result", chromedp.Text(`main li:has(a[href^="/services/"])`))
	dist := regexp.MustCompile(`(\d+(?:\.\d)?) miles?`).FindStringSubmatch(first)
	if dist == nil {
		t.Fatalf("first result shows no distance: %q", first)
	}
	miles, _ := strconv.ParseFloat(dist[1], 64)
	if miles > 10 {
		t.Errorf("first result is %v miles away, outside the 10-mile radius", miles)
	}
	browsertest.CheckAxe(t, ctx, "free results")

	browsertest.Do(t, ctx, "open the first result",
		chromedp.Click(`main a[href^="/services/"]`),
		chromedp.WaitVisible(`//h2[normalize-space()="How to get help"]`),
	)
	page := browsertest.Get(t, ctx, "read the service page", chromedp.Text(`main`))
	if !strings.Contains(strings.ToLower(page), "free") {
		t.Errorf("service page of a free result does not say it is free: %s", page)
	}
	if !strings.Contains(page, dist[1]+" mile") {
		t.Errorf("service page does not show the distance %s miles from DE4 3AG: %s", dist[1], page)
	}
	browsertest.CheckAxe(t, ctx, "service page")
	browsertest.Screenshot(t, ctx, "journey-3-service")

	browsertest.Do(t, ctx, "open the offline help page from the footer",
		chromedp.Click(`footer a[href="/help/offline"]`),
		browsertest.WaitURL("/help/offline"),
		chromedp.WaitVisible(`h1`),
	)
	help := browsertest.Get(t, ctx, "read the help page", chromedp.Text(`main`))
	for _, want := range []string{"Community Action Derby", "01629 812154", "High Peak"} {
		if !strings.Contains(help, want) {
			t.Errorf("offline help page lacks %q", want)
		}
	}
	browsertest.CheckAxe(t, ctx, "offline help page")
}

// resultCount reads "N services found" (or "1 service found") from a page.
func resultCount(t *testing.T, text string) int {
	t.Helper()
	m := regexp.MustCompile(`(\d+) services? found`).FindStringSubmatch(text)
	if m == nil {
		if strings.Contains(text, "No services found") {
			return 0
		}
		t.Fatalf("no result count on the page: %s", text)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestJourneySearchWorksWithoutJavaScript runs the search with scripts
// switched off: the form, filters, results, pagination and service page are
// plain HTML.
func TestJourneySearchWorksWithoutJavaScript(t *testing.T) {
	r := startServer(t)
	ctx := browsertest.New(t)
	browsertest.Do(t, ctx, "switch JavaScript off", chromedp.Func(func(c context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(c, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	browsertest.Do(t, ctx, "search without JavaScript",
		chromedp.Navigate(r.URL+"/"),
		chromedp.WaitVisible(`input[name="q"]`),
		chromedp.SendKeys(`input[name="postcode"]`, "SK17 6EQ"),
		waitValue("postcode", "SK17 6EQ"),
		chromedp.Click(`label[for="free"]`),
		waitChecked("free"),
		chromedp.Submit(`input[name="q"]`),
		chromedp.WaitVisible(`a[href^="/services/"]`),
	)
	text := browsertest.Get(t, ctx, "read results", chromedp.Text(`main`))
	if resultCount(t, text) == 0 || !strings.Contains(text, "miles away") {
		t.Errorf("no results with distances without JavaScript: %s", text)
	}
	js := browsertest.Get(t, ctx, "check scripts are off", chromedp.Evaluate[bool](`document.body.classList.contains('js-enabled')`))
	if js {
		t.Error("the page ran JavaScript although it was switched off")
	}
	browsertest.Do(t, ctx, "open a result", chromedp.Click(`main a[href^="/services/"]`), chromedp.WaitVisible(`//h2[normalize-space()="How to get help"]`))
	if page := browsertest.Get(t, ctx, "read the service page", chromedp.Text(`main`)); !strings.Contains(page, "How to get help") {
		t.Errorf("service page without JavaScript: %s", page)
	}
	// axe-core itself needs scripts: switch them back on to check the page as
	// it was rendered without them.
	browsertest.Do(t, ctx, "switch JavaScript back on for axe", chromedp.Func(func(c context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(c, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false})
		return err
	}))
	browsertest.CheckAxe(t, ctx, "service page without JavaScript")
}

// TestJourneyBadPostcodeShowsTheErrorAccessibly checks the error state of the
// search form in the browser, including axe-core.
func TestJourneyBadPostcodeShowsTheErrorAccessibly(t *testing.T) {
	r := startServer(t)
	ctx := browsertest.New(t)
	browsertest.Do(t, ctx, "search with a bad postcode",
		chromedp.Navigate(r.URL+"/"),
		chromedp.WaitVisible(`input[name="q"]`),
		chromedp.SendKeys(`input[name="q"]`, "art"),
		chromedp.SendKeys(`input[name="postcode"]`, "DE4 3A"),
		chromedp.Submit(`input[name="q"]`),
		chromedp.WaitVisible(`.nhsuk-error-summary`),
	)
	summary := browsertest.Get(t, ctx, "read the error summary", chromedp.Text(`.nhsuk-error-summary`))
	if !strings.Contains(summary, "Enter a real postcode") {
		t.Errorf("error summary = %q", summary)
	}
	if v := browsertest.Get(t, ctx, "read the kept keywords", chromedp.Value(`input[name="q"]`)); v != "art" {
		t.Errorf("keywords after the error = %q, want what was typed kept", v)
	}
	browsertest.CheckAxe(t, ctx, "search with an error")
	browsertest.Screenshot(t, ctx, "journey-error")
	browsertest.Do(t, ctx, "open a missing page", chromedp.Navigate(r.URL+"/services/nope"), chromedp.WaitVisible(`h1`))
	browsertest.CheckAxe(t, ctx, "not found page")
}

// TestJourneyAccountPagesAreAccessible opens the account forms, with and
// without errors, in the browser and checks them with axe-core.
func TestJourneyAccountPagesAreAccessible(t *testing.T) {
	r := startServer(t)
	ctx := browsertest.New(t)
	for _, path := range []string{"/register", "/sign-in", "/forgot-password", "/privacy", "/accessibility", "/cookies", "/contact", "/add-your-service"} {
		browsertest.Do(t, ctx, "open "+path, chromedp.Navigate(r.URL+path), chromedp.WaitVisible(`h1`))
		browsertest.CheckAxe(t, ctx, path)
	}
	browsertest.Do(t, ctx, "register with mismatched passwords",
		chromedp.Navigate(r.URL+"/register"),
		chromedp.WaitVisible(`input[name="name"]`),
		chromedp.SendKeys(`input[name="name"]`, "Sam"),
		chromedp.SendKeys(`input[name="email"]`, "sam@example.org"),
		chromedp.SendKeys(`input[name="password"]`, "walking in the peak"),
		chromedp.SendKeys(`input[name="confirm_password"]`, "walking in the park"),
		chromedp.Submit(`input[name="name"]`),
		chromedp.WaitVisible(`.nhsuk-error-summary`),
	)
	if v := browsertest.Get(t, ctx, "read the kept email", chromedp.Value(`input[name="email"]`)); v != "sam@example.org" {
		t.Errorf("email after the error = %q", v)
	}
	browsertest.CheckAxe(t, ctx, "register with an error")
	browsertest.Screenshot(t, ctx, "journey-register-error")
}

// waitChecked waits until the checkbox with the id is ticked. The browser
// checks on each animation frame; the test's context bounds the wait.
func waitChecked(id string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](`document.getElementById(`+strconv.Quote(id)+`).checked`, chromedp.WithPollingTimeout(0))
}

// waitValue waits until the input with the id holds want (typing into a
// busy browser can lag behind the next step).
func waitValue(id, want string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](`document.getElementById(`+strconv.Quote(id)+`).value === `+strconv.Quote(want), chromedp.WithPollingTimeout(0))
}
