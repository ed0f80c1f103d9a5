package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
)

// dialect is everything in which SQLite and PostgreSQL differ, in one
// place: connecting, placeholders, migrations, row locking, comparing ids,
// and the full-text index (an FTS5 table keyed by service rowid in SQLite,
// a tsvector per service in PostgreSQL). Store code asks the dialect rather
// than testing which database it is on. The schema for each is in
// migrations/<name>; TestMigrationTreesDescribeTheSameSchema keeps the two
// trees alike.
type dialect interface {
	// name is the dialect's exported name and migrations folder.
	name() Dialect
	// open connects to dsn and sizes the connection pool.
	open(dsn string) (*sql.DB, error)
	// rebind turns the ? placeholders this package writes into the
	// database's own.
	rebind(query string) string
	// migrator returns goose's dialect and options.
	migrator() (goose.Dialect, []goose.ProviderOption)
	// skipLocked ends a SELECT ... FOR UPDATE that skips rows another
	// transaction holds; empty where writers are serialised anyway.
	skipLocked() string
	// idEquals compares a UUID column with a text column.
	idEquals(uuidCol, textCol string) string
	// textFilter is a condition on service s matching every term, with its
	// argument.
	textFilter(terms []string) (string, any)
	// search is the full-text part of a public search: terms (the words) and
	// tags (filter tokens) must all match, and one of cells when given.
	search(terms, tags, cells []string) searchSQL
	// pointJoin joins service_point l to the full-text source f of search.
	pointJoin() string
	// rankArgs says how many leading arguments of a search belong to its
	// rank expression (so a COUNT can leave them out).
	rankArgs(b searchSQL) int
	// index writes a service's full-text entry and points.
	index(ctx context.Context, c conn, id, tags string, points [][2]float64) error
	// optimize lists the statements that refresh statistics and compact the
	// full-text index after a bulk load.
	optimize() []string
}

// dialectOf picks the dialect of a data source name: a postgres:// or
// postgresql:// URL is PostgreSQL; anything else is a SQLite file path.
func dialectOf(dsn string) dialect {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return postgresDialect{}
	}
	return sqliteDialect{}
}

// quoteTerms puts each term in double quotes, as FTS5 phrases.
func quoteTerms(ws []string) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = `"` + w + `"`
	}
	return out
}

// sqliteDialect is SQLite through modernc.org/sqlite: WAL, foreign keys on,
// immediate transactions, and FTS5 for search.
type sqliteDialect struct{}

func (sqliteDialect) name() Dialect { return SQLite }

func (sqliteDialect) open(dsn string) (*sql.DB, error) {
	path := strings.TrimPrefix(dsn, "sqlite://")
	if path == "" {
		return nil, errEmptyPath
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	conn := "file:" + path + sep + "_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)" +
		"&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_txlock=immediate&_time_format=sqlite"
	db, err := sql.Open("sqlite", conn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	return db, nil
}

func (sqliteDialect) rebind(q string) string { return q }

func (sqliteDialect) migrator() (goose.Dialect, []goose.ProviderOption) {
	return goose.DialectSQLite3, nil
}

func (sqliteDialect) skipLocked() string { return "" }

func (sqliteDialect) idEquals(uuidCol, textCol string) string { return uuidCol + " = " + textCol }

func (sqliteDialect) textFilter(terms []string) (string, any) {
	return "s.rid IN (SELECT rowid FROM service_fts WHERE service_fts MATCH ?)",
		"{name description keywords organization} : (" + strings.Join(quoteTerms(terms), " ") + ")"
}

func (sqliteDialect) search(terms, tags, cells []string) searchSQL {
	parts := quoteTerms(tags)
	if len(cells) > 0 {
		parts = append(parts, "("+strings.Join(quoteTerms(cells), " OR ")+")")
	}
	match := "tags : (" + strings.Join(parts, " AND ") + ")"
	if len(terms) > 0 {
		match = "{name description keywords organization} : (" + strings.Join(quoteTerms(terms), " ") + ") AND " + match
	}
	return searchSQL{
		from:  "service_fts f JOIN service s ON s.rid = f.rowid",
		where: []string{"service_fts MATCH ?"},
		args:  []any{match},
		// bm25 is lower for better matches; weights: name, description,
		// keywords, organisation, and none for the filter tokens.
		rank: "-bm25(service_fts, 10.0, 1.0, 5.0, 3.0, 0.0)",
	}
}

func (sqliteDialect) pointJoin() string { return " JOIN service_point l ON l.rid = f.rowid" }

func (sqliteDialect) rankArgs(searchSQL) int { return 0 }

func (sqliteDialect) index(ctx context.Context, c conn, id, tags string, points [][2]float64) error {
	var rid int64
	if err := c.queryRow(ctx, `SELECT rid FROM service WHERE id = ?`, id).Scan(&rid); err != nil {
		return fmt.Errorf("index service: %w", mapError(err))
	}
	if err := c.exec(ctx, `DELETE FROM service_fts WHERE rowid = ?`, rid); err != nil {
		return fmt.Errorf("unindex service: %w", err)
	}
	err := c.exec(ctx, `INSERT INTO service_fts (rowid, name, description, keywords, organization, tags)
		SELECT s.rid, s.name, s.description, s.keywords, o.name, ?
		FROM service s JOIN organization o ON o.id = s.organization_id WHERE s.rid = ?`, tags, rid)
	if err != nil {
		return fmt.Errorf("index service: %w", err)
	}
	if err := c.exec(ctx, `DELETE FROM service_point WHERE rid = ?`, rid); err != nil {
		return fmt.Errorf("clear points: %w", err)
	}
	for _, p := range points {
		if err := c.exec(ctx, `INSERT INTO service_point (rid, latitude, longitude) VALUES (?, ?, ?)`, rid, p[0], p[1]); err != nil {
			return fmt.Errorf("insert point: %w", err)
		}
	}
	return nil
}

func (sqliteDialect) optimize() []string {
	return []string{"INSERT INTO service_fts (service_fts) VALUES ('optimize')", "ANALYZE"}
}

// postgresDialect is PostgreSQL through pgx: numbered placeholders, an
// advisory lock while migrating, SKIP LOCKED, and tsvector search.
type postgresDialect struct{}

func (postgresDialect) name() Dialect { return Postgres }

func (postgresDialect) open(dsn string) (*sql.DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(20)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return db, nil
}

// rebind turns ? placeholders into $1, $2, ... Queries in this package
// never contain a literal question mark.
func (postgresDialect) rebind(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

func (postgresDialect) migrator() (goose.Dialect, []goose.ProviderOption) {
	return goose.DialectPostgres, []goose.ProviderOption{goose.WithSessionLocker(mustPostgresLocker())}
}

func (postgresDialect) skipLocked() string { return " FOR UPDATE SKIP LOCKED" }

func (postgresDialect) idEquals(uuidCol, textCol string) string {
	return uuidCol + "::text = " + textCol
}

func (postgresDialect) textFilter(terms []string) (string, any) {
	return "s.id IN (SELECT service_id FROM service_search WHERE document @@ plainto_tsquery('english', ?))", strings.Join(terms, " ")
}

func (postgresDialect) search(terms, tags, cells []string) searchSQL {
	filter := strings.Join(tags, " & ")
	if len(cells) > 0 {
		filter = strings.Join(append(tags, "("+strings.Join(cells, " | ")+")"), " & ")
	}
	b := searchSQL{from: "service_search f JOIN service s ON s.id = f.service_id", rank: "0"}
	if len(terms) == 0 {
		b.where = append(b.where, "f.document @@ to_tsquery('simple', ?)")
		b.args = append(b.args, filter)
		return b
	}
	text := strings.Join(terms, " ")
	b.rank = "ts_rank(f.document, plainto_tsquery('english', ?))"
	b.args = append(b.args, text) // the rank comes first in SELECT
	b.where = append(b.where, "f.document @@ (plainto_tsquery('english', ?) && to_tsquery('simple', ?))")
	b.args = append(b.args, text, filter)
	return b
}

func (postgresDialect) pointJoin() string {
	return " JOIN service_point l ON l.service_id = f.service_id"
}

func (postgresDialect) rankArgs(b searchSQL) int {
	if b.rank != "0" {
		return 1
	}
	return 0
}

func (postgresDialect) index(ctx context.Context, c conn, id, tags string, points [][2]float64) error {
	err := c.exec(ctx, `INSERT INTO service_search (service_id, document)
		SELECT s.id,
			setweight(to_tsvector('english', s.name), 'A') ||
			setweight(to_tsvector('english', s.keywords), 'B') ||
			setweight(to_tsvector('english', o.name), 'B') ||
			setweight(to_tsvector('english', s.description), 'C') ||
			setweight(to_tsvector('simple', ?), 'D')
		FROM service s JOIN organization o ON o.id = s.organization_id WHERE s.id = ?
		ON CONFLICT (service_id) DO UPDATE SET document = excluded.document`, tags, id)
	if err != nil {
		return fmt.Errorf("index service: %w", err)
	}
	if err := c.exec(ctx, `DELETE FROM service_point WHERE service_id = ?`, id); err != nil {
		return fmt.Errorf("clear points: %w", err)
	}
	for _, p := range points {
		if err := c.exec(ctx, `INSERT INTO service_point (service_id, latitude, longitude) VALUES (?, ?, ?)`, id, p[0], p[1]); err != nil {
			return fmt.Errorf("insert point: %w", err)
		}
	}
	return nil
}

func (postgresDialect) optimize() []string {
	var stmts []string
	for _, t := range []string{"service", "service_search", "service_point", "location", "service_at_location", "service_taxonomy"} {
		stmts = append(stmts, "VACUUM ANALYZE "+t)
	}
	return stmts
}
