package waymark

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes. They are coarse on purpose: the HTTP edge maps each to a status.
const (
	ECONFLICT     = "conflict"
	EINTERNAL     = "internal"
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	// EUNAVAILABLE is a request the server is too busy for now; the edge
	// answers 503 and asks the client to try again shortly.
	EUNAVAILABLE = "unavailable"
)

// Error is an application error whose message is safe to show to the user.
type Error struct {
	Code    string
	Message string
	// Field optionally names the input the message is about, so forms can show it
	// next to the field.
	Field string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("waymark error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an *Error about one named input field.
func FieldErrorf(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINVALID for
// *Problems, EINTERNAL for any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	var p *Problems
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	case errors.As(err, &p):
		return EINVALID
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err, hiding internal
// details. For *Problems it is every message, joined.
func ErrorMessage(err error) string {
	var e *Error
	var p *Problems
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Message
	case errors.As(err, &p):
		msgs := make([]string, 0, p.Len())
		for _, pr := range p.List() {
			msgs = append(msgs, pr.Message)
		}
		return strings.Join(msgs, ". ")
	}
	return "Sorry, something went wrong on our side. Please try again."
}

// Problem is one message about one input field.
type Problem struct {
	Field   string
	Message string
}

// Problems are what is wrong with submitted input: one message per field, in
// the order they were found, so a form can show them all at once and an API
// can list them. As an error its code is EINVALID. The zero value is empty
// and ready to use.
type Problems struct {
	list []Problem
}

// Add records a message about a field, unless the field already has one.
func (p *Problems) Add(field, message string) {
	if p.Has(field) {
		return
	}
	p.list = append(p.list, Problem{Field: field, Message: message})
}

// Check records err's user-facing message about field when err is an
// EINVALID error, and reports whether it did. Any other non-nil err is left
// to the caller (see Err), so a failing database is never shown as a
// problem with the input.
func (p *Problems) Check(field string, err error) bool {
	if ErrorCode(err) != EINVALID {
		return false
	}
	p.Add(field, ErrorMessage(err))
	return true
}

// Has reports whether field has a message.
func (p *Problems) Has(field string) bool { return p.Get(field) != "" }

// Get returns field's message, or "".
func (p *Problems) Get(field string) string {
	if p == nil {
		return ""
	}
	for _, pr := range p.list {
		if pr.Field == field {
			return pr.Message
		}
	}
	return ""
}

// Len is the number of fields with a message.
func (p *Problems) Len() int {
	if p == nil {
		return 0
	}
	return len(p.list)
}

// List returns the problems in the order they were found.
func (p *Problems) List() []Problem {
	if p == nil {
		return nil
	}
	return append([]Problem(nil), p.list...)
}

// Map returns the messages by field.
func (p *Problems) Map() map[string]string {
	m := make(map[string]string, p.Len())
	for _, pr := range p.List() {
		m[pr.Field] = pr.Message
	}
	return m
}

// Err returns p as an error, or nil when there is no problem.
func (p *Problems) Err() error {
	if p.Len() == 0 {
		return nil
	}
	return p
}

// Error implements the error interface: every message, in order.
func (p *Problems) Error() string {
	msgs := make([]string, 0, p.Len())
	for _, pr := range p.List() {
		msgs = append(msgs, pr.Message)
	}
	return "waymark problems: " + strings.Join(msgs, "; ")
}

// ProblemsOf returns the per-field problems err carries: a *Problems, or a
// single EINVALID *Error with a Field. It reports false for anything else.
func ProblemsOf(err error) (*Problems, bool) {
	var p *Problems
	if errors.As(err, &p) {
		return p, true
	}
	var e *Error
	if errors.As(err, &e) && e.Code == EINVALID && e.Field != "" {
		p = &Problems{}
		p.Add(e.Field, e.Message)
		return p, true
	}
	return nil, false
}
