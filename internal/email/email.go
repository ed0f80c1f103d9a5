// Package email sends Waymark's notifications, email and text messages,
// through an outbox: a message is stored first (in the transaction of the
// change it reports) and delivered by a worker that retries with backoff,
// so nothing is lost when the mail server or the text-message provider is
// down. Each message is sent by the channel the person prefers, falling
// back to the other. Email goes by SMTP when SMTP_URL is set, or by GOV.UK
// Notify (internal/notify); texts by GOV.UK Notify; otherwise messages stay
// in the database as a development outbox.
package email

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/input"
)

// Channel is a way a message reaches a person.
type Channel string

// Channels.
const (
	ChannelEmail Channel = "email"
	ChannelSMS   Channel = "sms" // a text message to a UK mobile
)

// Message is one notification: an email form, a text-message form, or
// both, sent by the channel the person prefers and, when that one cannot
// reach them, by the other. Subjects and texts must not carry personal or
// health details: they are seen in notifications and inbox lists by anyone
// near the screen (a text has at most a first name and a link).
type Message struct {
	ID      string
	To      string // email address; "" when the person has none
	Subject string
	Text    string // plain-text part, always sent with an email
	HTML    string // HTML part, optional

	// Phone is the mobile number for the text form in E.164, like
	// +447700900982; "" when there is none (a landline gets no texts).
	Phone string
	// SMS is the text-message form, 160 characters where possible; "" when
	// the message has none (it is then sent by email only).
	SMS string
	// Prefer is the channel to try first; "" means email.
	Prefer Channel
	// About names what the message concerns, like "referral:ID", so that
	// a failure can be shown to whoever relies on the message.
	About     string
	CreatedAt time.Time
}

// maxSMS is the longest text GOV.UK Notify sends (six parts).
const maxSMS = 918

// Validate checks a message before it is queued. Errors: EINVALID.
func (m *Message) Validate() error {
	m.To, m.Phone = strings.TrimSpace(m.To), strings.TrimSpace(m.Phone)
	if m.To == "" && m.Phone == "" {
		return waymark.FieldErrorf(waymark.EINVALID, "to", "A message needs an email address or a mobile number")
	}
	if m.To != "" {
		if err := m.validateEmail(); err != nil {
			return err
		}
	}
	if m.Phone != "" {
		if e, ok := input.TextableMobile(m.Phone); !ok || e != m.Phone {
			return waymark.FieldErrorf(waymark.EINVALID, "phone", "A text message needs a UK mobile number in international form, like +447700900982")
		}
		switch {
		case strings.TrimSpace(m.SMS) == "":
			return waymark.Errorf(waymark.EINVALID, "A text message needs a body")
		case utf8.RuneCountInString(m.SMS) > maxSMS:
			return waymark.Errorf(waymark.EINVALID, "A text message must be %d characters or fewer", maxSMS)
		}
	}
	switch m.Prefer {
	case "", ChannelEmail, ChannelSMS:
	default:
		return waymark.Errorf(waymark.EINVALID, "A message is sent by email or text message")
	}
	if len(m.About) > 200 {
		return waymark.Errorf(waymark.EINVALID, "What a message is about must be 200 characters or fewer")
	}
	return nil
}

func (m *Message) validateEmail() error {
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

// Texted returns m with a text-message form for the number phone (as typed
// or kept: it is read with input.TextableMobile), preferring texts when
// preferText. A number that is not a UK mobile adds nothing: a landline
// gets no texts.
func (m Message) Texted(phone, sms string, preferText bool) Message {
	e, ok := input.TextableMobile(phone)
	if !ok || sms == "" {
		return m
	}
	m.Phone, m.SMS = e, sms
	if preferText {
		m.Prefer = ChannelSMS
	}
	return m
}

// Address is the recipient on channel c: the email address or the mobile
// number.
func (m Message) Address(c Channel) string {
	if c == ChannelSMS {
		return m.Phone
	}
	return m.To
}

// Queued is a message in the outbox with its delivery state.
type Queued struct {
	Message
	Status        string // pending, sent or failed (gave up)
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	SentAt        *time.Time
	// Channel is the channel being tried, or that delivered it; "" before
	// the first attempt. FellBack is set once the message moved to the
	// channel the person did not prefer.
	Channel  Channel
	FellBack bool
	// ProviderID is the sender's id for the message (GOV.UK Notify's), and
	// Receipt the delivery status it last reported (Receipt constants),
	// at ReceiptAt.
	ProviderID string
	Receipt    string
	ReceiptAt  *time.Time
}

// Outbox states.
const (
	StatusPending = "pending"
	StatusSent    = "sent"
	StatusFailed  = "failed"
)

// Delivery receipts, as GOV.UK Notify reports them.
const (
	ReceiptDelivered        = "delivered"
	ReceiptPermanentFailure = "permanent-failure" // the address or number does not exist
	ReceiptTemporaryFailure = "temporary-failure" // inbox full or phone off for 72 hours
	ReceiptTechnicalFailure = "technical-failure" // Notify could not send it: send again
)

// Reasons an address is kept from: see Store.Undeliverable.
const (
	UndeliverableOptedOut = "opted-out"      // asked for no more text messages
	UndeliverableFailed   = "does-not-exist" // a permanent failure was reported
)

// Attempt is the outcome of a failed delivery to record.
type Attempt struct {
	Channel  Channel // the channel to try next time
	FellBack bool
	Attempts int
	Next     time.Time
	Error    string
	GiveUp   bool
}

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
	// EmailSent marks a message delivered by channel (with the provider's
	// id, "" when it gives none), only while the claim holds it; it reports
	// whether it did.
	EmailSent(ctx context.Context, id, token string, channel Channel, providerID string, now time.Time) (bool, error)
	// EmailFailed records a failed attempt, only while the claim holds the
	// message: pending again at a.Next, or failed for good when a.GiveUp.
	EmailFailed(ctx context.Context, id, token string, a Attempt) (bool, error)
	// RecentEmails lists the newest messages, for the development outbox.
	RecentEmails(ctx context.Context, limit int) ([]Queued, error)
	// FailedEmails lists the newest messages that were given up or that
	// the provider reported not delivered.
	FailedEmails(ctx context.Context, limit int) ([]Queued, error)

	// RecordReceipt stores a delivery receipt for the message the provider
	// knows as providerID and returns the message. Errors: ENOTFOUND.
	RecordReceipt(ctx context.Context, providerID, receipt string, at time.Time) (*Queued, error)
	// Requeue makes a sent message pending again, due at, on channel.
	Requeue(ctx context.Context, id string, a Attempt) error
	// MarkUndeliverable keeps address (a lower-case email address or an
	// E.164 mobile) from further messages for reason; Deliverable lifts an
	// opt-out.
	MarkUndeliverable(ctx context.Context, address, reason string, at time.Time) error
	Deliverable(ctx context.Context, address string) error
	// Undeliverable returns, of addresses, those kept from messages with
	// the reason.
	Undeliverable(ctx context.Context, addresses ...string) (map[string]string, error)
}

// Transport delivers one message on its channel: an email transport reads
// To, Subject, Text and HTML; a text-message transport Phone and SMS.
type Transport interface {
	Deliver(ctx context.Context, m Message) error
}

// Tracker is a Transport that tells the provider's id for what it sent,
// which delivery receipts name.
type Tracker interface {
	DeliverTracked(ctx context.Context, m Message) (providerID string, err error)
}

// PermanentError is a delivery the provider refused in a way retrying
// cannot mend (a bad address, a refused key): the outbox tries the other
// channel, or gives up at once.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// ThrottledError is a provider asking to slow down (HTTP 429): the message
// is retried after the usual backoff and nothing more is sent on that
// channel until the next run.
type ThrottledError struct{ Err error }

func (e *ThrottledError) Error() string { return e.Err.Error() }
func (e *ThrottledError) Unwrap() error { return e.Err }

// Outbox queues and delivers messages.
type Outbox struct {
	store     Store
	transport Transport // email
	sms       Transport // nil: no text messages are sent
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

// NewOutbox returns an outbox delivering email with transport (nil sends
// no email) and no text messages until SetTransport gives it a sender.
func NewOutbox(store Store, transport Transport, now func() time.Time, logger *slog.Logger) *Outbox {
	return &Outbox{store: store, transport: transport, now: now, log: logger, MaxAttempts: 12, Backoff: time.Minute,
		Lease: 5 * time.Minute, Batch: 10}
}

// SetTransport sets the sender for channel c; nil turns the channel off.
func (o *Outbox) SetTransport(c Channel, t Transport) {
	if c == ChannelSMS {
		o.sms = t
	} else {
		o.transport = t
	}
}

// Sends reports whether the outbox has a sender for channel c.
func (o *Outbox) Sends(c Channel) bool { return o.sender(c) != nil }

func (o *Outbox) sender(c Channel) Transport {
	if c == ChannelSMS {
		return o.sms
	}
	return o.transport
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

// Failed lists the newest messages that failed: given up (with the
// provider's words), or reported not delivered.
func (o *Outbox) Failed(ctx context.Context, limit int) ([]Queued, error) {
	return o.store.FailedEmails(ctx, limit)
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
	// Channels whose provider asked to slow down (429) send nothing more
	// in this run.
	throttled := map[Channel]bool{}
	for {
		batch, token, err := o.store.ClaimEmails(ctx, o.now().UTC(), max(o.Batch, 1), o.Lease)
		if err != nil {
			return sent, failed, fmt.Errorf("claim email: %w", err)
		}
		if len(batch) == 0 {
			return sent, failed, nil
		}
		s, f, err := o.deliverClaimed(ctx, batch, token, throttled)
		sent, failed = sent+s, failed+f
		if err != nil || ctx.Err() != nil || s+f == 0 {
			// Stopping, or every message claimed waits for a channel
			// that asked to slow down: the next run tries again.
			return sent, failed, err
		}
	}
}

// deliverClaimed delivers a claimed batch, keeping the claim alive until it
// is done and giving back what is left when it stops early.
func (o *Outbox) deliverClaimed(ctx context.Context, batch []Queued, token string, throttled map[Channel]bool) (sent, failed int, err error) {
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
		blocked, err := o.store.Undeliverable(ctx, q.To, q.Phone)
		if err != nil {
			return sent, failed, fmt.Errorf("check addresses: %w", err)
		}
		ch, ok := o.route(q, blocked)
		if !ok {
			failed++
			why := o.unreachable(q, blocked)
			o.log.Warn("message cannot be sent", "email_id", q.ID, "reason", why)
			if _, err := o.store.EmailFailed(record, q.ID, token, Attempt{Channel: q.Channel, FellBack: q.FellBack, Attempts: q.Attempts, Next: o.now().UTC(), Error: why, GiveUp: true}); err != nil {
				return sent, failed, fmt.Errorf("record message failure: %w", err)
			}
			continue
		}
		if throttled[ch] {
			continue // given back when the claim is released
		}
		providerID, derr := o.deliver(ctx, ch, q.Message)
		if derr != nil {
			failed++
			var th *ThrottledError
			if errors.As(derr, &th) {
				throttled[ch] = true
			}
			if err := o.recordFailure(record, q, token, ch, derr, blocked); err != nil {
				return sent, failed, err
			}
			continue
		}
		sent++
		held, err := o.store.EmailSent(record, q.ID, token, ch, providerID, o.now().UTC())
		if err != nil {
			return sent, failed, fmt.Errorf("record email sent: %w", err)
		}
		if !held {
			o.log.Warn("email delivered after its claim was lost; another worker may send it again", "email_id", q.ID)
		}
	}
	return sent, failed, nil
}

// deliver sends m on channel ch, with the provider's id when it gives one.
func (o *Outbox) deliver(ctx context.Context, ch Channel, m Message) (string, error) {
	t := o.sender(ch)
	if tr, ok := t.(Tracker); ok {
		return tr.DeliverTracked(ctx, m)
	}
	return "", t.Deliver(ctx, m)
}

// recordFailure records a failed delivery on ch: retried after a backoff,
// moved to the other channel when this one failed for good and the other
// can reach the person, or given up.
func (o *Outbox) recordFailure(ctx context.Context, q Queued, token string, ch Channel, derr error, blocked map[string]string) error {
	attempts := q.Attempts + 1
	wait := min(max(o.Backoff, time.Second)<<min(attempts-1, 10), time.Hour)
	var perm *PermanentError
	final := errors.As(derr, &perm) || attempts >= o.MaxAttempts
	a := Attempt{Channel: ch, FellBack: q.FellBack, Attempts: attempts, Next: o.now().UTC().Add(wait), Error: derr.Error(), GiveUp: final}
	if final {
		if other, ok := o.fallback(q, ch, blocked); ok {
			a.Channel, a.FellBack, a.Next, a.GiveUp = other, true, o.now().UTC(), false
		}
	}
	// Log the error, never the address or content.
	o.log.Warn("message delivery failed", "email_id", q.ID, "channel", ch, "attempt", attempts, "give_up", a.GiveUp, "next_channel", a.Channel, "error", derr)
	if _, err := o.store.EmailFailed(ctx, q.ID, token, a); err != nil {
		return fmt.Errorf("record email failure: %w", err)
	}
	return nil
}

// can reports whether q can go by channel c: it has that form, the outbox
// a sender for it, and the address is not kept from messages.
func (o *Outbox) can(q Queued, c Channel, blocked map[string]string) bool {
	addr := q.Address(c)
	if addr == "" || o.sender(c) == nil || blocked[strings.ToLower(addr)] != "" {
		return false
	}
	return c != ChannelSMS || q.SMS != ""
}

// route chooses the channel for q: the one an earlier attempt used, else
// the preferred one, else the other.
func (o *Outbox) route(q Queued, blocked map[string]string) (Channel, bool) {
	if q.Channel != "" && o.can(q, q.Channel, blocked) {
		return q.Channel, true
	}
	first, second := ChannelEmail, ChannelSMS
	if q.Prefer == ChannelSMS {
		first, second = second, first
	}
	for _, c := range []Channel{first, second} {
		if o.can(q, c, blocked) {
			return c, true
		}
	}
	return "", false
}

// fallback is the other channel for a message that failed for good on ch,
// once.
func (o *Outbox) fallback(q Queued, ch Channel, blocked map[string]string) (Channel, bool) {
	other := ChannelSMS
	if ch == ChannelSMS {
		other = ChannelEmail
	}
	if q.FellBack || !o.can(q, other, blocked) {
		return "", false
	}
	return other, true
}

// unreachable says, without the address, why no channel can send q.
func (o *Outbox) unreachable(q Queued, blocked map[string]string) string {
	var why []string
	for _, c := range []Channel{ChannelEmail, ChannelSMS} {
		addr := q.Address(c)
		name := map[Channel]string{ChannelEmail: "email", ChannelSMS: "text message"}[c]
		switch {
		case addr == "" || (c == ChannelSMS && q.SMS == ""):
			why = append(why, "no "+name+" form")
		case blocked[strings.ToLower(addr)] == UndeliverableOptedOut:
			why = append(why, "the person opted out of "+name+"s")
		case blocked[strings.ToLower(addr)] != "":
			why = append(why, "the "+name+" address does not exist")
		case o.sender(c) == nil:
			why = append(why, name+"s are not set up")
		}
	}
	return "Not sent: " + strings.Join(why, "; ")
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

// Receipt records a delivery receipt the provider sent for the message it
// knows as providerID. A permanent failure keeps the address from further
// messages and is shown to whoever relies on the message; a permanent or
// temporary failure sends the message by the other channel when that can
// reach the person (once); a technical failure (the provider could not
// send it) sends it again. Other statuses (still sending) are ignored.
// Errors: ENOTFOUND for an unknown providerID.
func (o *Outbox) Receipt(ctx context.Context, providerID, status string, at time.Time) error {
	switch status {
	case ReceiptDelivered, ReceiptPermanentFailure, ReceiptTemporaryFailure, ReceiptTechnicalFailure:
	default:
		return nil
	}
	q, err := o.store.RecordReceipt(ctx, providerID, status, at.UTC())
	if err != nil {
		return err
	}
	if status == ReceiptDelivered {
		return nil
	}
	if status == ReceiptPermanentFailure {
		if err := o.store.MarkUndeliverable(ctx, strings.ToLower(q.Address(q.Channel)), UndeliverableFailed, at.UTC()); err != nil {
			return fmt.Errorf("mark address undeliverable: %w", err)
		}
	}
	blocked, err := o.store.Undeliverable(ctx, q.To, q.Phone)
	if err != nil {
		return fmt.Errorf("check addresses: %w", err)
	}
	a := Attempt{Channel: q.Channel, FellBack: q.FellBack, Attempts: q.Attempts, Next: o.now().UTC()}
	switch {
	case status == ReceiptTechnicalFailure && q.Attempts < o.MaxAttempts:
	default:
		other, ok := o.fallback(*q, q.Channel, blocked)
		if !ok {
			o.log.Info("message not delivered", "email_id", q.ID, "channel", q.Channel, "receipt", status)
			return nil
		}
		a.Channel, a.FellBack = other, true
	}
	o.log.Info("message sent again after a failure receipt", "email_id", q.ID, "receipt", status, "channel", a.Channel)
	return o.store.Requeue(ctx, q.ID, a)
}

// OptOut keeps a mobile number from text messages: a STOP reply passed on
// by the provider, or the person's own request. Errors: EINVALID for a
// number that is not a UK mobile.
func (o *Outbox) OptOut(ctx context.Context, phone string) error {
	e, ok := input.TextableMobile(phone)
	if !ok {
		return waymark.Errorf(waymark.EINVALID, "Enter a UK mobile number")
	}
	return o.store.MarkUndeliverable(ctx, e, UndeliverableOptedOut, o.now().UTC())
}

// OptIn lets a number that opted out get text messages again. Errors:
// EINVALID as OptOut.
func (o *Outbox) OptIn(ctx context.Context, phone string) error {
	e, ok := input.TextableMobile(phone)
	if !ok {
		return waymark.Errorf(waymark.EINVALID, "Enter a UK mobile number")
	}
	return o.store.Deliverable(ctx, e)
}

// Reachability says, for each of a person's addresses (email addresses
// and phone numbers as kept), whether it is kept from messages and why:
// UndeliverableOptedOut or UndeliverableFailed. Addresses with nothing
// against them are absent.
func (o *Outbox) Reachability(ctx context.Context, addresses ...string) (map[string]string, error) {
	keys := make([]string, 0, len(addresses))
	back := map[string]string{}
	for _, a := range addresses {
		k := strings.ToLower(strings.TrimSpace(a))
		if e, ok := input.TextableMobile(a); ok {
			k = e
		}
		if k != "" {
			keys = append(keys, k)
			back[k] = a
		}
	}
	got, err := o.store.Undeliverable(ctx, keys...)
	if err != nil {
		return nil, fmt.Errorf("check addresses: %w", err)
	}
	out := map[string]string{}
	for k, why := range got {
		out[back[k]] = why
	}
	return out, nil
}
