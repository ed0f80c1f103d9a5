package sqlstore

// TraceReads makes db call fn with every query it reads with (before
// rebinding), for tests that inspect the SQL a store sends.
func TraceReads(db *DB, fn func(query string, args []any)) { db.traceReads = fn }

// Rebind turns the ? placeholders of a traced query into db's own.
func Rebind(db *DB, query string) string { return db.dialect.rebind(query) }

// SetMaxCounted makes s stop counting a search near a postcode at n.
func SetMaxCounted(s *DirectoryStore, n int) { s.maxCounted = n }
