// Package sqlstoretest opens real, migrated databases for tests: a SQLite
// file in a temporary directory, and a PostgreSQL database of its own in the
// server named by WAYMARK_TEST_POSTGRES.
//
// Migrating takes longer than most tests, so each test process migrates once
// per dialect into a template and every test gets a copy: for SQLite a copy
// of the template file, for PostgreSQL CREATE DATABASE ... TEMPLATE. A
// Template made with NewTemplate does the same for a database that also
// holds data, such as the demo directory.
//
// When WAYMARK_TEST_POSTGRES is set (make test and CI set it) an unreachable
// server fails the test rather than skipping it.
package sqlstoretest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver for database set-up

	"waymark/internal/sqlstore"
)

// EnvPostgres names the environment variable with the PostgreSQL test server's URL.
const EnvPostgres = "WAYMARK_TEST_POSTGRES"

// migrated is the template of an empty, migrated database.
var migrated = NewTemplate("migrated", nil)

// Each runs fn as a subtest against each database: "sqlite" always, and
// "postgres" when WAYMARK_TEST_POSTGRES is set.
func Each(t *testing.T, fn func(t *testing.T, db *sqlstore.DB)) {
	t.Helper()
	migrated.Each(t, fn)
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
	tb.Helper()
	return migrated.Open(tb, d)
}

// OpenSQLite returns a migrated SQLite database in a temporary file, closed
// when the test ends.
func OpenSQLite(tb testing.TB) *sqlstore.DB {
	tb.Helper()
	return migrated.Open(tb, sqlstore.SQLite)
}

// OpenPostgres returns a migrated PostgreSQL database of its own, dropped
// when the test ends. It skips the test when WAYMARK_TEST_POSTGRES is unset
// and fails it when the server cannot be reached.
func OpenPostgres(tb testing.TB) *sqlstore.DB {
	tb.Helper()
	return migrated.Open(tb, sqlstore.Postgres)
}

// A Template is a migrated database, filled by a function, that is built
// once per test process and dialect and copied for each test that opens it.
// Tests must not depend on the time the fill ran at.
type Template struct {
	name  string
	fill  func(ctx context.Context, db *sqlstore.DB) error
	mu    sync.Mutex
	built map[sqlstore.Dialect]*built
}

// built is one dialect's template: the bytes of a SQLite file, or the name
// of a PostgreSQL template database; or why building it failed.
type built struct {
	file []byte
	name string
	err  error
}

// NewTemplate returns a template of a migrated database that fill (when not
// nil) has loaded. name only labels errors.
func NewTemplate(name string, fill func(ctx context.Context, db *sqlstore.DB) error) *Template {
	return &Template{name: name, fill: fill, built: map[sqlstore.Dialect]*built{}}
}

// Each runs fn as a subtest against a copy of the template in each database:
// "sqlite" always, and "postgres" when WAYMARK_TEST_POSTGRES is set.
func (tp *Template) Each(t *testing.T, fn func(t *testing.T, db *sqlstore.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, tp.Open(t, sqlstore.SQLite)) })
	t.Run("postgres", func(t *testing.T) { fn(t, tp.Open(t, sqlstore.Postgres)) })
}

// OpenSQLite returns a copy of the SQLite template.
func (tp *Template) OpenSQLite(tb testing.TB) *sqlstore.DB {
	tb.Helper()
	return tp.Open(tb, sqlstore.SQLite)
}

// Open returns a copy of the template in the dialect, closed (and for
// PostgreSQL dropped) when the test ends.
func (tp *Template) Open(tb testing.TB, d sqlstore.Dialect) *sqlstore.DB {
	tb.Helper()
	base := os.Getenv(EnvPostgres)
	if d == sqlstore.Postgres && base == "" {
		tb.Skip("WAYMARK_TEST_POSTGRES is not set; skipping PostgreSQL")
	}
	b := tp.build(d, base)
	if b.err != nil {
		tb.Fatalf("template %s (%s): %v", tp.name, d, b.err)
	}
	ctx := context.Background()
	if d == sqlstore.SQLite {
		path := filepath.Join(tb.TempDir(), "test.db")
		if err := os.WriteFile(path, b.file, 0o600); err != nil {
			tb.Fatalf("copy sqlite template: %v", err)
		}
		db, err := sqlstore.Open(ctx, path)
		if err != nil {
			tb.Fatalf("open sqlite: %v", err)
		}
		tb.Cleanup(func() { db.Close() })
		return db
	}
	name := databaseName()
	admin, err := sql.Open("pgx", testURL(base, ""))
	if err != nil {
		tb.Fatalf("open postgres %s: %v", EnvPostgres, err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" TEMPLATE "+b.name); err != nil {
		tb.Fatalf("PostgreSQL at %s: copy template: %v", EnvPostgres, err)
	}
	db, err := sqlstore.Open(ctx, testURL(base, name))
	if err != nil {
		tb.Fatalf("open postgres copy: %v", err)
	}
	tb.Cleanup(func() {
		db.Close()
		if a, err := sql.Open("pgx", testURL(base, "")); err == nil {
			a.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			a.Close()
		}
	})
	return db
}

// build makes the dialect's template once per process.
func (tp *Template) build(d sqlstore.Dialect, base string) *built {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	if b := tp.built[d]; b != nil {
		return b
	}
	b := &built{}
	if d == sqlstore.SQLite {
		b.file, b.err = tp.buildSQLite()
	} else {
		b.name, b.err = tp.buildPostgres(base)
	}
	tp.built[d] = b
	return b
}

func (tp *Template) buildSQLite() ([]byte, error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "waymark-template-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "template.db")
	db, err := sqlstore.Open(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	if err := tp.migrateAndFill(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	// Fold the write-ahead log into the file, so the file alone is the database.
	if _, err := db.SQL().ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		db.Close()
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	if err := db.Close(); err != nil {
		return nil, err
	}
	return os.ReadFile(path)
}

func (tp *Template) buildPostgres(base string) (string, error) {
	ctx := context.Background()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", fmt.Errorf("open %s: %w", EnvPostgres, err)
	}
	defer admin.Close()
	if err := admin.PingContext(ctx); err != nil {
		return "", fmt.Errorf("PostgreSQL at %s is unreachable: %w", EnvPostgres, err)
	}
	sweep(ctx, admin)
	name := databaseName()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("create template database: %w", err)
	}
	db, err := sqlstore.Open(ctx, testURL(base, name))
	if err != nil {
		return "", fmt.Errorf("open template database: %w", err)
	}
	err = tp.migrateAndFill(ctx, db)
	// No session may stay connected to a template while it is copied.
	db.Close()
	if err != nil {
		return "", err
	}
	return name, nil
}

func (tp *Template) migrateAndFill(ctx context.Context, db *sqlstore.DB) error {
	if err := db.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if tp.fill != nil {
		if err := tp.fill(ctx, db); err != nil {
			return fmt.Errorf("fill: %w", err)
		}
	}
	return nil
}

// Test databases are named wmt_<pid>_<random>, so a later run can tell
// which were left by a process that has ended (templates, and copies of a
// process that was killed) and drop them.
const dbPrefix = "wmt_"

func databaseName() string {
	buf := make([]byte, 6)
	rand.Read(buf)
	return dbPrefix + strconv.Itoa(os.Getpid()) + "_" + hex.EncodeToString(buf)
}

// sweep drops the test databases of processes that are no longer running on
// this machine.
func sweep(ctx context.Context, admin *sql.DB) {
	rows, err := admin.QueryContext(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'wmt\_%'`)
	if err != nil {
		return
	}
	var stale []string
	for rows.Next() {
		var name string
		if rows.Scan(&name) != nil {
			continue
		}
		pid, _, _ := strings.Cut(strings.TrimPrefix(name, dbPrefix), "_")
		n, err := strconv.Atoi(pid)
		if err != nil || n <= 0 {
			continue
		}
		if errors.Is(syscall.Kill(n, 0), syscall.ESRCH) {
			stale = append(stale, name)
		}
	}
	rows.Close()
	for _, name := range stale {
		admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	}
}

// testURL points base at database name (when not empty). Commits do not wait for the disk
// (synchronous_commit off): a test database is thrown away, and waiting is
// most of the time a write takes.
func testURL(base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	if name != "" {
		u.Path = "/" + name
	}
	v := u.Query()
	v.Set("synchronous_commit", "off")
	u.RawQuery = v.Encode()
	return u.String()
}
