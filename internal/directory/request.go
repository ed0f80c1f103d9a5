package directory

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"waymark"
	"waymark/internal/input"
)

// ServiceRequest is a request from someone without an account for the team
// to add a service to the directory.
type ServiceRequest struct {
	ID           string
	Token        string // the form's one-time token
	Organisation string
	Service      string
	ContactName  string
	Email        string
	Phone        string
	Website      string
	Postcode     string
	Description  string
	CreatedAt    time.Time
	HandledBy    string
	HandledAt    *time.Time
}

// RequestStore keeps service requests.
type RequestStore interface {
	// CreateServiceRequest stores a request, or returns the ID of the one
	// already stored with the same token.
	CreateServiceRequest(ctx context.Context, r ServiceRequest) (string, error)
	// OpenServiceRequests returns the requests nobody has handled, oldest
	// first.
	OpenServiceRequests(ctx context.Context) ([]ServiceRequest, error)
	// HandleServiceRequest marks a request handled. ENOTFOUND when there is
	// no such open request.
	HandleServiceRequest(ctx context.Context, id, by string, at time.Time) error
}

// ServiceRequests are the public's requests to add a service, for the
// moderators' queue.
type ServiceRequests struct {
	store RequestStore
	now   func() time.Time
	newID func() string
}

// NewServiceRequests returns ServiceRequests on store.
func NewServiceRequests(store RequestStore, now func() time.Time, newID func() string) *ServiceRequests {
	return &ServiceRequests{store: store, now: now, newID: newID}
}

// Submit checks and stores a request; sending the same form (token) twice
// stores it once. It returns the request's ID. Errors: EINVALID with the
// field at fault.
func (s *ServiceRequests) Submit(ctx context.Context, r ServiceRequest) (string, error) {
	// Clean text first (valid UTF-8, no control characters, trimmed); only
	// the description may span lines.
	r.Token = strings.TrimSpace(r.Token)
	for _, f := range []struct {
		field string
		v     *string
	}{{"organisation", &r.Organisation}, {"service", &r.Service}, {"contact_name", &r.ContactName}, {"email", &r.Email},
		{"phone", &r.Phone}, {"website", &r.Website}, {"postcode", &r.Postcode}, {"description", &r.Description}} {
		clean := input.Line
		if f.field == "description" {
			clean = input.Lines
		}
		v, err := clean("This answer", *f.v, 0)
		if err != nil {
			return "", waymark.FieldErrorf(waymark.EINVALID, f.field, "%s", waymark.ErrorMessage(err))
		}
		*f.v = v
	}
	short := func(field, v, message string) error {
		if v == "" || utf8.RuneCountInString(v) > 200 {
			return waymark.FieldErrorf(waymark.EINVALID, field, "%s", message)
		}
		return nil
	}
	if len(r.Token) < 16 || len(r.Token) > 64 {
		return "", waymark.FieldErrorf(waymark.EINVALID, "form", "The form has expired: send it again")
	}
	if err := short("organisation", r.Organisation, "Enter the organisation's name, in 200 characters or fewer"); err != nil {
		return "", err
	}
	if err := short("service", r.Service, "Enter the service's name, in 200 characters or fewer"); err != nil {
		return "", err
	}
	if err := short("contact_name", r.ContactName, "Enter your name, in 200 characters or fewer"); err != nil {
		return "", err
	}
	e, err := input.Email(r.Email)
	if err != nil {
		return "", waymark.FieldErrorf(waymark.EINVALID, "email", "Enter an email address in the correct format, like name@example.com")
	}
	r.Email = strings.ToLower(e)
	if r.Phone != "" {
		digits, err := input.Phone(r.Phone)
		if err != nil {
			return "", waymark.FieldErrorf(waymark.EINVALID, "phone", "Enter a UK phone number, like 01629 580000, or leave it empty")
		}
		r.Phone = input.FormatPhone(digits)
	}
	if r.Website != "" {
		w, err := input.Website(r.Website)
		if err != nil || len(w) > 500 {
			return "", waymark.FieldErrorf(waymark.EINVALID, "website", "Enter the website's full address, starting https://")
		}
		r.Website = w
	}
	if r.Postcode != "" {
		pc, err := input.Postcode(r.Postcode)
		if err != nil {
			return "", waymark.FieldErrorf(waymark.EINVALID, "postcode", "Enter a real postcode, like DE4 3AG, or leave it empty")
		}
		r.Postcode = pc.String()
	}
	if r.Description == "" || utf8.RuneCountInString(r.Description) > 2000 {
		return "", waymark.FieldErrorf(waymark.EINVALID, "description", "Say what the service does and who it is for, in 2,000 characters or fewer")
	}
	r.ID, r.CreatedAt = s.newID(), s.now().UTC()
	return s.store.CreateServiceRequest(ctx, r)
}

// Open lists the requests waiting for a moderator. Errors: EFORBIDDEN.
func (s *ServiceRequests) Open(ctx context.Context) ([]ServiceRequest, error) {
	if !isModerator(waymark.ActorFrom(ctx)) {
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "Only moderators can see requests to add a service")
	}
	return s.store.OpenServiceRequests(ctx)
}

// Handle marks a request dealt with. Errors: EFORBIDDEN, ENOTFOUND.
func (s *ServiceRequests) Handle(ctx context.Context, id string) error {
	a := waymark.ActorFrom(ctx)
	if !isModerator(a) {
		return waymark.Errorf(waymark.EFORBIDDEN, "Only moderators can deal with requests to add a service")
	}
	return s.store.HandleServiceRequest(ctx, id, a.UserID, s.now().UTC())
}

func isModerator(a waymark.Actor) bool {
	return a.Has(waymark.RoleModerator) || a.Has(waymark.RoleAdmin)
}
