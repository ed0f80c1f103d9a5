package seed_test

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"testing"
	"time"

	"waymark/internal/directory"
	"waymark/internal/postcode"
	"waymark/internal/seed"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

func TestDerbyshireIsBigVariedAndValid(t *testing.T) {
	orgs, services := seed.Derbyshire()
	if len(orgs) < 40 || len(services) < 80 {
		t.Errorf("%d organisations and %d services, want about 40 and at least 80", len(orgs), len(services))
	}
	_, terms := seed.Categories()
	used := map[string]int{}
	ids := map[string]bool{}
	var free, paid, sign, form, ext, pro, unlisted, frozen, pending, scheduled int
	for _, s := range services {
		c := *s
		if err := c.Validate(); err != nil {
			t.Errorf("%s: %v", s.Name, err)
		}
		if ids[s.ID] {
			t.Errorf("duplicate id %s", s.ID)
		}
		ids[s.ID] = true
		for _, cat := range s.Categories {
			used[cat.ID]++
		}
		if s.Free {
			free++
		} else {
			paid++
			if len(s.CostOptions) == 0 {
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
		case directory.StatusFrozen:
			frozen++
			if s.StatusNote == "" {
				t.Errorf("%s is frozen without a note", s.Name)
			}
		case directory.StatusPendingReview:
			pending++
		}
		if len(s.Schedules) > 0 {
			scheduled++
		}
	}
	for _, term := range terms {
		if used[term.ID] == 0 {
			t.Errorf("category %s is not used", term.Code)
		}
	}
	if len(terms) < 12 {
		t.Errorf("%d categories, want at least 12", len(terms))
	}
	if free < 20 || paid < 10 || sign < 20 || form < 10 || ext < 2 || pro < 4 {
		t.Errorf("mix: free %d paid %d signposting %d form %d external %d professional %d", free, paid, sign, form, ext, pro)
	}
	if unlisted != 2 || frozen != 1 || pending != 1 {
		t.Errorf("unlisted %d frozen %d pending %d, want 2, 1 and 1", unlisted, frozen, pending)
	}
	if scheduled < len(services)*3/4 {
		t.Errorf("only %d of %d services have schedules", scheduled, len(services))
	}
}

func TestDerbyshirePostcodesAreRealAndInDerbyshire(t *testing.T) {
	table, err := postcode.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	_, services := seed.Derbyshire()
	for _, s := range services {
		for _, l := range s.Locations {
			p, err := postcode.Parse(l.Address.PostalCode)
			if err != nil || !p.Full() {
				t.Errorf("%s: bad postcode %q", s.Name, l.Address.PostalCode)
				continue
			}
			pt, ok := table.Lookup(p)
			if !ok {
				t.Errorf("%s: postcode %s does not exist", s.Name, p)
				continue
			}
			if pt.Lat < 52.6 || pt.Lat > 53.6 || pt.Lon < -2.1 || pt.Lon > -1.2 {
				t.Errorf("%s: %s at %v is outside Derbyshire", s.Name, p, pt)
			}
		}
	}
}

func TestOfflineHelpMatchesTheReferencePage(t *testing.T) {
	list := seed.OfflineHelp()
	if len(list) != 13 {
		t.Errorf("%d organisations, want the 13 on the reference page", len(list))
	}
	for _, h := range list {
		if h.Name == "" || len(h.Phones) == 0 || h.Area == "" {
			t.Errorf("incomplete: %+v", h)
		}
		if h.Name == "Connex Buxton and Ashbourne" && len(h.Phones) != 2 {
			t.Errorf("Connex has %d numbers, want 2", len(h.Phones))
		}
	}
}

func TestSyntheticIsDeterministicAndValid(t *testing.T) {
	orgs1, a := seed.Synthetic(1000, 7)
	_, b := seed.Synthetic(1000, 7)
	if len(a) != 1000 || len(orgs1) < 300 {
		t.Fatalf("%d services from %d organisations", len(a), len(orgs1))
	}
	walking := 0
	for i := range a {
		if a[i].Name != b[i].Name || a[i].Locations[0].Latitude != b[i].Locations[0].Latitude {
			t.Fatalf("service %d differs between runs", i)
		}
		c := *a[i]
		if err := c.Validate(); err != nil {
			t.Fatalf("service %d: %v", i, err)
		}
		if l := a[i].Locations[0]; l.Latitude < 49.9 || l.Latitude > 55.9 || l.Longitude < -6 || l.Longitude > 2 {
			t.Fatalf("service %d at %v,%v is outside England", i, l.Latitude, l.Longitude)
		}
		for _, k := range a[i].Keywords {
			if k == "walking" || k == "walks" {
				walking++
			}
		}
	}
	if walking < 20 || walking > 150 {
		t.Errorf("%d of 1000 mention walking, want a realistic share", walking)
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
		dir := directory.New(store, table, time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
		tax, terms := seed.Categories()
		if err := store.CreateTaxonomy(ctx, &tax, terms); err != nil {
			t.Fatal(err)
		}
		orgs, services := seed.Derbyshire()
		if err := seed.Load(ctx, dir, orgs, services, 25); err != nil {
			t.Fatalf("Load: %v", err)
		}
		pc, _ := postcode.Parse("DE4 3AG")
		pt, _ := table.Lookup(pc)
		res, err := dir.Search(ctx, directory.SearchQuery{Text: "walking", Postcode: "DE4 3AG", RadiusMiles: 10, Page: 1, PerPage: 20, Sort: directory.SortRelevance})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total < 3 {
			t.Errorf("walking near DE4 3AG found %d services, want several", res.Total)
		}
		for _, h := range res.Hits {
			if h.DistanceMiles == nil || *h.DistanceMiles > 10 {
				t.Errorf("%s at %v miles", h.Service.Name, h.DistanceMiles)
			}
		}
		_ = pt
	})
}

func BenchmarkSynthetic(b *testing.B) {
	for b.Loop() {
		seed.Synthetic(100_000, 1)
	}
}
