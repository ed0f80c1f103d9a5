package web

import (
	"net/url"

	"waymark/internal/insights"
)

// Patterns returns every route pattern the server registered, so tests can
// cover routes added later without being edited.
func (s *Server) Patterns() []string { return append([]string(nil), s.patterns...) }

// SafeNext exports safeNext to the fuzz test.
func SafeNext(next string) string { return safeNext(next) }

// ParseInsightsFilter exports parseInsightsFilter to the fuzz test: the
// filter, and whether it was accepted.
func ParseInsightsFilter(q url.Values) (insights.Filter, bool) {
	f, errs := parseInsightsFilter(q)
	switch p := any(errs).(type) {
	case map[string]string:
		return f, len(p) == 0
	case interface{ Len() int }:
		return f, p.Len() == 0
	}
	return f, false
}
