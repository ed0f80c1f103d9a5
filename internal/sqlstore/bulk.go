package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// bulkTables are the directory's tables whose secondary indexes a bulk load
// into an empty directory builds once at the end.
var bulkTables = []string{"organization", "service", "location", "address", "service_at_location", "contact", "phone",
	"schedule", "cost_option", "service_taxonomy", "service_image", "service_point", "service_search"}

// BulkLoad runs load, which stores many new services (through any store on
// db, in as many transactions as it likes). When the directory is empty it
// first drops the directory tables' secondary indexes (never a primary key
// or a unique index) and, in SQLite, the triggers that keep the spatial
// index, and builds them all once when load returns, whether or not it
// succeeded: one sorted pass each instead of an insert at a random place of
// every index for every row. Until then searches and look-ups are slow, but
// correct. What was dropped is recorded, in the transaction that drops it,
// in bulk_load_pending, so a load that stops part way (a crash, a killed
// process) is finished by the next Migrate. With services already stored,
// load runs as it is.
func (db *DB) BulkLoad(ctx context.Context, load func(ctx context.Context) error) error {
	var have int
	if err := db.reader().queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM service LIMIT 1) s`).Scan(&have); err != nil {
		return fmt.Errorf("bulk load: count services: %w", err)
	}
	if have > 0 {
		return load(ctx)
	}
	if err := db.inTx(ctx, func(c conn) error { return suspendIndexes(ctx, c) }); err != nil {
		return fmt.Errorf("bulk load: %w", err)
	}
	err := load(ctx)
	// The indexes come back even when load failed (ctx may be cancelled by
	// then, so they are built without it).
	if ferr := db.finishBulkLoad(context.WithoutCancel(ctx)); ferr != nil {
		return errors.Join(err, fmt.Errorf("bulk load: %w", ferr))
	}
	return err
}

// suspendIndexes records and drops the directory's secondary indexes and
// the spatial index's triggers.
func suspendIndexes(ctx context.Context, c conn) error {
	type object struct{ kind, name, definition string }
	var list []object
	err := eachRow(ctx, c, c.db.dialect.secondaryIndexes(len(bulkTables)), anys(bulkTables), func(r rowScanner) error {
		var o object
		err := r.Scan(&o.kind, &o.name, &o.definition)
		list = append(list, o)
		return err
	})
	if err != nil {
		return fmt.Errorf("list indexes: %w", err)
	}
	var n int
	if err := c.queryRow(ctx, `SELECT COUNT(*) FROM bulk_load_pending`).Scan(&n); err != nil {
		return fmt.Errorf("read pending indexes: %w", err)
	}
	for _, o := range list {
		n++
		if err := c.exec(ctx, `INSERT INTO bulk_load_pending (position, kind, name, definition) VALUES (?, ?, ?, ?)`,
			n, o.kind, o.name, o.definition); err != nil {
			return fmt.Errorf("record %s %s: %w", o.kind, o.name, err)
		}
		if err := c.exec(ctx, "DROP "+strings.ToUpper(o.kind)+" "+o.name); err != nil {
			return fmt.Errorf("drop %s %s: %w", o.kind, o.name, err)
		}
	}
	return nil
}

// finishBulkLoad builds what suspendIndexes dropped, in one transaction:
// the spatial index from every point (in SQLite), then each index and
// trigger unless it exists already.
func (db *DB) finishBulkLoad(ctx context.Context) error {
	return db.inTx(ctx, func(c conn) error {
		var kinds, defs []string
		err := eachRow(ctx, c, `SELECT kind, definition FROM bulk_load_pending ORDER BY position`, nil, func(r rowScanner) error {
			var kind, def string
			err := r.Scan(&kind, &def)
			kinds, defs = append(kinds, kind), append(defs, def)
			return err
		})
		if err != nil {
			return fmt.Errorf("read pending indexes: %w", err)
		}
		if len(defs) == 0 {
			return nil
		}
		for _, s := range db.dialect.rebuildSpatial() {
			if err := c.exec(ctx, s); err != nil {
				return fmt.Errorf("rebuild spatial index: %w", err)
			}
		}
		for i, def := range defs {
			create := "CREATE " + strings.ToUpper(kinds[i]) + " "
			if !strings.HasPrefix(def, create) {
				return fmt.Errorf("pending %s does not start %q: %s", kinds[i], create, def)
			}
			if err := c.exec(ctx, create+"IF NOT EXISTS "+strings.TrimPrefix(def, create)); err != nil {
				return fmt.Errorf("build %s: %w", def, err)
			}
		}
		if err := c.exec(ctx, `DELETE FROM bulk_load_pending`); err != nil {
			return fmt.Errorf("clear pending indexes: %w", err)
		}
		return nil
	})
}

// finishInterruptedBulkLoad builds the indexes a bulk load that stopped
// part way left in bulk_load_pending, if that table exists yet.
func (db *DB) finishInterruptedBulkLoad(ctx context.Context) error {
	var exists bool
	if err := db.reader().queryRow(ctx, db.dialect.tableExists(), "bulk_load_pending").Scan(&exists); err != nil {
		return fmt.Errorf("look for bulk_load_pending: %w", err)
	}
	if !exists {
		return nil
	}
	if err := db.finishBulkLoad(ctx); err != nil {
		return fmt.Errorf("finish an interrupted bulk load: %w", err)
	}
	return nil
}
