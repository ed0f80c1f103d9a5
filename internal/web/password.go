package web

import (
	"net/http"
	"slices"

	"waymark"
	"waymark/internal/account"
	"waymark/internal/insights"
)

func (s *Server) handleForgotForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "forgot", s.form(r, "Reset your password"))
}

func (s *Server) handleForgot(w http.ResponseWriter, r *http.Request) {
	v := s.form(r, "Reset your password")
	if err := r.ParseForm(); err != nil {
		s.failForm(w, r, "forgot", v, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"), nil)
		return
	}
	v.Form = r.PostForm
	if !s.limits.allowOne("forgot:"+clientIP(r), forgotRefill, forgotBurst, s.deps.Now()) {
		s.tooMany(w, r, "forgot", v, forgotRefill, "Too many requests to reset a password from here. Wait a minute and try again.")
		return
	}
	addr, err := account.NormaliseEmail(r.PostForm.Get("email"))
	if err != nil {
		s.failForm(w, r, "forgot", v, err, nil)
		return
	}
	// Known or not, the address gets an email (unless it had several
	// lately), so the answer and the work are the same either way.
	if s.limits.allowOne("mail-to:"+addr, mailToRefill, mailToBurst, s.deps.Now()) {
		if _, _, err := s.deps.Accounts.RequestPasswordReset(r.Context(), addr); err != nil {
			s.failForm(w, r, "forgot", v, err, nil)
			return
		}
	}
	s.render(w, r, http.StatusOK, "message", messageView{page: s.page(r, "Check your email"), Heading: "Check your email",
		Lines: []string{"We have sent an email to " + addr + ". If there is a Waymark account for it, the email has a link to reset the password.", "The link works once, for an hour."}})
}

func (s *Server) handleResetForm(w http.ResponseWriter, r *http.Request) {
	v := s.form(r, "Choose a new password")
	v.Token = r.URL.Query().Get("token")
	s.render(w, r, http.StatusOK, "reset", v)
}

func (s *Server) handleReset(w http.ResponseWriter, r *http.Request) {
	v := s.form(r, "Choose a new password")
	if err := r.ParseForm(); err != nil {
		s.failForm(w, r, "reset", v, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"), nil)
		return
	}
	v.Token = r.PostForm.Get("token")
	if !s.limits.allowOne("reset:"+clientIP(r), resetRefill, resetBurst, s.deps.Now()) {
		s.tooMany(w, r, "reset", v, resetRefill, "Too many attempts to choose a password from here. Wait a minute and try again.")
		return
	}
	if r.PostForm.Get("password") != r.PostForm.Get("confirm_password") {
		s.failForm(w, r, "reset", v, waymark.FieldErrorf(waymark.EINVALID, "confirm_password", "The passwords do not match"), nil)
		return
	}
	u, err := s.deps.Accounts.ResetPassword(r.Context(), v.Token, r.PostForm.Get("password"))
	if err != nil {
		if waymark.ErrorCode(err) == waymark.ENOTFOUND {
			s.render(w, r, http.StatusNotFound, "message", messageView{page: s.page(r, "This link has expired"), Heading: "This link has expired",
				Lines: []string{waymark.ErrorMessage(err)}, Link: &link{Href: "/forgot-password", Text: "Ask for a new link"}})
			return
		}
		s.failForm(w, r, "reset", v, err, []string{"password", "confirm_password"})
		return
	}
	// The owner has shown they hold the address: failed sign-ins,
	// theirs or a guesser's, no longer slow them down.
	s.signIns.clear(u.Email)
	s.render(w, r, http.StatusOK, "message", messageView{page: s.page(r, "Password changed"), Heading: "Password changed",
		Lines: []string{"You can now sign in with your new password.", "Anywhere you were signed in, you have been signed out, and any other reset links we sent no longer work."}, Link: &link{Href: "/sign-in", Text: "Sign in"}})
}

func (s *Server) handleAccount(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "account", s.accountView(r))
}

// accountView is the account page: the pages of the user's roles, and the
// team's insights for a team lead (whose lead is in the teams' data, not
// a role, so it is looked up here rather than on every page).
func (s *Server) accountView(r *http.Request) formView {
	v := s.form(r, "Your account")
	a := waymark.ActorFrom(r.Context())
	if s.deps.Insights == nil || !a.Has(waymark.RoleLinkWorker) || slices.ContainsFunc(v.Home, func(h homeSection) bool {
		return slices.ContainsFunc(h.Links, func(l homeLink) bool { return l.Href == insightsBase })
	}) {
		return v
	}
	if acc, err := s.deps.Insights.Access(r.Context()); err == nil && acc.May(insights.DashTeams) {
		v.Home = append(v.Home, homeSection{Heading: "Insights", Links: []homeLink{{insightsBase, "Insights",
			"Your team's waiting list, caseloads, contacts, discharges and wellbeing change, and the referrals its members made."}}})
	}
	return v
}

func (s *Server) handleChangePassword(w http.ResponseWriter, r *http.Request) {
	v := s.accountView(r)
	if err := r.ParseForm(); err != nil {
		s.failForm(w, r, "account", v, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"), nil)
		return
	}
	if r.PostForm.Get("password") != r.PostForm.Get("confirm_password") {
		s.failForm(w, r, "account", v, waymark.FieldErrorf(waymark.EINVALID, "confirm_password", "The new passwords do not match"), nil)
		return
	}
	a := waymark.ActorFrom(r.Context())
	if err := s.deps.Accounts.ChangePassword(r.Context(), a.UserID, r.PostForm.Get("current_password"), r.PostForm.Get("password")); err != nil {
		s.failForm(w, r, "account", v, err, []string{"current_password", "password", "confirm_password"})
		return
	}
	// Every other session of the user has ended; this one goes on, under a
	// new token.
	u, err := s.deps.Accounts.User(r.Context(), a.UserID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.deps.Sessions.RenewToken(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.signInSession(r.Context(), u)
	s.signIns.clear(u.Email)
	s.render(w, r, http.StatusOK, "message", messageView{page: s.page(r, "Password changed"), Heading: "Password changed",
		Lines: []string{"Your new password works from now on. Anywhere else you were signed in, you have been signed out."}, Link: &link{Href: "/account", Text: "Back to your account"}})
}
