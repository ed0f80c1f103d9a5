package web

import (
	"net/http"

	"waymark"
	"waymark/internal/account"
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
	// The page the person was on (such as a claim link) comes back after
	// they confirm their address and sign in.
	u, _, err := s.deps.Accounts.Register(r.Context(), r.PostForm.Get("email"), r.PostForm.Get("name"), r.PostForm.Get("password"), v.Next)
	addr := ""
	switch {
	case waymark.ErrorCode(err) == waymark.ECONFLICT:
		// The address has an account: its owner hears of the attempt
		// (unless they heard lately), and the page says what it says for
		// a new address.
		addr, _ = account.NormaliseEmail(r.PostForm.Get("email"))
		if s.limits.allowOne("mail-to:"+addr, mailToRefill, mailToBurst, s.deps.Now()) {
			if err := s.deps.Accounts.TellOwnerOfSignUp(r.Context(), addr); err != nil {
				s.serverError(w, r, err)
				return
			}
		}
	case err != nil:
		s.failForm(w, r, "register", v, err, []string{"name", "email", "password", "confirm_password"})
		return
	default:
		addr = u.Email
	}
	s.checkYourEmail(w, r, addr)
}

// checkYourEmail is the answer to registering, the same whether or not the
// address already had an account.
func (s *Server) checkYourEmail(w http.ResponseWriter, r *http.Request, addr string) {
	s.render(w, r, http.StatusOK, "message", messageView{page: s.page(r, "Check your email"), Heading: "Check your email",
		Lines: []string{"We have sent an email to " + addr + ".", "Open the link in it within 3 days to confirm your email address, then sign in."}})
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
