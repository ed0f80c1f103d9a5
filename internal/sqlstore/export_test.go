package sqlstore

import "context"

// TraceReads makes db call fn with every query it reads with (before
// rebinding), for tests that inspect the SQL a store sends.
func TraceReads(db *DB, fn func(query string, args []any)) { db.traceReads = fn }

// Rebind turns the ? placeholders of a traced query into db's own.
func Rebind(db *DB, query string) string { return db.dialect.rebind(query) }

// SetMaxCounted makes s stop counting a search near a postcode at n.
func SetMaxCounted(s *DirectoryStore, n int) { s.maxCounted = n }

// SuspendIndexes drops the directory's secondary indexes as a bulk load
// does, and leaves them dropped, as a load that stopped part way would.
func SuspendIndexes(ctx context.Context, db *DB) error {
	return db.inTx(ctx, func(c conn) error { return suspendIndexes(ctx, c) })
}

// SecondaryIndexes returns the CREATE statements of the directory's
// secondary indexes (and SQLite's spatial index triggers), in order.
func SecondaryIndexes(ctx context.Context, db *DB) ([]string, error) {
	var out []string
	err := eachRow(ctx, db.reader(), db.dialect.secondaryIndexes(len(bulkTables)), anys(bulkTables), func(r rowScanner) error {
		var kind, name, def string
		err := r.Scan(&kind, &name, &def)
		out = append(out, def)
		return err
	})
	return out, err
}
