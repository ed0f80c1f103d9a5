package directory

import "time"

// Statuses of a FeedImportRun.
const (
	FeedRunQueued  = "queued"
	FeedRunRunning = "running"
	FeedRunDone    = "done"
	FeedRunFailed  = "failed"
)

// FeedImportRun is one import of a feed asked for on the moderation page
// and run in the background.
type FeedImportRun struct {
	ID         string
	BaseURL    string
	Trusted    bool
	Status     string // FeedRunQueued, FeedRunRunning, FeedRunDone or FeedRunFailed
	Pages      int
	Created    int
	Updated    int
	Unchanged  int
	Removed    int
	Rejected   int
	Summary    string
	Error      string // what the moderator is told when it failed
	QueuedAt   time.Time
	StartedAt  *time.Time
	FinishedAt *time.Time
}
