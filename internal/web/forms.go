package web

import (
	"errors"
	"net/http"
	"net/url"

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
