package oruk

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"waymark/internal/directory"
)

// RunStore is what background feed imports need from storage.
type RunStore interface {
	ListFeeds(ctx context.Context) ([]directory.Feed, error)
	QueueFeedImport(ctx context.Context, id, baseURL string, trusted bool, now time.Time) error
	FeedImport(ctx context.Context, id string) (*directory.FeedImportRun, error)
	ClaimFeedImport(ctx context.Context, now time.Time) (*directory.FeedImportRun, error)
	FinishFeedImport(ctx context.Context, run *directory.FeedImportRun, now time.Time) error
}

// FetchFailed is all a moderator is told when a feed cannot be imported:
// the same words whatever went wrong, since the details (an address refused,
// a port closed or open) would let the page probe the network behind the
// server. The details go to the log.
const FetchFailed = "The feed could not be fetched. Check the address is the feed's public web address and try again later"

// Runs queues feed imports asked for on the web and runs them in the
// background (the import-feeds job), one at a time.
type Runs struct {
	store    RunStore
	importer func() *Importer
	now      func() time.Time
	newID    func() string
	log      *slog.Logger
}

// NewRuns returns Runs storing in store and importing with a fresh Importer
// from importer for each run.
func NewRuns(store RunStore, importer func() *Importer, now func() time.Time, newID func() string, log *slog.Logger) *Runs {
	return &Runs{store: store, importer: importer, now: now, newID: newID, log: log}
}

// Feeds lists the feeds imported so far, by address.
func (r *Runs) Feeds(ctx context.Context) ([]directory.Feed, error) {
	return r.store.ListFeeds(ctx)
}

// Queue records an import of baseURL for the job to run and returns its id.
func (r *Runs) Queue(ctx context.Context, baseURL string, trusted bool) (string, error) {
	id := r.newID()
	if err := r.store.QueueFeedImport(ctx, id, baseURL, trusted, r.now().UTC()); err != nil {
		return "", err
	}
	return id, nil
}

// Get returns one run.
func (r *Runs) Get(ctx context.Context, id string) (*directory.FeedImportRun, error) {
	return r.store.FeedImport(ctx, id)
}

// Work runs every queued import, oldest first; it is the import-feeds job.
func (r *Runs) Work(ctx context.Context, _ time.Time) error {
	for ctx.Err() == nil {
		run, err := r.store.ClaimFeedImport(ctx, r.now().UTC())
		if err != nil {
			return err
		}
		if run == nil {
			return nil
		}
		sum, err := r.importer().Run(ctx, run.BaseURL, run.Trusted)
		run.Status = directory.FeedRunDone
		if sum != nil {
			run.Pages, run.Created, run.Updated, run.Unchanged = sum.Pages, sum.Created, sum.Updated, sum.Unchanged
			run.Removed, run.Rejected, run.Summary = sum.Removed, len(sum.Rejected), sum.String()
		}
		if err != nil {
			r.log.WarnContext(ctx, "feed import failed", "run", run.ID, "err", err)
			run.Status, run.Error = directory.FeedRunFailed, FetchFailed
		}
		if err := r.store.FinishFeedImport(ctx, run, r.now().UTC()); err != nil {
			return fmt.Errorf("feed import %s: %w", run.ID, err)
		}
	}
	return ctx.Err()
}
