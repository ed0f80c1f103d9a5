package account

import (
	"context"
	"runtime"
	"sync/atomic"
	"time"

	"waymark"
)

// HashLimiter bounds how many password hashes run at once: each takes 64 MiB
// and a core for tens of milliseconds, so sign-ups or sign-ins arriving
// together would otherwise take the server's memory. A hash waits for a free
// slot up to a limit, then gives up with EUNAVAILABLE rather than queue
// without end.
type HashLimiter struct {
	slots  chan struct{}
	wait   time.Duration
	hashes atomic.Int64
}

// NewHashLimiter returns a limiter of n hashes at once (runtime.NumCPU() when
// n < 1), each waiting at most wait for a slot (0: only a free one).
func NewHashLimiter(n int, wait time.Duration) *HashLimiter {
	if n < 1 {
		n = runtime.NumCPU()
	}
	return &HashLimiter{slots: make(chan struct{}, n), wait: wait}
}

// Acquire takes a slot, waiting for one up to the limiter's wait, and returns
// the function that gives it back. Errors: EUNAVAILABLE when no slot came
// free in time or ctx ended first.
func (l *HashLimiter) Acquire(ctx context.Context) (release func(), err error) {
	busy := waymark.Errorf(waymark.EUNAVAILABLE, "The service is busy. Wait a moment and try again.")
	select {
	case l.slots <- struct{}{}:
	default:
		if l.wait <= 0 {
			return nil, busy
		}
		t := time.NewTimer(l.wait)
		defer t.Stop()
		select {
		case l.slots <- struct{}{}:
		case <-t.C:
			return nil, busy
		case <-ctx.Done():
			return nil, busy
		}
	}
	var once atomic.Bool
	return func() {
		if once.CompareAndSwap(false, true) {
			<-l.slots
		}
	}, nil
}

// Hashes is how many hashes have been computed or checked through the
// limiter.
func (l *HashLimiter) Hashes() int64 { return l.hashes.Load() }

// run runs f in a slot. Errors: EUNAVAILABLE.
func (l *HashLimiter) run(ctx context.Context, f func()) error {
	release, err := l.Acquire(ctx)
	if err != nil {
		return err
	}
	defer release()
	l.hashes.Add(1)
	f()
	return nil
}

// hash hashes a password at the service's cost, in a slot. Errors:
// EUNAVAILABLE.
func (s *Service) hash(ctx context.Context, password string) (hash string, err error) {
	if lerr := s.hashes.run(ctx, func() { hash, err = s.cost.Hash(password) }); lerr != nil {
		return "", lerr
	}
	return hash, err
}

// check checks a password against a hash, in a slot; a malformed hash is a
// wrong password. Errors: EUNAVAILABLE.
func (s *Service) check(ctx context.Context, hash, password string) (ok bool, err error) {
	if lerr := s.hashes.run(ctx, func() { ok, err = CheckPassword(hash, password) }); lerr != nil {
		return false, lerr
	}
	return ok && err == nil, nil
}
