package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"waymark"
)

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
	switch e.Code {
	case waymark.ECONFLICT:
		status = http.StatusConflict
	case waymark.EUNAUTHORIZED:
		status = http.StatusUnauthorized
	case waymark.EUNAVAILABLE:
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "5")
	}
	for _, k := range []string{"password", "current_password", "confirm_password"} {
		v.Form.Del(k)
	}
	v.Errors = summary(v.FieldErrs, order)
	v.Title = "Error: " + v.Title
	s.render(w, r, status, name, v)
}

// tooMany re-renders a form with a message saying the client has sent it too
// often, a 429 and when to try again.
func (s *Server) tooMany(w http.ResponseWriter, r *http.Request, name string, v formView, retryAfter time.Duration, message string) {
	w.Header().Set("Retry-After", strconv.Itoa(int(retryAfter.Seconds())))
	for _, k := range []string{"password", "current_password", "confirm_password"} {
		v.Form.Del(k)
	}
	v.FieldErrs["form"] = message
	v.Errors = summary(v.FieldErrs, nil)
	v.Title = "Error: " + v.Title
	s.render(w, r, http.StatusTooManyRequests, name, v)
}
