package web

import (
	"net/http"
	"strings"

	"waymark/internal/email"
)

// baseURL is the site's address for links in emails.
func (s *Server) baseURL(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return strings.TrimSuffix(s.cfg.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// devMailView lists the development outbox.
type devMailView struct {
	page
	Messages []email.Queued
}

// handleDevMail shows the outbox to administrators in development mode.
func (s *Server) handleDevMail(w http.ResponseWriter, r *http.Request) {
	if !s.cfg.Dev {
		s.notFound(w, r)
		return
	}
	list, err := s.deps.Outbox.Recent(r.Context(), 50)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "devmail", devMailView{page: s.page(r, "Development outbox"), Messages: list})
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;")

func htmlEscape(s string) string { return htmlEscaper.Replace(s) }
