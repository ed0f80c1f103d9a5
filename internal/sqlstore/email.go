package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/google/uuid"

	"waymark/internal/email"
)

// EmailStore keeps the email outbox. It implements email.Store.
type EmailStore struct {
	db *DB
}

// NewEmailStore returns an EmailStore on db.
func NewEmailStore(db *DB) *EmailStore { return &EmailStore{db: db} }

var _ email.Store = (*EmailStore)(nil)

// EnqueueEmail stores a new pending message, due now.
func (s *EmailStore) EnqueueEmail(ctx context.Context, m email.Message, now time.Time) error {
	return s.db.inTx(ctx, func(c conn) error {
		err := c.exec(ctx, `INSERT INTO email_outbox (id, to_address, subject, text_body, html_body, status, next_attempt_at, created_at)
			VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)`, m.ID, m.To, m.Subject, m.Text, m.HTML, now, now)
		if err != nil {
			return fmt.Errorf("insert email: %w", err)
		}
		return nil
	})
}

const emailColumns = `id, to_address, subject, text_body, html_body, status, attempts, next_attempt_at, last_error, created_at, sent_at`

func scanEmail(r rowScanner) (email.Queued, error) {
	var q email.Queued
	var sent sql.NullTime
	err := r.Scan(&q.ID, &q.To, &q.Subject, &q.Text, &q.HTML, &q.Status, &q.Attempts, &q.NextAttemptAt, &q.LastError, &q.CreatedAt, &sent)
	if sent.Valid {
		q.SentAt = &sent.Time
	}
	return q, err
}

// ClaimEmails leases up to limit due messages until now+lease. In PostgreSQL
// rows another worker is claiming are skipped (FOR UPDATE SKIP LOCKED); SQLite
// has one writer at a time.
func (s *EmailStore) ClaimEmails(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]email.Queued, string, error) {
	token := uuid.NewString()
	lock := s.db.dialect.skipLocked()
	var out []email.Queued
	err := s.db.inTx(ctx, func(c conn) error {
		err := c.exec(ctx, `UPDATE email_outbox SET lease_token = ?, lease_until = ? WHERE id IN (
				SELECT id FROM email_outbox WHERE status = 'pending' AND next_attempt_at <= ?
					AND (lease_until IS NULL OR lease_until <= ?)
				ORDER BY next_attempt_at, seq LIMIT ?`+lock+`)`, token, now.Add(lease), now, now, limit)
		if err != nil {
			return fmt.Errorf("lease emails: %w", err)
		}
		return eachRow(ctx, c, `SELECT `+emailColumns+` FROM email_outbox WHERE lease_token = ? ORDER BY next_attempt_at`,
			[]any{token}, func(r rowScanner) error {
				q, err := scanEmail(r)
				out = append(out, q)
				return err
			})
	})
	if err != nil {
		return nil, "", fmt.Errorf("claim emails: %w", err)
	}
	return out, token, nil
}

// ExtendEmailClaim moves the lease of the messages the claim still holds
// on to until.
func (s *EmailStore) ExtendEmailClaim(ctx context.Context, token string, until time.Time) (int, error) {
	var n int64
	err := s.db.inTx(ctx, func(c conn) error {
		var err error
		n, err = c.execN(ctx, `UPDATE email_outbox SET lease_until = ? WHERE lease_token = ? AND status = 'pending'`, until, token)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("extend email claim: %w", err)
	}
	return int(n), nil
}

// ReleaseEmailClaim gives back the messages the claim still holds.
func (s *EmailStore) ReleaseEmailClaim(ctx context.Context, token string) error {
	return s.db.inTx(ctx, func(c conn) error {
		return c.exec(ctx, `UPDATE email_outbox SET lease_token = NULL, lease_until = NULL WHERE lease_token = ?`, token)
	})
}

// EmailSent marks a message delivered, only while the claim holds it.
func (s *EmailStore) EmailSent(ctx context.Context, id, token string, now time.Time) (bool, error) {
	var n int64
	err := s.db.inTx(ctx, func(c conn) error {
		var err error
		n, err = c.execN(ctx, `UPDATE email_outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1,
			lease_token = NULL, lease_until = NULL, last_error = '' WHERE id = ? AND lease_token = ?`, now, id, token)
		return err
	})
	return n == 1, err
}

// EmailFailed records a failed attempt, only while the claim holds the
// message.
func (s *EmailStore) EmailFailed(ctx context.Context, id, token string, attempts int, next time.Time, lastErr string, giveUp bool) (bool, error) {
	status := email.StatusPending
	if giveUp {
		status = email.StatusFailed
	}
	if len(lastErr) > 500 {
		lastErr = lastErr[:500]
	}
	var n int64
	err := s.db.inTx(ctx, func(c conn) error {
		var err error
		n, err = c.execN(ctx, `UPDATE email_outbox SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?,
			lease_token = NULL, lease_until = NULL WHERE id = ? AND lease_token = ?`, status, attempts, next, lastErr, id, token)
		return err
	})
	return n == 1, err
}

// RecentEmails lists the newest messages first.
func (s *EmailStore) RecentEmails(ctx context.Context, limit int) ([]email.Queued, error) {
	var out []email.Queued
	err := eachRow(ctx, s.db.reader(), `SELECT `+emailColumns+` FROM email_outbox ORDER BY created_at DESC, seq DESC LIMIT ?`,
		[]any{limit}, func(r rowScanner) error {
			q, err := scanEmail(r)
			out = append(out, q)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("list emails: %w", err)
	}
	return out, nil
}
