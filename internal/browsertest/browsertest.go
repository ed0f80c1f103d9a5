// Package browsertest drives Debian's headless Chromium for browser journeys,
// and checks pages with axe-core against the WCAG 2.2 AA rules.
//
// Tests skip when Chromium is missing, unless WAYMARK_TEST_BROWSER=required
// (CI sets it), when they fail instead.
package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// EnvRequired names the variable that makes a missing browser a failure.
const EnvRequired = "WAYMARK_TEST_BROWSER"

func missing(tb testing.TB, format string, args ...any) {
	tb.Helper()
	if os.Getenv(EnvRequired) == "required" {
		tb.Fatalf(format, args...)
	}
	tb.Skipf(format, args...)
}

// New starts a headless Chromium for the test and returns a context for
// chromedp actions in one tab. The browser stops when the test ends.
func New(tb testing.TB) context.Context {
	tb.Helper()
	var path string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		missing(tb, "Chromium is not installed (Debian package chromium)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	tb.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		tb.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// Do runs actions with a time limit, failing the test on error.
func Do(tb testing.TB, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	tb.Helper()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(c, steps...); err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
}

// WaitURL waits until the page's address contains part, so a step does not
// read the page it is leaving. A navigation ends a poll in the browser, so
// it polls again on the new page until ctx ends.
func WaitURL(part string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		for {
			_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](`location.href.includes(`+strconv.Quote(part)+`)`, chromedp.WithPollingTimeout(0)))
			if err == nil {
				return nil
			}
			if ctx.Err() != nil {
				return fmt.Errorf("the address never got %q: %w (last: %v)", part, ctx.Err(), err)
			}
		}
	})
}

// Get runs one action that returns a value, failing the test on error.
func Get[T any](tb testing.TB, ctx context.Context, what string, a chromedp.Action[T]) T {
	tb.Helper()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, a)
	if err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
	return v
}

// axeSource finds axe-core's script, installed by npm ci into node_modules.
func axeSource(tb testing.TB) string {
	tb.Helper()
	_, file, _, _ := runtime.Caller(0)
	p := filepath.Join(filepath.Dir(file), "..", "..", "node_modules", "axe-core", "axe.min.js")
	b, err := os.ReadFile(p)
	if err != nil {
		missing(tb, "axe-core is not installed (run make assets): %v", err)
	}
	return string(b)
}

// Violation is one axe-core rule a page breaks.
type Violation struct {
	ID          string `json:"id"`
	Impact      string `json:"impact"`
	Description string `json:"description"`
	Nodes       []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// WCAGTags are the axe-core rule tags for WCAG 2.2 level A and AA.
var WCAGTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// Axe runs axe-core on the current page with the WCAG 2.2 AA rules and
// returns the violations. DevTools evaluation is not subject to the page's
// Content-Security-Policy, so the page need not allow the script.
func Axe(tb testing.TB, ctx context.Context) []Violation {
	tb.Helper()
	src := axeSource(tb)
	tags, _ := json.Marshal(WCAGTags)
	Do(tb, ctx, "inject axe-core", chromedp.Evaluate[chromedp.Void](src))
	raw := Get(tb, ctx, "run axe-core", chromedp.Evaluate[[]byte](
		`axe.run(document, {runOnly: {type: "tag", values: `+string(tags)+`}}).then(r => r.violations)`,
		chromedp.EvalAwaitPromise))
	var v []Violation
	if err := json.Unmarshal(raw, &v); err != nil {
		tb.Fatalf("decode axe result: %v", err)
	}
	return v
}

// CheckAxe fails the test for every WCAG 2.2 AA violation on the current page.
func CheckAxe(tb testing.TB, ctx context.Context, page string) {
	tb.Helper()
	for _, v := range Axe(tb, ctx) {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, fmt.Sprint(n.Target)+" "+n.HTML)
		}
		tb.Errorf("%s: axe %s (%s): %s\n  %s", page, v.ID, v.Impact, v.Description, strings.Join(where, "\n  "))
	}
}

// Screenshot saves a full-page PNG as name.png in WAYMARK_SCREENSHOTS, when
// that variable names a directory, so a person can look at the pages.
func Screenshot(tb testing.TB, ctx context.Context, name string) {
	tb.Helper()
	dir := os.Getenv("WAYMARK_SCREENSHOTS")
	if dir == "" {
		return
	}
	png := Get(tb, ctx, "screenshot", chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		tb.Fatalf("save screenshot: %v", err)
	}
}

// ScreenshotOf saves a PNG of the element sel as name.png in
// WAYMARK_SCREENSHOTS, when that variable names a directory. Unlike a full
// page, it is taken at the window's size, so charts (which redraw when
// the window changes) are in it.
func ScreenshotOf(tb testing.TB, ctx context.Context, sel, name string) {
	tb.Helper()
	dir := os.Getenv("WAYMARK_SCREENSHOTS")
	if dir == "" {
		return
	}
	png := Get(tb, ctx, "screenshot of "+sel, chromedp.Screenshot(sel))
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		tb.Fatalf("save screenshot: %v", err)
	}
}

// NewTab returns a context for a second tab with its own cookies (a new
// browser context) in the same browser as ctx, for a second person.
func NewTab(tb testing.TB, ctx context.Context) context.Context {
	tb.Helper()
	tab, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	tb.Cleanup(cancel)
	if err := chromedp.Do(tab); err != nil {
		tb.Fatalf("open a tab: %v", err)
	}
	return tab
}
