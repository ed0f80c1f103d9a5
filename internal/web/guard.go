package web

import (
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"waymark"
	"waymark/internal/fhir"
	"waymark/internal/input"
	"waymark/internal/oruk"
)

// apiPrefix starts the address of every JSON API served through the web
// server; their problems are answered as RFC 9457 JSON.
const apiPrefix = "/api/"

// checkInput refuses, with 400 and a message naming the field, any request
// whose query parameters or form fields hold invalid UTF-8 or control
// characters other than tab, carriage return and new line, before any
// handler sees them. Without it PostgreSQL refuses a NUL byte or invalid
// UTF-8 with an error (a 500) while SQLite stores it. Each field's own rules
// (one line or several, length) are checked after by the input package in
// the domain. Multipart uploads' text fields are checked there too.
func (s *Server) checkInput(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p waymark.Problems
		checkValues(&p, r.URL.Query())
		if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			if err := r.ParseForm(); err != nil {
				status := http.StatusBadRequest
				var tooBig *http.MaxBytesError
				if errors.As(err, &tooBig) {
					status = http.StatusRequestEntityTooLarge
				}
				s.refuseInput(w, r, status, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"))
				return
			}
			checkValues(&p, r.PostForm)
		}
		if p.Len() > 0 {
			s.refuseInput(w, r, http.StatusBadRequest, &p)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// unchecked are fields checkInput leaves to their handler: "next" (the page
// to go to after signing in) is never stored, and safeNext replaces any
// value with control characters by the account page, so a doctored link
// still signs the person in.
var unchecked = map[string]bool{"next": true}

// checkValues adds a problem for each field with a value input.Check
// refuses, in name order.
func checkValues(p *waymark.Problems, v url.Values) {
	names := make([]string, 0, len(v))
	for name := range v {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if unchecked[name] {
			continue
		}
		if err := input.Check("A field", name); err != nil {
			p.Add("form", "The form has a field whose name holds characters that cannot be accepted")
			continue
		}
		for _, value := range v[name] {
			if p.Check(name, input.Check(fieldLabel(name), value)) {
				break
			}
		}
	}
}

// fieldLabel turns a field's name into words for a message: "decline_note"
// becomes "Decline note".
func fieldLabel(name string) string {
	words := strings.TrimSpace(strings.NewReplacer("_", " ", "-", " ", ".", " ").Replace(name))
	if words == "" {
		return "A field"
	}
	return strings.ToUpper(words[:1]) + words[1:]
}

// refuseInput answers a request refused by checkInput: RFC 9457 JSON for
// the APIs, an error page listing the problems for the HTML pages.
func (s *Server) refuseInput(w http.ResponseWriter, r *http.Request, status int, err error) {
	if r.URL.Path == fhir.TokenPath {
		fhir.WriteTokenError(w, status, "invalid_request", waymark.ErrorMessage(err))
		return
	}
	if strings.HasPrefix(r.URL.Path, fhir.Prefix+"/") {
		is := fhir.Issue{Code: "invalid", Error: "REC_BAD_REQUEST", Diagnostics: waymark.ErrorMessage(err)}
		if p, ok := waymark.ProblemsOf(err); ok {
			is.Diagnostics = "Some parameters hold characters that cannot be accepted"
			for _, pr := range p.List() {
				is.Expression = append(is.Expression, pr.Field)
			}
		}
		fhir.WriteOutcome(w, status, is)
		return
	}
	if strings.HasPrefix(r.URL.Path, apiPrefix) {
		detail := waymark.ErrorMessage(err)
		var params []oruk.InvalidParam
		if p, ok := waymark.ProblemsOf(err); ok {
			detail = "Some parameters hold characters that cannot be accepted."
			for _, pr := range p.List() {
				params = append(params, oruk.InvalidParam{Name: pr.Field, Reason: pr.Message})
			}
		}
		oruk.WriteProblem(w, r, status, "Invalid request", detail, params)
		return
	}
	v := errorView{page: s.page(r, "There is a problem"), Heading: "There is a problem",
		Message: waymark.ErrorMessage(err) + ". Go back, remove them and try again."}
	if p, ok := waymark.ProblemsOf(err); ok {
		for _, pr := range p.List() {
			v.Errors = append(v.Errors, fieldError{Field: pr.Field, Message: pr.Message})
		}
	} else {
		v.Message = waymark.ErrorMessage(err)
	}
	s.render(w, r, status, "error", v)
}
