package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"waymark"
	"waymark/internal/email"
)

const sessionUserKey = "user_id"

type userNameKey struct{}

func withUserName(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, userNameKey{}, name)
}

func userName(ctx context.Context) string {
	n, _ := ctx.Value(userNameKey{}).(string)
	return n
}

// formView is the view of the account forms.
type formView struct {
	page
	Form      url.Values
	FieldErrs map[string]string
	Next      string
	Token     string
}

// messageView is a page that only tells the user something.
type messageView struct {
	page
	Heading string
	Lines   []string
	Link    *link
}

func (s *Server) form(r *http.Request, title string) formView {
	return formView{page: s.page(r, title), Form: url.Values{}, FieldErrs: map[string]string{}}
}

// fail re-renders a form with the error next to its field (or in the
// summary), keeping what was typed except passwords.
func (s *Server) failForm(w http.ResponseWriter, r *http.Request, name string, v formView, err error, order []string) {
	var e *waymark.Error
	status := http.StatusBadRequest
	switch {
	case errors.As(err, &e) && e.Field != "":
		v.FieldErrs[e.Field] = e.Message
	case errors.As(err, &e):
		v.FieldErrs["form"] = e.Message
	default:
		s.serverError(w, r, err)
		return
	}
	if e.Code == waymark.ECONFLICT {
		status = http.StatusConflict
	} else if e.Code == waymark.EUNAUTHORIZED {
		status = http.StatusUnauthorized
	}
	for _, k := range []string{"password", "current_password", "confirm_password"} {
		v.Form.Del(k)
	}
	v.Errors = summary(v.FieldErrs, order)
	v.Title = "Error: " + v.Title
	s.render(w, r, status, name, v)
}

// baseURL is the site's address for links in emails.
func (s *Server) baseURL(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return strings.TrimSuffix(s.cfg.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) handleRegisterForm(w http.ResponseWriter, r *http.Request) {
	v := s.form(r, "Create an account")
	v.Next = nextOrEmpty(r.URL.Query().Get("next"))
	s.render(w, r, http.StatusOK, "register", v)
}

// nextOrEmpty is a safe "next" page to carry through registration, or ""
// when there is none.
func nextOrEmpty(next string) string {
	if next == "" || safeNext(next) != next {
		return ""
	}
	return next
}

// withNext adds a "next" page to a local path's query when there is one.
func withNext(path, next string) string {
	if next == "" {
		return path
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "next=" + url.QueryEscape(next)
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

func safeNext(next string) string {
	if len(next) > 1 && len(next) < 500 && next[0] == '/' && next[1] != '/' && next[1] != '\\' {
		return next
	}
	return "/account"
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
	addr := r.PostForm.Get("email")
	if !s.limits.allow(clientIP(r), strings.ToLower(strings.TrimSpace(addr)), s.deps.Now()) {
		w.Header().Set("Retry-After", "900")
		v.FieldErrs["form"] = "Too many attempts to sign in. Wait 15 minutes and try again, or reset your password."
		v.Errors = summary(v.FieldErrs, nil)
		s.render(w, r, http.StatusTooManyRequests, "sign-in", v)
		return
	}
	u, err := s.deps.Accounts.Authenticate(r.Context(), addr, r.PostForm.Get("password"))
	if err != nil {
		s.failForm(w, r, "sign-in", v, err, nil)
		return
	}
	if u.EmailVerifiedAt == nil {
		s.failForm(w, r, "sign-in", v, waymark.Errorf(waymark.EUNAUTHORIZED, "Confirm your email address first: open the link we sent you, or reset your password to get a new one"), nil)
		return
	}
	// A new session token on sign-in, against session fixation.
	if err := s.deps.Sessions.RenewToken(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.deps.Sessions.Put(r.Context(), sessionUserKey, u.ID)
	http.Redirect(w, r, v.Next, http.StatusSeeOther)
}

func (s *Server) handleSignOut(w http.ResponseWriter, r *http.Request) {
	if err := s.deps.Sessions.Destroy(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

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
	u, token, err := s.deps.Accounts.RequestPasswordReset(r.Context(), r.PostForm.Get("email"))
	if err != nil {
		s.failForm(w, r, "forgot", v, err, nil)
		return
	}
	if u != nil {
		link := s.baseURL(r) + "/reset-password?token=" + url.QueryEscape(token)
		if err := s.deps.Outbox.Send(r.Context(), email.Message{To: u.Email, Subject: "Reset your Waymark password",
			Text: fmt.Sprintf("Hello %s,\n\nSomeone asked to reset your Waymark password. To choose a new one, open this link within an hour:\n\n%s\n\nIf it was not you, ignore this email: your password has not changed.\n", u.Name, link),
			HTML: fmt.Sprintf("<p>Hello %s,</p><p>Someone asked to reset your Waymark password. <a href=\"%s\">Choose a new password</a> within an hour.</p><p>If it was not you, ignore this email: your password has not changed.</p>", htmlEscape(u.Name), link),
		}); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	// The same answer whether or not the address has an account.
	s.render(w, r, http.StatusOK, "message", messageView{page: s.page(r, "Check your email"), Heading: "Check your email",
		Lines: []string{"If there is a Waymark account for that address, we have sent it a link to reset the password.", "The link works once, for an hour."}})
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
	if r.PostForm.Get("password") != r.PostForm.Get("confirm_password") {
		s.failForm(w, r, "reset", v, waymark.FieldErrorf(waymark.EINVALID, "confirm_password", "The passwords do not match"), nil)
		return
	}
	if _, err := s.deps.Accounts.ResetPassword(r.Context(), v.Token, r.PostForm.Get("password")); err != nil {
		if waymark.ErrorCode(err) == waymark.ENOTFOUND {
			s.render(w, r, http.StatusNotFound, "message", messageView{page: s.page(r, "This link has expired"), Heading: "This link has expired",
				Lines: []string{waymark.ErrorMessage(err)}, Link: &link{Href: "/forgot-password", Text: "Ask for a new link"}})
			return
		}
		s.failForm(w, r, "reset", v, err, []string{"password", "confirm_password"})
		return
	}
	s.render(w, r, http.StatusOK, "message", messageView{page: s.page(r, "Password changed"), Heading: "Password changed",
		Lines: []string{"You can now sign in with your new password."}, Link: &link{Href: "/sign-in", Text: "Sign in"}})
}

func (s *Server) handleAccount(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "account", s.form(r, "Your account"))
}

func (s *Server) handleChangePassword(w http.ResponseWriter, r *http.Request) {
	v := s.form(r, "Your account")
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
	if err := s.deps.Sessions.RenewToken(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "message", messageView{page: s.page(r, "Password changed"), Heading: "Password changed",
		Lines: []string{"Your new password works from now on."}, Link: &link{Href: "/account", Text: "Back to your account"}})
}

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

// rateLimits slows down what anyone can repeat: password guessing (per
// address and per client) and public forms such as self-referral, with
// buckets that refill, so nobody can lock someone out for good. They are
// per instance, in memory.
type rateLimits struct {
	mu      sync.Mutex
	buckets map[string]*rate.Limiter
	swept   time.Time
}

func (l *rateLimits) allow(ip, addr string, now time.Time) bool {
	// 5 tries per address, then one every 3 minutes; 20 per connection
	// address, then one every 30 seconds.
	return l.allowOne("addr:"+addr, 3*time.Minute, 5, now) && l.allowOne("ip:"+ip, 30*time.Second, 20, now)
}

// allowOne takes one token from the bucket key (burst tokens, one more
// every every), reporting whether there was one.
func (l *rateLimits) allowOne(key string, every time.Duration, burst int, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil {
		l.buckets = map[string]*rate.Limiter{}
	}
	if now.Sub(l.swept) > time.Hour { // forget idle buckets
		for k, b := range l.buckets {
			if b.TokensAt(now) >= float64(b.Burst()) {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = rate.NewLimiter(rate.Every(every), burst)
		l.buckets[key] = b
	}
	return b.AllowN(now, 1)
}

// clientIP is the connection's address (proxies' headers are not trusted).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;")

func htmlEscape(s string) string { return htmlEscaper.Replace(s) }
