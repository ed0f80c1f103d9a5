package web

import (
	"net/http"
	"strings"

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

// failedView lists the messages that could not be sent, for
// administrators in production, where there is no development outbox.
type failedView struct {
	page
	Messages []email.Queued
}

// handleFailedMessages shows administrators the messages that failed,
// without their content: when, which way, to whom (partly hidden), about
// what, and what the provider said.
func (s *Server) handleFailedMessages(w http.ResponseWriter, r *http.Request) {
	list, err := s.deps.Outbox.Failed(r.Context(), 100)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := failedView{page: s.page(r, "Messages that could not be sent"), Messages: list}
	v.Breadcrumbs, v.NoIndex = crumbs(link{Href: "/admin", Text: "Administration"}), true
	s.render(w, r, http.StatusOK, "failed-messages", v)
}

// maskAddress hides most of an address: the first letter and the domain
// of an email address, the last three digits of a phone number.
func maskAddress(a string) string {
	if at := strings.LastIndexByte(a, '@'); at > 0 {
		return a[:1] + "…" + a[at:]
	}
	if len(a) > 3 {
		return "…" + a[len(a)-3:]
	}
	return a
}
