package sqlstore_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/postcode"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

var testNow = time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)

// fixture is a directory with categories and one organisation.
type fixture struct {
	store *sqlstore.DirectoryStore
	dir   *directory.Directory
	org   directory.Organization
	cats  map[string]directory.TaxonomyTerm
}

func newFixture(t testing.TB, db *sqlstore.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{store: sqlstore.NewDirectoryStore(db), cats: map[string]directory.TaxonomyTerm{}}
	f.dir = directory.NewDirectory(f.store, nil, func() time.Time { return testNow }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	tax := directory.Taxonomy{ID: directory.CategoryTaxonomyID, Name: "Categories", Description: "Test categories"}
	terms := []directory.TaxonomyTerm{
		{ID: "0b0e1c1a-0000-4000-8000-000000000001", Code: "physical-activity", Name: "Physical activity", Description: "Moving more"},
		{ID: "0b0e1c1a-0000-4000-8000-000000000002", Code: "money-advice", Name: "Money advice", Description: "Debt and benefits"},
		{ID: "0b0e1c1a-0000-4000-8000-000000000003", Code: "arts", Name: "Arts and creativity", Description: "Making things"},
	}
	if err := f.store.CreateTaxonomy(ctx, &tax, terms); err != nil {
		t.Fatalf("CreateTaxonomy: %v", err)
	}
	// Running it again must not fail: start-up ensures categories every time.
	if err := f.store.CreateTaxonomy(ctx, &tax, terms); err != nil {
		t.Fatalf("CreateTaxonomy again: %v", err)
	}
	for _, term := range terms {
		f.cats[term.Code] = term
	}
	f.org = directory.Organization{Name: "Peak Walkers CIC", Description: "Walks in the Peak", Email: "hello@peakwalkers.example"}
	if err := f.dir.CreateOrganization(ctx, &f.org); err != nil {
		t.Fatalf("CreateOrganization: %v", err)
	}
	return f
}

// Places used by the tests, with their real postcode centroids.
var (
	matlock  = postcode.Point{Lat: 53.1378, Lon: -1.5524} // DE4 3AG
	bakewell = postcode.Point{Lat: 53.2135, Lon: -1.6745} // DE45 1AH
	derby    = postcode.Point{Lat: 52.9225, Lon: -1.4746} // DE1 2AW
	london   = postcode.Point{Lat: 51.5072, Lon: -0.1276}
)

// mustCreateService stores a published, listed service at p, changed by fn.
func (f *fixture) mustCreateService(t testing.TB, name string, p postcode.Point, pc string, fn func(*directory.Service)) *directory.Service {
	t.Helper()
	svc := &directory.Service{
		OrganizationID: f.org.ID,
		Name:           name,
		Description:    "A friendly group for everyone.",
		Email:          "hello@peakwalkers.example",
		Kind:           directory.KindSignposting,
		Status:         directory.StatusPublished,
		Visibility:     directory.VisibilityListed,
		Locations: []directory.Location{{Name: "Hall", Latitude: p.Lat, Longitude: p.Lon,
			Address: directory.Address{Address1: "1 High Street", City: "Town", StateProvince: "Derbyshire", PostalCode: pc}}},
	}
	if fn != nil {
		fn(svc)
	}
	if err := f.dir.CreateService(context.Background(), svc); err != nil {
		t.Fatalf("CreateService(%q): %v", name, err)
	}
	return svc
}

func TestCreateServiceRoundTripsEveryField(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		weeks, minAge, amount := 3, 18, 2.5
		assured := testNow.Add(-48 * time.Hour)
		want := f.mustCreateService(t, "Nordic walking for beginners", matlock, "DE4 3AG", func(s *directory.Service) {
			s.Description = "Poles provided. Gentle pace."
			s.Website = "https://peakwalkers.example/nordic"
			s.AccessCriteria = "Adults who can walk for 30 minutes"
			s.MinimumAge = &minAge
			s.Kind, s.Pathway = directory.KindReferral, directory.PathwayExternalForm
			s.ExternalFormURL = "https://peakwalkers.example/join"
			s.WaitingWeeks = &weeks
			s.Keywords = []string{"nordic", "poles", "fitness"}
			s.AssuredAt = &assured
			s.Categories = []directory.TaxonomyTerm{{ID: f.cats["physical-activity"].ID}}
			s.Contacts = []directory.Contact{{Name: "Sam", Title: "Walk leader", Email: "sam@peakwalkers.example",
				Phones: []directory.Phone{{Number: "01629 123456", Description: "Office"}, {Number: "07700 900123"}}}}
			s.Schedules = []directory.Schedule{{Freq: "WEEKLY", ByDay: "TU", OpensAt: "10:00", ClosesAt: "12:00"}}
			s.CostOptions = []directory.CostOption{{Option: "Per session", Amount: &amount, AmountDescription: "£2.50"}}
			s.Images = []directory.Image{{URL: "/media/walk.jpg", Alt: "Walkers on a hill", ContentType: "image/jpeg"}}
			s.Accessibility, s.AccessibilityNote = []string{"accessible_toilet", "step_free"}, "Ramp at the side door"
			s.Languages, s.Delivery = []string{"pl", "en"}, []string{"phone", "in_person"}
		})
		got, err := f.store.FindServiceByID(context.Background(), want.ID)
		if err != nil {
			t.Fatalf("FindServiceByID: %v", err)
		}
		if got.Name != want.Name || got.Website != want.Website || got.AccessCriteria != want.AccessCriteria ||
			got.ExternalFormURL != want.ExternalFormURL || got.Pathway != directory.PathwayExternalForm {
			t.Errorf("got %+v, want %+v", got, want)
		}
		if got.WaitingWeeks == nil || *got.WaitingWeeks != 3 || got.MinimumAge == nil || *got.MinimumAge != 18 || got.MaximumAge != nil {
			t.Errorf("numbers: waiting %v min %v max %v", got.WaitingWeeks, got.MinimumAge, got.MaximumAge)
		}
		if got.AssuredAt == nil || !got.AssuredAt.Equal(assured) || !got.CreatedAt.Equal(testNow) {
			t.Errorf("dates: assured %v created %v", got.AssuredAt, got.CreatedAt)
		}
		if fmt.Sprint(got.Keywords) != "[nordic poles fitness]" {
			t.Errorf("keywords = %v", got.Keywords)
		}
		if got.Organization == nil || got.Organization.Name != "Peak Walkers CIC" {
			t.Errorf("organization = %+v", got.Organization)
		}
		if len(got.Categories) != 1 || got.Categories[0].Code != "physical-activity" {
			t.Errorf("categories = %+v", got.Categories)
		}
		if len(got.Locations) != 1 || got.Locations[0].Address.PostalCode != "DE4 3AG" || got.Locations[0].Latitude != matlock.Lat {
			t.Errorf("locations = %+v", got.Locations)
		}
		if len(got.Contacts) != 1 || len(got.Contacts[0].Phones) != 2 || got.Contacts[0].Phones[0].Number != "01629 123456" {
			t.Errorf("contacts = %+v", got.Contacts)
		}
		if len(got.Schedules) != 1 || got.Schedules[0].ByDay != "TU" || got.Schedules[0].OpensAt != "10:00" {
			t.Errorf("schedules = %+v", got.Schedules)
		}
		if len(got.CostOptions) != 1 || got.CostOptions[0].Amount == nil || *got.CostOptions[0].Amount != 2.5 {
			t.Errorf("cost options = %+v", got.CostOptions)
		}
		if len(got.Images) != 1 || got.Images[0].Alt != "Walkers on a hill" {
			t.Errorf("images = %+v", got.Images)
		}
		if fmt.Sprint(got.Accessibility, got.Languages, got.Delivery) != "[step_free accessible_toilet] [en pl] [in_person phone]" ||
			got.AccessibilityNote != "Ramp at the side door" {
			t.Errorf("access %v %q, languages %v, delivery %v", got.Accessibility, got.AccessibilityNote, got.Languages, got.Delivery)
		}
	})
}

func TestSearchFiltersByAccessLanguageAndDelivery(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		f.mustCreateService(t, "Step-free walk", matlock, "DE4 3AG", func(s *directory.Service) {
			s.Accessibility, s.Languages, s.Delivery = []string{"step_free", "hearing_loop"}, []string{"en"}, []string{"in_person"}
		})
		f.mustCreateService(t, "Polish phone line", matlock, "DE4 3AG", func(s *directory.Service) {
			s.Languages, s.Delivery = []string{"en", "pl"}, []string{"phone", "online"}
		})
		f.mustCreateService(t, "Plain walk", matlock, "DE4 3AG", nil)
		tests := []struct {
			q    directory.SearchQuery
			want string
		}{
			{directory.SearchQuery{Access: []string{"step_free"}}, "[Step-free walk]"},
			{directory.SearchQuery{Access: []string{"step_free", "accessible_toilet"}}, "[]"},
			{directory.SearchQuery{Language: "pl"}, "[Polish phone line]"},
			{directory.SearchQuery{Language: "en"}, "[Polish phone line Step-free walk]"},
			{directory.SearchQuery{Delivery: "online"}, "[Polish phone line]"},
			{directory.SearchQuery{Delivery: "in_person", Access: []string{"hearing_loop"}}, "[Step-free walk]"},
			// Through the full-text index: with words, and near a postcode.
			{directory.SearchQuery{Text: "walk", Access: []string{"step_free"}}, "[Step-free walk]"},
			{directory.SearchQuery{Text: "phone", Language: "pl", Delivery: "phone"}, "[Polish phone line]"},
			{directory.SearchQuery{Near: &matlock, RadiusMiles: 1, Delivery: "phone"}, "[Polish phone line]"},
			{directory.SearchQuery{Near: &matlock, RadiusMiles: 1, Access: []string{"hearing_loop"}, Language: "en"}, "[Step-free walk]"},
		}
		for _, tt := range tests {
			if got := fmt.Sprint(names(search(t, f, tt.q))); got != tt.want {
				t.Errorf("search %+v = %s, want %s", tt.q, got, tt.want)
			}
		}
	})
}

func TestFindServiceByIDUnknownIsNotFound(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		_, err := f.store.FindServiceByID(context.Background(), "7d8a1f52-3a8e-4b7c-9a42-5f0c2b8d9e11")
		if got := waymark.ErrorCode(err); got != waymark.ENOTFOUND {
			t.Fatalf("error code = %q (%v), want %q", got, err, waymark.ENOTFOUND)
		}
	})
}

func TestCreateServicesIsAllOrNothing(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		good := &directory.Service{OrganizationID: f.org.ID, Email: "a@b.example", Locations: []directory.Location{{Latitude: 53, Longitude: -1.5, Address: directory.Address{PostalCode: "DE4 3AG"}}}}
		bad := &directory.Service{OrganizationID: f.org.ID, Email: "c@d.example", Categories: []directory.TaxonomyTerm{{ID: "7d8a1f52-3a8e-4b7c-9a42-5f0c2b8d9e11"}},
			Locations: []directory.Location{{Latitude: 53, Longitude: -1.5, Address: directory.Address{PostalCode: "DE4 3AG"}}}}
		err := f.dir.CreateServices(ctx, []*directory.Service{good, bad})
		if got := waymark.ErrorCode(err); got != waymark.EINVALID {
			t.Fatalf("error code = %q (%v), want %q for an unknown category", got, err, waymark.EINVALID)
		}
		if n, _ := f.store.CountServices(ctx); n != 0 {
			t.Errorf("CountServices = %d after a failed batch, want 0", n)
		}
	})
}

func search(t *testing.T, f *fixture, q directory.SearchQuery) *directory.SearchResult {
	t.Helper()
	if q.Page == 0 {
		q.Page = 1
	}
	if q.PerPage == 0 {
		q.PerPage = 20
	}
	if q.Sort == "" {
		q.Sort = directory.SortRelevance
	}
	res, err := f.store.SearchServices(context.Background(), q)
	if err != nil {
		t.Fatalf("SearchServices(%+v): %v", q, err)
	}
	return res
}

func names(res *directory.SearchResult) []string {
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.Service.Name)
	}
	return out
}

func TestSearchStemsAndRanksTitleMatchesFirst(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		f.mustCreateService(t, "Craft club", matlock, "DE4 3AG", func(s *directory.Service) {
			s.Description = "We sometimes walk to the park after crafting."
		})
		f.mustCreateService(t, "Walking for health", matlock, "DE4 3AG", nil)
		f.mustCreateService(t, "Debt advice", matlock, "DE4 3AG", nil)
		res := search(t, f, directory.SearchQuery{Text: "walk"})
		if got := fmt.Sprint(names(res)); got != "[Walking for health Craft club]" {
			t.Errorf("search walk = %s, want the title match first then the description match", got)
		}
		if res.Total != 2 {
			t.Errorf("Total = %d, want 2", res.Total)
		}
		// The organisation's name is searched too.
		if res := search(t, f, directory.SearchQuery{Text: "peak walkers debt"}); fmt.Sprint(names(res)) != "[Debt advice]" {
			t.Errorf("search by organisation = %v", names(res))
		}
	})
}

func TestSearchShowsOnlyPublicListedEntries(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		for _, st := range []directory.Status{directory.StatusDraft, directory.StatusPendingReview, directory.StatusDeclined,
			directory.StatusSuspended, directory.StatusDeleted} {
			f.mustCreateService(t, "Walk "+string(st), matlock, "DE4 3AG", func(s *directory.Service) { s.Status = st })
		}
		f.mustCreateService(t, "Walk unlisted", matlock, "DE4 3AG", func(s *directory.Service) { s.Visibility = directory.VisibilityUnlisted })
		f.mustCreateService(t, "Walk published", matlock, "DE4 3AG", nil)
		f.mustCreateService(t, "Walk frozen", matlock, "DE4 3AG", func(s *directory.Service) {
			s.Status, s.StatusNote = directory.StatusFrozen, "Waiting list of about 6 weeks"
		})
		for _, q := range []directory.SearchQuery{{Text: "walk"}, {}, {Near: &matlock, RadiusMiles: 5}} {
			if got := fmt.Sprint(names(search(t, f, q))); got != "[Walk frozen Walk published]" && got != "[Walk published Walk frozen]" {
				t.Errorf("search %+v = %s, want only the published and frozen listed entries", q, got)
			}
		}
	})
}

func TestSearchFilters(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		f.mustCreateService(t, "Free walk", matlock, "DE4 3AG", func(s *directory.Service) {
			s.Free = true
			s.Categories = []directory.TaxonomyTerm{{ID: f.cats["physical-activity"].ID}}
		})
		f.mustCreateService(t, "Paid art", matlock, "DE4 3AG", func(s *directory.Service) {
			s.Kind, s.Pathway = directory.KindReferral, directory.PathwayWaymarkForm
			s.Categories = []directory.TaxonomyTerm{{ID: f.cats["arts"].ID}, {ID: f.cats["physical-activity"].ID}}
		})
		f.mustCreateService(t, "Money clinic", matlock, "DE4 3AG", func(s *directory.Service) {
			s.Kind, s.Pathway = directory.KindReferral, directory.PathwayProfessionalOnly
			s.Categories = []directory.TaxonomyTerm{{ID: f.cats["money-advice"].ID}}
		})
		tests := []struct {
			q    directory.SearchQuery
			want string
		}{
			{directory.SearchQuery{FreeOnly: true}, "[Free walk]"},
			{directory.SearchQuery{Category: "physical-activity"}, "[Free walk Paid art]"},
			{directory.SearchQuery{Category: "money-advice"}, "[Money clinic]"},
			{directory.SearchQuery{ReferralType: directory.ReferralSignposting}, "[Free walk]"},
			{directory.SearchQuery{ReferralType: directory.ReferralSelf}, "[Paid art]"},
			{directory.SearchQuery{ReferralType: directory.ReferralProfessional}, "[Money clinic Paid art]"},
			{directory.SearchQuery{Category: "physical-activity", FreeOnly: true, Near: &matlock, RadiusMiles: 1}, "[Free walk]"},
		}
		for _, tt := range tests {
			if got := fmt.Sprint(names(search(t, f, tt.q))); got != tt.want {
				t.Errorf("search %+v = %s, want %s", tt.q, got, tt.want)
			}
		}
	})
}

func TestSearchNearPostcodeFiltersByRadiusAndSortsByDistance(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		f.mustCreateService(t, "Derby walk", derby, "DE1 2AW", nil)
		f.mustCreateService(t, "Bakewell walk", bakewell, "DE45 1AH", nil)
		f.mustCreateService(t, "Matlock walk", matlock, "DE4 3AG", nil)
		f.mustCreateService(t, "London walk", london, "SW1A 2AA", nil)
		// Two locations: the nearest counts.
		f.mustCreateService(t, "Walks in two towns", london, "SW1A 2AA", func(s *directory.Service) {
			s.Locations = append(s.Locations, directory.Location{Latitude: bakewell.Lat + 0.01, Longitude: bakewell.Lon,
				Address: directory.Address{PostalCode: "DE45 1AH"}})
		})
		res := search(t, f, directory.SearchQuery{Text: "walk", Near: &matlock, RadiusMiles: 10, Sort: directory.SortDistance})
		if got := fmt.Sprint(names(res)); got != "[Matlock walk Bakewell walk Walks in two towns]" {
			t.Fatalf("within 10 miles of Matlock = %s", got)
		}
		d := res.Hits[1].DistanceMiles
		if d == nil || *d < 6.5 || *d > 8 {
			t.Errorf("Bakewell is %v miles from Matlock, want about 7.3", deref(d))
		}
		if n := res.Hits[2].Nearest; n == nil || n.Address.PostalCode != "DE45 1AH" {
			t.Errorf("nearest location of the two-town service = %+v, want the Bakewell one", n)
		}
		res = search(t, f, directory.SearchQuery{Near: &matlock, RadiusMiles: 25})
		if got := fmt.Sprint(names(res)); got != "[Matlock walk Bakewell walk Walks in two towns Derby walk]" {
			t.Errorf("within 25 miles, no keywords = %s, want nearest first", got)
		}
	})
}

func TestSearchPaginates(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		for i := range 7 {
			f.mustCreateService(t, fmt.Sprintf("Group %d", i), matlock, "DE4 3AG", nil)
		}
		for _, near := range []*postcode.Point{nil, &matlock} {
			seen := map[string]bool{}
			for page := 1; page <= 3; page++ {
				res := search(t, f, directory.SearchQuery{Page: page, PerPage: 3, Near: near, RadiusMiles: 5})
				if res.Total != 7 || res.Pages() != 3 {
					t.Fatalf("page %d: Total %d Pages %d, want 7 and 3", page, res.Total, res.Pages())
				}
				wantLen := 3
				if page == 3 {
					wantLen = 1
				}
				if len(res.Hits) != wantLen {
					t.Errorf("page %d has %d hits, want %d", page, len(res.Hits), wantLen)
				}
				for _, h := range res.Hits {
					if seen[h.Service.ID] {
						t.Errorf("page %d repeats %s", page, h.Service.Name)
					}
					seen[h.Service.ID] = true
				}
			}
			if res := search(t, f, directory.SearchQuery{Page: 4, PerPage: 3, Near: near, RadiusMiles: 5}); len(res.Hits) != 0 || res.Total != 7 {
				t.Errorf("page beyond the last: %d hits, total %d", len(res.Hits), res.Total)
			}
		}
	})
}

func TestOfflineHelpReplaces(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		list := []directory.OfflineHelp{
			{Name: "Connex", Phones: []directory.Phone{{Number: "01298 23970", Description: "High Peak area"}, {Number: "01335 348600", Description: "Derbyshire Dales"}}, Area: "High Peak"},
			{Name: "Amber Valley CVS", Phones: []directory.Phone{{Number: "01773 512076"}}, Address: "33 Market Place\nRipley\nDE5 3HA", Area: "Amber Valley"},
		}
		for range 2 { // a second load replaces rather than duplicates
			if err := f.dir.ReplaceOfflineHelp(ctx, list); err != nil {
				t.Fatalf("ReplaceOfflineHelp: %v", err)
			}
			for i := range list {
				list[i].ID = ""
			}
		}
		got, err := f.dir.OfflineHelp(ctx)
		if err != nil {
			t.Fatalf("OfflineHelp: %v", err)
		}
		if len(got) != 2 || got[0].Name != "Amber Valley CVS" || len(got[1].Phones) != 2 || got[1].Phones[1].Description != "Derbyshire Dales" {
			t.Errorf("OfflineHelp = %+v", got)
		}
	})
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestShortCodesLeadToTheFirstServiceAndGrowForLaterOnes(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		// Three services whose ids share their first 8 and 9 hex digits.
		first := f.mustCreateService(t, "First", matlock, "DE4 3AG", func(s *directory.Service) { s.ID = "abcdef12-3456-4000-8000-000000000001" })
		second := f.mustCreateService(t, "Second", matlock, "DE4 3AG", func(s *directory.Service) { s.ID = "abcdef12-3556-4000-8000-000000000002" })
		third := f.mustCreateService(t, "Third", matlock, "DE4 3AG", func(s *directory.Service) { s.ID = "abcdef12-3566-4000-8000-000000000003" })
		for svc, want := range map[*directory.Service]string{first: "abcdef12", second: "abcdef1235", third: "abcdef12356"} {
			code, err := f.dir.ShortCode(ctx, svc.ID)
			if err != nil || code != want {
				t.Errorf("ShortCode(%s) = %q, %v; want %q", svc.Name, code, err, want)
			}
			id, err := f.dir.ResolveShortCode(ctx, strings.ToUpper(want))
			if err != nil || id != svc.ID {
				t.Errorf("ResolveShortCode(%s) = %q, %v; want %s", want, id, err, svc.ID)
			}
		}
		for _, bad := range []string{"abcdef1", "zzzzzzzz", "00000000", "abcdef12-345", strings.Repeat("a", 33)} {
			if _, err := f.dir.ResolveShortCode(ctx, bad); waymark.ErrorCode(err) != waymark.ENOTFOUND {
				t.Errorf("ResolveShortCode(%q): %v, want ENOTFOUND", bad, err)
			}
		}
	})
}
