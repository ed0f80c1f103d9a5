package web

import (
	"net/http"

	"waymark/internal/email"
)

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
