package web

import (
	"net/http"
	"strings"
)

// static serves the embedded static files. Vendor files are named by their
// package version, so they may be cached for a long time.
func (s *Server) static() http.Handler {
	files := http.StripPrefix("/static/", http.FileServerFS(s.staticSub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			s.notFound(w, r)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/static/vendor/") {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=3600")
		}
		files.ServeHTTP(w, r)
	})
}
