package sitecheck

import (
	"net"
	"net/http"
	"time"
)

// NewGuardedClient returns an HTTP client for fetching addresses that users
// supply, such as other directories' feeds. It refuses to connect to
// loopback, private, link-local and other non-public addresses, checked on
// the address actually dialled (after DNS, and again for every redirect it
// follows), uses no proxy and gives up after timeout. allowLoopback lets it
// reach loopback addresses, for tests against httptest servers only.
func NewGuardedClient(timeout time.Duration, allowLoopback bool) *http.Client {
	g := guard{allowLoopback: allowLoopback}
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, Control: g.control}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:                 nil, // a proxy would make the address guard meaningless
			DialContext:           dialer.DialContext,
			ForceAttemptHTTP2:     true,
			TLSHandshakeTimeout:   timeout,
			ResponseHeaderTimeout: timeout,
			MaxIdleConnsPerHost:   2,
			IdleConnTimeout:       30 * time.Second,
		},
	}
}
