package web

import (
	"context"
	"net/http"

	"waymark/internal/account"

	"waymark"
)

// Session keys: the signed-in user, and their password's stamp when they
// signed in (a session whose stamp no longer matches has ended).
const (
	sessionUserKey  = "user_id"
	sessionStampKey = "stamp"
)

type userNameKey struct{}

func withUserName(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, userNameKey{}, name)
}

func userName(ctx context.Context) string {
	n, _ := ctx.Value(userNameKey{}).(string)
	return n
}

func (s *Server) handleSignInForm(w http.ResponseWriter, r *http.Request) {
	v := s.form(r, "Sign in")
	v.Next = safeNext(r.URL.Query().Get("next"))
	s.render(w, r, http.StatusOK, "sign-in", v)
}

func (s *Server) handleSignIn(w http.ResponseWriter, r *http.Request) {
	v := s.form(r, "Sign in")
	if err := r.ParseForm(); err != nil {
		s.failForm(w, r, "sign-in", v, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"), nil)
		return
	}
	v.Form, v.Next = r.PostForm, safeNext(r.PostForm.Get("next"))
	addr, ip := r.PostForm.Get("email"), clientIP(r)
	switch s.signIns.check(addr, ip, s.deps.Now()) {
	case signInRefused:
		s.tooMany(w, r, "sign-in", v, pairRefill, "Too many attempts to sign in with a wrong password from here. Wait 3 minutes and try again, or reset your password.")
		return
	case signInSlow:
		s.deps.Sleep(r.Context(), signInSlowdown)
	}
	u, err := s.deps.Accounts.Authenticate(r.Context(), addr, r.PostForm.Get("password"))
	if waymark.ErrorCode(err) == waymark.EUNAUTHORIZED {
		s.signIns.failed(addr, ip, s.deps.Now())
	}
	if err != nil {
		s.failForm(w, r, "sign-in", v, err, nil)
		return
	}
	s.signIns.succeeded(addr, ip)
	if u.EmailVerifiedAt == nil {
		s.failForm(w, r, "sign-in", v, waymark.Errorf(waymark.EUNAUTHORIZED, "Confirm your email address first: open the link we sent you, or reset your password to get a new one"), nil)
		return
	}
	// A new session token on sign-in, against session fixation.
	if err := s.deps.Sessions.RenewToken(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.signInSession(r.Context(), u)
	http.Redirect(w, r, v.Next, http.StatusSeeOther)
}

// signInSession makes the request's session u's.
func (s *Server) signInSession(ctx context.Context, u *account.User) {
	s.deps.Sessions.Put(ctx, sessionUserKey, u.ID)
	s.deps.Sessions.Put(ctx, sessionStampKey, u.SessionStamp())
}

func (s *Server) handleSignOut(w http.ResponseWriter, r *http.Request) {
	if err := s.deps.Sessions.Destroy(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
