// Package email sends Waymark's email through an outbox: a message is stored
// first and delivered by a worker that retries with backoff, so nothing is
// lost when the mail server is down. Delivery is by SMTP when SMTP_URL is set;
// otherwise messages stay in the database as a development outbox.
package email

import (
	"context"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"waymark"
)

// Message is one email. Subjects must not carry personal or health details:
// they are seen in notifications and inbox lists by anyone near the screen.
type Message struct {
	ID        string
	To        string
	Subject   string
	Text      string // plain-text part, always sent
	HTML      string // HTML part, optional
	CreatedAt time.Time
}

// Validate checks a message before it is queued. Errors: EINVALID.
func (m *Message) Validate() error {
	m.To = strings.TrimSpace(m.To)
	if a, err := mail.ParseAddress(m.To); err != nil || a.Address != m.To {
		return waymark.FieldErrorf(waymark.EINVALID, "to", "Enter an email address in the correct format, like name@example.org")
	}
	switch {
	case strings.TrimSpace(m.Subject) == "":
		return waymark.Errorf(waymark.EINVALID, "An email needs a subject")
	case strings.ContainsAny(m.Subject, "\r\n"):
		return waymark.Errorf(waymark.EINVALID, "An email subject must be one line")
	case utf8.RuneCountInString(m.Subject) > 150:
		return waymark.Errorf(waymark.EINVALID, "An email subject must be 150 characters or fewer")
	case strings.TrimSpace(m.Text) == "":
		return waymark.Errorf(waymark.EINVALID, "An email needs a plain-text body")
	case len(m.Text)+len(m.HTML) > 1<<20:
		return waymark.Errorf(waymark.EINVALID, "An email must be smaller than 1 MB")
	}
	return nil
}

// Queued is a message in the outbox with its delivery state.
type Queued struct {
	Message
	Status        string // pending, sent or failed (gave up)
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	SentAt        *time.Time
}

// Outbox states.
const (
	StatusPending = "pending"
	StatusSent    = "sent"
	StatusFailed  = "failed"
)

// Store keeps the outbox.
type Store interface {
	// EnqueueEmail stores a new pending message, due now.
	EnqueueEmail(ctx context.Context, m Message, now time.Time) error
	// ClaimEmails leases up to limit due messages to this worker until
	// now+lease, so several workers never deliver the same message.
	ClaimEmails(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]Queued, error)
	// EmailSent marks a message delivered.
	EmailSent(ctx context.Context, id string, now time.Time) error
	// EmailFailed records a failed attempt: pending again at next, or failed
	// for good when giveUp.
	EmailFailed(ctx context.Context, id string, attempts int, next time.Time, lastErr string, giveUp bool) error
	// RecentEmails lists the newest messages, for the development outbox.
	RecentEmails(ctx context.Context, limit int) ([]Queued, error)
}

// Transport delivers one message.
type Transport interface {
	Deliver(ctx context.Context, m Message) error
}

// Outbox queues and delivers email.
type Outbox struct {
	store     Store
	transport Transport
	now       func() time.Time
	log       *slog.Logger
	// MaxAttempts is how many deliveries are tried before giving up.
	MaxAttempts int
	// Backoff is the wait after the first failure; it doubles each time, up
	// to an hour.
	Backoff time.Duration
}

// NewOutbox returns an outbox delivering with transport.
func NewOutbox(store Store, transport Transport, now func() time.Time, logger *slog.Logger) *Outbox {
	return &Outbox{store: store, transport: transport, now: now, log: logger, MaxAttempts: 12, Backoff: time.Minute}
}

// Send validates a message and queues it for delivery. Errors: EINVALID.
func (o *Outbox) Send(ctx context.Context, m Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if m.ID == "" {
		m.ID = uuid.NewString()
	}
	m.CreatedAt = o.now().UTC()
	if err := o.store.EnqueueEmail(ctx, m, m.CreatedAt); err != nil {
		return fmt.Errorf("queue email: %w", err)
	}
	return nil
}

// Recent lists the newest messages in the outbox.
func (o *Outbox) Recent(ctx context.Context, limit int) ([]Queued, error) {
	return o.store.RecentEmails(ctx, limit)
}

// DeliverDue tries every message that is due, once, and reports how many were
// delivered and how many failed this time. Jobs call it periodically; it is
// safe to run in several processes at once.
func (o *Outbox) DeliverDue(ctx context.Context) (sent, failed int, err error) {
	for {
		now := o.now().UTC()
		batch, err := o.store.ClaimEmails(ctx, now, 20, 5*time.Minute)
		if err != nil {
			return sent, failed, fmt.Errorf("claim email: %w", err)
		}
		if len(batch) == 0 {
			return sent, failed, nil
		}
		for _, q := range batch {
			if err := o.transport.Deliver(ctx, q.Message); err != nil {
				failed++
				attempts := q.Attempts + 1
				wait := min(max(o.Backoff, time.Second)<<min(attempts-1, 10), time.Hour)
				giveUp := attempts >= o.MaxAttempts
				// Log the error, never the address or content.
				o.log.Warn("email delivery failed", "email_id", q.ID, "attempt", attempts, "give_up", giveUp, "error", err)
				if err := o.store.EmailFailed(ctx, q.ID, attempts, now.Add(wait), err.Error(), giveUp); err != nil {
					return sent, failed, fmt.Errorf("record email failure: %w", err)
				}
				continue
			}
			sent++
			if err := o.store.EmailSent(ctx, q.ID, o.now().UTC()); err != nil {
				return sent, failed, fmt.Errorf("record email sent: %w", err)
			}
		}
	}
}
