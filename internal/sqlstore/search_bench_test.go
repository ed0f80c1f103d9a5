package sqlstore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"waymark/internal/directory"
	"waymark/internal/postcode"
	"waymark/internal/seed"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

// benchQueries are searches a person might make: a town's postcode, a
// 10-mile radius, a keyword and a category.
func benchQueries(b *testing.B) []directory.SearchQuery {
	table, err := postcode.Embedded()
	if err != nil {
		b.Fatal(err)
	}
	places := []string{"DE4 3AG", "S1 2HE", "M1 1AE", "LS1 4DY", "B1 1BB", "NE1 7RU", "BS1 5TR", "NG1 5FS", "SW1A 2AA", "PL1 1EA", "NR2 1NH", "LE1 5FQ"}
	words := []string{"walking", "advice", "art", "support", "garden", "group"}
	_, terms := seed.Categories()
	var qs []directory.SearchQuery
	for i, pl := range places {
		pc, err := postcode.Parse(pl)
		if err != nil {
			b.Fatal(err)
		}
		pt, ok := table.Lookup(pc)
		if !ok {
			b.Fatalf("no location for %s", pl)
		}
		for j, w := range words {
			qs = append(qs, directory.SearchQuery{Text: w, Category: terms[(i+j)%len(terms)].Code, Near: &pt,
				RadiusMiles: 10, Sort: directory.SortRelevance, Page: 1, PerPage: directory.DefaultPerPage})
		}
	}
	return qs
}

// BenchmarkSearchNearPostcode measures the public search the issue names:
// postcode + 10-mile radius + keyword + category over 100,000 services. It
// reports the median and 99th-percentile latency of single searches.
func BenchmarkSearchNearPostcode(b *testing.B) {
	for _, d := range sqlstoretest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			db := sqlstoretest.Bench(b, d)
			store := sqlstore.NewDirectoryStore(db)
			qs := benchQueries(b)
			ctx := context.Background()
			lat := make([]time.Duration, 0, b.N)
			hits := 0
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				start := time.Now()
				res, err := store.SearchServices(ctx, qs[i%len(qs)])
				lat = append(lat, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
				hits += len(res.Hits)
			}
			b.StopTimer()
			reportPercentiles(b, lat)
			b.ReportMetric(float64(hits)/float64(len(lat)), "hits/op")
		})
	}
}

// BenchmarkSearchKeywordOnly measures a keyword search with no postcode,
// ranked over the whole country.
func BenchmarkSearchKeywordOnly(b *testing.B) {
	for _, d := range sqlstoretest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			db := sqlstoretest.Bench(b, d)
			store := sqlstore.NewDirectoryStore(db)
			ctx := context.Background()
			words := []string{"walking", "advice", "art", "garden"}
			lat := make([]time.Duration, 0, b.N)
			for i := 0; b.Loop(); i++ {
				start := time.Now()
				_, err := store.SearchServices(ctx, directory.SearchQuery{Text: words[i%len(words)], Sort: directory.SortRelevance, Page: 1, PerPage: 20})
				lat = append(lat, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
			}
			reportPercentiles(b, lat)
		})
	}
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	at := func(p float64) float64 {
		i := int(float64(len(lat)-1) * p)
		return float64(lat[i].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}
