package web

import (
	"net/http"

	"waymark"
	"waymark/internal/account"
	"waymark/internal/directory"
)

// adminView is the administrators' page: invite people, read the audit log.
type adminView struct {
	formView
	Organizations []directory.Organization
	Audit         []account.AuditEvent
	// Invited is the address just sent an invitation, carried from the
	// invitation's post in the session (never in the page's address).
	Invited string
	// Imports is true when bulk onboarding is on: link to it.
	Imports bool
}

// invitedKey is the session key that carries, once, the address of the
// person just invited to the administrators' page.
const invitedKey = "admin_invited"

func (s *Server) adminView(r *http.Request) (adminView, error) {
	v := adminView{formView: s.form(r, "People and audit"), Imports: s.deps.Onboarding != nil}
	var err error
	if v.Organizations, err = s.deps.Directory.Organizations(r.Context()); err != nil {
		return v, err
	}
	v.Audit, err = s.deps.Accounts.AuditLog(r.Context(), 50)
	return v, err
}

func (s *Server) handleAdmin(w http.ResponseWriter, r *http.Request) {
	v, err := s.adminView(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v.Invited = s.deps.Sessions.PopString(r.Context(), invitedKey)
	s.render(w, r, http.StatusOK, "admin", v)
}

func (s *Server) handleInvite(w http.ResponseWriter, r *http.Request) {
	v, err := s.adminView(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"))
		return
	}
	v.Form = r.PostForm
	f := r.PostForm
	u, _, err := s.deps.Accounts.Invite(r.Context(), f.Get("email"), f.Get("name"), waymark.Role(f.Get("role")), f.Get("organization"))
	if err != nil {
		if code := waymark.ErrorCode(err); code != waymark.EINVALID && code != waymark.ECONFLICT {
			s.renderError(w, r, err)
			return
		}
		showProblems(&v.page, v.FieldErrs, err, []string{"name", "email", "role", "organization"})
		s.render(w, r, http.StatusBadRequest, "admin", v)
		return
	}
	s.deps.Sessions.Put(r.Context(), invitedKey, u.Email)
	http.Redirect(w, r, "/admin", http.StatusSeeOther)
}
