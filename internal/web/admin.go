package web

import (
	"net/http"
	"net/url"

	"waymark"
	"waymark/internal/account"
	"waymark/internal/directory"
	"waymark/internal/gp"
	"waymark/internal/pcn"
)

// adminView is the administrators' page: invite people, read the audit log.
type adminView struct {
	formView
	Organizations []directory.Organization
	Practices     []gp.Practice // for GP and practice staff accounts; none without the practice app
	PCNs          []pcn.PCN     // for commissioners limited to a network; none without networks
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
	if s.deps.GP != nil {
		if v.Practices, err = s.deps.GP.Practices(r.Context()); err != nil {
			return v, err
		}
	}
	if s.deps.PCNs != nil {
		if v.PCNs, err = s.deps.PCNs.List(r.Context()); err != nil {
			return v, err
		}
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
	v.Form.Set("form_token", newFormToken())
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
	// The same invitation sent again (a refresh, a retry) invites nobody
	// twice: it leads back to the page.
	again := func(string) string { return "/admin" }
	if s.sentBefore(w, r, "user", again) {
		return
	}
	u, err := s.invite(r, f)
	if waymark.ErrorCode(err) == waymark.ECONFLICT && s.sentBefore(w, r, "user", again) {
		return
	}
	if err != nil {
		if code := waymark.ErrorCode(err); code != waymark.EINVALID && code != waymark.ECONFLICT {
			s.renderError(w, r, err)
			return
		}
		showProblems(&v.page, v.FieldErrs, err, []string{"name", "email", "role", "organization", "practice", "pcn"})
		s.render(w, r, http.StatusBadRequest, "admin", v)
		return
	}
	s.deps.Sessions.Put(r.Context(), invitedKey, u.Email)
	http.Redirect(w, r, "/admin", http.StatusSeeOther)
}

// invite invites someone as the form says: a commissioner limited to a
// primary care network when one is chosen, a GP or practice staff of a
// practice when a practice is chosen (or the role is practice staff),
// else with a platform role or a role in an organisation.
func (s *Server) invite(r *http.Request, f url.Values) (*account.User, error) {
	ctx, role, ods := withFormToken(r.Context(), r), waymark.Role(f.Get("role")), f.Get("practice")
	if id := f.Get("pcn"); id != "" && s.deps.PCNs != nil {
		if role != waymark.RoleCommissioner {
			return nil, waymark.FieldErrorf(waymark.EINVALID, "pcn", "Only a commissioner's account is limited to a network: choose none for this role")
		}
		if _, err := s.deps.PCNs.Get(ctx, id); waymark.ErrorCode(err) == waymark.ENOTFOUND {
			return nil, waymark.FieldErrorf(waymark.EINVALID, "pcn", "Choose a network from the list")
		} else if err != nil {
			return nil, err
		}
		u, _, err := s.deps.Accounts.InviteCommissioner(ctx, f.Get("email"), f.Get("name"), id)
		return u, err
	}
	if s.deps.GP == nil || (ods == "" && role != waymark.RolePracticeStaff) {
		u, _, err := s.deps.Accounts.Invite(ctx, f.Get("email"), f.Get("name"), role, f.Get("organization"))
		return u, err
	}
	if ods != "" {
		if _, err := s.deps.GP.Practice(ctx, ods); waymark.ErrorCode(err) == waymark.ENOTFOUND {
			return nil, waymark.FieldErrorf(waymark.EINVALID, "practice", "Choose a practice from the list")
		} else if err != nil {
			return nil, err
		}
	}
	u, _, err := s.deps.Accounts.InviteToPractice(ctx, f.Get("email"), f.Get("name"), role, ods)
	return u, err
}
