package web_test

import (
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"

	"waymark"
	"waymark/internal/browsertest"
)

// TestTheReferralsInboxFitsAPhone opens a provider's inbox at 375px in
// Chromium: the table stacks instead of running off the screen, every
// status is visible, and the page passes axe.
func TestTheReferralsInboxFitsAPhone(t *testing.T) {
	s := newReferralSite(t, demo.OpenSQLite(t))
	horti := s.service(t, "Therapeutic horticulture")
	worker := s.member(t, s.service(t, "Telephone befriending").OrganizationID, waymark.RoleLinkWorker, "lw@surgery.example")
	for _, name := range []string{"Sam Client", "Alex Longname-Hyphenated-Person"} {
		worker.post("/services/"+horti.ID+"/refer-client", url.Values{"name": {name}, "phone": {"07700 900123"},
			"preferred_contact": {"text"}, "reason": {"Outdoors"}, "consent": {"yes"}})
	}
	s.member(t, horti.OrganizationID, waymark.RoleProvider, "garden@example.org")
	ctx := browsertest.New(t)
	browsertest.Do(t, ctx, "phone width", chromedp.EmulateViewport(375, 800, chromedp.EmulateMobile))
	browsertest.Do(t, ctx, "sign in as the provider",
		chromedp.Navigate(s.URL+"/sign-in?next=/referrals"),
		chromedp.WaitVisible(`#email`),
		chromedp.SendKeys(`#email`, "garden@example.org"),
		chromedp.SendKeys(`#password`, "a long password"),
		chromedp.Submit(`#email`),
		chromedp.WaitVisible(`table.nhsuk-table--responsive`),
	)
	if wide := browsertest.Get(t, ctx, "measure the page", chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); wide {
		t.Error("the inbox scrolls sideways at 375px")
	}
	hidden := browsertest.Get(t, ctx, "find status cells off the screen", chromedp.Evaluate[int](
		`[...document.querySelectorAll('tbody td:last-child')].filter(td => td.getBoundingClientRect().right > window.innerWidth || td.offsetParent === null).length`))
	if hidden > 0 {
		t.Errorf("%d status cells are cut off at 375px", hidden)
	}
	browsertest.CheckAxe(t, ctx, "inbox on a phone")
	browsertest.Screenshot(t, ctx, "web-inbox-phone")
}
