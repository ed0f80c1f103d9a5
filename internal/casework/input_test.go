package casework_test

import (
	"errors"
	"testing"
	"time"

	"waymark"
	"waymark/internal/casework"
)

// TestAClientsDetailsAreCheckedByTheInputRules: every text field is clean
// text (no control characters, valid UTF-8) and the email address is read
// by input.Email, whichever way the record arrives (the form, the waiting
// list, a GP referral).
func TestAClientsDetailsAreCheckedByTheInputRules(t *testing.T) {
	t.Parallel()
	today := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	client := func() casework.Client {
		return casework.Client{GivenName: "Margaret", FamilyName: "Oakes", DateOfBirth: time.Date(1948, 3, 15, 0, 0, 0, 0, time.UTC),
			Email: "mailto:peggy@Example.ORG", PreferredContact: "email"}
	}
	c := client()
	if err := c.Validate(today, nil); err != nil {
		t.Fatal(err)
	}
	if c.Email != "peggy@example.org" {
		t.Errorf("email kept as %q, want peggy@example.org", c.Email)
	}
	for _, tt := range []struct {
		field  string
		change func(c *casework.Client)
	}{
		{"what_matters", func(c *casework.Client) { c.WhatMatters = "Gardening\x00" }},
		{"given_name", func(c *casework.Client) { c.GivenName = "Marg\xffaret" }},
		{"email", func(c *casework.Client) { c.Email = "peggy@localhost" }},
	} {
		c := client()
		tt.change(&c)
		var e *waymark.Error
		if err := c.Validate(today, nil); !errors.As(err, &e) || e.Code != waymark.EINVALID || e.Field != tt.field {
			t.Errorf("%s: %v, want EINVALID on it", tt.field, err)
		}
	}
}
