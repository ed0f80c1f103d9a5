package web

import (
	"net/url"
	"path"
	"strings"
)

// nextOrEmpty is a safe "next" page to carry through registration, or ""
// when there is none.
func nextOrEmpty(next string) string {
	if next == "" || safeNext(next) != next {
		return ""
	}
	return next
}

// withNext adds a "next" page to a local path's query when there is one.
func withNext(path, next string) string {
	if next == "" {
		return path
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "next=" + url.QueryEscape(next)
}

// safeNext is the page to go to after signing in: next when it is a page
// on this site, else the account page.
func safeNext(next string) string {
	if localPath(next) {
		return next
	}
	return "/account"
}

// localPath reports whether s is an address on this site that a browser
// cannot read as another site's: a path from the root with an optional
// query, printable ASCII only (no spaces, tabs, new lines or other control
// characters, which browsers strip), no backslash (which browsers read as a
// slash), and no scheme, host or user.
func localPath(s string) bool {
	if len(s) < 1 || len(s) >= 500 || s[0] != '/' || strings.HasPrefix(s, "//") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			return false
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
		return false
	}
	// Go's redirect cleans the path; the cleaned path must not start "//"
	// either (path.Clean never gives one, but check what is sent).
	return !strings.HasPrefix(path.Clean(u.Path), "//")
}
