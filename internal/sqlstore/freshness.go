package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/freshness"
)

// FreshnessStore keeps the website checker's snapshots and the record of
// manual checks. It implements freshness.Store.
type FreshnessStore struct {
	db *DB
}

// NewFreshnessStore returns a FreshnessStore on db.
func NewFreshnessStore(db *DB) *FreshnessStore { return &FreshnessStore{db: db} }

var _ freshness.Store = (*FreshnessStore)(nil)

// DueWebsiteChecks lists live entries with a website not checked since
// checkedBefore, never-checked and least recently checked first.
func (s *FreshnessStore) DueWebsiteChecks(ctx context.Context, checkedBefore time.Time, limit int) ([]freshness.Due, error) {
	var out []freshness.Due
	err := eachRow(ctx, s.db.reader(), `SELECT s.id, s.url, COALESCE(c.snapshot, ''), c.snapshot_at, s.assured_at, COALESCE(c.failures, 0)
		FROM service s LEFT JOIN service_check c ON c.service_id = s.id
		WHERE s.status IN ('published', 'frozen') AND s.url <> ''
			AND (c.checked_at IS NULL OR c.checked_at <= ?)
		ORDER BY CASE WHEN c.checked_at IS NULL THEN 0 ELSE 1 END, c.checked_at, s.id
		LIMIT ?`, []any{checkedBefore.UTC(), limit}, func(r rowScanner) error {
		var d freshness.Due
		var snap string
		var snapAt, assured sql.NullTime
		if err := r.Scan(&d.ServiceID, &d.Website, &snap, &snapAt, &assured, &d.Failures); err != nil {
			return err
		}
		d.SnapshotAt, d.AssuredAt = timePtr(snapAt), timePtr(assured)
		if snap != "" {
			d.Snapshot = []byte(snap)
		}
		out = append(out, d)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list website checks due: %w", err)
	}
	return out, nil
}

// ClaimWebsiteCheck records that an entry is being checked at now if it was
// last checked at or before checkedBefore (or never). One conditional
// UPDATE decides, so of several instances claiming at once one wins.
func (s *FreshnessStore) ClaimWebsiteCheck(ctx context.Context, serviceID string, now, checkedBefore time.Time) (bool, error) {
	won := false
	err := s.db.inTx(ctx, func(c conn) error {
		if err := c.exec(ctx, `INSERT INTO service_check (service_id) VALUES (?) ON CONFLICT (service_id) DO NOTHING`, serviceID); err != nil {
			return err
		}
		n, err := c.execN(ctx, `UPDATE service_check SET checked_at = ?
			WHERE service_id = ? AND (checked_at IS NULL OR checked_at <= ?)`, now.UTC(), serviceID, checkedBefore.UTC())
		if err != nil {
			return err
		}
		won = n == 1
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("claim website check of %s: %w", serviceID, err)
	}
	return won, nil
}

// SaveSnapshot stores an entry's latest website snapshot.
func (s *FreshnessStore) SaveSnapshot(ctx context.Context, serviceID string, snapshot []byte, at time.Time) error {
	err := s.db.inTx(ctx, func(c conn) error {
		return c.exec(ctx, `INSERT INTO service_check (service_id, snapshot, snapshot_at) VALUES (?, ?, ?)
			ON CONFLICT (service_id) DO UPDATE SET snapshot = excluded.snapshot, snapshot_at = excluded.snapshot_at, failures = 0`,
			serviceID, string(snapshot), at.UTC())
	})
	if err != nil {
		return fmt.Errorf("save snapshot of %s: %w", serviceID, err)
	}
	return nil
}

// RecordFailure counts a check that found the site unreachable for a
// reason that may pass, and sets when it was last checked to checkedAt, so
// it comes up again sooner than the usual period.
func (s *FreshnessStore) RecordFailure(ctx context.Context, serviceID string, checkedAt time.Time) error {
	err := s.db.inTx(ctx, func(c conn) error {
		return c.exec(ctx, `UPDATE service_check SET failures = failures + 1, checked_at = ? WHERE service_id = ?`, checkedAt.UTC(), serviceID)
	})
	if err != nil {
		return fmt.Errorf("record failed check of %s: %w", serviceID, err)
	}
	return nil
}

// Snapshot returns an entry's last stored snapshot and when it was taken;
// nil when it has none.
func (s *FreshnessStore) Snapshot(ctx context.Context, serviceID string) ([]byte, *time.Time, error) {
	var snap string
	var at sql.NullTime
	err := eachRow(ctx, s.db.reader(), `SELECT snapshot, snapshot_at FROM service_check WHERE service_id = ?`, []any{serviceID},
		func(r rowScanner) error { return r.Scan(&snap, &at) })
	if err != nil {
		return nil, nil, fmt.Errorf("read snapshot of %s: %w", serviceID, err)
	}
	if snap == "" {
		return nil, nil, nil
	}
	return []byte(snap), timePtr(at), nil
}

// MarkAssured records that a live entry was confirmed at at. An entry no
// longer live is left alone.
func (s *FreshnessStore) MarkAssured(ctx context.Context, serviceID string, at time.Time) error {
	return NewDirectoryStore(s.db).MarkAssured(ctx, serviceID, at)
}

// SetAssured sets when an entry was last confirmed, whatever its status;
// nil clears it. For imports, demo data and tests.
func (s *FreshnessStore) SetAssured(ctx context.Context, serviceID string, at *time.Time) error {
	var v any
	if at != nil {
		v = at.UTC()
	}
	err := s.db.inTx(ctx, func(c conn) error {
		return c.exec(ctx, `UPDATE service SET assured_at = ? WHERE id = ?`, v, serviceID)
	})
	if err != nil {
		return fmt.Errorf("set %s confirmed: %w", serviceID, err)
	}
	return nil
}

// manualDue is the condition on service s for a manual check due before
// the one argument.
const manualDue = `s.status IN ('published', 'frozen') AND s.url = '' AND COALESCE(s.assured_at, s.created_at) <= ?`

// ManualQueue lists live entries without a website last confirmed (or
// created) at or before confirmedBefore, oldest first.
func (s *FreshnessStore) ManualQueue(ctx context.Context, confirmedBefore time.Time) ([]*directory.Service, error) {
	ids, err := columnStrings(ctx, s.db.reader(), `SELECT s.id FROM service s WHERE `+manualDue+`
		ORDER BY COALESCE(s.assured_at, s.created_at), s.id`, []any{confirmedBefore.UTC()})
	if err != nil {
		return nil, fmt.Errorf("list manual checks due: %w", err)
	}
	m, err := loadServices(ctx, s.db.reader(), ids, false)
	if err != nil {
		return nil, fmt.Errorf("load manual checks due: %w", err)
	}
	out := make([]*directory.Service, 0, len(ids))
	for _, id := range ids {
		if svc, ok := m[id]; ok {
			out = append(out, svc)
		}
	}
	return out, nil
}

// RecordCheck records a moderator's manual check in the entry's history
// and, with assure, confirms the entry at c.At, in one transaction. The
// entry must still be due (confirmed at or before c.DueBefore), so two
// moderators recording at once record one check. Errors: ECONFLICT.
func (s *FreshnessStore) RecordCheck(ctx context.Context, c freshness.Check, assure bool) error {
	return s.db.inTx(ctx, func(tx conn) error {
		q := `UPDATE service AS s SET updated_at = s.updated_at WHERE s.id = ? AND ` + manualDue
		args := []any{c.ServiceID, c.DueBefore.UTC()}
		if assure {
			q = `UPDATE service AS s SET assured_at = ? WHERE s.id = ? AND ` + manualDue
			args = []any{c.At.UTC(), c.ServiceID, c.DueBefore.UTC()}
		}
		n, err := tx.execN(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("record check of %s: %w", c.ServiceID, err)
		}
		if n != 1 {
			return waymark.Errorf(waymark.ECONFLICT, "Someone has already checked this listing: reload the page")
		}
		err = tx.exec(ctx, `INSERT INTO service_event (id, service_id, actor_id, action, from_status, to_status, note, at)
			SELECT ?, id, ?, ?, status, status, ?, ? FROM service WHERE id = ?`, c.ID, nullString(c.ActorID), string(freshness.ActionCheck), c.Note, c.At.UTC(), c.ServiceID)
		if err != nil {
			return fmt.Errorf("record check of %s: %w", c.ServiceID, err)
		}
		return nil
	})
}
