package web

// Patterns returns every route pattern the server registered, so tests can
// cover routes added later without being edited.
func (s *Server) Patterns() []string { return append([]string(nil), s.patterns...) }

// SafeNext exports safeNext to the fuzz test.
func SafeNext(next string) string { return safeNext(next) }

// ParseInsightsFilter exports parseInsightsFilter to the fuzz test.
var ParseInsightsFilter = parseInsightsFilter
