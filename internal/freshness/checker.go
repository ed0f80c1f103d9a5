package freshness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/jobs"
	"waymark/internal/sitecheck"
)

// CheckerConfig configures the website checker. Zero fields take the
// defaults.
type CheckerConfig struct {
	// PublicURL is the site's address, for the links in providers' email.
	PublicURL string
	// Every is how often each entry's website is checked; DefaultCheckEvery
	// (7 days) if zero.
	Every time.Duration
	// Batch is the most entries one run checks; DefaultBatch if zero. The
	// rest wait for the next run.
	Batch int
	// Workers is how many pages are fetched at once; DefaultWorkers if zero.
	// The fetcher's per-host rate limit applies across them.
	Workers int
	// Fetch configures the fetcher (user agent, timeout, size cap, per-host
	// interval). AllowLoopback is for tests only.
	Fetch sitecheck.Options
	// Compare decides which changes are material.
	Compare sitecheck.Comparer
	// RetryAfter is how soon a site found unreachable for a reason that may
	// pass (a timeout, a refused connection, a server error) is checked
	// again; DefaultRetryAfter (1 day) if zero.
	RetryAfter time.Duration
	// Retries is how many such checks in a row are let pass before the entry
	// is suspended; DefaultRetries (1) if zero, none if negative.
	Retries int
}

// Defaults for retrying sites that may be down only for a while.
const (
	DefaultRetryAfter = 24 * time.Hour
	DefaultRetries    = 1
)

// Checker is the scheduled website checker.
type Checker struct {
	store    Store
	listings Listings
	mail     Mailer
	cfg      CheckerConfig
	log      *slog.Logger
}

// NewChecker returns a Checker. listings suspends entries and signs the
// providers' links (a *directory.System); mail queues the providers' email.
func NewChecker(store Store, listings Listings, mail Mailer, cfg CheckerConfig, logger *slog.Logger) *Checker {
	if cfg.Every <= 0 {
		cfg.Every = DefaultCheckEvery
	}
	if cfg.Batch <= 0 {
		cfg.Batch = DefaultBatch
	}
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = DefaultRetryAfter
	}
	if cfg.Retries == 0 {
		cfg.Retries = DefaultRetries
	}
	return &Checker{store: store, listings: listings, mail: mail, cfg: cfg, log: logger}
}

// Job is the checker as the scheduled job "website-checks", run every
// interval; each run checks the entries that are due.
func (c *Checker) Job(interval time.Duration) jobs.Job {
	return jobs.Job{Name: "website-checks", Every: interval, Lease: 30 * time.Minute, Run: c.Run}
}

// RunStats counts what one run did.
type RunStats struct {
	Checked   int // pages fetched and compared
	Baselines int // first snapshots stored
	Unchanged int // no material change: the entry is confirmed
	Suspended int // material change: suspended and the provider emailed
	Skipped   int // claimed by another run, disallowed by robots.txt, or not a web address
	Retrying  int // unreachable for a reason that may pass: checked again after RetryAfter
}

// Run checks every entry whose website is due a check at now (up to the
// batch size). Each entry is claimed first, so runs in several instances at
// once check it once. It returns the context's error if ctx ends and the
// first store error otherwise; a failing page never stops the run.
func (c *Checker) Run(ctx context.Context, now time.Time) error {
	_, err := c.RunStats(ctx, now)
	return err
}

// RunStats is Run, returning what the run did.
func (c *Checker) RunStats(ctx context.Context, now time.Time) (RunStats, error) {
	now = now.UTC()
	before := now.Add(-c.cfg.Every)
	due, err := c.store.DueWebsiteChecks(ctx, before, c.cfg.Batch)
	if err != nil {
		return RunStats{}, fmt.Errorf("list website checks due: %w", err)
	}
	fetcher := sitecheck.NewFetcher(c.cfg.Fetch) // one per run: it remembers robots.txt
	var (
		mu       sync.Mutex
		stats    RunStats
		firstErr error
		wg       sync.WaitGroup
	)
	work := make(chan Due)
	for range min(c.cfg.Workers, max(len(due), 1)) {
		wg.Go(func() {
			for d := range work {
				res, err := c.check(ctx, fetcher, d, now, before)
				mu.Lock()
				switch res {
				case resultBaseline:
					stats.Baselines++
				case resultUnchanged:
					stats.Unchanged++
				case resultSuspended:
					stats.Suspended++
				case resultSkipped:
					stats.Skipped++
				case resultRetry:
					stats.Retrying++
				}
				if res != resultSkipped && err == nil {
					stats.Checked++
				}
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		})
	}
	for _, d := range due {
		if ctx.Err() != nil {
			break
		}
		work <- d
	}
	close(work)
	wg.Wait()
	if ctx.Err() != nil {
		return stats, ctx.Err()
	}
	if len(due) == 0 {
		return stats, nil
	}
	c.log.Info("website checks done", "checked", stats.Checked, "baselines", stats.Baselines,
		"unchanged", stats.Unchanged, "suspended", stats.Suspended, "skipped", stats.Skipped)
	return stats, firstErr
}

type result int

const (
	resultSkipped result = iota
	resultBaseline
	resultUnchanged
	resultSuspended
	resultRetry // unreachable for a reason that may pass: looked at again soon
)

// check claims, fetches and compares one entry's website.
func (c *Checker) check(ctx context.Context, f *sitecheck.Fetcher, d Due, now, before time.Time) (result, error) {
	won, err := c.store.ClaimWebsiteCheck(ctx, d.ServiceID, now, before)
	if err != nil {
		return resultSkipped, fmt.Errorf("claim website check of %s: %w", d.ServiceID, err)
	}
	if !won {
		return resultSkipped, nil // another instance has it
	}
	if reservedHost(d.Website) {
		// Names under .example, .test and .invalid never resolve (RFC
		// 2606): demo data, not a page gone.
		return resultSkipped, nil
	}
	snap, err := f.Fetch(ctx, d.Website)
	switch {
	case errors.Is(err, sitecheck.ErrDisallowed):
		c.log.Info("website check disallowed by robots.txt", "service_id", d.ServiceID)
		return resultSkipped, nil
	case waymark.ErrorCode(err) == waymark.EINVALID:
		c.log.Warn("website is not a web address", "service_id", d.ServiceID)
		return resultSkipped, nil
	case err != nil:
		return resultSkipped, fmt.Errorf("fetch website of %s: %w", d.ServiceID, err)
	}
	raw, err := json.Marshal(snap)
	if err != nil {
		return resultSkipped, fmt.Errorf("encode snapshot of %s: %w", d.ServiceID, err)
	}
	// prev stays the zero snapshot for a first check: then the new page is
	// the baseline, and only a page gone, parked or redirected to another
	// site is a material change.
	var prev sitecheck.Snapshot
	hasPrev := len(d.Snapshot) > 0
	if hasPrev {
		if err := json.Unmarshal(d.Snapshot, &prev); err != nil {
			c.log.Warn("stored snapshot unreadable; taking a new baseline", "service_id", d.ServiceID, "error", err)
			prev, hasPrev = sitecheck.Snapshot{}, false
		}
	}
	switch {
	case hasPrev && prev.URL != snap.URL:
		// The provider changed the website: start again.
		prev, hasPrev = sitecheck.Snapshot{}, false
	case hasPrev && prev.Gone() && !snap.Gone() && confirmedSince(d):
		// The page was gone, the provider (or a moderator) confirmed the
		// entry since, and the page is back: a new baseline, rather than
		// suspending the entry again for being reachable.
		prev, hasPrev = sitecheck.Snapshot{}, false
	}
	// A site newly unreachable for a reason that may pass is looked at again
	// soon before anything is done: a group's website down for an evening
	// should not take it out of search.
	if mayPass(snap) && !(hasPrev && prev.Gone()) && d.Failures < c.cfg.Retries {
		if err := c.store.RecordFailure(ctx, d.ServiceID, now.Add(c.cfg.RetryAfter-c.cfg.Every)); err != nil {
			return resultSkipped, fmt.Errorf("record failed check of %s: %w", d.ServiceID, err)
		}
		c.log.Info("website unreachable; will look again", "service_id", d.ServiceID, "kind", snap.ErrorKind, "status", snap.Status)
		return resultRetry, nil
	}
	// A page still gone keeps the snapshot of when it went, so that a
	// confirmation since is seen when it comes back.
	if !(hasPrev && prev.Gone() && snap.Gone()) {
		if err := c.store.SaveSnapshot(ctx, d.ServiceID, raw, now); err != nil {
			return resultSkipped, fmt.Errorf("save snapshot of %s: %w", d.ServiceID, err)
		}
	}
	ch := c.cfg.Compare.Compare(prev, snap)
	if !ch.Material {
		res := resultUnchanged
		if !hasPrev {
			res = resultBaseline
		}
		// A page still gone (already reported) confirms nothing.
		if !snap.Gone() {
			if err := c.store.MarkAssured(ctx, d.ServiceID, now); err != nil {
				return res, fmt.Errorf("confirm %s: %w", d.ServiceID, err)
			}
		}
		return res, nil
	}
	return c.suspend(ctx, d.ServiceID, ch.Reasons)
}

// mayPass reports whether a check found the site unreachable for a reason
// that may pass: a connection that failed or timed out, a name that did not
// resolve, or a server error or "too many requests". A page not found, or a
// name now pointing at a private address, is acted on at once.
func mayPass(s sitecheck.Snapshot) bool {
	switch {
	case s.ErrorKind == sitecheck.FailureConnect || s.ErrorKind == sitecheck.FailureDNS:
		return true
	case s.ErrorKind == "" && (s.Status >= 500 || s.Status == 429):
		return true
	}
	return false
}

// reservedHost reports whether a website's host is a reserved name that
// never resolves: example.com, .org and .net, and names under .example,
// .test and .invalid.
func reservedHost(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	host := "." + strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	for _, suffix := range []string{".example", ".test", ".invalid", ".example.com", ".example.org", ".example.net"} {
		if strings.HasSuffix(host, suffix) {
			return true
		}
	}
	return false
}

// confirmedSince reports whether the entry was confirmed after its last
// snapshot was stored (the checker confirms entries at the time of the
// snapshot, so only a person confirms later).
func confirmedSince(d Due) bool {
	return d.AssuredAt != nil && d.SnapshotAt != nil && d.AssuredAt.After(*d.SnapshotAt)
}

// suspend takes an entry whose website changed out of search and emails its
// provider what changed, with the signed link to confirm it, in the same
// transaction.
func (c *Checker) suspend(ctx context.Context, serviceID string, reasons []string) (result, error) {
	reason := "Our website check found changes: " + strings.Join(reasons, "; ") + "."
	suspended, err := c.listings.Suspend(ctx, serviceID, reason, func(ctx context.Context, svc *directory.Service) error {
		return queue(ctx, c.mail, c.log, svc, websiteChangedEmail(c.cfg.PublicURL, c.listings, svc, reasons))
	})
	if err != nil {
		return resultSkipped, fmt.Errorf("suspend %s after website check: %w", serviceID, err)
	}
	if !suspended {
		return resultSkipped, nil // no longer live
	}
	c.log.Info("listing suspended by website check", "service_id", serviceID, "reasons", len(reasons))
	return resultSuspended, nil
}
