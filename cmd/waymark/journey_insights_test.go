package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"waymark/internal/browsertest"
)

// chartCheck is what the page says of its charts: how many tables carry
// one, and what is wrong with any (not drawn, blank, or figures that are
// not the table's).
type chartCheck struct {
	Count    int      `json:"count"`
	Problems []string `json:"problems"`
}

// checkCharts looks at every insights chart on the page: Chart.js made a
// chart on its canvas, the canvas has ink on it, and each series is a
// column of the table above it with the same figures row by row (a hidden
// figure is a gap, and in a stack its whole period is). Times shown in days are drawn in hours, and rates to
// a tenth of a per cent, so those compare within the rounding.
const checkCharts = `(() => {
  const out = [];
  const els = [...document.querySelectorAll('.waymark-table-chart[data-chart]')];
  const cell = (td) => {
    const head = td.querySelector('.nhsuk-table-responsive__heading');
    return td.textContent.slice(head ? head.textContent.length : 0).trim();
  };
  for (const el of els) {
    const section = el.closest('section');
    const title = section.querySelector('caption').textContent.trim();
    const canvas = el.querySelector('canvas');
    const chart = window.Chart && window.Chart.getChart(canvas);
    if (el.hidden || !chart) { out.push(title + ': not drawn'); continue; }
    if (!canvas.width || !canvas.height) { out.push(title + ': the canvas has no size'); continue; }
    const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let inked = 0;
    for (let i = 3; i < px.length; i += 4) if (px[i] > 0) inked++;
    if (inked < 500) out.push(title + ': the canvas is blank');
    const table = section.querySelector('table');
    const heads = [...table.querySelectorAll('thead th')].map((th) => th.textContent.trim());
    const rows = new Map([...table.querySelectorAll('tbody tr')].map((tr) => {
      const cells = [...tr.querySelectorAll('td')].map(cell);
      return [cells[0], cells];
    }));
    if (chart.data.datasets.length === 0) out.push(title + ': no series');
    // A stack with a hidden figure would look smaller than it is: the
    // period is left out.
    const stacked = chart.options.scales.x.stacked;
    const numeric = (text) => /^-?[0-9]/.test(text);
    const gappy = (label) => stacked && chart.data.datasets.some((ds) => !numeric(rows.get(label)[heads.indexOf(ds.label)]));
    for (const ds of chart.data.datasets) {
      const col = heads.indexOf(ds.label);
      if (col < 1) { out.push(title + ': the series ' + ds.label + ' is not a column'); continue; }
      chart.data.labels.forEach((label, i) => {
        const row = rows.get(label);
        if (!row) { out.push(title + ': ' + label + ' is not a row'); return; }
        const text = row[col];
        const got = ds.data[i];
        if (!numeric(text) || gappy(label)) {
          if (got !== null) out.push(title + ': ' + ds.label + ' at ' + label + ' is ' + got + ' where the table says ' + text);
          return;
        }
        let want = parseFloat(text), within = 0.05;
        if (text.endsWith(' days')) { want *= 24; within = 2.4; }
        if (text.endsWith('%')) within = 0.5;
        if (typeof got !== 'number' || Math.abs(got - want) > within) out.push(title + ': ' + ds.label + ' at ' + label + ' is ' + got + ' where the table says ' + text);
      });
    }
  }
  return {count: els.length, problems: out};
})()`

// TestJourneyInsightsDashboardsDrawTheirChartsInABrowser signs in as the
// demo commissioners and opens every insights dashboard in Chromium: each
// table with a chart gets one drawn by Chart.js from the table's own
// figures, no script fails or logs an error, and every page passes
// axe-core's WCAG 2.2 AA rules.
func TestJourneyInsightsDashboardsDrawTheirChartsInABrowser(t *testing.T) {
	r := startServer(t)
	ctx := browsertest.New(t)
	var mu sync.Mutex
	var errs []string
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			errs = append(errs, "exception: "+e.ExceptionDetails.Text+" "+fmt.Sprint(e.ExceptionDetails.Exception))
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning {
				var args []string
				for _, a := range e.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				errs = append(errs, "console "+string(e.Type)+": "+strings.Join(args, " "))
			}
		case *log.EventEntryAdded:
			if e.Entry.Level == log.EntryLevelError {
				errs = append(errs, "log: "+e.Entry.Text+" "+e.Entry.URL)
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, log.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	signIn := func(ctx context.Context, who string) {
		browsertest.Do(t, ctx, "sign in as "+who,
			chromedp.Navigate(r.URL+"/sign-in?next=/insights"),
			chromedp.WaitVisible(`input[name="email"]`),
			chromedp.SendKeys(`input[name="email"]`, who+"@demo.waymark.example"),
			chromedp.SendKeys(`input[name="password"]`, DemoPassword),
			chromedp.Submit(`input[name="email"]`),
			chromedp.WaitVisible(`//h1[normalize-space()="Insights"]`),
		)
	}
	signIn(ctx, "commissioner")
	browsertest.CheckAxe(t, ctx, "insights")
	for _, dash := range []string{"referrals", "providers", "teams", "directory", "unmet-need"} {
		browsertest.Do(t, ctx, "open "+dash,
			chromedp.Navigate(r.URL+"/insights/"+dash),
			chromedp.WaitVisible(`main h1`),
			// Chart.js loads after the page: wait until it drew every chart.
			chromedp.Poll[chromedp.Void](`window.Chart && [...document.querySelectorAll('.waymark-table-chart[data-chart]')].every((el) => window.Chart.getChart(el.querySelector('canvas')))`),
		)
		got := browsertest.Get(t, ctx, "check the charts of "+dash, chromedp.Evaluate[chartCheck](checkCharts))
		if got.Count == 0 {
			t.Errorf("%s: no charts", dash)
		}
		for _, p := range got.Problems {
			t.Errorf("%s: %s", dash, p)
		}
		browsertest.CheckAxe(t, ctx, dash)
		browsertest.Screenshot(t, ctx, "insights-"+dash)
		ids := browsertest.Get(t, ctx, "list the tables", chromedp.Evaluate[[]string](`[...document.querySelectorAll('section.waymark-insights-table')].map((s) => s.id)`))
		for _, id := range ids {
			browsertest.ScreenshotOf(t, ctx, "#"+id, "insights-"+dash+"-"+id)
		}
	}

	// The network's commissioner: the same charts, of the network.
	pcn := browsertest.NewTab(t, ctx)
	signIn(pcn, "pcncommissioner")
	browsertest.Do(t, pcn, "open the network's team dashboard",
		chromedp.Navigate(r.URL+"/insights/teams"),
		chromedp.WaitVisible(`main h1`),
		chromedp.Poll[chromedp.Void](`window.Chart && [...document.querySelectorAll('.waymark-table-chart[data-chart]')].every((el) => window.Chart.getChart(el.querySelector('canvas')))`),
	)
	if text := browsertest.Get(t, pcn, "read", chromedp.Text(`main`)); !strings.Contains(text, "Showing Derbyshire Dales PCN (demo) (U81001)") {
		t.Errorf("the network's dashboard does not say whose figures: %s", text)
	}
	got := browsertest.Get(t, pcn, "check the network's charts", chromedp.Evaluate[chartCheck](checkCharts))
	for _, p := range got.Problems {
		t.Errorf("network teams: %s", p)
	}
	browsertest.CheckAxe(t, pcn, "network teams")
	browsertest.Screenshot(t, pcn, "insights-pcn-teams")

	mu.Lock()
	defer mu.Unlock()
	for _, e := range errs {
		t.Errorf("the browser reported: %s", e)
	}
}
