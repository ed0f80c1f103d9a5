package web

import (
	"net/http"
	"net/url"

	"waymark"
	"waymark/internal/account"
	"waymark/internal/directory"
)

// adminView is the administrators' page: invite people, read the audit log.
type adminView struct {
	formView
	Organizations []directory.Organization
	Audit         []account.AuditEvent
	Invited       string
}

func (s *Server) adminView(r *http.Request) (adminView, error) {
	v := adminView{formView: s.form(r, "People and audit")}
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
	v.Invited = r.URL.Query().Get("invited")
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
	http.Redirect(w, r, "/admin?invited="+url.QueryEscape(u.Email), http.StatusSeeOther)
}
