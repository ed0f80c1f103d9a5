package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strings"
)

// Static files are served under /static/. Pages link to them through a
// fingerprint of the whole folder, /static/<fingerprint>/waymark.css, so that
// those addresses change whenever any file changes and may be cached for a
// year; relative references inside the files (the NHS.UK script imported by
// waymark.js, images named in the style sheets) keep the fingerprint. The
// same files are also served without it, with a short cache, for addresses
// that must stay stable.

// fingerprintLen is how many hex digits of the SHA-256 the fingerprint keeps.
const fingerprintLen = 12

// fingerprint returns a short hash of every file's name and content.
func fingerprint(files fs.FS) (string, error) {
	var names []string
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("list static files: %w", err)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		b, err := fs.ReadFile(files, n)
		if err != nil {
			return "", fmt.Errorf("read static file %s: %w", n, err)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:fingerprintLen], nil
}

// isFingerprint reports whether a path segment has the form of a fingerprint
// (this one or an earlier release's).
func isFingerprint(s string) bool {
	if len(s) != fingerprintLen {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}

// asset returns the fingerprinted address of a static file, for templates.
func (s *Server) asset(name string) string {
	return "/static/" + s.fingerprint + "/" + strings.TrimPrefix(name, "/")
}

// handleStatic serves the embedded static files: a year's caching for
// fingerprinted addresses of this release, an hour's otherwise, and the 404
// page for anything missing or for folders.
func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("path")
	cache := "public, max-age=3600"
	if first, rest, ok := strings.Cut(name, "/"); ok && isFingerprint(first) {
		name = rest
		if first == s.fingerprint {
			cache = "public, max-age=31536000, immutable"
		}
	}
	name = path.Clean("/" + name)[1:]
	if name == "" || !fs.ValidPath(name) {
		s.notFound(w, r)
		return
	}
	if st, err := fs.Stat(s.staticFS, name); err != nil || st.IsDir() {
		s.notFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", cache)
	http.ServeFileFS(w, r, s.staticFS, name)
}
