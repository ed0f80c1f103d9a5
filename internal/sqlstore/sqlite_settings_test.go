package sqlstore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"waymark/internal/sqlstore"
)

func TestSQLiteReadsThroughALargeCacheAndMemoryMapUnlessConfigured(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		dsn         string
		cache, mmap int64
	}{
		{filepath.Join(t.TempDir(), "default.db"), -sqlstore.DefaultSQLiteCacheMiB * 1024, sqlstore.DefaultSQLiteMmapMiB << 20},
		{sqlstore.WithSQLiteSettings(filepath.Join(t.TempDir(), "set.db"), 10, -1), -10 * 1024, 0},
		{sqlstore.WithSQLiteSettings(filepath.Join(t.TempDir(), "cache.db"), 16, 0), -16 * 1024, sqlstore.DefaultSQLiteMmapMiB << 20},
	} {
		db, err := sqlstore.Open(ctx, tc.dsn)
		if err != nil {
			t.Fatalf("Open(%s): %v", tc.dsn, err)
		}
		// Every connection of the pool has the settings: hold two at once.
		c1, err := db.SQL().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		c2, err := db.SQL().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []interface {
			QueryRowContext(context.Context, string, ...any) *sql.Row
		}{c1, c2} {
			var cache, mmap int64
			if err := c.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&cache); err != nil {
				t.Fatal(err)
			}
			if err := c.QueryRowContext(ctx, "PRAGMA mmap_size").Scan(&mmap); err != nil {
				t.Fatal(err)
			}
			if cache != tc.cache || mmap != tc.mmap {
				t.Errorf("%s: cache_size %d, mmap_size %d; want %d and %d", tc.dsn, cache, mmap, tc.cache, tc.mmap)
			}
		}
		c1.Close()
		c2.Close()
		db.Close()
	}
	if got := sqlstore.WithSQLiteSettings("postgres://db.example/waymark", 10, 10); got != "postgres://db.example/waymark" {
		t.Errorf("WithSQLiteSettings changed a PostgreSQL URL: %s", got)
	}
}
