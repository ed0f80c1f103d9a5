package seed_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/mail"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"waymark/internal/directory"
	"waymark/internal/postcode"
	"waymark/internal/seed"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

func TestCategories(t *testing.T) {
	tax, terms := seed.Categories()
	if tax.ID != directory.CategoryTaxonomyID || tax.Name == "" || tax.Description == "" || tax.Version == "" {
		t.Errorf("taxonomy = %+v", tax)
	}
	if u, err := url.Parse(tax.URI); err != nil || u.Scheme != "https" {
		t.Errorf("taxonomy URI %q", tax.URI)
	}
	if len(terms) < 14 {
		t.Errorf("%d terms, want at least 14", len(terms))
	}
	slug := regexp.MustCompile(`^[a-z]+(-[a-z]+)*$`)
	codes := map[string]bool{}
	ids := map[string]bool{}
	for _, term := range terms {
		if !slug.MatchString(term.Code) || codes[term.Code] {
			t.Errorf("code %q is not a unique lower-case slug", term.Code)
		}
		if _, err := uuid.Parse(term.ID); err != nil || ids[term.ID] {
			t.Errorf("%s: id %q is not a unique UUID", term.Code, term.ID)
		}
		codes[term.Code], ids[term.ID] = true, true
		if term.TaxonomyID != tax.ID || term.Name == "" || !strings.HasSuffix(term.Description, ".") || strings.Count(term.Description, ". ") > 0 {
			t.Errorf("%s: want a name, one sentence of description and the taxonomy id: %+v", term.Code, term)
		}
	}
	for _, code := range []string{"wellbeing", "physical-activity", "mental-health", "money-advice", "food", "loneliness",
		"carers", "arts", "nature", "young-people", "older-people", "employment", "housing", "learning"} {
		if !codes[code] {
			t.Errorf("no %s category", code)
		}
	}
	_, again := seed.Categories()
	if !reflect.DeepEqual(terms, again) {
		t.Error("Categories is not deterministic")
	}
}

// ukPhone matches UK numbers as people write them: 01629 555101, 0115 946 6740,
// (01332) 346266, 07700 900201.
var ukPhone = regexp.MustCompile(`^(\(0\d{3,4}\) \d{5,6}|0\d{3,4} \d{5,6}|0\d{3} \d{3} \d{3,4}|07\d{3} \d{6})$`)

func TestDerbyshireIsBigVariedAndValid(t *testing.T) {
	orgs, services := seed.Derbyshire()
	if len(orgs) < 38 || len(orgs) > 50 || len(services) < 85 {
		t.Errorf("%d organisations and %d services, want about 40 and at least 85", len(orgs), len(services))
	}
	_, terms := seed.Categories()
	ids := map[string]bool{}
	unique := func(what, id string) {
		t.Helper()
		if _, err := uuid.Parse(id); err != nil {
			t.Errorf("%s id %q is not a UUID", what, id)
		}
		if ids[id] {
			t.Errorf("duplicate %s id %s", what, id)
		}
		ids[id] = true
	}
	orgByID := map[string]bool{}
	for _, o := range orgs {
		unique("organisation", o.ID)
		orgByID[o.ID] = true
		if o.Name == "" || o.Description == "" || !exampleEmail(o.Email) || !ukPhone.MatchString(o.Phone) {
			t.Errorf("organisation %+v", o)
		}
	}
	used := map[string]int{}
	runs := map[string]int{}
	var free, paid, sign, form, ext, pro, unlisted, frozen, pending, scheduled, monthly, websites, waiting, ages, criteria, assured, twoPlaces int
	var firstAssured, lastAssured time.Time
	for _, s := range services {
		c := *s
		if err := c.Validate(); err != nil {
			t.Errorf("%s: %v", s.Name, err)
		}
		unique("service", s.ID)
		runs[s.OrganizationID]++
		if !orgByID[s.OrganizationID] {
			t.Errorf("%s: unknown organisation %s", s.Name, s.OrganizationID)
		}
		if n := strings.Count(s.Description, ". ") + 1; n > 6 || len(s.Description) < 40 {
			t.Errorf("%s: description of %d sentences: %q", s.Name, n, s.Description)
		}
		if len(s.Keywords) == 0 {
			t.Errorf("%s has no keywords", s.Name)
		}
		if !exampleEmail(s.Email) {
			t.Errorf("%s: email %q is not on an example domain", s.Name, s.Email)
		}
		if s.Website != "" {
			websites++
			if u, err := url.Parse(s.Website); err != nil || u.Scheme != "https" || !strings.Contains(u.Host, "example") {
				t.Errorf("%s: website %q", s.Name, s.Website)
			}
		}
		if len(s.Categories) == 0 {
			t.Errorf("%s has no categories", s.Name)
		}
		for _, cat := range s.Categories {
			used[cat.ID]++
		}
		if s.Free {
			free++
			if len(s.CostOptions) > 0 {
				t.Errorf("%s is free but has a cost", s.Name)
			}
		} else {
			paid++
			if len(s.CostOptions) == 0 || s.CostOptions[0].AmountDescription == "" {
				t.Errorf("%s is paid but has no cost", s.Name)
			}
		}
		switch s.Pathway {
		case directory.PathwayNone:
			sign++
		case directory.PathwayWaymarkForm:
			form++
		case directory.PathwayExternalForm:
			ext++
			if u, err := url.Parse(s.ExternalFormURL); err != nil || u.Scheme != "https" {
				t.Errorf("%s: external form URL %q", s.Name, s.ExternalFormURL)
			}
		case directory.PathwayProfessionalOnly:
			pro++
		}
		if s.Visibility == directory.VisibilityUnlisted {
			unlisted++
		}
		switch s.Status {
		case directory.StatusPublished:
		case directory.StatusFrozen:
			frozen++
			if !strings.Contains(s.StatusNote, "waiting list") {
				t.Errorf("%s is frozen without a note about the waiting list", s.Name)
			}
		case directory.StatusPendingReview:
			pending++
		default:
			t.Errorf("%s: status %s", s.Name, s.Status)
		}
		if s.WaitingWeeks != nil {
			waiting++
		}
		if s.MinimumAge != nil || s.MaximumAge != nil {
			ages++
		}
		if s.AccessCriteria != "" {
			criteria++
		}
		if s.AssuredAt != nil {
			assured++
			if firstAssured.IsZero() || s.AssuredAt.Before(firstAssured) {
				firstAssured = *s.AssuredAt
			}
			if s.AssuredAt.After(lastAssured) {
				lastAssured = *s.AssuredAt
			}
			if s.AssuredAt.After(time.Now()) {
				t.Errorf("%s: last confirmed %v, in the future", s.Name, s.AssuredAt)
			}
		}
		if len(s.Locations) == 2 {
			twoPlaces++
		} else if len(s.Locations) != 1 {
			t.Errorf("%s has %d locations", s.Name, len(s.Locations))
		}
		for _, l := range s.Locations {
			unique("location", l.ID)
			unique("service_at_location", l.ServiceAtLocationID)
			unique("address", l.Address.ID)
			if a := l.Address; l.Name == "" || a.Address1 == "" || a.City == "" || a.StateProvince != "Derbyshire" || a.Country != "GB" {
				t.Errorf("%s: location %+v", s.Name, l)
			}
			if l.Latitude != 0 || l.Longitude != 0 {
				t.Errorf("%s: location has coordinates; the directory geocodes the postcode", s.Name)
			}
		}
		if len(s.Contacts) == 0 {
			t.Errorf("%s has no contact", s.Name)
		}
		for _, c := range s.Contacts {
			unique("contact", c.ID)
			if c.Name == "" || !exampleEmail(c.Email) {
				t.Errorf("%s: contact %+v", s.Name, c)
			}
			for _, p := range c.Phones {
				unique("phone", p.ID)
				if !ukPhone.MatchString(p.Number) {
					t.Errorf("%s: phone %q", s.Name, p.Number)
				}
			}
		}
		if len(s.Schedules) > 0 {
			scheduled++
		}
		for _, sc := range s.Schedules {
			unique("schedule", sc.ID)
			if sc.Freq == "MONTHLY" {
				monthly++
			}
			if !validSchedule(sc) {
				t.Errorf("%s: schedule %+v", s.Name, sc)
			}
		}
		for _, co := range s.CostOptions {
			unique("cost option", co.ID)
		}
	}
	for _, o := range orgs {
		if runs[o.ID] == 0 {
			t.Errorf("%s runs no services", o.Name)
		}
	}
	for _, term := range terms {
		if used[term.ID] == 0 {
			t.Errorf("category %s is not used", term.Code)
		}
	}
	n := len(services)
	if free < n/2 || paid < 15 || sign < n/2 || form < 10 || ext < 3 || pro < 5 {
		t.Errorf("mix: free %d paid %d signposting %d form %d external %d professional %d", free, paid, sign, form, ext, pro)
	}
	if unlisted != 2 || frozen != 1 || pending != 1 {
		t.Errorf("unlisted %d frozen %d pending %d, want 2, 1 and 1", unlisted, frozen, pending)
	}
	if scheduled < n*3/4 || monthly < 10 {
		t.Errorf("%d of %d services have schedules, %d monthly", scheduled, n, monthly)
	}
	if websites < n/2 || websites > n*7/10 {
		t.Errorf("%d of %d services have websites, want about 60%%", websites, n)
	}
	if waiting < 10 || ages < 15 || criteria < 10 || twoPlaces < 2 || assured < n*3/4 {
		t.Errorf("waiting times %d, ages %d, access criteria %d, two locations %d, confirmed %d", waiting, ages, criteria, twoPlaces, assured)
	}

	if lastAssured.Sub(firstAssured) > 365*24*time.Hour {
		t.Errorf("entries last confirmed from %v to %v, want within one year", firstAssured, lastAssured)
	}

	_, again := seed.Derbyshire()
	if !reflect.DeepEqual(services, again) {
		t.Error("Derbyshire is not deterministic")
	}
}

func exampleEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return false
	}
	domain := s[strings.LastIndex(s, "@")+1:]
	return strings.HasSuffix(domain, ".example") || domain == "example.org" || strings.HasSuffix(domain, ".example.org")
}

var (
	weeklyDays  = regexp.MustCompile(`^(MO|TU|WE|TH|FR|SA|SU)(,(MO|TU|WE|TH|FR|SA|SU))*$`)
	monthlyDays = regexp.MustCompile(`^[1-4](MO|TU|WE|TH|FR|SA|SU)$`)
	clock       = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d$`)
)

func validSchedule(sc directory.Schedule) bool {
	switch sc.Freq {
	case "WEEKLY":
		if !weeklyDays.MatchString(sc.ByDay) {
			return false
		}
	case "MONTHLY":
		if !monthlyDays.MatchString(sc.ByDay) {
			return false
		}
	default:
		return false
	}
	return clock.MatchString(sc.OpensAt) && clock.MatchString(sc.ClosesAt) && sc.OpensAt < sc.ClosesAt
}

// townCentres are the approximate centres of the places the demo services are
// in, with how far from the centre a postcode may be, in miles.
var townCentres = map[string]struct {
	at    postcode.Point
	miles float64
}{
	"Derby":              {postcode.Point{Lat: 52.9225, Lon: -1.4760}, 4},
	"Chesterfield":       {postcode.Point{Lat: 53.2355, Lon: -1.4260}, 2.5},
	"Matlock":            {postcode.Point{Lat: 53.1375, Lon: -1.5555}, 2},
	"Darley Dale":        {postcode.Point{Lat: 53.1650, Lon: -1.6000}, 2},
	"Wirksworth":         {postcode.Point{Lat: 53.0820, Lon: -1.5735}, 1.5},
	"Cromford":           {postcode.Point{Lat: 53.1095, Lon: -1.5610}, 1.5},
	"Bakewell":           {postcode.Point{Lat: 53.2135, Lon: -1.6760}, 1.5},
	"Buxton":             {postcode.Point{Lat: 53.2590, Lon: -1.9110}, 2},
	"Glossop":            {postcode.Point{Lat: 53.4430, Lon: -1.9490}, 2},
	"Brimington":         {postcode.Point{Lat: 53.2580, Lon: -1.3900}, 1.5},
	"Ilkeston":           {postcode.Point{Lat: 52.9705, Lon: -1.3090}, 2},
	"Long Eaton":         {postcode.Point{Lat: 52.8985, Lon: -1.2710}, 2},
	"Belper":             {postcode.Point{Lat: 53.0235, Lon: -1.4820}, 1.5},
	"Ripley":             {postcode.Point{Lat: 53.0500, Lon: -1.4070}, 1.5},
	"Heanor":             {postcode.Point{Lat: 53.0140, Lon: -1.3540}, 1.5},
	"Alfreton":           {postcode.Point{Lat: 53.0970, Lon: -1.3860}, 1.5},
	"Ashbourne":          {postcode.Point{Lat: 53.0170, Lon: -1.7320}, 1.5},
	"Swadlincote":        {postcode.Point{Lat: 52.7740, Lon: -1.5570}, 1.5},
	"Bolsover":           {postcode.Point{Lat: 53.2290, Lon: -1.2920}, 1.5},
	"Dronfield":          {postcode.Point{Lat: 53.3020, Lon: -1.4740}, 1.5},
	"New Mills":          {postcode.Point{Lat: 53.3650, Lon: -2.0010}, 1.5},
	"Chapel-en-le-Frith": {postcode.Point{Lat: 53.3230, Lon: -1.9150}, 1.5},
	"Clay Cross":         {postcode.Point{Lat: 53.1650, Lon: -1.4140}, 1.5},
	"Staveley":           {postcode.Point{Lat: 53.2680, Lon: -1.3480}, 1.5},
	"Killamarsh":         {postcode.Point{Lat: 53.3200, Lon: -1.3140}, 1.5},
}

func TestDerbyshirePostcodesAreRealAndInTheirTowns(t *testing.T) {
	table, err := postcode.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	_, services := seed.Derbyshire()
	towns := map[string]bool{}
	for _, s := range services {
		for _, l := range s.Locations {
			p, err := postcode.Parse(l.Address.PostalCode)
			if err != nil || !p.Full() {
				t.Errorf("%s: bad postcode %q", s.Name, l.Address.PostalCode)
				continue
			}
			if p.String() != l.Address.PostalCode {
				t.Errorf("%s: postcode %q, want it written %q", s.Name, l.Address.PostalCode, p)
			}
			pt, ok := table.Lookup(p)
			if !ok {
				t.Errorf("%s: postcode %s does not exist", s.Name, p)
				continue
			}
			if pt.Lat < 52.6 || pt.Lat > 53.6 || pt.Lon < -2.1 || pt.Lon > -1.2 {
				t.Errorf("%s: %s at %v is outside Derbyshire", s.Name, p, pt)
			}
			towns[l.Address.City] = true
			centre, ok := townCentres[l.Address.City]
			if !ok {
				t.Errorf("%s: no centre known for %s", s.Name, l.Address.City)
				continue
			}
			if d := postcode.Miles(centre.at, pt); d > centre.miles {
				t.Errorf("%s: %s is %.1f miles from the centre of %s", s.Name, p, d, l.Address.City)
			}
		}
	}
	for _, town := range []string{"Derby", "Chesterfield", "Matlock", "Bakewell", "Buxton", "Glossop", "Ilkeston", "Long Eaton",
		"Belper", "Ripley", "Ashbourne", "Swadlincote", "Bolsover", "Dronfield", "New Mills", "Heanor", "Alfreton", "Wirksworth"} {
		if !towns[town] {
			t.Errorf("no services in %s", town)
		}
	}
}

// TestWalkingNearMatlock checks, without a database, that a search for walking
// near DE4 3AG will have something to show, some of it free.
func TestWalkingNearMatlock(t *testing.T) {
	table, err := postcode.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	pc, err := postcode.Parse("DE4 3AG")
	if err != nil {
		t.Fatal(err)
	}
	matlock, ok := table.Lookup(pc)
	if !ok {
		t.Fatal("DE4 3AG is not in the table")
	}
	_, services := seed.Derbyshire()
	var near, free []string
	for _, s := range services {
		text := strings.ToLower(s.Name + " " + s.Description + " " + strings.Join(s.Keywords, " "))
		if !strings.Contains(text, "walk") || s.Status != directory.StatusPublished || s.Visibility != directory.VisibilityListed {
			continue
		}
		within := slices.ContainsFunc(s.Locations, func(l directory.Location) bool {
			p, _ := postcode.Parse(l.Address.PostalCode)
			pt, _ := table.Lookup(p)
			return postcode.Miles(matlock, pt) <= 5
		})
		if within {
			near = append(near, s.Name)
			if s.Free {
				free = append(free, s.Name)
			}
		}
	}
	if len(near) < 5 || len(free) < 3 {
		t.Errorf("walking within 5 miles of DE4 3AG: %q, free: %q; want at least 5 and 3", near, free)
	}
}

func TestOfflineHelpMatchesTheReferencePage(t *testing.T) {
	list := seed.OfflineHelp()
	if len(list) != 13 {
		t.Errorf("%d organisations, want the 13 on the reference page", len(list))
	}
	page, err := os.ReadFile("../../../shared/reference/000_983e8a36e6fbf317.txt")
	if err != nil {
		t.Logf("reference page not found, checking without it: %v", err)
	}
	ids := map[string]bool{}
	for _, h := range list {
		if h.Name == "" || len(h.Phones) == 0 || h.Area == "" {
			t.Errorf("incomplete: %+v", h)
		}
		if _, err := uuid.Parse(h.ID); err != nil || ids[h.ID] {
			t.Errorf("%s: id %q", h.Name, h.ID)
		}
		ids[h.ID] = true
		if page == nil {
			continue
		}
		for _, s := range []string{h.Name, h.Area} {
			if !strings.Contains(string(page), "\n"+s+"\n") {
				t.Errorf("%q is not a line of the reference page", s)
			}
		}
		for _, p := range h.Phones {
			if !strings.Contains(string(page), "\n"+p.Number+"\n") {
				t.Errorf("%s: number %q is not on the reference page", h.Name, p.Number)
			}
		}
		for _, line := range strings.Split(h.Address, "\n") {
			if line != "" && !strings.Contains(strings.ToLower(string(page)), "\n"+strings.ToLower(line)+"\n") {
				t.Errorf("%s: address line %q is not on the reference page", h.Name, line)
			}
		}
	}
	connex := list[slices.IndexFunc(list, func(h directory.OfflineHelp) bool { return strings.HasPrefix(h.Name, "Connex") })]
	if len(connex.Phones) != 2 || connex.Phones[0].Description != "High Peak area" || connex.Phones[1].Description != "Derbyshire Dales" {
		t.Errorf("Connex phones = %+v, want High Peak area and Derbyshire Dales", connex.Phones)
	}
}

func TestSyntheticIsDeterministicAndValid(t *testing.T) {
	const n = 1000
	orgs, a := seed.Synthetic(n, 1)
	orgs2, b := seed.Synthetic(n, 1)
	if len(a) != n || len(orgs) < n/4 || len(orgs) > n/2 {
		t.Fatalf("%d services from %d organisations, want %d from about %d", len(a), len(orgs), n, n/3)
	}
	if !reflect.DeepEqual(a, b) || !reflect.DeepEqual(orgs, orgs2) {
		t.Fatal("the same seed gave different data")
	}
	if _, c := seed.Synthetic(n, 2); reflect.DeepEqual(a, c) {
		t.Error("different seeds gave the same data")
	}
	_, terms := seed.Categories()
	known := map[string]bool{}
	for _, term := range terms {
		known[term.ID] = true
	}
	orgIDs := map[string]bool{}
	for _, o := range orgs {
		orgIDs[o.ID] = true
	}
	ids := map[string]bool{}
	var walking, public, free int
	pathways := map[directory.Pathway]int{}
	for i, s := range a {
		c := *s
		if err := c.Validate(); err != nil {
			t.Fatalf("service %d: %v", i, err)
		}
		if ids[s.ID] || !orgIDs[s.OrganizationID] {
			t.Fatalf("service %d: duplicate id or unknown organisation", i)
		}
		ids[s.ID] = true
		for _, id := range []string{s.ID, s.Locations[0].ID, s.Locations[0].ServiceAtLocationID, s.Locations[0].Address.ID,
			s.Contacts[0].ID, s.Contacts[0].Phones[0].ID, s.Schedules[0].ID} {
			if u, err := uuid.Parse(id); err != nil || u.String() != id {
				t.Fatalf("service %d: id %q", i, id)
			}
		}
		if strings.HasPrefix(s.Description, "A a") || strings.HasPrefix(s.Description, "A e") {
			t.Errorf("service %d: %q", i, s.Description)
		}
		if !validSchedule(s.Schedules[0]) || !ukPhone.MatchString(s.Contacts[0].Phones[0].Number) {
			t.Errorf("service %d: schedule %+v, phone %q", i, s.Schedules[0], s.Contacts[0].Phones[0].Number)
		}
		if len(s.Categories) < 1 || len(s.Categories) > 3 {
			t.Errorf("service %d has %d categories", i, len(s.Categories))
		}
		for _, cat := range s.Categories {
			if !known[cat.ID] {
				t.Errorf("service %d: unknown category %s", i, cat.ID)
			}
		}
		if l := s.Locations[0]; l.Latitude < 49.9 || l.Latitude > 55.9 || l.Longitude < -6 || l.Longitude > 2 || l.Latitude == 0 || l.Address.PostalCode == "" {
			t.Fatalf("service %d at %v,%v (%s) is outside England", i, l.Latitude, l.Longitude, l.Address.PostalCode)
		}
		if strings.Contains(strings.ToLower(s.Name+" "+s.Description+" "+strings.Join(s.Keywords, " ")), "walking") {
			walking++
		}
		if s.Status == directory.StatusPublished && s.Visibility == directory.VisibilityListed {
			public++
		}
		if s.Free {
			free++
		} else if len(s.CostOptions) == 0 {
			t.Errorf("service %d is paid but has no cost", i)
		}
		pathways[s.Pathway]++
	}
	if walking < n/25 || walking > n/10 {
		t.Errorf("%d of %d mention walking, want about 1 in 15", walking, n)
	}
	if public < n*90/100 || public > n*98/100 {
		t.Errorf("%d of %d are published and listed, want about 95%%", public, n)
	}
	if free < n/2 || free > n*85/100 {
		t.Errorf("%d of %d are free", free, n)
	}
	for _, p := range []directory.Pathway{directory.PathwayNone, directory.PathwayWaymarkForm, directory.PathwayExternalForm, directory.PathwayProfessionalOnly} {
		if pathways[p] < n/20 {
			t.Errorf("%d services with pathway %s", pathways[p], p)
		}
	}
}

func TestLoadDerbyshireIntoBothDatabases(t *testing.T) {
	table, err := postcode.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		store := sqlstore.NewDirectoryStore(db)
		dir := directory.NewDirectory(store, table, time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
		tax, terms := seed.Categories()
		if err := store.CreateTaxonomy(ctx, &tax, terms); err != nil {
			t.Fatal(err)
		}
		orgs, services := seed.Derbyshire()
		if err := seed.Load(ctx, dir, orgs, services, 25); err != nil {
			t.Fatalf("Load: %v", err)
		}
		if got, err := dir.Count(ctx); err != nil || got != len(services) {
			t.Errorf("Count = %d, %v; want %d", got, err, len(services))
		}
		res, err := dir.Search(ctx, directory.SearchQuery{Text: "walking", Postcode: "DE4 3AG", RadiusMiles: 10, Page: 1, PerPage: 20, Sort: directory.SortRelevance})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total < 5 {
			t.Errorf("walking near DE4 3AG found %d services, want several", res.Total)
		}
		free := 0
		for _, h := range res.Hits {
			if h.DistanceMiles == nil || *h.DistanceMiles > 10 {
				t.Errorf("%s at %v miles", h.Service.Name, h.DistanceMiles)
			}
			if h.Service.Free {
				free++
			}
		}
		if free == 0 {
			t.Error("no free walking near DE4 3AG")
		}
		for _, s := range services {
			if s.Visibility == directory.VisibilityUnlisted || s.Status == directory.StatusPendingReview {
				continue
			}
			got, err := dir.PublicService(ctx, s.ID)
			if err != nil {
				t.Errorf("%s: %v", s.Name, err)
				continue
			}
			if len(got.Locations) != len(s.Locations) || got.Locations[0].Latitude == 0 {
				t.Errorf("%s: stored locations %+v", s.Name, got.Locations)
			}
		}
	})
}

func TestLoadSynthetic(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a database")
	}
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		store := sqlstore.NewDirectoryStore(db)
		dir := directory.NewDirectory(store, nil, time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
		tax, terms := seed.Categories()
		if err := store.CreateTaxonomy(ctx, &tax, terms); err != nil {
			t.Fatal(err)
		}
		orgs, services := seed.Synthetic(500, 3)
		if err := seed.Load(ctx, dir, orgs, services, 200); err != nil {
			t.Fatalf("Load: %v", err)
		}
		if got, err := dir.Count(ctx); err != nil || got != len(services) {
			t.Errorf("Count = %d, %v; want %d", got, err, len(services))
		}
	})
}

// BenchmarkSynthetic generates 100,000 services (figures in
// docs/benchmarks.md).
func BenchmarkSynthetic(b *testing.B) {
	for b.Loop() {
		seed.Synthetic(100_000, 1)
	}
}

func TestSomeDemoServicesSayHowTheyAreGivenTheirAccessAndLanguages(t *testing.T) {
	_, services := seed.Derbyshire()
	byTitle := map[string]*directory.Service{}
	for _, s := range services {
		byTitle[s.Name] = s
		if len(s.Delivery) == 0 || len(s.Languages) == 0 {
			t.Errorf("%s: no delivery or languages", s.Name)
		}
	}
	for title, want := range map[string]string{
		"Telephone befriending": "[phone] [en pl] []", "Drop-in art club": "[in_person] [en bfi] [step_free hearing_loop]",
		"Digital help for over 50s": "[in_person online] [en] [step_free hearing_loop accessible_toilet]",
	} {
		s, ok := byTitle[title]
		if !ok {
			t.Errorf("no demo service %q", title)
			continue
		}
		if got := fmt.Sprint(s.Delivery, " ", s.Languages, " ", s.Accessibility); got != want {
			t.Errorf("%s: %s, want %s", title, got, want)
		}
	}
}
