package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"waymark/internal/browsertest"
)

// TestJourneyAnAdministratorManagesConnectedSystems opens the connected
// systems pages in the browser, sends the register form with mistakes,
// opens the demo system and its change form, and checks each with axe-core.
func TestJourneyAnAdministratorManagesConnectedSystems(t *testing.T) {
	r := startServer(t)
	ctx := signIn(t, r.URL, "admin@demo.waymark.example", "/admin/systems")
	browsertest.Do(t, ctx, "open the systems", chromedp.WaitVisible(`form[action="/admin/systems"]`))
	browsertest.CheckAxe(t, ctx, "connected systems")
	browsertest.Do(t, ctx, "register with mistakes",
		chromedp.SendKeys(`#name`, "EMIS Web at Darley Dale"),
		chromedp.SendKeys(`#public_key`, "not a key"),
		chromedp.SendKeys(`#practices`, "C81003"),
		chromedp.Submit(`#name`),
		chromedp.WaitVisible(`.nhsuk-error-summary`),
	)
	if msg := browsertest.Get(t, ctx, "read the key's message", chromedp.Text(`#public_key-error`)); !strings.Contains(msg, "PEM public key") {
		t.Errorf("the key's message = %q", msg)
	}
	browsertest.CheckAxe(t, ctx, "register with mistakes")
	browsertest.Do(t, ctx, "open the demo system",
		chromedp.Click(`//a[contains(., "Demo clinical system")]`),
		chromedp.WaitVisible(`//h2[contains(., "Outcome deliveries")]`),
	)
	if id := browsertest.Get(t, ctx, "read the client id", chromedp.Text(`code`)); len(id) != 36 {
		t.Errorf("client id = %q", id)
	}
	browsertest.CheckAxe(t, ctx, "a connected system")
	browsertest.Do(t, ctx, "open its change form",
		chromedp.Click(`//a[contains(., "Change the name")]`),
		chromedp.WaitVisible(`#practices`),
	)
	if v := browsertest.Get(t, ctx, "read the practices", chromedp.Value(`#practices`)); v != "C81001, C81002" {
		t.Errorf("practices in the change form = %q", v)
	}
	browsertest.CheckAxe(t, ctx, "change a connected system")
}
