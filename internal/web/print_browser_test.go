package web_test

import (
	"context"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"waymark/internal/browsertest"
	"waymark/internal/sqlstore/sqlstoretest"
	"waymark/internal/web"
)

// TestAServicePagePrintsWithoutLinkClutter prints a service page in
// Chromium (print media): no " (Link: tel:…)" after links, and no header,
// footer, buttons or map.
func TestAServicePagePrintsWithoutLinkClutter(t *testing.T) {
	s := newSite(t, sqlstoretest.OpenSQLite(t), web.Config{})
	walks := s.service(t, "Matlock health walks")
	ctx := browsertest.New(t)
	browsertest.Do(t, ctx, "print media", chromedp.Func(func(c context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(c, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	}))
	browsertest.Do(t, ctx, "open the service page", chromedp.Navigate(s.URL+"/services/"+walks.ID), chromedp.WaitReady(`h1`))
	n := browsertest.Get(t, ctx, "count links with text after them", chromedp.Evaluate[int](
		`[...document.querySelectorAll('main a')].filter(a => { const c = getComputedStyle(a, '::after').content; return c && c !== 'none' && c !== 'normal' && c.includes('Link'); }).length`))
	if n > 0 {
		t.Errorf("%d links print their address after them", n)
	}
	shown := browsertest.Get(t, ctx, "find the header", chromedp.Evaluate[bool](`getComputedStyle(document.querySelector('.nhsuk-header')).display !== 'none'`))
	if shown {
		t.Error("the header prints")
	}
}
