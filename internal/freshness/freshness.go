// Package freshness keeps directory entries fresh. A scheduled website
// checker (Checker) visits each live entry's website, compares what it finds
// with the last snapshot, and suspends the entry and emails its provider when
// the page changed materially; an unchanged page confirms the entry. Entries
// without a website come up in a moderators' queue (ManualChecks) every few
// months instead.
//
// Every rule takes the time from an injectable clock, and every step is
// claimed by one conditional update in the store, so several instances
// running the checks at once act on each entry once.
package freshness

import (
	"context"
	"time"

	"waymark/internal/directory"
	"waymark/internal/email"
)

// Defaults for Config fields left zero.
const (
	DefaultCheckEvery   = 7 * 24 * time.Hour
	DefaultManualMonths = 3
	DefaultBatch        = 200
	DefaultWorkers      = 4
)

// Due is a live entry whose website is due a check.
type Due struct {
	ServiceID string
	Website   string
	// Snapshot is the last snapshot stored (sitecheck.Snapshot as JSON), nil
	// before the first check, and SnapshotAt when it was stored.
	Snapshot   []byte
	SnapshotAt *time.Time
	// AssuredAt is when the entry was last confirmed, nil if never.
	AssuredAt *time.Time
	// Failures is how many checks in a row found the site unreachable for a
	// reason that may pass.
	Failures int
}

// Check is a moderator's record of a manual check.
type Check struct {
	ID        string
	ServiceID string
	ActorID   string
	Outcome   Outcome
	Note      string
	At        time.Time
	// DueBefore is the confirmation date the entry had to be older than for
	// the check to be due; the store refuses a check of an entry confirmed
	// since (another moderator got there first).
	DueBefore time.Time
}

// Store keeps what the checks need. Methods return internal errors wrapped
// with context; RecordCheck returns ECONFLICT when the entry is no longer due.
type Store interface {
	// DueWebsiteChecks lists live (published or frozen) entries with a
	// website whose last check was at or before checkedBefore, or never,
	// least recently checked first, at most limit.
	DueWebsiteChecks(ctx context.Context, checkedBefore time.Time, limit int) ([]Due, error)
	// ClaimWebsiteCheck records that an entry is being checked at now, if its
	// last check was at or before checkedBefore; it reports whether this
	// caller won the check.
	ClaimWebsiteCheck(ctx context.Context, serviceID string, now, checkedBefore time.Time) (bool, error)
	// SaveSnapshot stores an entry's latest snapshot (JSON) and clears its
	// count of failures.
	SaveSnapshot(ctx context.Context, serviceID string, snapshot []byte, at time.Time) error
	// RecordFailure counts a check that found the site unreachable for a
	// reason that may pass, and makes the entry due again as if last checked
	// at checkedAt.
	RecordFailure(ctx context.Context, serviceID string, checkedAt time.Time) error
	// MarkAssured records that a live entry was confirmed at at.
	MarkAssured(ctx context.Context, serviceID string, at time.Time) error
	// ManualQueue lists live (published or frozen) entries without a
	// website last confirmed (or, never confirmed, created) at or before
	// confirmedBefore, oldest first.
	ManualQueue(ctx context.Context, confirmedBefore time.Time) ([]*directory.Service, error)
	// RecordCheck records a moderator's manual check in the entry's history
	// and, when assure is true, marks the entry confirmed at c.At, in one
	// transaction. Errors: ECONFLICT when the entry is no longer due.
	RecordCheck(ctx context.Context, c Check, assure bool) error
}

// Listings acts on listings as Waymark itself; *directory.System provides it.
type Listings interface {
	// FindServiceByID returns a service in any status. Errors: ENOTFOUND.
	FindServiceByID(ctx context.Context, id string) (*directory.Service, error)
	// Suspend takes a live listing out of search with a reason, running
	// then in the suspension's transaction; it reports false when the
	// listing was not live.
	Suspend(ctx context.Context, serviceID, reason string, then func(ctx context.Context, svc *directory.Service) error) (bool, error)
	// ConfirmLink is the query string of the provider's signed "still
	// running" link.
	ConfirmLink(serviceID string) string
}

// Mailer queues email; *email.Outbox provides it.
type Mailer interface {
	Send(ctx context.Context, m email.Message) error
}
