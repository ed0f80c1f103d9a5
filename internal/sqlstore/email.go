package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"waymark"
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
	return s.db.inTx(ctx, func(c conn) error { return enqueue(ctx, c, m, now) })
}

// enqueue stores a pending message, due now, in the caller's transaction.
func enqueue(ctx context.Context, c conn, m email.Message, now time.Time) error {
	if m.ID == "" {
		m.ID = uuid.NewString()
	}
	if m.Prefer == "" {
		m.Prefer = email.ChannelEmail
	}
	err := c.exec(ctx, `INSERT INTO email_outbox (id, to_address, subject, text_body, html_body, phone, sms_body, prefer, about, status, next_attempt_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`, m.ID, m.To, m.Subject, m.Text, m.HTML, m.Phone, m.SMS, string(m.Prefer), m.About, now, now)
	if err != nil {
		return fmt.Errorf("insert message: %w", err)
	}
	return nil
}

const emailColumns = `id, to_address, subject, text_body, html_body, phone, sms_body, prefer, about, status, attempts, next_attempt_at, last_error,
	created_at, sent_at, channel, fell_back, provider_id, receipt, receipt_at`

func scanEmail(r rowScanner) (email.Queued, error) {
	var q email.Queued
	var sent, receiptAt sql.NullTime
	var prefer, channel string
	err := r.Scan(&q.ID, &q.To, &q.Subject, &q.Text, &q.HTML, &q.Phone, &q.SMS, &prefer, &q.About, &q.Status, &q.Attempts, &q.NextAttemptAt, &q.LastError,
		&q.CreatedAt, &sent, &channel, &q.FellBack, &q.ProviderID, &q.Receipt, &receiptAt)
	q.Prefer, q.Channel = email.Channel(prefer), email.Channel(channel)
	q.SentAt, q.ReceiptAt = timePtr(sent), timePtr(receiptAt)
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
		return eachRow(ctx, c, `SELECT `+emailColumns+` FROM email_outbox WHERE lease_token = ? ORDER BY next_attempt_at, seq`,
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

// EmailSent marks a message delivered by channel, only while the claim
// holds it.
func (s *EmailStore) EmailSent(ctx context.Context, id, token string, channel email.Channel, providerID string, now time.Time) (bool, error) {
	var n int64
	err := s.db.inTx(ctx, func(c conn) error {
		var err error
		n, err = c.execN(ctx, `UPDATE email_outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1, channel = ?, provider_id = ?,
			receipt = '', receipt_at = NULL, lease_token = NULL, lease_until = NULL, last_error = '' WHERE id = ? AND lease_token = ?`,
			now, string(channel), providerID, id, token)
		return err
	})
	return n == 1, err
}

// EmailFailed records a failed attempt, only while the claim holds the
// message.
func (s *EmailStore) EmailFailed(ctx context.Context, id, token string, a email.Attempt) (bool, error) {
	var n int64
	err := s.db.inTx(ctx, func(c conn) error {
		var err error
		n, err = c.execN(ctx, `UPDATE email_outbox SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, channel = ?, fell_back = ?,
			lease_token = NULL, lease_until = NULL WHERE id = ? AND lease_token = ?`, attemptStatus(a), a.Attempts, a.Next, clip(a.Error, 500),
			string(a.Channel), a.FellBack, id, token)
		return err
	})
	return n == 1, err
}

func attemptStatus(a email.Attempt) string {
	if a.GiveUp {
		return email.StatusFailed
	}
	return email.StatusPending
}

func clip(s string, n int) string {
	if len(s) > n {
		return strings.ToValidUTF8(s[:n], "")
	}
	return s
}

// RecordReceipt stores a delivery receipt and returns the message.
// Errors: ENOTFOUND.
func (s *EmailStore) RecordReceipt(ctx context.Context, providerID, receipt string, at time.Time) (*email.Queued, error) {
	var q email.Queued
	err := s.db.inTx(ctx, func(c conn) error {
		n, err := c.execN(ctx, `UPDATE email_outbox SET receipt = ?, receipt_at = ? WHERE provider_id = ? AND provider_id <> ''`, receipt, at, providerID)
		if err != nil {
			return fmt.Errorf("record receipt: %w", err)
		}
		if n == 0 {
			return waymark.Errorf(waymark.ENOTFOUND, "No message has this id")
		}
		q, err = scanEmail(c.queryRow(ctx, `SELECT `+emailColumns+` FROM email_outbox WHERE provider_id = ?`, providerID))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &q, nil
}

// Requeue makes a message pending again on a.Channel, due at a.Next.
func (s *EmailStore) Requeue(ctx context.Context, id string, a email.Attempt) error {
	return s.db.inTx(ctx, func(c conn) error {
		return c.exec(ctx, `UPDATE email_outbox SET status = 'pending', channel = ?, fell_back = ?, attempts = ?, next_attempt_at = ?,
			sent_at = NULL, provider_id = '' WHERE id = ?`, string(a.Channel), a.FellBack, a.Attempts, a.Next, id)
	})
}

// MarkUndeliverable keeps address from further messages for reason.
func (s *EmailStore) MarkUndeliverable(ctx context.Context, address, reason string, at time.Time) error {
	address = strings.ToLower(strings.TrimSpace(address))
	if address == "" {
		return nil
	}
	return s.db.inTx(ctx, func(c conn) error {
		return c.exec(ctx, `INSERT INTO undeliverable (address, reason, created_at) VALUES (?, ?, ?)
			ON CONFLICT (address) DO UPDATE SET reason = excluded.reason, created_at = excluded.created_at`, address, reason, at)
	})
}

// Deliverable lifts an opt-out of address.
func (s *EmailStore) Deliverable(ctx context.Context, address string) error {
	return s.db.inTx(ctx, func(c conn) error {
		return c.exec(ctx, `DELETE FROM undeliverable WHERE address = ? AND reason = ?`, strings.ToLower(strings.TrimSpace(address)), email.UndeliverableOptedOut)
	})
}

// Undeliverable returns, of addresses (compared in lower case, and
// returned so), those kept from messages with the reason.
func (s *EmailStore) Undeliverable(ctx context.Context, addresses ...string) (map[string]string, error) {
	var args []any
	for _, a := range addresses {
		if a = strings.ToLower(strings.TrimSpace(a)); a != "" {
			args = append(args, a)
		}
	}
	out := map[string]string{}
	if len(args) == 0 {
		return out, nil
	}
	err := eachRow(ctx, s.db.reader(), `SELECT address, reason FROM undeliverable WHERE address IN (`+placeholders(len(args))+`)`, args,
		func(r rowScanner) error {
			var a, why string
			err := r.Scan(&a, &why)
			out[a] = why
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("undeliverable addresses: %w", err)
	}
	return out, nil
}

// RecentEmails lists the newest messages first.
func (s *EmailStore) RecentEmails(ctx context.Context, limit int) ([]email.Queued, error) {
	return s.newest(ctx, "TRUE", limit)
}

// FailedEmails lists the newest messages that failed: given up, or
// reported not delivered by the provider.
func (s *EmailStore) FailedEmails(ctx context.Context, limit int) ([]email.Queued, error) {
	return s.newest(ctx, `status = 'failed' OR receipt IN (?, ?, ?)`, limit,
		email.ReceiptPermanentFailure, email.ReceiptTemporaryFailure, email.ReceiptTechnicalFailure)
}

// newest lists up to limit messages matching where (with args), newest
// first.
func (s *EmailStore) newest(ctx context.Context, where string, limit int, args ...any) ([]email.Queued, error) {
	var out []email.Queued
	err := eachRow(ctx, s.db.reader(), `SELECT `+emailColumns+` FROM email_outbox WHERE `+where+` ORDER BY created_at DESC, seq DESC LIMIT ?`,
		append(args, limit), func(r rowScanner) error {
			q, err := scanEmail(r)
			out = append(out, q)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("list emails: %w", err)
	}
	return out, nil
}
