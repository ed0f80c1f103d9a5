package sqlstoretest

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"waymark/internal/directory"
	"waymark/internal/seed"
	"waymark/internal/sqlstore"
)

// BenchServices is the size of the synthetic directory benchmarks use.
const BenchServices = 100_000

// BenchDB opens and migrates a database kept between benchmark runs,
// because filling it takes longer than the benchmarks: the SQLite file
// bench-NAME.db in the user cache directory's waymark folder, or the
// PostgreSQL schema named schema. It skips without WAYMARK_TEST_POSTGRES.
// It returns the database and its DSN.
func BenchDB(b *testing.B, d sqlstore.Dialect, name, schema string) (*sqlstore.DB, string) {
	b.Helper()
	ctx := context.Background()
	var dsn string
	switch d {
	case sqlstore.SQLite:
		dir, err := os.UserCacheDir()
		if err != nil {
			dir = os.TempDir()
		}
		if err := os.MkdirAll(filepath.Join(dir, "waymark"), 0o755); err != nil {
			b.Fatal(err)
		}
		dsn = filepath.Join(dir, "waymark", "bench-"+name+".db")
	case sqlstore.Postgres:
		base := os.Getenv(EnvPostgres)
		if base == "" {
			b.Skip("WAYMARK_TEST_POSTGRES is not set")
		}
		admin, err := sql.Open("pgx", base)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := admin.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+schema); err != nil {
			b.Fatal(err)
		}
		admin.Close()
		sep := "?"
		if strings.Contains(base, "?") {
			sep = "&"
		}
		dsn = base + sep + "search_path=" + schema
	}
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	if err := db.MigrateAllowingGaps(ctx); err != nil {
		// A kept database that cannot be migrated forward is started again
		// from empty.
		b.Logf("kept benchmark database %s cannot be migrated (%v): building it again", name, err)
		db.Close()
		db = emptyBenchDB(b, d, dsn, schema)
	}
	b.Cleanup(func() { db.Close() })
	return db, dsn
}

// emptyBenchDB removes the kept benchmark database at dsn (the SQLite file,
// or the PostgreSQL schema) and returns a new migrated, empty one.
func emptyBenchDB(b *testing.B, d sqlstore.Dialect, dsn, schema string) *sqlstore.DB {
	b.Helper()
	ctx := context.Background()
	switch d {
	case sqlstore.SQLite:
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(dsn + suffix); err != nil && !os.IsNotExist(err) {
				b.Fatal(err)
			}
		}
	case sqlstore.Postgres:
		admin, err := sql.Open("pgx", os.Getenv(EnvPostgres))
		if err != nil {
			b.Fatal(err)
		}
		defer admin.Close()
		for _, q := range []string{"DROP SCHEMA IF EXISTS " + schema + " CASCADE", "CREATE SCHEMA " + schema} {
			if _, err := admin.ExecContext(ctx, q); err != nil {
				b.Fatalf("%s: %v", q, err)
			}
		}
	}
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		b.Fatal(err)
	}
	return db
}

// Bench returns a database of the dialect holding BenchServices synthetic
// services (see BenchSize).
func Bench(b *testing.B, d sqlstore.Dialect) *sqlstore.DB {
	b.Helper()
	db, _ := BenchSize(b, d, BenchServices)
	return db
}

// BenchSize returns a database of the dialect holding n synthetic services,
// and its DSN. The data is built once and kept (the SQLite file
// bench-N.db in the user cache directory, the PostgreSQL schema bench_100k
// for 100,000 and bench_N otherwise) because generating it takes longer
// than the benchmarks; delete them to rebuild. Building logs how long
// loading and then optimising took.
func BenchSize(b *testing.B, d sqlstore.Dialect, n int) (*sqlstore.DB, string) {
	b.Helper()
	ctx := context.Background()
	schema := fmt.Sprintf("bench_%d", n)
	if n == 100_000 {
		schema = "bench_100k"
	}
	db, dsn := BenchDB(b, d, fmt.Sprintf("%d", n), schema)
	store := sqlstore.NewDirectoryStore(db)
	have, err := store.CountServices(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if have == n {
		return db, dsn
	}
	if have != 0 {
		b.Fatalf("benchmark database %s holds %d services, want 0 or %d: delete it", dsn, have, n)
	}
	start := time.Now()
	dir := directory.NewDirectory(store, nil, time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	tax, terms := seed.Categories()
	if err := store.CreateTaxonomy(ctx, &tax, terms); err != nil {
		b.Fatal(err)
	}
	orgs, services := seed.Synthetic(n, 1)
	generated := time.Since(start)
	if err := db.BulkLoad(ctx, func(ctx context.Context) error { return seed.Load(ctx, dir, orgs, services, 5000) }); err != nil {
		b.Fatal(err)
	}
	loaded := time.Since(start)
	if err := db.Optimize(ctx); err != nil {
		b.Fatal(err)
	}
	b.Logf("built %s benchmark data (%d services) in %s: generating %s, loading %s, optimising %s", d, n,
		time.Since(start).Round(time.Second), generated.Round(time.Second), (loaded - generated).Round(time.Second),
		(time.Since(start) - loaded).Round(time.Second))
	return db, dsn
}
