package web

import (
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// rateLimits slows down what anyone can repeat, such as public forms
// (self-referral, registration, forgot-password), with buckets that refill,
// so nobody can lock someone out for good. They are per instance, in memory.
type rateLimits struct {
	mu      sync.Mutex
	buckets map[string]*rate.Limiter
	swept   time.Time
}

// allowOne takes one token from the bucket key (burst tokens, one more
// every every), reporting whether there was one.
func (l *rateLimits) allowOne(key string, every time.Duration, burst int, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil {
		l.buckets = map[string]*rate.Limiter{}
	}
	if now.Sub(l.swept) > time.Hour { // forget idle buckets
		forgetFull(l.buckets, now)
		l.swept = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = rate.NewLimiter(rate.Every(every), burst)
		l.buckets[key] = b
	}
	return b.AllowN(now, 1)
}

// forgetFull deletes the buckets that have refilled: they allow as much as
// new ones.
func forgetFull(buckets map[string]*rate.Limiter, now time.Time) {
	for k, b := range buckets {
		if b.TokensAt(now) >= float64(b.Burst()) {
			delete(buckets, k)
		}
	}
}

// How often one client may ask for what costs a password hash or sends an
// email to an address it names, and how many emails one address gets from
// such requests (beyond that the request is answered but the email is not
// sent, so nobody can fill someone's inbox).
const (
	registerBurst, registerRefill = 10, 3 * time.Minute
	forgotBurst, forgotRefill     = 10, time.Minute
	mailToBurst, mailToRefill     = 3, 20 * time.Minute
	// Choosing a new password from a reset link costs a hash before the
	// link is looked at (so a busy server does not use up the link).
	resetBurst, resetRefill = 10, time.Minute
	// Anonymous referrals to a social prescribing team.
	spReferralBurst, spReferralRefill = 10, 6 * time.Minute
)

// How failed sign-ins are limited. Each is a bucket of failures that
// refills: a client that has used its bucket waits for it to refill.
const (
	// One client (connection address) with one account: the usual
	// guesser, refused until the bucket refills.
	pairFailures, pairRefill = 5, 3 * time.Minute
	// One client with any accounts: a client trying a few passwords on many
	// accounts, refused until the bucket refills.
	clientFailures, clientRefill = 20, 30 * time.Second
	// One account from anywhere: guessing spread over many clients. Beyond
	// it every attempt on the account waits signInSlowdown first, but the
	// right password still works: nobody else can lock the owner out.
	accountFailures, accountRefill = 10, time.Minute
	signInSlowdown                 = 3 * time.Second
)

// signInVerdict is what signInLimits says about an attempt to sign in.
type signInVerdict int

const (
	signInGo      signInVerdict = iota // try the password now
	signInSlow                         // wait signInSlowdown, then try it
	signInRefused                      // this client must wait (429)
)

// signInLimits counts failed sign-ins per account and client, per client,
// and per account. Successful sign-ins are not counted; one clears the
// account's failures from everywhere and this client's with the account, and
// a password reset or change clears all the account's failures. A client's
// failures over all accounts are not cleared by a success, or a guesser could
// clear them by signing in to an account of their own between guesses. They
// are per instance, in memory.
type signInLimits struct {
	mu       sync.Mutex
	clients  map[string]*rate.Limiter // by client address
	accounts map[string]*accountLimits
	swept    time.Time
}

// accountLimits are one account's failed sign-ins.
type accountLimits struct {
	all     *rate.Limiter            // from anywhere
	clients map[string]*rate.Limiter // by client address
}

// check says whether an attempt on addr from client ip may go ahead.
func (l *signInLimits) check(addr, ip string, now time.Time) signInVerdict {
	addr = strings.ToLower(strings.TrimSpace(addr))
	l.mu.Lock()
	defer l.mu.Unlock()
	if b := l.clients[ip]; b != nil && b.TokensAt(now) < 1 {
		return signInRefused
	}
	a := l.accounts[addr]
	if a == nil {
		return signInGo
	}
	if b := a.clients[ip]; b != nil && b.TokensAt(now) < 1 {
		return signInRefused
	}
	if a.all.TokensAt(now) < 1 {
		return signInSlow
	}
	return signInGo
}

// failed counts a wrong password for addr from client ip.
func (l *signInLimits) failed(addr, ip string, now time.Time) {
	addr = strings.ToLower(strings.TrimSpace(addr))
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.clients == nil {
		l.clients, l.accounts = map[string]*rate.Limiter{}, map[string]*accountLimits{}
	}
	if now.Sub(l.swept) > time.Hour {
		l.sweep(now)
	}
	take := func(m map[string]*rate.Limiter, key string, every time.Duration, burst int) {
		b := m[key]
		if b == nil {
			b = rate.NewLimiter(rate.Every(every), burst)
			m[key] = b
		}
		b.AllowN(now, 1)
	}
	take(l.clients, ip, clientRefill, clientFailures)
	a := l.accounts[addr]
	if a == nil {
		a = &accountLimits{all: rate.NewLimiter(rate.Every(accountRefill), accountFailures), clients: map[string]*rate.Limiter{}}
		l.accounts[addr] = a
	}
	a.all.AllowN(now, 1)
	take(a.clients, ip, pairRefill, pairFailures)
}

// succeeded clears addr's failures from everywhere and from client ip.
func (l *signInLimits) succeeded(addr, ip string) {
	addr = strings.ToLower(strings.TrimSpace(addr))
	l.mu.Lock()
	defer l.mu.Unlock()
	if a := l.accounts[addr]; a != nil {
		delete(a.clients, ip)
		a.all = rate.NewLimiter(rate.Every(accountRefill), accountFailures)
	}
}

// clear forgets every failure to sign in to addr, after its owner proved
// who they are another way (a password reset or change).
func (l *signInLimits) clear(addr string) {
	addr = strings.ToLower(strings.TrimSpace(addr))
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.accounts, addr)
}

// sweep forgets what has refilled.
func (l *signInLimits) sweep(now time.Time) {
	forgetFull(l.clients, now)
	for k, a := range l.accounts {
		forgetFull(a.clients, now)
		if len(a.clients) == 0 && a.all.TokensAt(now) >= float64(a.all.Burst()) {
			delete(l.accounts, k)
		}
	}
	l.swept = now
}
