package sqlstore_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"waymark/internal/directory"
	"waymark/internal/postcode"
	"waymark/internal/seed"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

// syntheticDirectory returns a directory on db with the category taxonomy
// that synthetic services use.
func syntheticDirectory(t *testing.T, db *sqlstore.DB) (*directory.Directory, *sqlstore.DirectoryStore) {
	t.Helper()
	store := sqlstore.NewDirectoryStore(db)
	tax, terms := seed.Categories()
	if err := store.CreateTaxonomy(context.Background(), &tax, terms); err != nil {
		t.Fatalf("CreateTaxonomy: %v", err)
	}
	return directory.NewDirectory(store, nil, func() time.Time { return testNow }, slog.New(slog.NewTextHandler(io.Discard, nil))), store
}

// emptySyntheticDirectory is syntheticDirectory, and the secondary indexes
// of the empty directory.
func emptySyntheticDirectory(t *testing.T, db *sqlstore.DB) (*directory.Directory, *sqlstore.DirectoryStore, []string) {
	t.Helper()
	dir, store := syntheticDirectory(t, db)
	indexes, err := sqlstore.SecondaryIndexes(context.Background(), db)
	if err != nil || len(indexes) < 10 {
		t.Fatalf("SecondaryIndexes: %d, %v", len(indexes), err)
	}
	return dir, store, indexes
}

// bulkSearches are searches of each kind the search page sends.
func bulkSearches() []directory.SearchQuery {
	sheffield := postcode.Point{Lat: 53.3811, Lon: -1.4701}
	london := postcode.Point{Lat: 51.5034, Lon: -0.1276}
	return []directory.SearchQuery{
		{Text: "walking", Page: 1, PerPage: 20},
		{Text: "support group", Page: 2, PerPage: 5},
		{Text: "art", Near: &london, RadiusMiles: 10, Page: 1, PerPage: 20},
		{Text: "advice", Category: "money-advice", Near: &sheffield, RadiusMiles: 25, Page: 1, PerPage: 20},
		{Near: &london, RadiusMiles: 10, Page: 1, PerPage: 20},
		{Near: &sheffield, RadiusMiles: 5, Page: 1, PerPage: 10, Sort: directory.SortDistance},
		{Category: "physical-activity", Page: 1, PerPage: 20},
	}
}

// searchAll runs bulkSearches and returns each one's total and the ids of
// its page, in order.
func searchAll(t *testing.T, store *sqlstore.DirectoryStore) [][]string {
	t.Helper()
	var out [][]string
	for _, q := range bulkSearches() {
		res, err := store.SearchServices(context.Background(), q)
		if err != nil {
			t.Fatalf("SearchServices(%+v): %v", q, err)
		}
		got := []string{strconv.Itoa(res.Total)}
		for _, h := range res.Hits {
			got = append(got, h.Service.ID)
		}
		out = append(out, got)
	}
	return out
}

func TestBulkLoadStoresAndIndexesWhatBatchesDo(t *testing.T) {
	t.Parallel()
	for _, d := range sqlstoretest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			plainDB, bulkDB := sqlstoretest.Open(t, d), sqlstoretest.Open(t, d)
			plainDir, plain := syntheticDirectory(t, plainDB)
			bulkDir, bulk, want := emptySyntheticDirectory(t, bulkDB)
			orgs, services := seed.Synthetic(600, 7)
			if err := seed.Load(ctx, plainDir, orgs, services, 200); err != nil {
				t.Fatalf("Load: %v", err)
			}
			orgs, services = seed.Synthetic(600, 7)
			var during []string
			var err error
			err = bulkDB.BulkLoad(ctx, func(ctx context.Context) error {
				if err := seed.Load(ctx, bulkDir, orgs, services, 200); err != nil {
					return err
				}
				during, err = sqlstore.SecondaryIndexes(ctx, bulkDB)
				return err
			})
			if err != nil {
				t.Fatalf("BulkLoad: %v", err)
			}
			if len(during) != 0 {
				t.Errorf("during the load the secondary indexes were %q, want none", during)
			}
			if got, err := sqlstore.SecondaryIndexes(ctx, bulkDB); err != nil || !slices.Equal(got, want) {
				t.Errorf("after the load the secondary indexes are %q (%v), want %q", got, err, want)
			}
			got, wantHits := searchAll(t, bulk), searchAll(t, plain)
			if !reflect.DeepEqual(got, wantHits) {
				t.Errorf("searches after a bulk load found %q, after loading in batches %q", got, wantHits)
			}
			for i, q := range wantHits {
				if len(q) < 2 {
					t.Errorf("search %+v found nothing in the synthetic directory", bulkSearches()[i])
				}
			}
			for _, svc := range services[:50] {
				a, err := plain.FindServiceByID(ctx, svc.ID)
				if err != nil {
					t.Fatal(err)
				}
				b, err := bulk.FindServiceByID(ctx, svc.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(a, b) {
					t.Errorf("service %s bulk loaded is %+v, loaded in batches %+v", svc.ID, b, a)
				}
			}
			// Into a directory that has services, a bulk load is an
			// ordinary one: the indexes stay.
			more, extra := seed.Synthetic(10, 8)
			err = bulkDB.BulkLoad(ctx, func(ctx context.Context) error {
				if err := seed.Load(ctx, bulkDir, more, extra, 5); err != nil {
					return err
				}
				during, err = sqlstore.SecondaryIndexes(ctx, bulkDB)
				return err
			})
			if err != nil || !slices.Equal(during, want) {
				t.Errorf("loading into a directory with services: %v; indexes during the load %q, want %q", err, during, want)
			}
		})
	}
}

func TestBulkLoadThatFailsStillBuildsTheIndexes(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		dir, store, want := emptySyntheticDirectory(t, db)
		orgs, services := seed.Synthetic(100, 3)
		stop := errors.New("stopped")
		err := db.BulkLoad(ctx, func(ctx context.Context) error {
			if err := seed.Load(ctx, dir, orgs, services[:60], 20); err != nil {
				return err
			}
			return stop
		})
		if !errors.Is(err, stop) {
			t.Fatalf("BulkLoad = %v, want the load's error", err)
		}
		if got, err := sqlstore.SecondaryIndexes(ctx, db); err != nil || !slices.Equal(got, want) {
			t.Errorf("after a failed load the secondary indexes are %q (%v), want %q", got, err, want)
		}
		if n, err := store.CountServices(ctx); err != nil || n != 60 {
			t.Errorf("CountServices = %d, %v; want the 60 stored before the failure", n, err)
		}
	})
}

func TestMigrateFinishesABulkLoadThatStoppedPartWay(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		dir, store, want := emptySyntheticDirectory(t, db)
		if err := sqlstore.SuspendIndexes(ctx, db); err != nil {
			t.Fatalf("SuspendIndexes: %v", err)
		}
		orgs, services := seed.Synthetic(300, 4)
		if err := seed.Load(ctx, dir, orgs, services, 100); err != nil {
			t.Fatalf("Load: %v", err)
		}
		// The process stops here; the next start migrates.
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("Migrate: %v", err)
		}
		if got, err := sqlstore.SecondaryIndexes(ctx, db); err != nil || !slices.Equal(got, want) {
			t.Errorf("after migrating the secondary indexes are %q (%v), want %q", got, err, want)
		}
		// The spatial index holds every point loaded meanwhile.
		for _, q := range bulkSearches()[4:6] {
			res, err := store.SearchServices(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			var want int
			for _, svc := range services {
				if !svc.Status.Public() || svc.Visibility != directory.VisibilityListed {
					continue
				}
				l := svc.Locations[0]
				if postcode.Miles(*q.Near, postcode.Point{Lat: l.Latitude, Lon: l.Longitude}) <= float64(q.RadiusMiles) {
					want++
				}
			}
			if want == 0 || res.Total != want {
				t.Errorf("search within %d miles of %v counts %d, want %d (of the services loaded)", q.RadiusMiles, *q.Near, res.Total, want)
			}
		}
	})
}
