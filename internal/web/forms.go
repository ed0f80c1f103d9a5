package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
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

// readForm parses a posted form; false, with an error page sent, when it
// cannot be read.
func (s *Server) readForm(w http.ResponseWriter, r *http.Request) bool {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"))
		return false
	}
	return true
}

// showProblems is the one way a form shows what is wrong with what was
// typed: it puts err's messages into fieldErrs, by field (every field of a
// *waymark.Problems, the Field of a *waymark.Error, or "form" for a message
// about the whole form), and fills p's error summary, fields in order first
// and then the rest in the order found, and marks the page's title. It
// returns the status to answer with (400, or 409 for a conflict, 401 for a
// failed sign-in and 503 when the server is too busy), and false when err is not about the input: the caller
// then shows an error page instead of the form.
func showProblems(p *page, fieldErrs map[string]string, err error, order []string) (int, bool) {
	status := http.StatusBadRequest
	var e *waymark.Error
	if probs, ok := waymark.ProblemsOf(err); ok {
		for _, pr := range probs.List() {
			fieldErrs[pr.Field] = pr.Message
		}
		order = append(append([]string{}, order...), fieldsOf(probs)...)
	} else if errors.As(err, &e) {
		switch e.Code {
		case waymark.EINVALID:
		case waymark.ECONFLICT:
			status = http.StatusConflict
		case waymark.EUNAUTHORIZED:
			status = http.StatusUnauthorized
		case waymark.EUNAVAILABLE:
			status = http.StatusServiceUnavailable
		default:
			return 0, false
		}
		field := e.Field
		if field == "" {
			field = "form"
		}
		fieldErrs[field] = e.Message
	} else {
		return 0, false
	}
	p.markErrors(fieldErrs, append([]string{"form"}, order...))
	return status, true
}

// markErrors fills p's error summary from errs, by field (those in order
// first, then the rest by name), and marks its title, when there are any.
func (p *page) markErrors(errs map[string]string, order []string) {
	if len(errs) == 0 {
		return
	}
	p.Errors = summary(errs, order)
	if !strings.HasPrefix(p.Title, "Error: ") {
		p.Title = "Error: " + p.Title
	}
}

// showMessage is showProblems for one message a handler worked out itself,
// next to field ("form" for the whole form).
func showMessage(p *page, fieldErrs map[string]string, field, message string, order []string) {
	showProblems(p, fieldErrs, waymark.FieldErrorf(waymark.EINVALID, field, "%s", message), order)
}

// fieldsOf lists the fields of p in the order found.
func fieldsOf(p *waymark.Problems) []string {
	var out []string
	for _, pr := range p.List() {
		out = append(out, pr.Field)
	}
	return out
}

// failForm re-renders a form with the error next to its field (or in the
// summary), keeping what was typed except passwords.
func (s *Server) failForm(w http.ResponseWriter, r *http.Request, name string, v formView, err error, order []string) {
	status, ok := showProblems(&v.page, v.FieldErrs, err, order)
	if !ok {
		s.renderError(w, r, err)
		return
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	for _, k := range []string{"password", "current_password", "confirm_password"} {
		v.Form.Del(k)
	}
	s.render(w, r, status, name, v)
}

// tooMany re-renders a form with a message saying the client has sent it too
// often, a 429 and when to try again.
func (s *Server) tooMany(w http.ResponseWriter, r *http.Request, name string, v formView, retryAfter time.Duration, message string) {
	w.Header().Set("Retry-After", strconv.Itoa(int(retryAfter.Seconds())))
	for _, k := range []string{"password", "current_password", "confirm_password"} {
		v.Form.Del(k)
	}
	showMessage(&v.page, v.FieldErrs, "form", message, nil)
	s.render(w, r, http.StatusTooManyRequests, name, v)
}
