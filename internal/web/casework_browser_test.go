package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"waymark"
	"waymark/internal/browsertest"
	"waymark/internal/casework"
)

// TestCaseworkPagesInTheBrowser signs in as a link worker in Chromium and
// checks the caseload, the client record with its measures chart, and a
// form with errors against axe-core's WCAG 2.2 AA rules, with nothing
// breaking the Content-Security-Policy.
func TestCaseworkPagesInTheBrowser(t *testing.T) {
	cs := newCaseSite(t, demo.OpenSQLite(t))
	id := cs.addClient(t, clientForm())
	ctx := waymark.WithActor(context.Background(), waymark.Actor{UserID: cs.ids["worker"]})
	for _, scores := range [][]int{{3, 4, 5, 8}, {6, 7, 7, 3}} {
		if _, err := cs.cw.AddMeasure(ctx, id, casework.Measure{Instrument: casework.ONS4, Stage: "first", Scores: scores}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cs.cw.AddGoal(ctx, id, "Walk to the shops", 3); err != nil {
		t.Fatal(err)
	}
	bctx := browsertest.New(t)
	browsertest.Do(t, bctx, "watch for CSP violations", chromedp.Func(func(c context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(c, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspWatch})
		return err
	}))
	browsertest.Do(t, bctx, "sign in as the link worker",
		chromedp.Navigate(cs.URL+"/sign-in?next="+url.QueryEscape("/casework")),
		chromedp.SendKeys(`#email`, "worker@example.org"),
		chromedp.SendKeys(`#password`, "a role password"),
		chromedp.Submit(`#email`),
		chromedp.WaitVisible(`table.nhsuk-table-responsive`),
	)
	browsertest.CheckAxe(t, bctx, "caseload")
	browsertest.Do(t, bctx, "open the record",
		chromedp.Navigate(cs.URL+"/casework/clients/"+id),
		chromedp.WaitVisible(`.waymark-chart canvas`),
	)
	browsertest.CheckAxe(t, bctx, "client record with its chart")
	browsertest.Screenshot(t, bctx, "casework-record")
	checkNoCSPViolations(t, bctx, "client record")
	browsertest.Do(t, bctx, "send the contact form empty",
		chromedp.Navigate(cs.URL+"/casework/clients/"+id+"/contact"),
		chromedp.WaitVisible(`#note`),
		chromedp.Submit(`#note`),
		chromedp.WaitVisible(`.nhsuk-error-summary`),
	)
	if got := browsertest.Get(t, bctx, "read the error", chromedp.Evaluate[string](`document.querySelector('#type-error').textContent`)); !strings.Contains(got, "Choose the type of contact") {
		t.Errorf("contact form error %q", got)
	}
	browsertest.CheckAxe(t, bctx, "contact form with errors")
	browsertest.Do(t, bctx, "search", chromedp.Navigate(cs.URL+"/casework/search"), chromedp.WaitVisible(`#q`),
		chromedp.SendKeys(`#q`, "oakes"), chromedp.Submit(`#q`), chromedp.WaitVisible(`table.nhsuk-table-responsive`))
	if got := browsertest.Get(t, bctx, "read the results", chromedp.Evaluate[string](`document.querySelector('main').innerText`)); !strings.Contains(got, "Peggy Oakes") {
		t.Errorf("search results %q", got)
	}
	browsertest.CheckAxe(t, bctx, "client search")
}
