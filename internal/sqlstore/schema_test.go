package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"waymark/internal/sqlstore/sqlstoretest"
)

// The two migration trees (migrations/sqlite and migrations/postgres) are
// written by hand. TestMigrationTreesDescribeTheSameSchema migrates both
// databases and compares what they hold, so a column, index or constraint
// added to one tree and forgotten in the other fails the build.
//
// schemaAllowed lists the deliberate differences, each with its reason. A
// key is "table", "table.column", "table index (columns)" or
// "table constraint"; an entry matches the fact of the same key on either
// side.
var schemaAllowed = map[string]string{
	// Full-text search: SQLite keeps an FTS5 virtual table keyed by a
	// service's integer rowid; PostgreSQL keeps a tsvector per service
	// with a GIN index.
	"service_fts":                      "SQLite FTS5 full-text table",
	"service_search":                   "PostgreSQL tsvector full-text table, with a GIN index",
	"service.rid":                      "SQLite: stable integer rowid that keys service_fts",
	"service pk (rid)":                 "SQLite: stable integer rowid that keys service_fts",
	"service pk (id)":                  "PostgreSQL: id is the key; SQLite keys by rid and makes id unique",
	"service unique (id)":              "SQLite: id is unique beside the rid key",
	"service_point.rid":                "SQLite: points are keyed by service rowid",
	"service_point.service_id":         "PostgreSQL: points are keyed by service id",
	"service_point index (rid)":        "SQLite: points are keyed by service rowid",
	"service_point index (service_id)": "PostgreSQL: points are keyed by service id",
	"service_point fk (rid) service(rid) on delete cascade":       "SQLite: points are keyed by service rowid",
	"service_point fk (service_id) service(id) on delete cascade": "PostgreSQL: points are keyed by service id",
	"service_point pk (rowid)":                                    "SQLite: an implicit rowid",
	// Spatial index: SQLite keeps an R*Tree beside service_point (filled by
	// triggers); PostgreSQL a projected point column with a GiST index.
	"service_point_geo":              "SQLite R*Tree over service_point",
	"service_point.position":         "PostgreSQL: the point projected to a plane, for the GiST index",
	"service_point.x":                "SQLite: the point projected to a plane (PostgreSQL's position)",
	"service_point.y":                "SQLite: the point projected to a plane (PostgreSQL's position)",
	"service_point index (position)": "PostgreSQL: GiST index of the projected point",
}

// A schema is what a migrated database holds: per table, its columns and
// its indexes and constraints, each as one comparable line.
type schema map[string]*table

type table struct {
	columns map[string]string // name -> "type family, null|not null"
	facts   map[string]bool   // "pk (a, b)", "unique (a)", "fk (a) t(b) on delete cascade", "check (a)", "index (a, b)"
}

func TestMigrationTreesDescribeTheSameSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	lite, err := sqliteSchema(ctx, sqlstoretest.OpenSQLite(t).SQL())
	if err != nil {
		t.Fatal(err)
	}
	pg, err := postgresSchema(ctx, sqlstoretest.OpenPostgres(t).SQL())
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	allowed := func(key string) bool {
		if _, ok := schemaAllowed[key]; ok {
			used[key] = true
			return true
		}
		return false
	}
	for _, name := range union(keys(lite), keys(pg)) {
		l, p := lite[name], pg[name]
		switch {
		case l == nil && p == nil:
		case l == nil:
			if !allowed(name) {
				t.Errorf("table %s exists in PostgreSQL but not in SQLite", name)
			}
			continue
		case p == nil:
			if !allowed(name) {
				t.Errorf("table %s exists in SQLite but not in PostgreSQL", name)
			}
			continue
		}
		for _, col := range union(keys(l.columns), keys(p.columns)) {
			lc, lok := l.columns[col]
			pc, pok := p.columns[col]
			key := name + "." + col
			switch {
			case !lok && !allowed(key):
				t.Errorf("column %s exists in PostgreSQL (%s) but not in SQLite", key, pc)
			case !pok && !allowed(key):
				t.Errorf("column %s exists in SQLite (%s) but not in PostgreSQL", key, lc)
			case lok && pok && lc != pc && !allowed(key):
				t.Errorf("column %s differs: SQLite %s, PostgreSQL %s", key, lc, pc)
			}
		}
		for _, f := range union(keys(l.facts), keys(p.facts)) {
			key := name + " " + f
			switch {
			case !l.facts[f] && !allowed(key):
				t.Errorf("table %s: %s exists in PostgreSQL but not in SQLite", name, f)
			case !p.facts[f] && !allowed(key):
				t.Errorf("table %s: %s exists in SQLite but not in PostgreSQL", name, f)
			}
		}
	}
	for key := range schemaAllowed {
		if !used[key] {
			t.Errorf("schemaAllowed lists %q, which is no longer a difference: remove it", key)
		}
	}
}

// ignoredTable reports tables that are not part of the application schema.
func ignoredTable(name string) bool {
	return name == "goose_db_version" || strings.HasPrefix(name, "sqlite_") ||
		strings.HasPrefix(name, "service_fts_") || // FTS5's own shadow tables
		strings.HasPrefix(name, "service_point_geo_") // the R*Tree's own shadow tables
}

// family reduces a declared column type to what it means to the
// application, so TEXT and UUID, REAL and DOUBLE PRECISION, TIMESTAMP and
// TIMESTAMPTZ compare equal.
func family(declared string) string {
	t := strings.ToLower(strings.TrimSpace(declared))
	if i := strings.IndexByte(t, '('); i >= 0 {
		t = strings.TrimSpace(t[:i])
	}
	switch t {
	case "text", "uuid", "character varying", "varchar", "character", "char", "citext":
		return "text"
	case "integer", "int", "bigint", "smallint", "int4", "int8", "int2", "bigserial", "serial":
		return "integer"
	case "real", "double precision", "float", "float8", "float4", "numeric", "decimal":
		return "real"
	case "boolean", "bool":
		return "boolean"
	case "timestamp", "timestamptz", "timestamp with time zone", "timestamp without time zone", "datetime":
		return "time"
	case "date":
		return "date"
	case "blob", "bytea":
		return "bytes"
	case "json", "jsonb":
		return "json"
	}
	return t
}

func column(typ string, notNull bool) string {
	if notNull {
		return family(typ) + ", not null"
	}
	return family(typ) + ", null"
}

var checkRe = regexp.MustCompile(`(?i)\bCHECK\s*\(`)

// checkColumns finds each CHECK constraint in a CREATE TABLE statement and
// names the table's columns it mentions.
func checkColumns(create string, cols []string) []string {
	var out []string
	for _, loc := range checkRe.FindAllStringIndex(create, -1) {
		depth, end := 0, len(create)
		for i := loc[1] - 1; i < len(create); i++ {
			if create[i] == '(' {
				depth++
			} else if create[i] == ')' {
				depth--
				if depth == 0 {
					end = i
					break
				}
			}
		}
		out = append(out, mentioned(create[loc[1]:end], cols))
	}
	return out
}

func mentioned(expr string, cols []string) string {
	var in []string
	for _, c := range cols {
		if regexp.MustCompile(`\b` + regexp.QuoteMeta(c) + `\b`).MatchString(expr) {
			in = append(in, c)
		}
	}
	sort.Strings(in)
	return "check (" + strings.Join(in, ", ") + ")"
}

func sqliteSchema(ctx context.Context, db *sql.DB) (schema, error) {
	out := schema{}
	type tbl struct{ name, sql string }
	var tables []tbl
	rows, err := db.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var x tbl
		if err := rows.Scan(&x.name, &x.sql); err != nil {
			return nil, err
		}
		if !ignoredTable(x.name) {
			tables = append(tables, x)
		}
	}
	rows.Close()
	for _, x := range tables {
		tb := &table{columns: map[string]string{}, facts: map[string]bool{}}
		out[x.name] = tb
		if strings.Contains(strings.ToUpper(x.sql), "VIRTUAL TABLE") {
			continue
		}
		var pk []string
		var names []string
		err := query(ctx, db, `SELECT name, type, "notnull", pk FROM pragma_table_info(?) ORDER BY pk, cid`, []any{x.name}, func(r *sql.Rows) error {
			var name, typ string
			var notNull bool
			var pkPos int
			if err := r.Scan(&name, &typ, &notNull, &pkPos); err != nil {
				return err
			}
			if pkPos > 0 {
				pk = append(pk, name)
				notNull = true
			}
			names = append(names, name)
			tb.columns[name] = column(typ, notNull)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("columns of %s: %w", x.name, err)
		}
		if len(pk) > 0 {
			tb.facts["pk ("+strings.Join(pk, ", ")+")"] = true
		} else {
			tb.facts["pk (rowid)"] = true
		}
		type index struct {
			name, origin string
			unique       bool
			partial      bool
		}
		var indexes []index
		err = query(ctx, db, `SELECT name, "unique", origin, partial FROM pragma_index_list(?)`, []any{x.name}, func(r *sql.Rows) error {
			var ix index
			if err := r.Scan(&ix.name, &ix.unique, &ix.origin, &ix.partial); err != nil {
				return err
			}
			indexes = append(indexes, ix)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("indexes of %s: %w", x.name, err)
		}
		for _, ix := range indexes {
			var cols []string
			err := query(ctx, db, `SELECT COALESCE(name, '<expression>') FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno`, []any{ix.name}, func(r *sql.Rows) error {
				var c string
				err := r.Scan(&c)
				cols = append(cols, c)
				return err
			})
			if err != nil {
				return nil, fmt.Errorf("index %s: %w", ix.name, err)
			}
			switch ix.origin {
			case "pk":
				// The primary key is recorded above.
			case "u":
				tb.facts["unique ("+strings.Join(cols, ", ")+")"] = true
			default:
				tb.facts[indexFact(ix.unique, ix.partial, cols)] = true
			}
		}
		fks := map[int][3][]string{}
		var actions = map[int]string{}
		err = query(ctx, db, `SELECT id, "table", "from", COALESCE("to", ''), on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq`, []any{x.name}, func(r *sql.Rows) error {
			var id int
			var ref, from, to, onDelete string
			if err := r.Scan(&id, &ref, &from, &to, &onDelete); err != nil {
				return err
			}
			f := fks[id]
			f[0], f[1], f[2] = []string{ref}, append(f[1], from), append(f[2], to)
			fks[id], actions[id] = f, onDelete
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("foreign keys of %s: %w", x.name, err)
		}
		for id, f := range fks {
			tb.facts[fkFact(f[1], f[0][0], f[2], actions[id])] = true
		}
		for _, c := range checkColumns(x.sql, names) {
			tb.facts[c] = true
		}
	}
	return out, nil
}

func indexFact(unique, partial bool, cols []string) string {
	f := "index (" + strings.Join(cols, ", ") + ")"
	if unique {
		f = "unique " + f
	}
	if partial {
		f += " partial"
	}
	return f
}

func fkFact(from []string, ref string, to []string, onDelete string) string {
	f := "fk (" + strings.Join(from, ", ") + ") " + ref + "(" + strings.Join(to, ", ") + ")"
	if a := strings.ToLower(onDelete); a != "no action" && a != "" {
		f += " on delete " + a
	}
	return f
}

func postgresSchema(ctx context.Context, db *sql.DB) (schema, error) {
	out := schema{}
	err := query(ctx, db, `SELECT c.relname, a.attname, format_type(a.atttypid, NULL), a.attnotnull
		FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
		WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped`, nil, func(r *sql.Rows) error {
		var tname, col, typ string
		var notNull bool
		if err := r.Scan(&tname, &col, &typ, &notNull); err != nil {
			return err
		}
		if ignoredTable(tname) {
			return nil
		}
		if out[tname] == nil {
			out[tname] = &table{columns: map[string]string{}, facts: map[string]bool{}}
		}
		out[tname].columns[col] = column(typ, notNull)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("columns: %w", err)
	}
	// Constraints: primary keys, unique, foreign keys and checks.
	err = query(ctx, db, `SELECT c.relname, k.contype,
			ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(n, i) JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY i)::text,
			COALESCE(f.relname, ''),
			ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(n, i) JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY i)::text,
			k.confdeltype
		FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid LEFT JOIN pg_class f ON f.oid = k.confrelid
		WHERE k.connamespace = current_schema()::regnamespace`, nil, func(r *sql.Rows) error {
		var tname, kind, cols, ref, refCols, del string
		if err := r.Scan(&tname, &kind, &cols, &ref, &refCols, &del); err != nil {
			return err
		}
		tb := out[tname]
		if tb == nil {
			return nil
		}
		from, to := pgArray(cols), pgArray(refCols)
		switch kind {
		case "p":
			tb.facts["pk ("+strings.Join(from, ", ")+")"] = true
		case "u":
			tb.facts["unique ("+strings.Join(from, ", ")+")"] = true
		case "f":
			tb.facts[fkFact(from, ref, to, map[string]string{"a": "no action", "r": "restrict", "c": "cascade", "n": "set null", "d": "set default"}[del])] = true
		case "c":
			sort.Strings(from)
			tb.facts["check ("+strings.Join(from, ", ")+")"] = true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("constraints: %w", err)
	}
	// Indexes that do not back a constraint.
	err = query(ctx, db, `SELECT t.relname, x.indisunique, x.indpred IS NOT NULL,
			ARRAY(SELECT COALESCE(a.attname, '<expression>') FROM unnest(x.indkey[0:x.indnkeyatts-1]) WITH ORDINALITY u(n, i)
				LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = u.n ORDER BY i)::text
		FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
		WHERE t.relnamespace = current_schema()::regnamespace
		AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)`, nil, func(r *sql.Rows) error {
		var tname, cols string
		var unique, partial bool
		if err := r.Scan(&tname, &unique, &partial, &cols); err != nil {
			return err
		}
		if tb := out[tname]; tb != nil {
			tb.facts[indexFact(unique, partial, pgArray(cols))] = true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("indexes: %w", err)
	}
	return out, nil
}

// pgArray splits PostgreSQL's text form of a name array, {a,b}.
func pgArray(s string) []string {
	s = strings.Trim(s, "{}")
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	for i, p := range parts {
		parts[i] = strings.Trim(p, `"`)
	}
	return parts
}

func query(ctx context.Context, db *sql.DB, q string, args []any, fn func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func union(a, b []string) []string {
	out := slices.Concat(a, b)
	slices.Sort(out)
	return slices.Compact(out)
}
