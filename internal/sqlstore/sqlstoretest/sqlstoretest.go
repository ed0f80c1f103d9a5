// Package sqlstoretest opens real, migrated, empty databases for tests: a
// SQLite file in a temporary directory, and a PostgreSQL schema of its own in
// the server named by WAYMARK_TEST_POSTGRES.
//
// When WAYMARK_TEST_POSTGRES is set (make test and CI set it) an unreachable
// server fails the test rather than skipping it.
package sqlstoretest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver for schema set-up

	"waymark/internal/sqlstore"
)

// EnvPostgres names the environment variable with the PostgreSQL test server's URL.
const EnvPostgres = "WAYMARK_TEST_POSTGRES"

// Each runs fn as a subtest against each database: "sqlite" always, and
// "postgres" when WAYMARK_TEST_POSTGRES is set.
func Each(t *testing.T, fn func(t *testing.T, db *sqlstore.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, OpenSQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, OpenPostgres(t)) })
}

// Dialects lists the databases tests run on: sqlite, and postgres when
// configured. Benchmarks use it to open each with Open.
func Dialects() []sqlstore.Dialect {
	if os.Getenv(EnvPostgres) == "" {
		return []sqlstore.Dialect{sqlstore.SQLite}
	}
	return []sqlstore.Dialect{sqlstore.SQLite, sqlstore.Postgres}
}

// Open opens a fresh migrated database of the dialect.
func Open(tb testing.TB, d sqlstore.Dialect) *sqlstore.DB {
	if d == sqlstore.Postgres {
		return OpenPostgres(tb)
	}
	return OpenSQLite(tb)
}

// OpenSQLite returns a migrated SQLite database in a temporary file, closed
// when the test ends.
func OpenSQLite(tb testing.TB) *sqlstore.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, filepath.Join(tb.TempDir(), "test.db"))
	if err != nil {
		tb.Fatalf("open sqlite: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		tb.Fatalf("migrate sqlite: %v", err)
	}
	return db
}

// OpenPostgres returns a migrated PostgreSQL database in a new schema of its
// own, dropped when the test ends. It skips the test when WAYMARK_TEST_POSTGRES
// is unset and fails it when the server cannot be reached.
func OpenPostgres(tb testing.TB) *sqlstore.DB {
	tb.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		tb.Skip("WAYMARK_TEST_POSTGRES is not set; skipping PostgreSQL")
	}
	ctx := context.Background()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("open postgres %s: %v", EnvPostgres, err)
	}
	defer admin.Close()
	if err := admin.PingContext(ctx); err != nil {
		tb.Fatalf("PostgreSQL at %s is unreachable: %v", EnvPostgres, err)
	}
	buf := make([]byte, 6)
	rand.Read(buf)
	schema := "test_" + hex.EncodeToString(buf)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("parse %s: %v", EnvPostgres, err)
	}
	v := u.Query()
	v.Set("search_path", schema)
	u.RawQuery = v.Encode()
	db, err := sqlstore.Open(ctx, u.String())
	if err != nil {
		tb.Fatalf("open postgres schema: %v", err)
	}
	tb.Cleanup(func() {
		db.Close()
		if a, err := sql.Open("pgx", base); err == nil {
			a.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			a.Close()
		}
	})
	if err := db.Migrate(ctx); err != nil {
		tb.Fatalf("migrate postgres: %v", err)
	}
	return db
}
