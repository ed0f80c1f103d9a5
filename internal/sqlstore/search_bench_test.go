package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"waymark/internal/directory"
	"waymark/internal/postcode"
	"waymark/internal/seed"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

// benchServices is the size of the synthetic directory the search benchmarks use.
const benchServices = 100_000

// openBenchDB returns a database holding benchServices synthetic services. The
// data is built once and kept (a SQLite file in the user cache directory, a
// PostgreSQL schema named bench_100k), because generating it takes longer than
// the benchmark; delete them to rebuild.
func openBenchDB(b *testing.B, d sqlstore.Dialect) *sqlstore.DB {
	b.Helper()
	ctx := context.Background()
	var dsn string
	switch d {
	case sqlstore.SQLite:
		dir, err := os.UserCacheDir()
		if err != nil {
			dir = os.TempDir()
		}
		os.MkdirAll(filepath.Join(dir, "waymark"), 0o755)
		dsn = filepath.Join(dir, "waymark", fmt.Sprintf("bench-%d.db", benchServices))
	case sqlstore.Postgres:
		base := os.Getenv(sqlstoretest.EnvPostgres)
		admin, err := sql.Open("pgx", base)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := admin.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS bench_100k"); err != nil {
			b.Fatal(err)
		}
		admin.Close()
		sep := "?"
		if slices.Contains([]byte(base), '?') {
			sep = "&"
		}
		dsn = base + sep + "search_path=bench_100k"
	}
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	store := sqlstore.NewDirectoryStore(db)
	n, err := store.CountServices(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if n == benchServices {
		return db
	}
	if n != 0 {
		b.Fatalf("benchmark database %s holds %d services, want 0 or %d: delete it", dsn, n, benchServices)
	}
	start := time.Now()
	dir := directory.New(store, nil, time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	tax, terms := seed.Categories()
	if err := store.CreateTaxonomy(ctx, &tax, terms); err != nil {
		b.Fatal(err)
	}
	orgs, services := seed.Synthetic(benchServices, 1)
	if err := seed.Load(ctx, dir, orgs, services, 2000); err != nil {
		b.Fatal(err)
	}
	b.Logf("built %s benchmark data (%d services) in %s", d, benchServices, time.Since(start).Round(time.Second))
	return db
}

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
			db := openBenchDB(b, d)
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
			db := openBenchDB(b, d)
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
