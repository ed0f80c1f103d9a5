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
	// now+lease, so several workers never deliver the same message. It
	// returns them with the claim's token.
	ClaimEmails(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]Queued, string, error)
	// ExtendEmailClaim moves the claim's lease on to until, for the
	// messages it still holds, and reports how many those are.
	ExtendEmailClaim(ctx context.Context, token string, until time.Time) (int, error)
	// ReleaseEmailClaim gives back the messages the claim still holds, to
	// be delivered by any worker at once.
	ReleaseEmailClaim(ctx context.Context, token string) error
	// EmailSent marks a message delivered, only while the claim holds it;
	// it reports whether it did.
	EmailSent(ctx context.Context, id, token string, now time.Time) (bool, error)
	// EmailFailed records a failed attempt, only while the claim holds the
	// message: pending again at next, or failed for good when giveUp.
	EmailFailed(ctx context.Context, id, token string, attempts int, next time.Time, lastErr string, giveUp bool) (bool, error)
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
	// Lease is how long a claim on messages lasts without being extended;
	// while delivering, the claim is extended every Lease/4 (KeepEvery, when
	// set), so a slow mail server never lets another worker take over.
	Lease     time.Duration
	KeepEvery time.Duration
	// Batch is how many messages one claim takes.
	Batch int
}

// NewOutbox returns an outbox delivering with transport.
func NewOutbox(store Store, transport Transport, now func() time.Time, logger *slog.Logger) *Outbox {
	return &Outbox{store: store, transport: transport, now: now, log: logger, MaxAttempts: 12, Backoff: time.Minute,
		Lease: 5 * time.Minute, Batch: 10}
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
// safe to run in several processes at once: each message is claimed, the
// claim is kept alive while a slow server takes its time, and a message is
// marked sent only while its claim is still held. When ctx ends (the
// process is stopping) the messages not yet tried are given back at once.
func (o *Outbox) DeliverDue(ctx context.Context) (sent, failed int, err error) {
	for {
		batch, token, err := o.store.ClaimEmails(ctx, o.now().UTC(), max(o.Batch, 1), o.Lease)
		if err != nil {
			return sent, failed, fmt.Errorf("claim email: %w", err)
		}
		if len(batch) == 0 {
			return sent, failed, nil
		}
		s, f, err := o.deliverClaimed(ctx, batch, token)
		sent, failed = sent+s, failed+f
		if err != nil || ctx.Err() != nil {
			return sent, failed, err
		}
	}
}

// deliverClaimed delivers a claimed batch, keeping the claim alive until it
// is done and giving back what is left when it stops early.
func (o *Outbox) deliverClaimed(ctx context.Context, batch []Queued, token string) (sent, failed int, err error) {
	stop := o.keepClaim(ctx, token)
	defer func() {
		stop()
		// Give back what was not tried, even when ctx has ended.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if rerr := o.store.ReleaseEmailClaim(rctx, token); rerr != nil && err == nil {
			err = fmt.Errorf("release email claim: %w", rerr)
		}
	}()
	// Recording the outcome must not be lost to a stop mid-delivery.
	record := context.WithoutCancel(ctx)
	for _, q := range batch {
		if ctx.Err() != nil {
			return sent, failed, nil
		}
		if derr := o.transport.Deliver(ctx, q.Message); derr != nil {
			failed++
			attempts := q.Attempts + 1
			wait := min(max(o.Backoff, time.Second)<<min(attempts-1, 10), time.Hour)
			giveUp := attempts >= o.MaxAttempts
			// Log the error, never the address or content.
			o.log.Warn("email delivery failed", "email_id", q.ID, "attempt", attempts, "give_up", giveUp, "error", derr)
			if _, err := o.store.EmailFailed(record, q.ID, token, attempts, o.now().UTC().Add(wait), derr.Error(), giveUp); err != nil {
				return sent, failed, fmt.Errorf("record email failure: %w", err)
			}
			continue
		}
		sent++
		held, err := o.store.EmailSent(record, q.ID, token, o.now().UTC())
		if err != nil {
			return sent, failed, fmt.Errorf("record email sent: %w", err)
		}
		if !held {
			o.log.Warn("email delivered after its claim was lost; another worker may send it again", "email_id", q.ID)
		}
	}
	return sent, failed, nil
}

// keepClaim extends the claim every KeepEvery until stop is called.
func (o *Outbox) keepClaim(ctx context.Context, token string) (stop func()) {
	every := o.KeepEvery
	if every <= 0 {
		every = max(o.Lease/4, time.Millisecond)
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				if _, err := o.store.ExtendEmailClaim(ctx, token, o.now().UTC().Add(o.Lease)); err != nil && ctx.Err() == nil {
					o.log.Warn("extend email claim", "error", err)
				}
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// Start delivers what is due every interval until ctx ends. Every instance
// runs it; claims keep each message to one of them.
func (o *Outbox) Start(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, _, err := o.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			o.log.Error("deliver email", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
