package freshness

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/input"
)

// Outcome is what a moderator found on a manual check.
type Outcome string

// Manual check outcomes.
const (
	// OutcomeRunning: checked, still running as listed. The entry is
	// confirmed now.
	OutcomeRunning Outcome = "running"
	// OutcomeChanged: the service runs but its details changed. It is
	// recorded (and the entry confirmed) when the moderator saves the
	// correction.
	OutcomeChanged Outcome = "changed"
	// OutcomeUnconfirmed: could not confirm the service still runs. The
	// entry is suspended and its provider emailed the link to confirm it.
	OutcomeUnconfirmed Outcome = "unconfirmed"
)

// Describe is the outcome in words, for the listing's history.
func (o Outcome) Describe() string {
	switch o {
	case OutcomeRunning:
		return "Checked by a moderator: still running"
	case OutcomeChanged:
		return "Checked by a moderator: running, details changed"
	case OutcomeUnconfirmed:
		return "Checked by a moderator: could not confirm it is still running"
	}
	return string(o)
}

// ActionCheck is the history action of a manual check.
const ActionCheck directory.Action = "check"

// ManualConfig configures manual checks.
type ManualConfig struct {
	// PublicURL is the site's address, for the links in providers' email.
	PublicURL string
	// Months is how long after its last confirmation an entry without a
	// website comes up for a manual check; DefaultManualMonths if zero.
	Months int
}

// ManualChecks is the moderators' queue of entries without a website that
// are due a check, and the record of each check.
type ManualChecks struct {
	store    Store
	listings Listings
	mail     Mailer
	cfg      ManualConfig
	now      func() time.Time
	newID    func() string
	log      *slog.Logger
}

// NewManualChecks returns ManualChecks. listings suspends the entries a check
// could not confirm (a *directory.System acting as
// directory.ByManualCheck, so their providers may confirm them); now is the
// clock; newID makes history event ids.
func NewManualChecks(store Store, listings Listings, mail Mailer, cfg ManualConfig, now func() time.Time, newID func() string, logger *slog.Logger) *ManualChecks {
	if cfg.Months <= 0 {
		cfg.Months = DefaultManualMonths
	}
	return &ManualChecks{store: store, listings: listings, mail: mail, cfg: cfg, now: now, newID: newID, log: logger}
}

// Months is how often an entry without a website is checked.
func (m *ManualChecks) Months() int { return m.cfg.Months }

// dueBefore is the confirmation date an entry must be older than, at now,
// to be due a check.
func (m *ManualChecks) dueBefore(now time.Time) time.Time {
	return now.UTC().AddDate(0, -m.cfg.Months, 0)
}

func moderator(ctx context.Context) (waymark.Actor, error) {
	a := waymark.ActorFrom(ctx)
	if a.Anonymous() {
		return a, waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in to check listings")
	}
	if !a.Has(waymark.RoleModerator) && !a.Has(waymark.RoleAdmin) {
		return a, waymark.Errorf(waymark.EFORBIDDEN, "Only moderators can check listings")
	}
	return a, nil
}

// Queue returns the live (published or frozen) entries without a website
// that were last confirmed (or, never confirmed, created) Months or more
// ago, oldest first. Errors: EUNAUTHORIZED, EFORBIDDEN for anyone but moderators and
// admins.
func (m *ManualChecks) Queue(ctx context.Context) ([]*directory.Service, error) {
	if _, err := moderator(ctx); err != nil {
		return nil, err
	}
	list, err := m.store.ManualQueue(ctx, m.dueBefore(m.now()))
	if err != nil {
		return nil, fmt.Errorf("manual check queue: %w", err)
	}
	return list, nil
}

// Record records the outcome of a moderator's check of an entry in the
// queue: still running and changed confirm it now (a changed entry's check
// is recorded once the moderator's correction is saved); could not confirm
// suspends it and emails its provider the link to confirm it. note is optional. Errors:
// EUNAUTHORIZED, EFORBIDDEN, ENOTFOUND, EINVALID (unknown outcome, note too
// long, or the entry is not in the queue), ECONFLICT (another moderator
// recorded a check meanwhile).
func (m *ManualChecks) Record(ctx context.Context, serviceID string, outcome Outcome, note string) error {
	a, err := moderator(ctx)
	if err != nil {
		return err
	}
	if note, err = input.Lines("The note", note, 2000); err != nil {
		return waymark.FieldErrorf(waymark.EINVALID, "note", "%s", waymark.ErrorMessage(err))
	}
	svc, err := m.listings.FindServiceByID(ctx, serviceID)
	if err != nil {
		return err
	}
	now := m.now().UTC()
	due := m.dueBefore(now)
	confirmed := svc.CreatedAt
	if svc.AssuredAt != nil {
		confirmed = *svc.AssuredAt
	}
	if !svc.Status.Public() || svc.Website != "" {
		return waymark.Errorf(waymark.EINVALID, "This listing does not need a manual check")
	}
	if confirmed.After(due) {
		return waymark.Errorf(waymark.ECONFLICT, "This listing was confirmed on %s: it does not need checking yet", confirmed.Format("2 January 2006"))
	}
	text := outcome.Describe()
	if note != "" {
		text += ". " + note
	}
	switch outcome {
	case OutcomeRunning, OutcomeChanged:
		c := Check{ID: m.newID(), ServiceID: svc.ID, ActorID: a.UserID, Outcome: outcome, Note: text, At: now, DueBefore: due}
		if err := m.store.RecordCheck(ctx, c, true); err != nil {
			return fmt.Errorf("record check of %s: %w", svc.ID, err)
		}
		return nil
	case OutcomeUnconfirmed:
		// The provider is asked to confirm in the suspension's transaction.
		suspended, err := m.listings.Suspend(ctx, svc.ID, text, func(ctx context.Context, svc *directory.Service) error {
			return queue(ctx, m.mail, m.log, svc, unconfirmedEmail(m.cfg.PublicURL, m.listings, svc))
		})
		if err != nil {
			return err
		}
		if !suspended {
			return waymark.Errorf(waymark.ECONFLICT, "This listing changed while you were looking at it: reload the page")
		}
		m.log.Info("listing suspended after a manual check", "service_id", svc.ID)
		return nil
	}
	return waymark.Errorf(waymark.EINVALID, "Choose what you found: still running, changed, or could not confirm")
}
