package sqlstore_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"waymark/internal/directory"
	"waymark/internal/postcode"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

// scatter stores n published services at points up to 30 miles from
// Matlock, a fixed pseudo-random spread; every third is a walk (in the physical activity category), every
// fifth is free, every seventh has a second location, every eleventh is
// unlisted, and every second was confirmed a day before testNow. It returns each listed service's distance from Matlock.
func scatter(t *testing.T, f *fixture, n int) map[string]float64 {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	at := func() directory.Location {
		bearing, miles := r.Float64()*2*math.Pi, 30*math.Sqrt(r.Float64())
		lat := matlock.Lat + miles*math.Cos(bearing)/69.05
		lon := matlock.Lon + miles*math.Sin(bearing)/(69.05*math.Cos(matlock.Lat*math.Pi/180))
		return directory.Location{Name: "Hall", Latitude: lat, Longitude: lon,
			Address: directory.Address{Address1: "1 High Street", City: "Town", PostalCode: "DE4 3AG"}}
	}
	want := map[string]float64{}
	var list []*directory.Service
	for i := range n {
		svc := &directory.Service{OrganizationID: f.org.ID, Name: fmt.Sprintf("Group %02d", i), Description: "Come along.", Email: "hello@groups.example",
			Kind: directory.KindSignposting, Status: directory.StatusPublished, Visibility: directory.VisibilityListed,
			Locations: []directory.Location{at()}, Free: i%5 == 0}
		if i%3 == 0 {
			svc.Name = fmt.Sprintf("Walk %02d", i)
			svc.Categories = []directory.TaxonomyTerm{{ID: f.cats["physical-activity"].ID}}
		}
		if i%7 == 0 {
			svc.Locations = append(svc.Locations, at())
		}
		if i%11 == 0 {
			svc.Visibility = directory.VisibilityUnlisted
		}
		if i%2 == 0 {
			assured := testNow.Add(-24 * time.Hour)
			svc.AssuredAt = &assured
		}
		list = append(list, svc)
	}
	if err := f.dir.CreateServices(context.Background(), list); err != nil {
		t.Fatalf("CreateServices: %v", err)
	}
	for _, svc := range list {
		if svc.Visibility != directory.VisibilityListed {
			continue
		}
		d := math.Inf(1)
		for _, l := range svc.Locations {
			d = math.Min(d, postcode.Miles(matlock, postcode.Point{Lat: l.Latitude, Lon: l.Longitude}))
		}
		want[svc.Name] = d
	}
	return want
}

func TestSearchNearPostcodePagesEveryServiceInTheRadiusNearestFirst(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		all := scatter(t, f, 90)
		for _, tc := range []struct {
			name string
			q    directory.SearchQuery
			keep func(name string) bool
		}{
			{"postcode only", directory.SearchQuery{Near: &matlock, RadiusMiles: 25}, func(string) bool { return true }},
			{"postcode and keyword", directory.SearchQuery{Text: "walk", Near: &matlock, RadiusMiles: 25, Sort: directory.SortDistance},
				func(n string) bool { return strings.HasPrefix(n, "Walk") }},
			{"postcode and filter", directory.SearchQuery{FreeOnly: true, Near: &matlock, RadiusMiles: 25},
				func(n string) bool { var i int; fmt.Sscanf(n[len(n)-2:], "%d", &i); return i%5 == 0 }},
		} {
			want := map[string]float64{}
			for name, d := range all {
				if d <= 25 && tc.keep(name) {
					want[name] = d
				}
			}
			seen := map[string]bool{}
			last := 0.0
			for page := 1; ; page++ {
				q := tc.q
				q.Page, q.PerPage = page, 6
				res := search(t, f, q)
				if res.Total != len(want) {
					t.Fatalf("%s: page %d: Total %d, want %d", tc.name, page, res.Total, len(want))
				}
				if len(res.Hits) == 0 {
					break
				}
				for _, h := range res.Hits {
					name, d := h.Service.Name, deref(h.DistanceMiles)
					wd, ok := want[name]
					switch {
					case !ok:
						t.Errorf("%s: page %d has %s, %.1f miles away, which should not match", tc.name, page, name, wd)
					case seen[name]:
						t.Errorf("%s: page %d repeats %s", tc.name, page, name)
					case math.Abs(d.(float64)-wd) > 0.051:
						t.Errorf("%s: %s is %v miles away, want %.2f", tc.name, name, d, wd)
					case wd < last-0.01:
						t.Errorf("%s: page %d: %s (%.2f miles) comes after one %.2f miles away", tc.name, page, name, wd, last)
					}
					seen[name], last = true, wd
				}
			}
			if len(seen) != len(want) {
				t.Errorf("%s: the pages held %d services, want %d", tc.name, len(seen), len(want))
			}
		}
	})
}

func TestSearchNearPostcodeStopsCountingAtTheLimitButStillPages(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		all := scatter(t, f, 40)
		inside := 0
		for _, d := range all {
			if d <= 25 {
				inside++
			}
		}
		sqlstore.SetMaxCounted(f.store, 12)
		res := search(t, f, directory.SearchQuery{Near: &matlock, RadiusMiles: 25, PerPage: 5, Page: 2})
		if inside <= 12 || res.Total != 12 || !res.TotalCapped {
			t.Errorf("%d services within 25 miles: Total %d, TotalCapped %v; want 12 and true", inside, res.Total, res.TotalCapped)
		}
		// The page is the 6th to 10th nearest, though the count stopped.
		var nearest []string
		for name, d := range all {
			if d <= 25 {
				nearest = append(nearest, name)
			}
		}
		sort.Slice(nearest, func(i, j int) bool { return all[nearest[i]] < all[nearest[j]] })
		if got := names(res); !slices.Equal(got, nearest[5:10]) {
			t.Errorf("page 2 = %q, want the 6th to 10th nearest %q", got, nearest[5:10])
		}
		// Small pages start from a small radius, widened until they fill.
		for page := 1; page <= 4; page++ {
			res := search(t, f, directory.SearchQuery{Near: &matlock, RadiusMiles: 25, PerPage: 2, Page: page})
			if got := names(res); !slices.Equal(got, nearest[2*page-2:2*page]) {
				t.Errorf("page %d of 2 = %q, want %q", page, got, nearest[2*page-2:2*page])
			}
		}
		sqlstore.SetMaxCounted(f.store, 100)
		if res := search(t, f, directory.SearchQuery{Near: &matlock, RadiusMiles: 25}); res.Total != inside || res.TotalCapped {
			t.Errorf("under the limit: Total %d, TotalCapped %v; want %d and false", res.Total, res.TotalCapped, inside)
		}
	})
}

func TestSearchNearPostcodeWithWordsPastTheLimitPagesTheNearestMatches(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		all := scatter(t, f, 90)
		var nearest []string
		for name, d := range all {
			if d <= 25 {
				nearest = append(nearest, name)
			}
		}
		sort.Slice(nearest, func(i, j int) bool { return all[nearest[i]] < all[nearest[j]] })
		sqlstore.SetMaxCounted(f.store, 12)
		for page := 1; page <= 2; page++ {
			res := search(t, f, directory.SearchQuery{Text: "come along", Near: &matlock, RadiusMiles: 25, Sort: directory.SortDistance, Page: page, PerPage: 5})
			if res.Total != 12 || !res.TotalCapped {
				t.Errorf("%d matches within 25 miles, limit 12: Total %d, TotalCapped %v; want 12 and true", len(nearest), res.Total, res.TotalCapped)
			}
			if got, want := names(res), nearest[5*(page-1):5*page]; !slices.Equal(got, want) {
				t.Errorf("page %d nearest first = %q, want %q", page, got, want)
			}
		}
		res := search(t, f, directory.SearchQuery{Text: "walk", Near: &matlock, RadiusMiles: 25, Page: 3, PerPage: 5})
		if len(res.Hits) != 2 {
			t.Errorf("best match, page 3 of 12: %d hits, want 2", len(res.Hits))
		}
		for _, h := range res.Hits {
			if !strings.HasPrefix(h.Service.Name, "Walk") {
				t.Errorf("best match for walk found %s", h.Service.Name)
			}
		}
	})
}

func TestSearchWithWordsAloneRanksTheFirstMatchesUpToTheLimit(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		knitting := func(s *directory.Service) { s.Description = "Bring your knitting." }
		for i := range 10 {
			f.mustCreateService(t, fmt.Sprintf("Craft club %d", i), matlock, "DE4 3AG", knitting)
		}
		f.mustCreateService(t, "Knitting circle", matlock, "DE4 3AG", nil)
		for i := range 10 {
			f.mustCreateService(t, fmt.Sprintf("Sewing club %d", i), matlock, "DE4 3AG", knitting)
		}
		f.mustCreateService(t, "Knitting for beginners", matlock, "DE4 3AG", nil)
		// Past the limit, the count stops and the first matches the index
		// gives (in the order added) are ranked: the title match among
		// them comes first, the one added last is not among them.
		sqlstore.SetMaxCounted(f.store, 12)
		res := search(t, f, directory.SearchQuery{Text: "knitting", PerPage: 5})
		if res.Total != 12 || !res.TotalCapped {
			t.Errorf("22 matches, limit 12: Total %d, TotalCapped %v; want 12 and true", res.Total, res.TotalCapped)
		}
		if got := names(res); len(got) != 5 || got[0] != "Knitting circle" || slices.Contains(got, "Knitting for beginners") {
			t.Errorf("first page = %q, want Knitting circle first and not Knitting for beginners", got)
		}
		if res := search(t, f, directory.SearchQuery{Text: "knitting", PerPage: 5, Page: 3}); len(res.Hits) != 2 {
			t.Errorf("page 3 of 12 has %d hits, want 2", len(res.Hits))
		}
		// Under the limit, every match is counted and ranked.
		sqlstore.SetMaxCounted(f.store, 100)
		res = search(t, f, directory.SearchQuery{Text: "knitting", PerPage: 5})
		if got := names(res); res.Total != 22 || res.TotalCapped || len(got) < 2 || !slices.Equal(got[:2], []string{"Knitting circle", "Knitting for beginners"}) &&
			!slices.Equal(got[:2], []string{"Knitting for beginners", "Knitting circle"}) {
			t.Errorf("limit 100: Total %d, TotalCapped %v, first page %q; want 22, false and the two title matches first", res.Total, res.TotalCapped, got)
		}
	})
}

func TestSearchNearPostcodeRanksByRelevanceDiscountedWithDistance(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		f.mustCreateService(t, "Art club", bakewell, "DE45 1AH", func(s *directory.Service) { s.Description = "Come and walk with us." })
		f.mustCreateService(t, "Walking group", bakewell, "DE45 1AH", nil)
		f.mustCreateService(t, "Walking club", matlock, "DE4 3AG", nil)
		res := search(t, f, directory.SearchQuery{Text: "walking", Near: &matlock, RadiusMiles: 10})
		if got := fmt.Sprint(names(res)); got != "[Walking club Walking group Art club]" {
			t.Errorf("best match near Matlock = %s, want the title match nearby, then the one farther, then the description match", got)
		}
		if res.Total != 3 {
			t.Errorf("Total = %d, want 3", res.Total)
		}
	})
}

// TestSearchPlansProbeIndexes reads the plan of every query each kind of
// public search sends, on both databases, and fails when one reads a
// whole table instead of probing an index. The data is small, so SQLite
// plans with its statistics scaled up as for a large directory, and
// PostgreSQL runs with sequential scans discouraged (enable_seqscan off):
// a sequential scan in its plan then means there is no index to use.
func TestSearchPlansProbeIndexes(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		scatter(t, f, 60)
		ctx := context.Background()
		if err := db.Optimize(ctx); err != nil {
			t.Fatal(err)
		}
		if db.Dialect() == sqlstore.SQLite {
			// Plan as for a directory 10,000 times larger with the same
			// spread of values: SQLite reads a small table whole when its
			// statistics say it is small.
			for _, q := range []string{
				`UPDATE sqlite_stat1 SET stat = (CAST(substr(stat, 1, instr(stat || ' ', ' ') - 1) AS INTEGER) * 10000) || substr(stat, instr(stat || ' ', ' '))`,
				`ANALYZE sqlite_schema`,
			} {
				if _, err := db.SQL().ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
		}
		type traced struct {
			query string
			args  []any
		}
		var queries []traced
		sqlstore.TraceReads(db, func(q string, args []any) { queries = append(queries, traced{q, args}) })
		classes := []struct {
			name string
			q    directory.SearchQuery
		}{
			{"postcode, keyword and category", directory.SearchQuery{Text: "walk", Category: "physical-activity", Near: &matlock, RadiusMiles: 10}},
			{"postcode and keyword", directory.SearchQuery{Text: "walk", Near: &matlock, RadiusMiles: 10}},
			{"keyword only", directory.SearchQuery{Text: "group"}},
			{"keyword only, page 2", directory.SearchQuery{Text: "group", Page: 2, PerPage: 5}},
			{"keyword and category", directory.SearchQuery{Text: "walk", Category: "physical-activity"}},
			{"postcode only", directory.SearchQuery{Near: &matlock, RadiusMiles: 10}},
			{"postcode only, page 3", directory.SearchQuery{Near: &matlock, RadiusMiles: 25, Page: 3, PerPage: 5}},
			{"postcode and confirmed", directory.SearchQuery{Near: &matlock, RadiusMiles: 10, ConfirmedSince: testNow.Add(-48 * time.Hour)}},
		}
		for _, c := range classes {
			queries = nil
			res := search(t, f, c.q)
			if len(queries) < 2 {
				t.Errorf("%s: %d queries traced, want the search and its page", c.name, len(queries))
			}
			for _, tq := range queries {
				for _, scan := range fullScans(t, db, tq.query, tq.args) {
					t.Errorf("%s (%d hits): %s\nin %s", c.name, len(res.Hits), scan, tq.query)
				}
			}
		}
		sqlstore.TraceReads(db, nil)
	})
}

var (
	pgSeqScan      = regexp.MustCompile(`Seq Scan on (\w+)`)
	sqliteScan     = regexp.MustCompile(`^SCAN (\w+)(.*)$`)
	sqliteVirtual  = regexp.MustCompile(`VIRTUAL TABLE INDEX \d+:(\S*)`)
	sqliteSubquery = map[string]bool{"c": true, "m": true, "n": true} // aliases of subqueries in search.go
)

// fullScans returns the steps of query's plan that read a whole table.
func fullScans(t *testing.T, db *sqlstore.DB, query string, args []any) []string {
	t.Helper()
	ctx := context.Background()
	conn, err := db.SQL().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var out []string
	if db.Dialect() == sqlstore.Postgres {
		if _, err := conn.ExecContext(ctx, "SET enable_seqscan = off"); err != nil {
			t.Fatal(err)
		}
		defer conn.ExecContext(ctx, "RESET enable_seqscan")
		rows, err := conn.QueryContext(ctx, "EXPLAIN "+sqlstore.Rebind(db, query), args...)
		if err != nil {
			t.Fatalf("explain: %v\n%s", err, query)
		}
		defer rows.Close()
		var plan []string
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, line)
		}
		for _, line := range plan {
			if m := pgSeqScan.FindStringSubmatch(line); m != nil {
				out = append(out, "sequential scan of "+m[1]+":\n"+strings.Join(plan, "\n"))
			}
		}
		return out
	}
	rows, err := conn.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatalf("explain: %v\n%s", err, query)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	sort.Strings(plan)
	for _, step := range plan {
		if strings.Contains(step, "AUTOMATIC") {
			// An index built for this query alone: built by reading the table.
			out = append(out, step+" (plan: "+strings.Join(plan, "; ")+")")
			continue
		}
		m := sqliteScan.FindStringSubmatch(step)
		if m == nil || sqliteSubquery[m[1]] {
			continue
		}
		if v := sqliteVirtual.FindStringSubmatch(m[2]); v != nil && v[1] != "" {
			continue // a full-text MATCH or an R*Tree box
		}
		out = append(out, step+" (plan: "+strings.Join(plan, "; ")+")")
	}
	return out
}
