package directory_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"waymark"
	"waymark/internal/directory"
)

// TestARequestToAddAServiceIsCheckedByTheInputRules: each field of the
// public's request is clean text, the phone a UK number and the email and
// website as the input package reads them, whichever way they arrive.
func TestARequestToAddAServiceIsCheckedByTheInputRules(t *testing.T) {
	t.Parallel()
	reqs := directory.NewServiceRequests(nil, time.Now, func() string { return "r1" }) // refused before anything is stored
	good := directory.ServiceRequest{Token: "0123456789abcdef0123", Organisation: "Peak Walkers", Service: "Walk and talk",
		ContactName: "Jo", Email: "jo@example.org", Description: "Gentle walks."}
	for _, c := range []struct {
		name, field string
		change      func(r *directory.ServiceRequest)
	}{
		{"a control character in a name", "service", func(r *directory.ServiceRequest) { r.Service = "Walk\x07 and talk" }},
		{"a line break in a one-line answer", "contact_name", func(r *directory.ServiceRequest) { r.ContactName = "Jo\nBloggs" }},
		{"invalid UTF-8 in the description", "description", func(r *directory.ServiceRequest) { r.Description = "Walks \xff" }},
		{"an email address with no domain name", "email", func(r *directory.ServiceRequest) { r.Email = "jo@localhost" }},
		{"a phone number that is not a UK one", "phone", func(r *directory.ServiceRequest) { r.Phone = "12345" }},
		{"a website that is not a web address", "website", func(r *directory.ServiceRequest) { r.Website = "ftp://example.org" }},
	} {
		r := good
		c.change(&r)
		_, err := reqs.Submit(context.Background(), r)
		var e *waymark.Error
		if !asError(err, &e) || e.Code != waymark.EINVALID || e.Field != c.field {
			t.Errorf("%s: %v, want EINVALID on %s", c.name, err, c.field)
		}
	}
}

// TestAServiceKeepsItsEmailAsTheInputPackageWritesIt: a listing's address
// is read by input.Email, so a "mailto:" copied from a link is dropped and
// the domain written in lower case, and an address without a domain name is
// refused.
func TestAServiceKeepsItsEmailAsTheInputPackageWritesIt(t *testing.T) {
	t.Parallel()
	svc := &directory.Service{OrganizationID: "o1", Name: "Walk and talk", Email: "mailto:Jo@Example.ORG",
		Locations: []directory.Location{{Address: directory.Address{PostalCode: "DE4 3AG"}}}}
	if err := svc.Validate(); err != nil {
		t.Fatal(err)
	}
	if svc.Email != "Jo@example.org" {
		t.Errorf("email kept as %q, want Jo@example.org", svc.Email)
	}
	svc.Email = "jo@localhost"
	if err := svc.Validate(); waymark.ErrorCode(err) != waymark.EINVALID {
		t.Errorf("an address without a domain name: %v", err)
	}
}

func asError(err error, target **waymark.Error) bool { return errors.As(err, target) }
