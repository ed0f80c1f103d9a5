package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"waymark/internal/jobs"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestAJobRunsOncePerPeriodAcrossInstances(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		c := &clock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
		var runs atomic.Int32
		job := jobs.Job{Name: "remind", Every: time.Hour, Run: func(context.Context, time.Time) error {
			runs.Add(1)
			return nil
		}}
		logger := slog.New(slog.NewTextHandler(io.Discard, nil))
		a := jobs.NewRunner(sqlstore.NewJobStore(db), c.now, logger, job)
		b := jobs.NewRunner(sqlstore.NewJobStore(db), c.now, logger, job)
		// Two instances tick at the same moment, many times: one run.
		var wg sync.WaitGroup
		for range 5 {
			for _, r := range []*jobs.Runner{a, b} {
				wg.Add(1)
				go func() { defer wg.Done(); r.Tick(context.Background()) }()
			}
		}
		wg.Wait()
		if n := runs.Load(); n != 1 {
			t.Fatalf("ran %d times in the first period, want 1", n)
		}
		c.advance(30 * time.Minute)
		a.Tick(context.Background())
		b.Tick(context.Background())
		if n := runs.Load(); n != 1 {
			t.Errorf("ran again before the period was over: %d", n)
		}
		c.advance(31 * time.Minute)
		b.Tick(context.Background())
		a.Tick(context.Background())
		if n := runs.Load(); n != 2 {
			t.Errorf("after the period: %d runs, want 2", n)
		}
	})
}

func TestACrashedHolderLosesTheJobWhenItsLeaseEnds(t *testing.T) {
	t.Parallel()
	db := sqlstoretest.OpenSQLite(t)
	c := &clock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	store := sqlstore.NewJobStore(db)
	// An instance takes the job and dies without releasing it.
	if won, err := store.Acquire(context.Background(), "remind", "dead instance", c.now(), time.Hour, 10*time.Minute); !won || err != nil {
		t.Fatalf("acquire: %v %v", won, err)
	}
	var runs atomic.Int32
	r := jobs.NewRunner(store, c.now, slog.New(slog.NewTextHandler(io.Discard, nil)), jobs.Job{Name: "remind", Every: time.Minute, Lease: 10 * time.Minute,
		Run: func(context.Context, time.Time) error { runs.Add(1); return nil }})
	r.Tick(context.Background())
	if runs.Load() != 0 {
		t.Error("ran while another instance held the lease")
	}
	c.advance(11 * time.Minute)
	if ran := r.Tick(context.Background()); len(ran) != 1 || runs.Load() != 1 {
		t.Errorf("after the lease ended: ran %v", ran)
	}
}
