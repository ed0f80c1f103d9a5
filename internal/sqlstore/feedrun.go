package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"waymark"
	"waymark/internal/directory"
)

const feedRunColumns = `id, base_url, trusted, status, pages, created, updated, unchanged, removed, rejected,
	summary, error, queued_at, started_at, finished_at`

func scanFeedRun(r rowScanner) (*directory.FeedImportRun, error) {
	var run directory.FeedImportRun
	var started, finished sql.NullTime
	err := r.Scan(&run.ID, &run.BaseURL, &run.Trusted, &run.Status, &run.Pages, &run.Created, &run.Updated,
		&run.Unchanged, &run.Removed, &run.Rejected, &run.Summary, &run.Error, &run.QueuedAt, &started, &finished)
	if err != nil {
		return nil, err
	}
	if started.Valid {
		run.StartedAt = &started.Time
	}
	if finished.Valid {
		run.FinishedAt = &finished.Time
	}
	return &run, nil
}

// QueueFeedImport records an import run waiting for the import-feeds job.
func (s *DirectoryStore) QueueFeedImport(ctx context.Context, id, baseURL string, trusted bool, now time.Time) error {
	return s.db.inTx(ctx, func(c conn) error {
		err := c.exec(ctx, `INSERT INTO feed_import_run (id, base_url, trusted, status, queued_at) VALUES (?, ?, ?, ?, ?)`,
			id, baseURL, trusted, directory.FeedRunQueued, now)
		if err != nil {
			return fmt.Errorf("queue feed import: %w", err)
		}
		// The moderators' form (its token in ctx) queues one run.
		return claimFormToken(ctx, c, "feed_run", id, now)
	})
}

// FeedImport returns one import run.
func (s *DirectoryStore) FeedImport(ctx context.Context, id string) (*directory.FeedImportRun, error) {
	run, err := scanFeedRun(s.db.reader().queryRow(ctx, `SELECT `+feedRunColumns+` FROM feed_import_run WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "No such feed import")
	}
	if err != nil {
		return nil, fmt.Errorf("get feed import: %w", mapError(err))
	}
	return run, nil
}

// ClaimFeedImport marks the oldest queued run as running and returns it, or
// nil when none is queued.
func (s *DirectoryStore) ClaimFeedImport(ctx context.Context, now time.Time) (*directory.FeedImportRun, error) {
	var run *directory.FeedImportRun
	err := s.db.inTx(ctx, func(c conn) error {
		var id string
		err := c.queryRow(ctx, `SELECT id FROM feed_import_run WHERE status = ? ORDER BY queued_at, id LIMIT 1`, directory.FeedRunQueued).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := c.exec(ctx, `UPDATE feed_import_run SET status = ?, started_at = ? WHERE id = ? AND status = ?`,
			directory.FeedRunRunning, now, id, directory.FeedRunQueued); err != nil {
			return err
		}
		run, err = scanFeedRun(c.queryRow(ctx, `SELECT `+feedRunColumns+` FROM feed_import_run WHERE id = ?`, id))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim feed import: %w", mapError(err))
	}
	return run, nil
}

// FinishFeedImport records how a run ended: its status, counts and summary.
func (s *DirectoryStore) FinishFeedImport(ctx context.Context, run *directory.FeedImportRun, now time.Time) error {
	return s.db.inTx(ctx, func(c conn) error {
		err := c.exec(ctx, `UPDATE feed_import_run SET status = ?, pages = ?, created = ?, updated = ?, unchanged = ?, removed = ?,
			rejected = ?, summary = ?, error = ?, finished_at = ? WHERE id = ?`,
			run.Status, run.Pages, run.Created, run.Updated, run.Unchanged, run.Removed, run.Rejected, run.Summary, run.Error, now, run.ID)
		if err != nil {
			return fmt.Errorf("finish feed import: %w", err)
		}
		return nil
	})
}
