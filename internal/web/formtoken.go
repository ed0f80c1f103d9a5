package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"

	"waymark"
)

// FormTokens finds what a form sent with a token created, so that a form
// sent twice (a refresh, a retry after a dropped connection) leads to what
// the first sending created instead of creating it again; *sqlstore.DB
// provides it.
type FormTokens interface {
	// FormTokenResult returns the kind and id of what the form created.
	// Errors: ENOTFOUND.
	FormTokenResult(ctx context.Context, token string) (kind, resultID string, err error)
}

// newFormToken is a random token issued with a form that creates
// something, in its hidden form_token field.
func newFormToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// formToken returns the posted form's token when it is one Waymark issued
// (32 hex digits), else "".
func formToken(r *http.Request) string {
	t := r.PostForm.Get("form_token")
	if len(t) != 32 {
		return ""
	}
	if _, err := hex.DecodeString(t); err != nil {
		return ""
	}
	return t
}

// withFormToken returns the request's context carrying its form token, so
// that what the request creates is stored with it.
func withFormToken(ctx context.Context, r *http.Request) context.Context {
	if t := formToken(r); t != "" {
		return waymark.WithFormToken(ctx, t)
	}
	return ctx
}

// sentBefore sends the browser to what the posted form created, when the
// same form (its token) was sent before and created a kind of thing; it
// reports whether it did.
func (s *Server) sentBefore(w http.ResponseWriter, r *http.Request, kind string, result func(id string) string) bool {
	t := formToken(r)
	if t == "" || s.deps.FormTokens == nil {
		return false
	}
	k, id, err := s.deps.FormTokens.FormTokenResult(r.Context(), t)
	if err != nil {
		if waymark.ErrorCode(err) != waymark.ENOTFOUND {
			s.log.Error("form token lookup", "route", r.Pattern, "error", err)
		}
		return false
	}
	if k != kind {
		return false
	}
	http.Redirect(w, r, result(id), http.StatusSeeOther)
	return true
}
