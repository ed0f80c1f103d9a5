// Package sqlstore keeps Waymark's data in SQLite (embedded, the default) or
// PostgreSQL (production, several app instances sharing one database). It is
// the only package that imports database drivers. One schema serves both; the
// migrations for each dialect are embedded and applied at start-up.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync/atomic"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"waymark"
)

//go:embed migrations
var migrations embed.FS

// Dialect names a supported database.
type Dialect string

// Supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open database of either dialect.
type DB struct {
	sql     *sql.DB
	dialect dialect
	dsn     string
	queries atomic.Int64
	// traceReads, when set (by tests, before use), sees every query this
	// package reads with, before rebinding.
	traceReads func(query string, args []any)
}

// errEmptyPath is returned for a SQLite data source with no path.
var errEmptyPath = waymark.Errorf(waymark.EINVALID, "database path is empty")

// Open opens the database named by dsn: a postgres:// or postgresql:// URL for
// PostgreSQL, otherwise a SQLite file path. It does not migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	d := dialectOf(dsn)
	sqlDB, err := d.open(dsn)
	if err != nil {
		return nil, err
	}
	db := &DB{sql: sqlDB, dialect: d, dsn: dsn}
	if err := db.sql.PingContext(ctx); err != nil {
		db.sql.Close()
		return nil, fmt.Errorf("connect to %s database: %w", d.name(), err)
	}
	return db, nil
}

// Dialect returns which database this is.
func (db *DB) Dialect() Dialect { return db.dialect.name() }

// DSN is the address the database was opened with, so that another
// process (such as a test's child) can open the same database.
func (db *DB) DSN() string { return db.dsn }

// Close closes the database.
func (db *DB) Close() error { return db.sql.Close() }

// Ping checks the database answers.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.sql.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("ping %s: %w", db.Dialect(), err)
	}
	return nil
}

// Stats returns connection pool statistics, for metrics.
func (db *DB) Stats() sql.DBStats { return db.sql.Stats() }

// Migrate applies any pending embedded migrations, each in a transaction. With
// PostgreSQL an advisory lock keeps several instances from migrating at once.
func (db *DB) Migrate(ctx context.Context) error { return db.migrate(ctx) }

// MigrateAllowingGaps is Migrate that also applies migrations numbered
// below the database's version, for databases kept between benchmark runs
// while migrations land out of order; servers use Migrate.
func (db *DB) MigrateAllowingGaps(ctx context.Context) error {
	return db.migrate(ctx, goose.WithAllowOutofOrder(true))
}

func (db *DB) migrate(ctx context.Context, extra ...goose.ProviderOption) error {
	dir, err := fs.Sub(migrations, "migrations/"+string(db.Dialect()))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	// Indexes a bulk load dropped come back first, as the migrations
	// before it left them.
	if err := db.finishInterruptedBulkLoad(ctx); err != nil {
		return err
	}
	gd, opts := db.dialect.migrator()
	p, err := goose.NewProvider(gd, db.sql, dir, append(opts, extra...)...)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate %s: %w", db.Dialect(), err)
	}
	return nil
}

// queryer is what both *sql.DB and *sql.Tx provide.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// conn runs rebound queries on a *sql.DB or *sql.Tx.
type conn struct {
	db *DB
	q  queryer
}

// execN runs a statement and returns how many rows it changed. It is the
// only place this package sends a statement that returns no rows, so every
// write is rebound, counted and has its errors mapped the same way.
func (c conn) execN(ctx context.Context, query string, args ...any) (int64, error) {
	c.db.queries.Add(1)
	res, err := c.q.ExecContext(ctx, c.db.dialect.rebind(query), args...)
	if err != nil {
		return 0, mapError(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("rows affected: %w", err)
	}
	return n, nil
}

// exec runs a statement whose count of changed rows does not matter.
func (c conn) exec(ctx context.Context, query string, args ...any) error {
	_, err := c.execN(ctx, query, args...)
	return err
}

func (c conn) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	c.db.queries.Add(1)
	if c.db.traceReads != nil {
		c.db.traceReads(query, args)
	}
	rows, err := c.q.QueryContext(ctx, c.db.dialect.rebind(query), args...)
	return rows, mapError(err)
}

func (c conn) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	c.db.queries.Add(1)
	if c.db.traceReads != nil {
		c.db.traceReads(query, args)
	}
	return c.q.QueryRowContext(ctx, c.db.dialect.rebind(query), args...)
}

// reader returns a conn for reads outside a transaction.
func (db *DB) reader() conn { return conn{db: db, q: db.sql} }

// readerIn returns a conn for reads that may run inside InTx: the
// transaction ctx carries, else reader(). A read that takes a second
// connection while its transaction holds one can wait for ever with SQLite:
// the pool's other connections may all be waiting to begin behind it.
func (db *DB) readerIn(ctx context.Context) conn {
	if t, ok := ctx.Value(txKey{}).(ctxTx); ok && t.db == db {
		return conn{db: db, q: t.tx}
	}
	return db.reader()
}

// txKey carries an open transaction in a context, for InTx.
type txKey struct{}

// ctxTx is a transaction InTx opened, with the database it belongs to.
type ctxTx struct {
	db *DB
	tx *sql.Tx
}

// InTx runs fn in one transaction: every store write fn makes with the
// context it is given (on this database) joins that transaction, so they
// commit together when fn returns nil, or not at all. Domain services use it
// to queue the emails a change causes in the same transaction as the change.
// Reads outside a store's write methods see only committed data.
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if t, ok := ctx.Value(txKey{}).(ctxTx); ok && t.db == db {
		return fn(ctx)
	}
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", mapError(err))
	}
	defer tx.Rollback()
	if err := fn(context.WithValue(ctx, txKey{}, ctxTx{db: db, tx: tx})); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", mapError(err))
	}
	return nil
}

// inTx runs fn in a transaction, committing if it returns nil. Inside InTx
// it joins the open transaction, which commits when InTx's function
// returns.
func (db *DB) inTx(ctx context.Context, fn func(c conn) error) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		return fn(conn{db: db, q: ctx.Value(txKey{}).(ctxTx).tx})
	})
}

// mapError turns constraint violations into application errors by driver
// code, never by message text.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505": // unique_violation
			return &waymark.Error{Code: waymark.ECONFLICT, Message: "This already exists"}
		case "23503": // foreign_key_violation
			return &waymark.Error{Code: waymark.EINVALID, Message: "This refers to something that does not exist"}
		}
		return err
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		switch sqErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &waymark.Error{Code: waymark.ECONFLICT, Message: "This already exists"}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &waymark.Error{Code: waymark.EINVALID, Message: "This refers to something that does not exist"}
		}
	}
	return err
}

// placeholders returns "?, ?, ?" for n values.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// anys converts strings to query arguments.
func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// rowScanner is a row being read.
type rowScanner interface {
	Scan(dest ...any) error
}

// Queries returns how many statements the store has sent, so tests can
// prove a page costs a fixed number of queries (no N+1).
func (db *DB) Queries() int64 { return db.queries.Load() }

// SQL returns the underlying *sql.DB, for metrics collectors.
func (db *DB) SQL() *sql.DB { return db.sql }

// Analyze refreshes the planner's statistics of the directory's tables,
// quickly (from a sample in SQLite), as after an import: queries planned
// on statistics of a much smaller directory probe the wrong way.
func (db *DB) Analyze(ctx context.Context) error {
	c, err := db.sql.Conn(ctx)
	if err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	defer c.Close()
	for _, s := range db.dialect.analyze() {
		if _, err := c.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("analyze %s: %s: %w", db.Dialect(), s, err)
		}
	}
	return nil
}

// Optimize refreshes planner statistics and compacts the full-text indexes,
// as after a bulk load: ANALYZE and an FTS5 merge in SQLite, VACUUM ANALYZE
// (which also flushes GIN pending lists) in PostgreSQL.
func (db *DB) Optimize(ctx context.Context) error {
	stmts := db.dialect.optimize()
	for _, s := range stmts {
		if _, err := db.sql.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("optimize %s: %s: %w", db.Dialect(), s, err)
		}
	}
	return nil
}
