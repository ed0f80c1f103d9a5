package sitecheck

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/html/charset"

	"waymark"
)

// DefaultUserAgent identifies the checker to websites and in robots.txt.
const DefaultUserAgent = "WaymarkLinkChecker/1.0 (+https://waymark.example/about/checker)"

// Defaults for Options fields left zero.
const (
	DefaultTimeout         = 15 * time.Second
	DefaultMaxBytes        = 2 << 20
	DefaultPerHostInterval = 5 * time.Second
)

// MaxRedirects is how many redirects a fetch follows before giving up.
const MaxRedirects = 5

// ErrDisallowed is returned (wrapped) by Fetch when robots.txt forbids the
// checker from fetching the page. It is not a change to the page: the caller
// should neither compare nor store the snapshot.
var ErrDisallowed = errors.New("disallowed by robots.txt")

// Options configure a Fetcher. Zero fields take the defaults.
type Options struct {
	UserAgent       string        // DefaultUserAgent if empty
	Timeout         time.Duration // per request, including reading the body; DefaultTimeout if zero
	MaxBytes        int64         // bodies are cut at this size; DefaultMaxBytes if zero
	PerHostInterval time.Duration // least time between requests to one host; DefaultPerHostInterval if zero, none if negative

	// AllowLoopback lets the fetcher connect to loopback addresses
	// (127.0.0.0/8, ::1), for tests against httptest servers. Off by default.
	AllowLoopback bool
	// AllowAddrs are exact addresses the fetcher may connect to even though
	// they are otherwise refused, so tests can allow one test server and no
	// other.
	AllowAddrs []netip.AddrPort

	Clock Clock // the system clock if nil
}

// Fetcher fetches web pages for checking, politely and safely: it obeys
// robots.txt, spaces out requests to the same host, follows at most
// MaxRedirects redirects, reads at most MaxBytes of a body and never connects
// to loopback, private, link-local or other non-public addresses (checked on
// the address actually dialled, after DNS and after every redirect).
//
// A Fetcher remembers each host's robots.txt for its lifetime, so make one
// per run. It is safe for concurrent use.
type Fetcher struct {
	opts    Options
	clock   Clock
	client  *http.Client
	limiter *hostLimiter

	mu     sync.Mutex
	robots map[string]*robotsEntry // "scheme://host" → its robots.txt
}

// robotsEntry holds one host's robots.txt once fetched; mu serialises the
// fetch so it happens once per host.
type robotsEntry struct {
	mu     sync.Mutex
	loaded bool
	robots *Robots // nil means everything is allowed
}

// NewFetcher returns a Fetcher with opts, defaults filled in.
func NewFetcher(opts Options) *Fetcher {
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.PerHostInterval == 0 {
		opts.PerHostInterval = DefaultPerHostInterval
	}
	clock := opts.Clock
	if clock == nil {
		clock = realClock{}
	}
	g := guard{allowLoopback: opts.AllowLoopback, allow: make(map[netip.AddrPort]bool)}
	for _, a := range opts.AllowAddrs {
		g.allow[a] = true
	}
	dialer := &net.Dialer{Timeout: opts.Timeout, KeepAlive: 30 * time.Second, Control: g.control}
	transport := &http.Transport{
		Proxy:                 nil, // a proxy would make the address guard meaningless
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   opts.Timeout,
		ResponseHeaderTimeout: opts.Timeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       30 * time.Second,
	}
	client := &http.Client{
		Transport: transport,
		// Fetch follows redirects itself, checking robots.txt and the rate
		// limit for each.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &Fetcher{
		opts:    opts,
		clock:   clock,
		client:  client,
		limiter: newHostLimiter(clock, max(opts.PerHostInterval, 0)),
		robots:  make(map[string]*robotsEntry),
	}
}

// Fetch fetches the page at rawURL and extracts what a check compares.
//
// Failures to reach the page (DNS, refused connections, blocked addresses,
// too many redirects) are not errors: they are recorded in the snapshot's
// Error and ErrorKind, as are HTTP error statuses in Status, so the snapshot
// can be stored and compared. Fetch returns an error only when there is
// nothing to compare: EINVALID when rawURL is not an http or https URL, an
// error wrapping ErrDisallowed when robots.txt forbids the fetch, or the
// context's error when ctx ends.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) (Snapshot, error) {
	snap := Snapshot{URL: rawURL, FetchedAt: f.clock.Now().UTC()}
	u, err := parseWebURL(rawURL)
	if err != nil {
		return snap, err
	}
	for hop := 0; ; hop++ {
		snap.FinalURL = u.String()
		allowed, err := f.allowed(ctx, u)
		if err != nil {
			return snap, err
		}
		if !allowed {
			snap.Disallowed = true
			return snap, fmt.Errorf("fetch %s: %w", u, ErrDisallowed)
		}
		resp, err := f.get(ctx, u, f.opts.MaxBytes)
		if err != nil {
			if ctx.Err() != nil {
				return snap, fmt.Errorf("fetch %s: %w", u, ctx.Err())
			}
			recordFailure(&snap, err)
			return snap, nil
		}
		if resp.location != "" {
			next, err := u.Parse(resp.location)
			switch {
			case err != nil || (next.Scheme != "http" && next.Scheme != "https") || next.Host == "":
				snap.Status = resp.status
				snap.ErrorKind = FailureRedirects
				snap.Error = fmt.Sprintf("redirect to unusable address %q", resp.location)
				return snap, nil
			case hop == MaxRedirects:
				snap.Status = resp.status
				snap.ErrorKind = FailureRedirects
				snap.Error = fmt.Sprintf("more than %d redirects", MaxRedirects)
				return snap, nil
			}
			next.Fragment = ""
			u = next
			continue
		}
		fillSnapshot(&snap, resp)
		return snap, nil
	}
}

// fillSnapshot records a final response in snap, extracting text and
// contact details from HTML.
func fillSnapshot(snap *Snapshot, resp response) {
	snap.Status = resp.status
	snap.Truncated = resp.truncated
	ct := resp.contentType
	if ct == "" {
		ct = http.DetectContentType(resp.body)
	}
	media, _, err := mime.ParseMediaType(ct)
	if err != nil {
		media = "application/octet-stream"
	}
	snap.ContentType = media
	if !snap.HTML() {
		return
	}
	body := resp.body
	if enc, name, _ := charset.DetermineEncoding(body, ct); name != "utf-8" {
		if decoded, err := enc.NewDecoder().Bytes(body); err == nil {
			body = decoded
		}
	}
	page, err := Extract(body)
	if err != nil {
		// html.Parse does not fail on in-memory input; keep what is known.
		snap.Error = err.Error()
		return
	}
	snap.Title = page.Title
	snap.Text = page.Text
	snap.TextHash = TextHash(page.Text)
	snap.Phones = page.Phones
	snap.Emails = page.Emails
	snap.Postcodes = page.Postcodes
	snap.OpeningTimes = page.OpeningTimes
}

// TextHash returns the hex SHA-256 of text's normal form (see NormalizeText),
// so pages differing only cosmetically hash the same.
func TextHash(text string) string {
	sum := sha256.Sum256([]byte(NormalizeText(text)))
	return hex.EncodeToString(sum[:])
}

// recordFailure classifies a failed request into snap.
func recordFailure(snap *Snapshot, err error) {
	snap.Error = err.Error()
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, ErrBlockedAddress):
		snap.ErrorKind = FailureBlocked
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		snap.ErrorKind = FailureDNS
	default:
		snap.ErrorKind = FailureConnect
	}
}

// parseWebURL accepts absolute http and https URLs only.
func parseWebURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, waymark.Errorf(waymark.EINVALID, "Website address %q must be a full web address starting with http:// or https://", raw)
	}
	u.Fragment = ""
	return u, nil
}

// response is what one request returned.
type response struct {
	status      int
	location    string // set for a redirect with a Location header; the body is not read then
	contentType string
	body        []byte
	truncated   bool
}

// get makes one GET request to u after waiting for the host's rate limit,
// reading at most limit bytes of the body. It does not follow redirects.
func (f *Fetcher) get(ctx context.Context, u *url.URL, limit int64) (response, error) {
	if err := f.limiter.wait(ctx, strings.ToLower(u.Host)); err != nil {
		return response{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, f.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return response{}, fmt.Errorf("new request for %s: %w", u, err)
	}
	req.Header.Set("User-Agent", f.opts.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5")
	req.Header.Set("Accept-Language", "en-GB,en;q=0.8")
	resp, err := f.client.Do(req)
	if err != nil {
		return response{}, fmt.Errorf("get %s: %w", u, err)
	}
	defer resp.Body.Close()
	r := response{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type")}
	switch resp.StatusCode {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		if loc := resp.Header.Get("Location"); loc != "" {
			r.location = loc
			return r, nil
		}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return response{}, fmt.Errorf("read body of %s: %w", u, err)
	}
	if int64(len(body)) > limit {
		body, r.truncated = body[:limit], true
	}
	r.body = body
	return r, nil
}

// allowed reports whether robots.txt on u's host lets the checker fetch u,
// fetching and caching the host's robots.txt on first use. A robots.txt that
// is missing (4xx), failing (5xx) or unreachable allows everything: the
// checker makes one request per listing, and a site that fails everything
// must be seen to be down rather than to forbid checking.
func (f *Fetcher) allowed(ctx context.Context, u *url.URL) (bool, error) {
	key := u.Scheme + "://" + strings.ToLower(u.Host)
	f.mu.Lock()
	e := f.robots[key]
	if e == nil {
		e = &robotsEntry{}
		f.robots[key] = e
	}
	f.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.loaded {
		robots, err := f.fetchRobots(ctx, &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/robots.txt"})
		if err != nil && ctx.Err() != nil {
			return false, fmt.Errorf("fetch robots.txt for %s: %w", u.Host, ctx.Err())
		}
		e.robots, e.loaded = robots, true
	}
	return e.robots.Allowed(f.opts.UserAgent, u.RequestURI()), nil
}

// fetchRobots fetches and parses a robots.txt, following redirects. It
// returns nil (allow everything) when there is no usable file.
func (f *Fetcher) fetchRobots(ctx context.Context, u *url.URL) (*Robots, error) {
	for hop := 0; hop <= MaxRedirects; hop++ {
		resp, err := f.get(ctx, u, min(f.opts.MaxBytes, maxRobotsBytes))
		if err != nil {
			return nil, err
		}
		if resp.location == "" {
			if resp.status >= 200 && resp.status < 300 {
				return ParseRobots(resp.body), nil
			}
			return nil, nil
		}
		next, err := u.Parse(resp.location)
		if err != nil || (next.Scheme != "http" && next.Scheme != "https") {
			return nil, nil
		}
		u = next
	}
	return nil, nil
}
