package web

import (
	"net/http"
	"net/url"

	"waymark"
)

// allow says who may use a route.
type allow func(a waymark.Actor) bool

// anyone may use a route, signed in or not.
func anyone(waymark.Actor) bool { return true }

// signedIn routes need a signed-in user of any role.
func signedIn(a waymark.Actor) bool { return !a.Anonymous() }

// roles routes need a signed-in user holding one of the roles.
func roles(rs ...waymark.Role) allow {
	return func(a waymark.Actor) bool {
		for _, r := range rs {
			if a.Has(r) {
				return true
			}
		}
		return false
	}
}

// route registers a handler with who may use it: anonymous visitors of a
// route they may not use are sent to sign in; signed-in users get 403.
func (s *Server) route(pattern string, who allow, h http.HandlerFunc) {
	s.routeAccess = append(s.routeAccess, routeRule{pattern, who})
	s.handle(pattern, func(w http.ResponseWriter, r *http.Request) {
		a := waymark.ActorFrom(r.Context())
		if who(a) {
			h(w, r)
			return
		}
		if a.Anonymous() {
			http.Redirect(w, r, "/sign-in?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		s.forbidden(w, r)
	})
}

type routeRule struct {
	pattern string
	who     allow
}

func (s *Server) forbidden(w http.ResponseWriter, r *http.Request) {
	v := errorView{page: s.page(r, "You cannot see this page"), Heading: "You cannot see this page",
		Message: "Your account does not have access to this page. If you think it should, ask your organisation's administrator."}
	s.render(w, r, http.StatusForbidden, "error", v)
}

// withActor puts the signed-in user, if any, in the request's context.
func (s *Server) withActor(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id := s.deps.Sessions.GetString(r.Context(), sessionUserKey); id != "" {
			u, err := s.deps.Accounts.User(r.Context(), id)
			if err == nil && s.deps.Sessions.GetString(r.Context(), sessionStampKey) != u.SessionStamp() {
				// The password changed since this session signed in.
				s.deps.Sessions.Remove(r.Context(), sessionUserKey)
				s.deps.Sessions.Remove(r.Context(), sessionStampKey)
			} else if err == nil {
				r = r.WithContext(waymark.WithActor(r.Context(), u.Actor()))
				r = r.WithContext(withUserName(r.Context(), u.Name))
			} else if waymark.ErrorCode(err) == waymark.ENOTFOUND {
				s.deps.Sessions.Remove(r.Context(), sessionUserKey)
			} else {
				s.serverError(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
