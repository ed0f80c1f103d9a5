package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// JobStore gives each scheduled job to one instance at a time.
type JobStore struct {
	db *DB
}

// NewJobStore returns a JobStore on db.
func NewJobStore(db *DB) *JobStore { return &JobStore{db: db} }

// Acquire takes the job for holder until now+lease if it is due (it last
// ran at least every ago) and nobody else holds it. It reports whether this
// holder now has it. One UPDATE decides, so two instances never both win.
func (s *JobStore) Acquire(ctx context.Context, name, holder string, now time.Time, every, lease time.Duration) (bool, error) {
	var won bool
	err := s.db.inTx(ctx, func(c conn) error {
		if err := c.exec(ctx, `INSERT INTO job_lock (name, locked_until) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`,
			name, time.Unix(0, 0).UTC()); err != nil {
			return err
		}
		n, err := c.execN(ctx, `UPDATE job_lock SET holder = ?, locked_until = ?
			WHERE name = ? AND locked_until <= ? AND (last_run_at IS NULL OR last_run_at <= ?)`,
			holder, now.Add(lease), name, now, now.Add(-every))
		if err != nil {
			return err
		}
		won = n == 1
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("acquire job %s: %w", name, err)
	}
	return won, nil
}

// Release records a finished run and frees the job.
func (s *JobStore) Release(ctx context.Context, name, holder string, ranAt time.Time) error {
	return s.db.inTx(ctx, func(c conn) error {
		return c.exec(ctx, `UPDATE job_lock SET holder = '', locked_until = ?, last_run_at = ? WHERE name = ? AND holder = ?`,
			ranAt, ranAt, name, holder)
	})
}

// LastRun returns when a job last finished, zero if never.
func (s *JobStore) LastRun(ctx context.Context, name string) (time.Time, error) {
	var t sql.NullTime
	err := s.db.reader().queryRow(ctx, `SELECT last_run_at FROM job_lock WHERE name = ?`, name).Scan(&t)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("job %s: %w", name, err)
	}
	return t.Time, nil
}
