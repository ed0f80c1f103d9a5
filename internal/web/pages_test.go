package web_test

import (
	"encoding/json"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"waymark/internal/web"
)

// checkStructure checks what every page must have: the language, the skip
// link to #maincontent, the header and footer links to the offline help page,
// the postcode attribution, one h1, headings that never skip a level, and a
// label for every visible form field.
func checkStructure(t *testing.T, path, body string) {
	t.Helper()
	for _, want := range []string{`<html lang="en-GB">`, `href="#maincontent">Skip to main content</a>`, `id="maincontent"`,
		`class="nhsuk-header__service-name" href="/">Waymark</a>`, "Open Government Licence"} {
		if !strings.Contains(body, want) {
			t.Errorf("%s lacks %s", path, want)
		}
	}
	header, _, _ := strings.Cut(body, "</header>")
	_, footer, _ := strings.Cut(body, "<footer")
	if !strings.Contains(header, `href="/help/offline"`) || !strings.Contains(footer, `href="/help/offline"`) {
		t.Errorf("%s: the header and footer must both link to the offline help page", path)
	}

	// Headings, leaving out the error summary's title, which sits above the h1.
	prev, h1s := 0, 0
	for _, m := range regexp.MustCompile(`<h([1-6])([^>]*)>`).FindAllStringSubmatch(body, -1) {
		level, _ := strconv.Atoi(m[1])
		if strings.Contains(m[2], "nhsuk-error-summary__title") {
			continue
		}
		if level == 1 {
			h1s++
		}
		if level > prev+1 {
			t.Errorf("%s: heading h%d follows h%d", path, level, prev)
		}
		prev = level
	}
	if h1s != 1 {
		t.Errorf("%s has %d h1 headings, want 1", path, h1s)
	}

	// Every input and select has a label naming its id.
	for _, m := range regexp.MustCompile(`<(input|select|textarea)\b[^>]*>`).FindAllString(body, -1) {
		if strings.Contains(m, `type="hidden"`) {
			continue
		}
		id := regexp.MustCompile(`\bid="([^"]+)"`).FindStringSubmatch(m)
		if id == nil {
			t.Errorf("%s: form field without an id: %s", path, m)
			continue
		}
		if !strings.Contains(body, `for="`+id[1]+`"`) {
			t.Errorf("%s: field %s has no label", path, id[1])
		}
	}
}

func TestEveryPageHasTheSharedStructure(t *testing.T) {
	s := newSite(t, demo.OpenSQLite(t), web.Config{})
	walks := s.service(t, "Matlock health walks")
	for _, path := range []string{"/", "/?q=walk&postcode=DE4+3AG", "/?q=zzyzx", "/?postcode=nope&radius=7",
		"/?page=300", "/services/" + walks.ID, "/help/offline", "/nowhere"} {
		_, body, _ := s.get(t, path)
		checkStructure(t, path, body)
	}
}

func TestNavigationAndBreadcrumbs(t *testing.T) {
	s := newSite(t, demo.OpenSQLite(t), web.Config{})
	walks := s.service(t, "Matlock health walks")

	_, home, _ := s.get(t, "/")
	if !strings.Contains(home, `href="/" aria-current="page"`) {
		t.Error("the home page is not marked as the current navigation item")
	}
	if strings.Contains(home, "nhsuk-breadcrumb") {
		t.Error("the home page has breadcrumbs")
	}

	_, help, _ := s.get(t, "/help/offline")
	if !strings.Contains(help, `href="/help/offline" aria-current="page"`) || !strings.Contains(help, `<a class="nhsuk-breadcrumb__link" href="/">Home</a>`) {
		t.Error("the offline help page lacks its current navigation item or its breadcrumb")
	}

	// From the results, the service page leads back to the same search.
	_, results, _ := s.get(t, "/?q=walk&free=1&postcode=DE4+3AG")
	link := regexp.MustCompile(`href="(/services/` + walks.ID + `[^"]*)"`).FindStringSubmatch(results)
	if link == nil {
		t.Fatal("no link to Matlock health walks in the results")
	}
	_, page, _ := s.get(t, html.UnescapeString(link[1]))
	back := regexp.MustCompile(`<a class="nhsuk-breadcrumb__link" href="([^"]+)">Search results</a>`).FindStringSubmatch(page)
	if back == nil {
		t.Fatal("the service page has no breadcrumb back to the search results")
	}
	for _, want := range []string{"q=walk", "free=1", "postcode=DE4"} {
		if !strings.Contains(back[1], want) {
			t.Errorf("the way back to the results %s lost %s", back[1], want)
		}
	}
	if !strings.Contains(page, "from DE4 3AG") {
		t.Error("the service page opened from a postcode search shows no distance")
	}

	// A back link to somewhere else is ignored.
	_, page, _ = s.get(t, "/services/"+walks.ID+"?back=//evil.example/")
	if strings.Contains(page, "evil.example") {
		t.Error("the service page links to a back address off the site")
	}
}

func TestServicePageShowsHowToGetHelp(t *testing.T) {
	s := newSite(t, demo.OpenSQLite(t), web.Config{})
	tests := []struct {
		service string
		want    []string
	}{
		{"Matlock health walks", []string{"Contact the service directly", "You do not need a referral", "Tuesdays and Fridays, 10:00 to 11:30", "Free", "Anyone", "About Matlock Striders", "volunteer-led walking club"}},
		{"Nordic walking for beginners", []string{"You can refer yourself", "£3 per session", "Saturdays, 09:30 to 11:00", "Cost applies", "Hall Leys Park"}},
		{"Mindful walking in the Dales", []string{"First Sunday of the month, 10:00 to 13:00", "About 2 weeks"}},
		{"Walk and talk for men", []string{"Men aged 18 and over", "Ages 18 and over"}},
		{"Singing for better breathing", []string{`role="button"`, "on the provider's website", `href="https://`, ".example/refer"}},
		{"Exercise referral programme", []string{"You need a referral from a professional", "GP, practice nurse or social prescribing link worker", "Professional referral", "Mondays, Wednesdays and Fridays, 09:00 to 17:00", "£15 for 12 weeks"}},
		{"Telephone befriending", []string{"nhsuk-warning-callout", "This service is full at the moment", "Waiting list"}},
	}
	for _, tt := range tests {
		t.Run(tt.service, func(t *testing.T) {
			svc := s.service(t, tt.service)
			status, body, _ := s.get(t, "/services/"+svc.ID)
			if status != http.StatusOK {
				t.Fatalf("status %d", status)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			if svc.AssuredAt != nil && !strings.Contains(body, "Last confirmed as running on") || svc.AssuredAt == nil && !strings.Contains(body, "has not yet been confirmed") {
				t.Error("page does not say when the entry was last confirmed")
			}
		})
	}
}

func TestMapsAreAnEnhancement(t *testing.T) {
	withTiles := newSite(t, demo.OpenSQLite(t), web.Config{TileURL: "https://tiles.example/{z}/{x}/{y}.png"})
	walks := withTiles.service(t, "Matlock health walks")
	_, results, _ := withTiles.get(t, "/?q=walk&postcode=DE4+3AG")
	m := regexp.MustCompile(`data-map-markers="([^"]*)"`).FindStringSubmatch(results)
	if m == nil {
		t.Fatal("the results have no map data with tiles configured")
	}
	var markers []struct {
		Name     string
		URL      string
		Lat, Lon float64
	}
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &markers); err != nil {
		t.Fatalf("map data %q: %v", m[1], err)
	}
	if len(markers) == 0 || markers[0].Lat < 52 || markers[0].Lat > 54 || markers[0].Lon > -1 || !strings.HasPrefix(markers[0].URL, "/services/") {
		t.Errorf("map markers = %+v, want places in Derbyshire with links", markers)
	}
	if !strings.Contains(results, `data-map-tiles="https://tiles.example/{z}/{x}/{y}.png"`) {
		t.Error("the map does not carry the tile URL")
	}
	_, page, _ := withTiles.get(t, "/services/"+walks.ID)
	if !strings.Contains(page, "data-map-markers") || !strings.Contains(page, "Bank Road") {
		t.Error("the service page lacks the map or the address text")
	}

	without := newSite(t, demo.OpenSQLite(t), web.Config{})
	_, results, _ = without.get(t, "/?q=walk&postcode=DE4+3AG")
	_, page, _ = without.get(t, "/services/"+walks.ID)
	if strings.Contains(results, "data-map-markers") || strings.Contains(page, "data-map-markers") {
		t.Error("a map is offered without a tile URL")
	}
	if !strings.Contains(page, "Bank Road") || !strings.Contains(results, "Matlock, DE4 3AG") {
		t.Error("addresses are missing without a map")
	}
}

func TestCrossOriginPostsAreRefused(t *testing.T) {
	s := newSite(t, demo.OpenSQLite(t), web.Config{})
	req, _ := http.NewRequest("POST", s.URL+"/", strings.NewReader("q=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin POST = %d, want 403", resp.StatusCode)
	}
}

func TestNewRejectsBadConfiguration(t *testing.T) {
	for _, tile := range []string{"http://tiles.example/{z}/{x}/{y}.png", "tiles"} {
		if _, err := web.NewServer(web.Config{TileURL: tile}, web.Deps{}); err == nil {
			t.Errorf("New with TileURL %q and no dependencies succeeded", tile)
		}
	}
}

func TestOldEntriesWarnTheyMayBeOutOfDate(t *testing.T) {
	later := func(d *web.Deps) { d.Now = func() time.Time { return testNow.AddDate(2, 0, 0) } }
	s := newSite(t, demo.OpenSQLite(t), web.Config{}, later)
	walks := s.service(t, "Matlock health walks")
	_, body, _ := s.get(t, "/services/"+walks.ID)
	if !strings.Contains(body, "may be out of date") || !strings.Contains(body, "Contact the service to check before you go") {
		t.Error("an entry confirmed over a year ago does not warn it may be out of date")
	}
	var unconfirmed string
	for _, svc := range s.services {
		if svc.AssuredAt == nil && svc.Status == "published" {
			unconfirmed = svc.ID
			break
		}
	}
	if unconfirmed == "" {
		t.Fatal("the demo data has no unconfirmed published entry")
	}
	_, body, _ = s.get(t, "/services/"+unconfirmed)
	if !strings.Contains(body, "has not yet been confirmed by the service") {
		t.Error("an unconfirmed entry does not say so")
	}
}

func TestErrorMessagesAreTiedToTheirFields(t *testing.T) {
	s := newSite(t, demo.OpenSQLite(t), web.Config{})
	_, body, _ := s.get(t, "/?postcode=nope&referral=pigeon&sort=price&page=300")
	for _, want := range []string{`href="#postcode"`, `id="postcode-error"`, `aria-describedby="postcode-hint postcode-error"`,
		`href="#referral-0"`, `id="referral-error"`, `aria-describedby="referral-hint referral-error"`,
		`href="#sort"`, `nhsuk-select nhsuk-select--error" id="sort"`, `<title>Error: `} {
		if !strings.Contains(body, want) {
			t.Errorf("the page with errors lacks %s", want)
		}
	}
	status, body, _ := s.get(t, "/?q=walk&free=1&page=40")
	if status != http.StatusNotFound || !strings.Contains(body, "There is no page 40 of results") || !regexp.MustCompile(`href="/\?free=1&amp;q=walk">Go to the last page`).MatchString(body) {
		t.Errorf("page beyond the last: %d, without a link to the last page of the same search", status)
	}
}
