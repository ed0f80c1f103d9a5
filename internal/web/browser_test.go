package web_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"waymark/internal/browsertest"
	"waymark/internal/web"
)

// cspWatch records Content-Security-Policy violations in window.__csp.
const cspWatch = `window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));`

// TestMapsInTheBrowser runs the map enhancement in Chromium: the results'
// map is folded away and drawn when opened, the service page's map is drawn
// at once, nothing breaks the Content-Security-Policy, and both pages pass
// axe-core's WCAG 2.2 AA rules with their maps. The tile host does not
// resolve, so the maps have markers but no tiles, as when tiles are down.
func TestMapsInTheBrowser(t *testing.T) {
	s := newSite(t, demo.OpenSQLite(t), web.Config{TileURL: "https://tiles.invalid/{z}/{x}/{y}.png"})
	walks := s.service(t, "Matlock health walks")
	ctx := browsertest.New(t)
	browsertest.Do(t, ctx, "watch for CSP violations", chromedp.Func(func(c context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(c, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspWatch})
		return err
	}))

	browsertest.Do(t, ctx, "search near Matlock",
		chromedp.Navigate(s.URL+"/?q=walk&postcode=DE4+3AG"),
		chromedp.WaitVisible(`details.waymark-map-details summary`),
	)
	if n := browsertest.Get(t, ctx, "count markers before opening", chromedp.Evaluate[int](`document.querySelectorAll('.leaflet-marker-icon').length`)); n != 0 {
		t.Errorf("%d markers drawn before the map was opened", n)
	}
	browsertest.Do(t, ctx, "open the map",
		chromedp.Click(`details.waymark-map-details summary`),
		chromedp.WaitVisible(`.waymark-map--ready .leaflet-marker-icon`),
	)
	if n := browsertest.Get(t, ctx, "count markers", chromedp.Evaluate[int](`document.querySelectorAll('.leaflet-marker-icon').length`)); n < 2 {
		t.Errorf("%d markers on the results map, want one per result", n)
	}
	browsertest.CheckAxe(t, ctx, "results with the map open")
	browsertest.Screenshot(t, ctx, "web-results-map")
	checkNoCSPViolations(t, ctx, "results")

	browsertest.Do(t, ctx, "open a service page",
		chromedp.Navigate(s.URL+"/services/"+walks.ID),
		chromedp.WaitVisible(`.waymark-map--ready .leaflet-marker-icon`),
	)
	if label := browsertest.Get(t, ctx, "read the map's label", chromedp.Evaluate[string](`document.querySelector('.waymark-map').getAttribute('aria-label')`)); label != "Map of where Matlock health walks runs" {
		t.Errorf("map label = %q", label)
	}
	browsertest.CheckAxe(t, ctx, "service page with its map")
	browsertest.Screenshot(t, ctx, "web-service-map")
	checkNoCSPViolations(t, ctx, "service page")
}

// TestPhoneWidthHeaderAndErrors checks the pages at a phone's width: the
// header menu, and the error summary taking focus after a bad search.
func TestPhoneWidthHeaderAndErrors(t *testing.T) {
	s := newSite(t, demo.OpenSQLite(t), web.Config{})
	ctx := browsertest.New(t)
	browsertest.Do(t, ctx, "phone width", chromedp.EmulateViewport(375, 800, chromedp.EmulateMobile))
	browsertest.Do(t, ctx, "search with a bad postcode",
		chromedp.Navigate(s.URL+"/?q=art&postcode=ZZ9+9ZZ"),
		chromedp.WaitVisible(`.nhsuk-error-summary`),
	)
	focused := browsertest.Get(t, ctx, "read the focused element", chromedp.Evaluate[bool](`document.activeElement.closest('.nhsuk-error-summary') !== null`))
	if !focused {
		t.Error("the error summary does not take focus")
	}
	wide := browsertest.Get(t, ctx, "measure the page", chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
	if wide {
		t.Error("the page scrolls sideways at 375px")
	}
	browsertest.CheckAxe(t, ctx, "bad search on a phone")
	browsertest.Screenshot(t, ctx, "web-phone-error")
}

func checkNoCSPViolations(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	if v := browsertest.Get(t, ctx, "read CSP violations", chromedp.Evaluate[[]string](`window.__csp || []`)); len(v) > 0 {
		t.Errorf("%s breaks the Content-Security-Policy: %v", page, v)
	}
}

// TestSearchFiltersInTheBrowser ticks the access filters and chooses a
// language in Chromium: the form is an ordinary GET form, so the results'
// address holds the filters (a bookmark repeats the search), the results
// are filtered and the page passes axe-core's rules.
func TestSearchFiltersInTheBrowser(t *testing.T) {
	s := newSite(t, demo.OpenSQLite(t), web.Config{})
	ctx := browsertest.New(t)
	browsertest.Do(t, ctx, "choose step-free access, a hearing loop and British Sign Language",
		chromedp.Navigate(s.URL+"/"),
		chromedp.WaitVisible(`label[for="access-0"]`),
		chromedp.Click(`label[for="access-0"]`),
		chromedp.Click(`label[for="access-1"]`),
		chromedp.SetValue(`#language`, "bfi"),
		chromedp.Click(`form.waymark-search button[type="submit"]`),
		browsertest.WaitURL("language=bfi"),
		chromedp.WaitVisible(`#results-heading`),
	)
	where := browsertest.Get(t, ctx, "read the address", chromedp.Evaluate[string](`location.search`))
	for _, want := range []string{"access=step_free", "access=hearing_loop", "language=bfi"} {
		if !strings.Contains(where, want) {
			t.Errorf("the results' address %q lacks %s", where, want)
		}
	}
	titles := browsertest.Get(t, ctx, "read the results", chromedp.Evaluate[[]string](`[...document.querySelectorAll('.waymark-result__title')].map(e => e.textContent.trim())`))
	if !slices.Contains(titles, "Drop-in art club") || slices.Contains(titles, "Matlock health walks") {
		t.Errorf("results %v: want Drop-in art club, not Matlock health walks", titles)
	}
	browsertest.CheckAxe(t, ctx, "search filtered by access and language")
}
