package web

import (
	"fmt"
	"net/http"
	"net/url"

	"waymark"
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
	if r.PostForm.Get("password") != r.PostForm.Get("confirm_password") {
		s.failForm(w, r, "register", v, waymark.FieldErrorf(waymark.EINVALID, "confirm_password", "The passwords do not match"), nil)
		return
	}
	u, token, err := s.deps.Accounts.Register(r.Context(), r.PostForm.Get("email"), r.PostForm.Get("name"), r.PostForm.Get("password"))
	if err != nil {
		s.failForm(w, r, "register", v, err, []string{"name", "email", "password", "confirm_password"})
		return
	}
	// The page the person was on (such as a claim link) comes back after
	// they confirm their address and sign in.
	link := s.baseURL(r) + withNext("/verify-email?token="+url.QueryEscape(token), v.Next)
	if err := s.deps.Outbox.Send(r.Context(), email.Message{To: u.Email, Subject: "Confirm your email address for Waymark",
		Text: fmt.Sprintf("Hello %s,\n\nConfirm your email address by opening this link within 3 days:\n\n%s\n\nIf you did not create a Waymark account, ignore this email.\n", u.Name, link),
		HTML: fmt.Sprintf("<p>Hello %s,</p><p><a href=\"%s\">Confirm your email address</a> within 3 days.</p><p>If you did not create a Waymark account, ignore this email.</p>", htmlEscape(u.Name), htmlEscape(link)),
	}); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "message", messageView{page: s.page(r, "Check your email"), Heading: "Check your email",
		Lines: []string{"We have sent a link to " + u.Email + ".", "Open it within 3 days to confirm your email address, then sign in."}})
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
