// Package sitecheck checks a directory entry's website for material changes:
// it fetches the page politely and safely (robots.txt, a per-host rate limit,
// no requests to private or loopback addresses), extracts the visible text
// and contact details into a Snapshot that can be stored between runs, and
// compares two snapshots to say whether the provider should be asked to check
// their listing, and why.
//
// The package is a pure library: it has no database and no web handlers.
package sitecheck

import "time"

// Failure kinds recorded in Snapshot.ErrorKind when a page could not be
// fetched.
const (
	FailureDNS       = "dns"       // the host name does not resolve
	FailureBlocked   = "blocked"   // the host resolves to an address the checker refuses
	FailureConnect   = "connect"   // refused, reset, timed out or a TLS failure
	FailureRedirects = "redirects" // too many redirects, or a redirect to a non-web URL
)

// Snapshot is what one fetch of a page found. It is JSON-serialisable so it
// can be stored and compared with the next run's snapshot.
type Snapshot struct {
	URL         string    `json:"url"`                    // the address that was checked
	FinalURL    string    `json:"final_url,omitempty"`    // where redirects ended
	Status      int       `json:"status,omitempty"`       // HTTP status of the final response; 0 when none
	FetchedAt   time.Time `json:"fetched_at"`             // when the fetch started
	ContentType string    `json:"content_type,omitempty"` // media type without parameters
	Truncated   bool      `json:"truncated,omitempty"`    // the body was cut at the fetcher's MaxBytes

	// Error says why the page could not be fetched, and ErrorKind is one of
	// the Failure constants. Both are empty when a response arrived, whatever
	// its status.
	Error     string `json:"error,omitempty"`
	ErrorKind string `json:"error_kind,omitempty"`

	// Disallowed is set when robots.txt forbids the checker from fetching the
	// page; nothing else is known about it.
	Disallowed bool `json:"disallowed,omitempty"`

	Title        string   `json:"title,omitempty"`
	Text         string   `json:"text,omitempty"`      // visible text, whitespace collapsed
	TextHash     string   `json:"text_hash,omitempty"` // SHA-256 of the normalised text (see NormalizeText)
	Phones       []string `json:"phones,omitempty"`    // UK numbers as digits with a leading 0
	Emails       []string `json:"emails,omitempty"`    // lower case
	Postcodes    []string `json:"postcodes,omitempty"` // normal form, "DE45 1AH"
	OpeningTimes []string `json:"opening_times,omitempty"`
}

// Gone reports whether the page could not be fetched or answered with an
// HTTP error status (4xx or 5xx). A page disallowed by robots.txt is not gone.
func (s Snapshot) Gone() bool {
	return s.ErrorKind != "" || s.Status >= 400
}

// HTML reports whether the page's content was parsed as HTML.
func (s Snapshot) HTML() bool {
	return s.ContentType == "text/html" || s.ContentType == "application/xhtml+xml"
}
