package sitecheck

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// snapOf builds the snapshot a fetch of body at u with status 200 would give.
func snapOf(t *testing.T, u, body string) Snapshot {
	t.Helper()
	p, err := Extract([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return Snapshot{
		URL: u, FinalURL: u, Status: 200, FetchedAt: time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC),
		ContentType: "text/html", Title: p.Title, Text: p.Text, TextHash: TextHash(p.Text),
		Phones: p.Phones, Emails: p.Emails, Postcodes: p.Postcodes, OpeningTimes: p.OpeningTimes,
	}
}

const walksURL = "https://www.hope.org.uk/walks"

func TestCompareFirstCheckReportsOnlyGoneRedirectedOrParkedPages(t *testing.T) {
	ok := snapOf(t, walksURL, servicePage{}.html())
	wantMaterial(t, Compare(Snapshot{}, ok), false, "")

	gone := Snapshot{URL: walksURL, FinalURL: walksURL, Status: 410}
	wantMaterial(t, Compare(Snapshot{}, gone), true, "The page could not be found (410)")

	moved := ok
	moved.FinalURL = "https://casino.example.net/"
	wantMaterial(t, Compare(Snapshot{}, moved), true, "The page now redirects to another site (casino.example.net)")

	parked := snapOf(t, walksURL, "<title>hope.org.uk</title><p>Buy this domain</p>")
	wantMaterial(t, Compare(Snapshot{}, parked), true, "parked domain")
}

func TestCompareWwwAndPortDoNotMakeAnotherSite(t *testing.T) {
	prev := snapOf(t, walksURL, servicePage{}.html())
	cur := prev
	cur.FinalURL = "https://hope.org.uk:443/walks/"
	wantMaterial(t, Compare(prev, cur), false, "")
}

func TestCompareStillGoneIsNotReportedAgain(t *testing.T) {
	prev := Snapshot{URL: walksURL, FinalURL: walksURL, Status: 404}
	cur := Snapshot{URL: walksURL, FinalURL: walksURL, ErrorKind: FailureDNS, Error: "no such host"}
	wantMaterial(t, Compare(prev, cur), false, "")
}

func TestCompareGoneReasons(t *testing.T) {
	prev := snapOf(t, walksURL, servicePage{}.html())
	tests := []struct {
		cur  Snapshot
		want string
	}{
		{Snapshot{URL: walksURL, FinalURL: walksURL, ErrorKind: FailureDNS}, "The website's address no longer works (www.hope.org.uk cannot be found)"},
		{Snapshot{URL: walksURL, FinalURL: walksURL, ErrorKind: FailureConnect}, "The website could not be reached"},
		{Snapshot{URL: walksURL, FinalURL: walksURL, ErrorKind: FailureBlocked}, "private network address"},
		{Snapshot{URL: walksURL, FinalURL: walksURL, ErrorKind: FailureRedirects}, "redirects too many times"},
		{Snapshot{URL: walksURL, FinalURL: walksURL, Status: 403}, "The page is no longer public (403)"},
		{Snapshot{URL: walksURL, FinalURL: walksURL, Status: 503}, "The website reported an error (503)"},
	}
	for _, tt := range tests {
		ch := Compare(prev, tt.cur)
		wantMaterial(t, ch, true, tt.want)
		if ch.Similarity != 0 {
			t.Errorf("Similarity = %v for a gone page, want 0", ch.Similarity)
		}
	}
}

func TestComparePageBackAgainIsMaterial(t *testing.T) {
	prev := Snapshot{URL: walksURL, FinalURL: walksURL, Status: 500}
	cur := snapOf(t, walksURL, servicePage{}.html())
	wantMaterial(t, Compare(prev, cur), true, "can be reached again")
}

func TestCompareKnownRedirectOrParkingIsNotReportedAgain(t *testing.T) {
	moved := snapOf(t, walksURL, servicePage{}.html())
	moved.FinalURL = "https://newhope.org.uk/walks"
	wantMaterial(t, Compare(moved, moved), false, "")

	parked := snapOf(t, walksURL, "<p>This domain is for sale</p>")
	wantMaterial(t, Compare(parked, parked), false, "")
}

func TestCompareContactDetailChanges(t *testing.T) {
	prev := snapOf(t, walksURL, servicePage{}.html())
	html := servicePage{}.html()
	html = strings.Replace(html, "Mon-Fri 9am–5pm", "Mon-Thu 10am–4pm", 1)
	html = strings.ReplaceAll(html, "walks@hope.org.uk", "hello@hope.org.uk")
	html = strings.Replace(html, "DE1 1AA", "DE22 1AB", 1)
	cur := snapOf(t, walksURL, html)

	ch := Compare(prev, cur)
	for _, want := range []string{
		"Opening times “Mon-Fri 09:00-17:00” no longer appear on the page",
		"New opening times appear on the page: “Mon-Thu 10:00-16:00”",
		"Email address walks@hope.org.uk no longer appears on the page",
		"A new email address appears on the page: hello@hope.org.uk",
		"Postcode DE1 1AA no longer appears on the page",
		"A new postcode appears on the page: DE22 1AB",
	} {
		wantMaterial(t, ch, true, want)
	}
	if ch.Similarity < DefaultMinSimilarity {
		t.Errorf("Similarity = %.2f; small edits should not count as rewritten text", ch.Similarity)
	}
}

func TestCompareNewSiteUnderTheSameAddress(t *testing.T) {
	prev := snapOf(t, walksURL, servicePage{}.html())
	cur := snapOf(t, walksURL, `<title>Best online casino bonuses</title><h1>Play slots now</h1>
<p>Claim free spins and exclusive bonuses at the top rated casinos, updated daily by our experts.</p>`)
	ch := Compare(prev, cur)
	wantMaterial(t, ch, true, "The page looks like a different site: its title was “Hope Centre walking group” and is now “Best online casino bonuses”")
	wantMaterial(t, ch, true, "Most of the page's text has changed (100%)")
}

func TestCompareTextChangeReasonGivesThePercentage(t *testing.T) {
	prev := snapOf(t, walksURL, "<p>"+strings.Repeat("alpha beta gamma delta ", 1)+"one two three four five six seven eight nine ten</p>")
	cur := snapOf(t, walksURL, "<p>"+strings.Repeat("alpha beta gamma delta ", 1)+"eleven twelve thirteen fourteen fifteen sixteen seventeen</p>")
	ch := Compare(prev, cur)
	if len(ch.Reasons) != 1 || !regexp.MustCompile(`^(Most|Much) of the page's text has changed \(\d+%\)$`).MatchString(ch.Reasons[0]) {
		t.Errorf("Reasons = %q", ch.Reasons)
	}
}

func TestCompareNoLongerAWebPageIsMaterial(t *testing.T) {
	prev := snapOf(t, walksURL, servicePage{}.html())
	cur := Snapshot{URL: walksURL, FinalURL: walksURL, Status: 200, ContentType: "application/pdf"}
	wantMaterial(t, Compare(prev, cur), true, "The page is no longer a web page (it is now application/pdf)")
}

func TestComparerMinSimilarityIsConfigurable(t *testing.T) {
	prev := snapOf(t, walksURL, servicePage{}.html())
	cur := snapOf(t, walksURL, servicePage{Extra: "<p>New this spring: a slower walk for people recovering from illness, with more rests.</p>"}.html())
	ch := Compare(prev, cur)
	wantMaterial(t, ch, false, "")
	if ch.Similarity >= 1 || ch.Similarity < DefaultMinSimilarity {
		t.Fatalf("Similarity = %.2f, want between %.2f and 1", ch.Similarity, DefaultMinSimilarity)
	}
	strict := Comparer{MinSimilarity: 0.99}.Compare(prev, cur)
	wantMaterial(t, strict, true, "of the page's text has changed")
}

func TestCompareDisallowedSnapshotIsNeverAChange(t *testing.T) {
	prev := snapOf(t, walksURL, servicePage{}.html())
	wantMaterial(t, Compare(prev, Snapshot{URL: walksURL, Disallowed: true}), false, "")
}

func TestNormalizeTextDropsCosmeticDifferences(t *testing.T) {
	a := NormalizeText("Last updated: Monday 3rd March 2025, 09:14am.  1,024 visitors. © 2024 Hope Centre")
	b := NormalizeText("last updated tuesday 18th NOVEMBER 2025 at 16:02 — 58,311 visitors © 2025 Hope\nCentre")
	if want := "last updated visitors hope centre"; a != want {
		t.Errorf("NormalizeText = %q, want %q", a, want)
	}
	if b != "last updated at visitors hope centre" {
		t.Errorf("NormalizeText = %q", b)
	}
}

func TestSimilarity(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		{"", "", 1},
		{"walk with us every week", "walk with us every week", 1},
		{"walk with us every week", "", 0},
		{"walk with us every week", "cheap flights and hotels today", 0},
		{"Walk, with us!", "walk with us", 1},
		{"one two three four", "one two three five", 1.0 / 3},
	}
	for _, tt := range tests {
		if got := Similarity(tt.a, tt.b); got != tt.want {
			t.Errorf("Similarity(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
