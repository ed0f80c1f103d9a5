// Package jobs runs Waymark's scheduled work (email delivery, clean-ups, and
// the referral rules) so that when several instances share one database
// each job runs in only one of them at a time, and at most once per period.
package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"
)

// Store gives a job to one instance at a time.
type Store interface {
	Acquire(ctx context.Context, name, holder string, now time.Time, every, lease time.Duration) (bool, error)
	Release(ctx context.Context, name, holder string, ranAt time.Time) error
}

// Job is work to run every so often. Run must be idempotent: after a crash
// a job may run again before its period is over.
type Job struct {
	Name  string
	Every time.Duration
	Lease time.Duration // how long an instance may hold it; 0 for 5 minutes
	Run   func(ctx context.Context, now time.Time) error
}

// Runner runs jobs.
type Runner struct {
	store  Store
	now    func() time.Time
	log    *slog.Logger
	holder string
	jobs   []Job
}

// NewRunner returns a Runner for this instance.
func NewRunner(store Store, now func() time.Time, logger *slog.Logger, jobs ...Job) *Runner {
	return &Runner{store: store, now: now, log: logger, holder: uuid.NewString(), jobs: jobs}
}

// Tick runs, once, every job that is due and not held elsewhere, and
// returns the names of those it ran.
func (r *Runner) Tick(ctx context.Context) []string {
	var ran []string
	for _, j := range r.jobs {
		lease := j.Lease
		if lease <= 0 {
			lease = 5 * time.Minute
		}
		now := r.now().UTC()
		won, err := r.store.Acquire(ctx, j.Name, r.holder, now, j.Every, lease)
		if err != nil {
			r.log.Error("acquire job", "job", j.Name, "error", err)
			continue
		}
		if !won {
			continue
		}
		if err := j.Run(ctx, now); err != nil {
			r.log.Error("job failed", "job", j.Name, "error", err)
		}
		// Release even when ctx has ended (the process is stopping), so the
		// next instance need not wait out the lease.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		err = r.store.Release(rctx, j.Name, r.holder, r.now().UTC())
		cancel()
		if err != nil {
			r.log.Error("release job", "job", j.Name, "error", err)
		}
		ran = append(ran, j.Name)
	}
	return ran
}

// Start ticks every interval until ctx ends.
func (r *Runner) Start(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		r.Tick(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
