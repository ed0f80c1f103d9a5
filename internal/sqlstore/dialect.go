package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"waymark/internal/postcode"
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
	// fts is the full-text part of a public search: terms (the words) and
	// tags (filter tokens) must all match, and one of cells when given.
	fts(terms, tags, cells []string) ftsSQL
	// serviceKey is the column of service that the full-text index and
	// service_point are keyed by: rid in SQLite, id in PostgreSQL.
	serviceKey() string
	// pointKey is service_point's column holding that key.
	pointKey() string
	// least is the function giving the smaller of two numbers.
	least() string
	// distance is SQL for the distance in miles from p to the point in
	// service_point's columns under alias ("p." or ""), and a condition that
	// the point is within radius miles, with their arguments. The distance
	// is exact or within 0.2%; the condition is exact.
	distance(alias string, p postcode.Point, radius float64) (dist string, distArgs []any, within string, withinArgs []any)
	// jsonRows aggregates the rows of a correlated subquery into a JSON
	// array of arrays of cols, in order ("[]" when there are none).
	jsonRows(cols, order string) string
	// nearestSQL selects points near p, probing the spatial index: the key
	// of the service, the distance in miles and whether the point and all
	// after it are beyond radius, nearest first (by the plane's distance in
	// PostgreSQL, within 0.2% of the true one), ending with a LIMIT
	// placeholder for the number of rows; points beyond radius that are not
	// past it may come too. And it counts the services with a point within
	// radius and the points it read, up to a LIMIT placeholder of points.
	nearestSQL(p postcode.Point, radius float64) (pageQuery string, pageArgs []any, countQuery string, countArgs []any)
	// knn reports whether the spatial index reads points nearest first
	// (PostgreSQL), so a search need not widen its radius step by step.
	knn() bool
	// index writes new services' full-text entries and points, in as few
	// statements as the database allows.
	index(ctx context.Context, c conn, entries []indexEntry) error
	// unindex removes a service's full-text entry and points, by key.
	unindex(ctx context.Context, c conn, key any) error
	// analyze lists the statements, run on one connection, that refresh
	// the directory tables' statistics quickly after an import.
	analyze() []string
	// optimize lists the statements that refresh statistics and compact the
	// full-text index after a bulk load.
	optimize() []string

	// The insights dashboards' expressions.

	// utcDay is a timestamp column's UTC day as YYYY-MM-DD.
	utcDay(col string) string
	// minutesBetween is the whole minutes from one timestamp to another.
	minutesBetween(from, to string) string
	// outward is the postcode district of a normalised postcode column.
	outward(col string) string
	// referralSource classifies a marketplace referral r by who made it: a
	// GP practice through the practice app or a connected GP system (by the
	// gp_referral that made it), the person, a member of a team (a link
	// worker), a user with a GP role, or another professional. It returns
	// the expression and the joins it needs.
	referralSource() (expr, joins string)

	// secondaryIndexes selects the kind ("index" or "trigger"), name and
	// CREATE statement of the secondary (not unique) indexes of the tables
	// bound to its n placeholders, and of the triggers that keep SQLite's
	// spatial index: what a bulk load builds at the end (see BulkLoad).
	secondaryIndexes(n int) string
	// rebuildSpatial lists the statements that build the spatial index
	// from service_point when its triggers come back after a bulk load.
	rebuildSpatial() []string
	// tableExists selects whether the table named by its placeholder
	// exists.
	tableExists() string
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

// SQLite's page cache and memory map, sized for reading a large
// directory: each connection keeps up to DefaultSQLiteCacheMiB of pages,
// and reads the file through a shared memory map of up to
// DefaultSQLiteMmapMiB (pages the operating system caches once for every
// connection). WithSQLiteSettings overrides them.
const (
	DefaultSQLiteCacheMiB = 64
	DefaultSQLiteMmapMiB  = 2047 // SQLite's own ceiling is just under 2 GiB
)

// WithSQLiteSettings returns a SQLite data source name that sets the page
// cache of each connection to cacheMiB and the memory map to mmapMiB (0
// keeps the default; mmapMiB -1 turns the map off). PostgreSQL URLs are
// returned as they are.
func WithSQLiteSettings(dsn string, cacheMiB, mmapMiB int) string {
	if dialectOf(dsn).name() != SQLite || (cacheMiB == 0 && mmapMiB == 0) {
		return dsn
	}
	var params []string
	if cacheMiB != 0 {
		params = append(params, fmt.Sprintf("_pragma=cache_size(%d)", -cacheMiB*1024))
	}
	if mmapMiB != 0 {
		params = append(params, fmt.Sprintf("_pragma=mmap_size(%d)", max(mmapMiB, 0)<<20))
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + strings.Join(params, "&")
}

func (sqliteDialect) open(dsn string) (*sql.DB, error) {
	path, query, _ := strings.Cut(strings.TrimPrefix(dsn, "sqlite://"), "?")
	if path == "" {
		return nil, errEmptyPath
	}
	conn := "file:" + path + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)" +
		"&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_txlock=immediate&_time_format=sqlite"
	// dsn's own query may set the cache and the map instead.
	if !strings.Contains(query, "cache_size(") {
		conn += fmt.Sprintf("&_pragma=cache_size(%d)", -DefaultSQLiteCacheMiB*1024)
	}
	if !strings.Contains(query, "mmap_size(") {
		conn += fmt.Sprintf("&_pragma=mmap_size(%d)", DefaultSQLiteMmapMiB<<20)
	}
	if query != "" {
		conn += "&" + query
	}
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

func (sqliteDialect) fts(terms, tags, cells []string) ftsSQL {
	parts := quoteTerms(tags)
	if len(cells) > 0 {
		parts = append(parts, "("+strings.Join(quoteTerms(cells), " OR ")+")")
	}
	var match string
	if len(parts) > 0 {
		match = "tags : (" + strings.Join(parts, " AND ") + ")"
	}
	if len(terms) > 0 {
		match = strings.TrimSuffix("{name description keywords organization} : ("+strings.Join(quoteTerms(terms), " ")+") AND "+match, " AND ")
	}
	f := ftsSQL{key: "f.rowid", from: "service_fts f", where: "service_fts MATCH ?", rank: "0"}
	if len(terms) > 0 {
		// bm25 is lower for better matches; weights: name, description,
		// keywords, organisation, and none for the filter tokens.
		f.rank = "-bm25(service_fts, 10.0, 1.0, 5.0, 3.0, 0.0)"
	}
	f.whereArgs = []any{match}
	return f
}

func (sqliteDialect) serviceKey() string { return "rid" }
func (sqliteDialect) pointKey() string   { return "rid" }
func (sqliteDialect) least() string      { return "min" }
func (sqliteDialect) knn() bool          { return false }

func (sqliteDialect) jsonRows(cols, order string) string {
	return "json_group_array(json_array(" + cols + ") ORDER BY " + order + ")"
}

// distance measures on the plane of service_point's x and y (see
// gridPoint): arithmetic on stored numbers, where the great-circle
// formula would call a dozen math functions a row. Only points within
// half a percent of the radius are measured on the sphere as well.
func (d sqliteDialect) distance(alias string, p postcode.Point, radius float64) (string, []any, string, []any) {
	x, y, scale := gridPoint(p)
	d2 := fmt.Sprintf("((%[1]sx - ?) * (%[1]sx - ?) + (%[1]sy - ?) * (%[1]sy - ?))", alias)
	d2Args := []any{x, x, y, y}
	r := radius * scale
	within := "(" + d2 + " <= ? OR (" + d2 + " <= ? AND " + milesSQL(d, alias+"latitude", alias+"longitude") + " <= ?))"
	withinArgs := concat(d2Args, []any{r * r * 0.99}, d2Args, []any{r * r * 1.01}, milesArgs(p), []any{radius})
	return "sqrt(" + d2 + ") / ?", concat(d2Args, []any{scale}), within, withinArgs
}

// nearestSQL reads the R*Tree service_point_geo within the radius's
// bounding box and sorts what is inside the radius: SQLite's R*Tree has no
// nearest-neighbour order, so the caller widens the radius step by step
// (see searchArea) to keep the box small.
func (d sqliteDialect) nearestSQL(p postcode.Point, radius float64) (string, []any, string, []any) {
	minLat, maxLat, minLon, maxLon := postcode.BoundingBox(p, radius)
	dist, distArgs, within, withinArgs := d.distance("", p, radius)
	box := "max_lat >= ? AND min_lat <= ? AND max_lon >= ? AND min_lon <= ?"
	boxArgs := []any{minLat, maxLat, minLon, maxLon}
	page := "SELECT rid, MIN(" + dist + ") AS miles, FALSE AS past FROM service_point_geo WHERE " + box + " AND " + within +
		" GROUP BY rid ORDER BY miles, rid LIMIT ?"
	count := "SELECT COUNT(*), COUNT(*) FROM (SELECT DISTINCT rid FROM service_point_geo WHERE " + box + " AND " + within + " LIMIT ?) n"
	return page, concat(distArgs, boxArgs, withinArgs), count, concat(boxArgs, withinArgs)
}

func (sqliteDialect) index(ctx context.Context, c conn, entries []indexEntry) error {
	var docs, points []any
	for _, e := range entries {
		docs = append(docs, e.key, e.name, e.description, e.keywords, e.organization, e.tags)
		for _, p := range e.points {
			x, y, _ := gridPoint(postcode.Point{Lat: p[0], Lon: p[1]})
			points = append(points, e.key, p[0], p[1], x, y)
		}
	}
	if err := insertRows(ctx, c, "INSERT INTO service_fts (rowid, name, description, keywords, organization, tags)", "", 6, docs); err != nil {
		return fmt.Errorf("index services: %w", err)
	}
	if err := insertRows(ctx, c, "INSERT INTO service_point (rid, latitude, longitude, x, y)", "", 5, points); err != nil {
		return fmt.Errorf("insert points: %w", err)
	}
	return nil
}

func (sqliteDialect) unindex(ctx context.Context, c conn, key any) error {
	if err := c.exec(ctx, `DELETE FROM service_fts WHERE rowid = ?`, key); err != nil {
		return fmt.Errorf("unindex service: %w", err)
	}
	if err := c.exec(ctx, `DELETE FROM service_point WHERE rid = ?`, key); err != nil {
		return fmt.Errorf("clear points: %w", err)
	}
	return nil
}

func (sqliteDialect) analyze() []string {
	// A sampled ANALYZE (about a thousand rows an index), then the
	// connection's limit back to none for a later full ANALYZE.
	return []string{"PRAGMA analysis_limit = 1000", "ANALYZE", "PRAGMA analysis_limit = 0"}
}

func (sqliteDialect) secondaryIndexes(n int) string {
	return `SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL
		AND sql NOT LIKE 'CREATE UNIQUE %' AND tbl_name IN (` + placeholders(n) + `) ORDER BY type, name`
}

func (sqliteDialect) rebuildSpatial() []string {
	// In the order of the plane's x: neighbouring points go to
	// neighbouring nodes of the tree.
	return []string{`DELETE FROM service_point_geo`,
		`INSERT INTO service_point_geo (id, min_lat, max_lat, min_lon, max_lon, rid, latitude, longitude, x, y)
			SELECT rowid, latitude, latitude, longitude, longitude, rid, latitude, longitude, x, y FROM service_point ORDER BY x, y`}
}

func (sqliteDialect) tableExists() string {
	return `SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?`
}

func (sqliteDialect) optimize() []string {
	return []string{"INSERT INTO service_fts (service_fts) VALUES ('optimize')", "ANALYZE"}
}

// postgresDialect is PostgreSQL through pgx: numbered placeholders, an
// advisory lock while migrating, SKIP LOCKED, and tsvector search.
type postgresDialect struct{}

func (postgresDialect) name() Dialect { return Postgres }

func (postgresDialect) open(dsn string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	// pgx prepares each statement and PostgreSQL switches a prepared
	// statement to a generic plan after five runs; for search, the generic
	// plan of a query with a full-text or spatial condition scans tables
	// the custom plan probes by index. Plan with the values every time
	// unless the address says otherwise.
	if _, ok := cfg.RuntimeParams["plan_cache_mode"]; !ok {
		cfg.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	}
	db := stdlib.OpenDB(*cfg)
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

func (postgresDialect) fts(terms, tags, cells []string) ftsSQL {
	if len(cells) > 0 {
		tags = append(tags, "("+strings.Join(cells, " | ")+")")
	}
	filter := strings.Join(tags, " & ")
	f := ftsSQL{key: "f.service_id", from: "service_search f", rank: "0"}
	if len(terms) == 0 {
		f.where = "f.document @@ to_tsquery('simple', ?)"
		f.whereArgs = []any{filter}
		return f
	}
	text := strings.Join(terms, " ")
	f.rank = "ts_rank(f.document, plainto_tsquery('english', ?))"
	f.rankArgs = []any{text}
	f.where = "f.document @@ (plainto_tsquery('english', ?) && to_tsquery('simple', ?))"
	f.whereArgs = []any{text, filter}
	if filter == "" {
		f.where, f.whereArgs = "f.document @@ plainto_tsquery('english', ?)", []any{text}
	}
	return f
}

func (postgresDialect) serviceKey() string { return "id" }
func (postgresDialect) pointKey() string   { return "service_id" }
func (postgresDialect) least() string      { return "LEAST" }
func (postgresDialect) knn() bool          { return true }

func (postgresDialect) jsonRows(cols, order string) string {
	return "COALESCE(json_agg(json_build_array(" + cols + ") ORDER BY " + order + "), '[]')"
}

func (d postgresDialect) distance(alias string, p postcode.Point, radius float64) (string, []any, string, []any) {
	dist := milesSQL(d, alias+"latitude", alias+"longitude")
	return dist, milesArgs(p), dist + " <= ?", concat(milesArgs(p), []any{radius})
}

// nearestSQL reads the GiST index of service_point.position in distance
// order (the KNN operator <->) inside a box around p on the plane, and
// keeps the points within the radius by great-circle distance.
func (d postgresDialect) nearestSQL(p postcode.Point, radius float64) (string, []any, string, []any) {
	x, y, scale := gridPoint(p)
	half := radius*scale*1.002 + 0.01 // the plane's distances are up to scale times the true ones
	dist, distArgs, within, withinArgs := d.distance("", p, radius)
	box := "position <@ box(point(?, ?), point(?, ?))"
	boxArgs := []any{x - half, y - half, x + half, y + half}
	// The page reads the index nearest first, as far as LIMIT: a box or a
	// radius in the WHERE clause would make the planner, which expects few
	// points in any box, read them all and sort them. past marks the
	// points beyond the radius on the plane, after which none is within.
	page := "SELECT service_id, " + dist + " AS miles, position <-> point(?, ?) > ? AS past FROM service_point" +
		" ORDER BY position <-> point(?, ?) LIMIT ?"
	count := "SELECT COUNT(DISTINCT service_id), COUNT(*) FROM (SELECT service_id FROM service_point WHERE " + box + " AND " + within + " LIMIT ?) n"
	return page, concat(distArgs, []any{x, y, half, x, y}), count, concat(boxArgs, withinArgs)
}

// gridRadius is the earth's radius in miles used by the plane of
// service_point.position.
const gridRadius = 3958.7613

// gridPoint projects p as migration 00140 projects service_point.position
// in PostgreSQL, and as SQLite's service_point.x and y are (spherical
// transverse Mercator about 2 degrees west, in miles), and
// returns the scale of distances on the plane at p (1 on the meridian,
// more away from it).
func gridPoint(p postcode.Point) (x, y, scale float64) {
	lat := math.Max(-89.9, math.Min(89.9, p.Lat)) * math.Pi / 180
	dLon := (p.Lon + 2) * math.Pi / 180
	b := math.Max(-0.999999, math.Min(0.999999, math.Cos(lat)*math.Sin(dLon)))
	return gridRadius * math.Atanh(b), gridRadius * math.Atan2(math.Tan(lat), math.Cos(dLon)), 1 / math.Sqrt(1-b*b)
}

func (postgresDialect) index(ctx context.Context, c conn, entries []indexEntry) error {
	var docs, points []any
	for _, e := range entries {
		docs = append(docs, e.key, e.name, e.keywords, e.organization, e.description, e.tags)
		for _, p := range e.points {
			points = append(points, e.key, p[0], p[1])
		}
	}
	err := insertRows(ctx, c, "INSERT INTO service_search (service_id, document)", `(?,
		setweight(to_tsvector('english', ?), 'A') || setweight(to_tsvector('english', ?), 'B') ||
		setweight(to_tsvector('english', ?), 'B') || setweight(to_tsvector('english', ?), 'C') ||
		setweight(to_tsvector('simple', ?), 'D'))`, 6, docs)
	if err != nil {
		return fmt.Errorf("index services: %w", err)
	}
	if err := insertRows(ctx, c, "INSERT INTO service_point (service_id, latitude, longitude)", "", 3, points); err != nil {
		return fmt.Errorf("insert points: %w", err)
	}
	return nil
}

func (postgresDialect) unindex(ctx context.Context, c conn, key any) error {
	if err := c.exec(ctx, `DELETE FROM service_search WHERE service_id = ?`, key); err != nil {
		return fmt.Errorf("unindex service: %w", err)
	}
	if err := c.exec(ctx, `DELETE FROM service_point WHERE service_id = ?`, key); err != nil {
		return fmt.Errorf("clear points: %w", err)
	}
	return nil
}

func (postgresDialect) analyze() []string {
	return []string{"ANALYZE service, service_search, service_point, location, service_at_location, service_taxonomy, organization"}
}

func (postgresDialect) secondaryIndexes(n int) string {
	return `SELECT 'index', c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i
		JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
		WHERE t.relnamespace = current_schema()::regnamespace AND NOT i.indisunique
			AND t.relname IN (` + placeholders(n) + `) ORDER BY c.relname`
}

// rebuildSpatial: the GiST index of service_point.position is one of the
// secondary indexes, built like the others.
func (postgresDialect) rebuildSpatial() []string { return nil }

func (postgresDialect) tableExists() string {
	return `SELECT to_regclass(?) IS NOT NULL`
}

func (postgresDialect) optimize() []string {
	var stmts []string
	for _, t := range []string{"service", "service_search", "service_point", "location", "service_at_location", "service_taxonomy"} {
		stmts = append(stmts, "VACUUM ANALYZE "+t)
	}
	return stmts
}

// SQLite keeps timestamps as text and asks the indexes row by row for a
// referral's source.

func (sqliteDialect) utcDay(col string) string { return "substr(" + col + ", 1, 10)" }

func (sqliteDialect) minutesBetween(from, to string) string {
	// julianday counts days as a real number; a hair added against 59.999.
	return "CAST((julianday(" + to + ") - julianday(" + from + ")) * 1440 + 0.0001 AS INTEGER)"
}

func (sqliteDialect) outward(col string) string {
	return "CASE WHEN instr(" + col + ", ' ') > 0 THEN substr(" + col + ", 1, instr(" + col + ", ' ') - 1) ELSE " + col + " END"
}

func (sqliteDialect) referralSource() (string, string) {
	return `COALESCE((SELECT CASE g.channel WHEN 'fhir' THEN 'gp_system' ELSE 'gp_practice' END FROM gp_referral g WHERE g.market_referral_id = r.id LIMIT 1),
		CASE WHEN r.source = 'self' THEN 'self'
		WHEN r.referrer_id = '' THEN 'professional'
		WHEN EXISTS (SELECT 1 FROM sp_team_member m WHERE m.user_id = r.referrer_id) THEN 'link_worker'
		WHEN EXISTS (SELECT 1 FROM membership m WHERE m.user_id = r.referrer_id AND m.role = 'gp') THEN 'gp_practice'
		ELSE 'professional' END)`, ""
}

// PostgreSQL joins each list once for a referral's source (hash joins):
// lw (link workers, members of a team), gp (users with a GP role in an
// organisation) and gpr (the GP referral that made it).

func (postgresDialect) utcDay(col string) string {
	return "to_char(" + col + " AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
}

func (postgresDialect) minutesBetween(from, to string) string {
	return "CAST(FLOOR(EXTRACT(EPOCH FROM (" + to + " - " + from + ")) / 60) AS INTEGER)"
}

func (postgresDialect) outward(col string) string { return "split_part(" + col + ", ' ', 1)" }

func (postgresDialect) referralSource() (string, string) {
	return `CASE WHEN gpr.channel = 'fhir' THEN 'gp_system'
		WHEN gpr.channel = 'web' THEN 'gp_practice'
		WHEN r.source = 'self' THEN 'self'
		WHEN lw.uid IS NOT NULL THEN 'link_worker'
		WHEN gp.uid IS NOT NULL THEN 'gp_practice'
		ELSE 'professional' END`, ` LEFT JOIN (SELECT DISTINCT user_id AS uid FROM sp_team_member) lw ON lw.uid = r.referrer_id
	LEFT JOIN (SELECT DISTINCT CAST(user_id AS TEXT) AS uid FROM membership WHERE role = 'gp') gp ON gp.uid = r.referrer_id
	LEFT JOIN (SELECT market_referral_id AS rid, MAX(channel) AS channel FROM gp_referral WHERE market_referral_id <> '' GROUP BY market_referral_id) gpr
		ON gpr.rid = CAST(r.id AS TEXT)`
}
