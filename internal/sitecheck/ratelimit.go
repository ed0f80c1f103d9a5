package sitecheck

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Clock tells the time and waits. Tests pass a fake so rate limits are
// checked without sleeping.
type Clock interface {
	Now() time.Time
	// Sleep waits for d or until ctx is done, returning ctx's error then.
	Sleep(ctx context.Context, d time.Duration) error
}

// realClock is the system clock.
type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// hostLimiter spaces requests to the same host at least interval apart. It is
// safe for concurrent use: each caller reserves the next free slot for its
// host, then waits for it.
type hostLimiter struct {
	clock    Clock
	interval time.Duration

	mu   sync.Mutex
	next map[string]time.Time // host → earliest time of the next request
}

func newHostLimiter(clock Clock, interval time.Duration) *hostLimiter {
	return &hostLimiter{clock: clock, interval: interval, next: make(map[string]time.Time)}
}

// wait blocks until a request to host may be made.
func (l *hostLimiter) wait(ctx context.Context, host string) error {
	l.mu.Lock()
	now := l.clock.Now()
	slot := l.next[host]
	if slot.Before(now) {
		slot = now
	}
	l.next[host] = slot.Add(l.interval)
	l.mu.Unlock()

	if d := slot.Sub(now); d > 0 {
		if err := l.clock.Sleep(ctx, d); err != nil {
			return fmt.Errorf("wait to request %s: %w", host, err)
		}
	}
	return nil
}
