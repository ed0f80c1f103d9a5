package web_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"waymark/internal/browsertest"
	"waymark/internal/sqlstore/sqlstoretest"
)

// TestDischargeLetterAndExportInTheBrowser opens a discharged client's
// letter and export in Chromium: both pass axe-core's WCAG 2.2 AA rules,
// the print button appears where JavaScript runs, nothing breaks the
// Content-Security-Policy, and printed, the letter has no site header,
// footer or print button.
func TestDischargeLetterAndExportInTheBrowser(t *testing.T) {
	cs := newCaseSite(t, sqlstoretest.OpenSQLite(t))
	id := cs.dischargedClient(t)
	bctx := browsertest.New(t)
	browsertest.Do(t, bctx, "watch for CSP violations", chromedp.Func(func(c context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(c, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspWatch})
		return err
	}))
	letter := "/casework/clients/" + id + "/letter"
	browsertest.Do(t, bctx, "sign in and open the letter",
		chromedp.Navigate(cs.URL+"/sign-in?next="+url.QueryEscape(letter)),
		chromedp.SendKeys(`#email`, "worker@example.org"),
		chromedp.SendKeys(`#password`, "a role password"),
		chromedp.Submit(`#email`),
		chromedp.WaitVisible(`button[data-print]`),
	)
	browsertest.CheckAxe(t, bctx, "discharge letter")
	checkNoCSPViolations(t, bctx, "discharge letter")
	browsertest.Do(t, bctx, "print media", chromedp.Func(func(c context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(c, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	}))
	hidden := `['.nhsuk-header', '.nhsuk-footer', '.nhsuk-breadcrumb', 'button[data-print]'].every(s => document.querySelector(s).getClientRects().length === 0)`
	if !browsertest.Get(t, bctx, "read the printed page", chromedp.Evaluate[bool](hidden)) {
		shown := browsertest.Get(t, bctx, "what is shown", chromedp.Evaluate[string](`['.nhsuk-header', '.nhsuk-footer', '.nhsuk-breadcrumb', 'button[data-print]'].map(s => { const e = document.querySelector(s); return s + ': ' + (e ? e.getClientRects().length + ' boxes' : 'absent') }).join('; ') + ' print=' + matchMedia('print').matches`))
		t.Errorf("the printed letter shows the site's header, footer, breadcrumbs or print button: %s", shown)
	}
	if !browsertest.Get(t, bctx, "read the letter's heading", chromedp.Evaluate[bool](`document.querySelector('h1').getClientRects().length > 0`)) {
		t.Error("the printed letter hides its own content")
	}
	browsertest.Screenshot(t, bctx, "casework-letter-print")
	browsertest.Do(t, bctx, "screen media, open the export", chromedp.Func(func(c context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(c, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""})
		return err
	}), chromedp.Navigate(cs.URL+"/casework/clients/"+id+"/export"), chromedp.WaitVisible(`h1`))
	browsertest.CheckAxe(t, bctx, "subject access export")
	checkNoCSPViolations(t, bctx, "subject access export")
}
