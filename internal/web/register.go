package web

import (
	"fmt"
	"net/http"
	"net/url"

	"waymark"
	"waymark/internal/account"
	"waymark/internal/email"
)

func (s *Server) handleRegisterForm(w http.ResponseWriter, r *http.Request) {
	v := s.form(r, "Create an account")
	v.Next = nextOrEmpty(r.URL.Query().Get("next"))
	s.render(w, r, http.StatusOK, "register", v)
}

func (s *Server) handleRegister(w http.ResponseWriter, r *http.Request) {
	v := s.form(r, "Create an account")
	if err := r.ParseForm(); err != nil {
		s.failForm(w, r, "register", v, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"), nil)
		return
	}
	v.Form, v.Next = r.PostForm, nextOrEmpty(r.PostForm.Get("next"))
	if !s.limits.allowOne("register:"+clientIP(r), registerRefill, registerBurst, s.deps.Now()) {
		s.tooMany(w, r, "register", v, registerRefill, "Too many attempts to create an account from here. Wait a few minutes and try again.")
		return
	}
	if r.PostForm.Get("password") != r.PostForm.Get("confirm_password") {
		s.failForm(w, r, "register", v, waymark.FieldErrorf(waymark.EINVALID, "confirm_password", "The passwords do not match"), nil)
		return
	}
	u, token, err := s.deps.Accounts.Register(r.Context(), r.PostForm.Get("email"), r.PostForm.Get("name"), r.PostForm.Get("password"))
	var m email.Message
	switch {
	case waymark.ErrorCode(err) == waymark.ECONFLICT:
		// The address has an account: its owner hears of the attempt, and
		// the page says what it says for a new address.
		addr, _ := account.NormaliseEmail(r.PostForm.Get("email"))
		if !s.limits.allowOne("mail-to:"+addr, mailToRefill, mailToBurst, s.deps.Now()) {
			s.checkYourEmail(w, r, addr)
			return
		}
		m = s.alreadyRegisteredEmail(r, addr)
	case err != nil:
		s.failForm(w, r, "register", v, err, []string{"name", "email", "password", "confirm_password"})
		return
	default:
		m = s.confirmEmail(r, u, token, v.Next)
	}
	if err := s.deps.Outbox.Send(r.Context(), m); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.checkYourEmail(w, r, m.To)
}

// checkYourEmail is the answer to registering, the same whether or not the
// address already had an account.
func (s *Server) checkYourEmail(w http.ResponseWriter, r *http.Request, addr string) {
	s.render(w, r, http.StatusOK, "message", messageView{page: s.page(r, "Check your email"), Heading: "Check your email",
		Lines: []string{"We have sent an email to " + addr + ".", "Open the link in it within 3 days to confirm your email address, then sign in."}})
}

// confirmEmail asks a new account's owner to confirm their address. The
// page the person was on (such as a claim link) comes back after they
// confirm it and sign in.
func (s *Server) confirmEmail(r *http.Request, u *account.User, token, next string) email.Message {
	link := s.baseURL(r) + withNext("/verify-email?token="+url.QueryEscape(token), next)
	return email.Message{To: u.Email, Subject: "Confirm your email address for Waymark",
		Text: fmt.Sprintf("Hello %s,\n\nConfirm your email address by opening this link within 3 days:\n\n%s\n\nIf you did not create a Waymark account, ignore this email.\n", u.Name, link),
		HTML: fmt.Sprintf("<p>Hello %s,</p><p><a href=\"%s\">Confirm your email address</a> within 3 days.</p><p>If you did not create a Waymark account, ignore this email.</p>", htmlEscape(u.Name), htmlEscape(link)),
	}
}

// alreadyRegisteredEmail tells an account's owner that someone tried to
// create another account with their address.
func (s *Server) alreadyRegisteredEmail(r *http.Request, addr string) email.Message {
	signIn, forgot := s.baseURL(r)+"/sign-in", s.baseURL(r)+"/forgot-password"
	return email.Message{To: addr, Subject: "You already have a Waymark account",
		Text: fmt.Sprintf("Hello,\n\nSomeone, perhaps you, tried to create a Waymark account with this email address, which already has one.\n\nTo sign in, go to:\n%s\n\nIf you have forgotten your password, reset it here (this also confirms your address):\n%s\n\nIf it was not you, ignore this email: nothing has changed.\n", signIn, forgot),
		HTML: fmt.Sprintf("<p>Hello,</p><p>Someone, perhaps you, tried to create a Waymark account with this email address, which already has one.</p><p><a href=\"%s\">Sign in</a>, or if you have forgotten your password, <a href=\"%s\">reset it</a> (this also confirms your address).</p><p>If it was not you, ignore this email: nothing has changed.</p>", htmlEscape(signIn), htmlEscape(forgot)),
	}
}

func (s *Server) handleVerifyEmail(w http.ResponseWriter, r *http.Request) {
	_, err := s.deps.Accounts.VerifyEmail(r.Context(), r.URL.Query().Get("token"))
	signIn := withNext("/sign-in", nextOrEmpty(r.URL.Query().Get("next")))
	if err != nil {
		s.render(w, r, http.StatusNotFound, "message", messageView{page: s.page(r, "This link has expired"), Heading: "This link has expired",
			Lines: []string{waymark.ErrorMessage(err)}, Link: &link{Href: signIn, Text: "Sign in"}})
		return
	}
	s.render(w, r, http.StatusOK, "message", messageView{page: s.page(r, "Email address confirmed"), Heading: "Email address confirmed",
		Lines: []string{"Thank you. You can now sign in."}, Link: &link{Href: signIn, Text: "Sign in"}})
}
