package casework

import (
	"strings"
	"time"
	"unicode/utf8"

	"waymark"
	"waymark/internal/input"
	"waymark/internal/postcode"
)

// ValidNHSNumber reports whether s is ten digits whose last is the modulus 11
// check digit of the first nine (weights 10 down to 2; 11 - remainder, where
// 11 becomes 0 and 10 is never valid). Spaces and hyphens are ignored.
func ValidNHSNumber(s string) bool {
	s = NormaliseNHSNumber(s)
	if len(s) != 10 {
		return false
	}
	sum := 0
	for i := 0; i < 10; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		if i < 9 {
			sum += int(s[i]-'0') * (10 - i)
		}
	}
	check := 11 - sum%11
	if check == 11 {
		check = 0
	}
	return check != 10 && check == int(s[9]-'0')
}

// NormaliseNHSNumber removes spaces and hyphens.
func NormaliseNHSNumber(s string) string {
	return strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(s))
}

// FormatNHSNumber shows an NHS number as 3 3 4 digits.
func FormatNHSNumber(s string) string {
	if len(s) != 10 {
		return s
	}
	return s[:3] + " " + s[3:6] + " " + s[6:]
}

// NormaliseODSCode upper-cases an ODS code and reports whether it has the
// shape of a GP practice code: a letter and five letters or digits.
func NormaliseODSCode(s string) (string, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != 6 || s[0] < 'A' || s[0] > 'Z' {
		return s, false
	}
	for i := 1; i < 6; i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return s, false
		}
	}
	return s, true
}

// Validate checks a team's name. Errors: EINVALID.
func (t *Team) Validate() error {
	t.Name = strings.TrimSpace(t.Name)
	if t.Name == "" || utf8.RuneCountInString(t.Name) > 120 {
		return waymark.FieldErrorf(waymark.EINVALID, "name", "Enter the team's name, in 120 characters or fewer")
	}
	return nil
}

// Validate checks a practice's ODS code and name. Errors: EINVALID.
func (p *Practice) Validate() error {
	var ok bool
	if p.ODSCode, ok = NormaliseODSCode(p.ODSCode); !ok {
		return waymark.FieldErrorf(waymark.EINVALID, "ods", "Enter the practice's ODS code: a letter and five letters or numbers, like C81001")
	}
	p.Name = strings.TrimSpace(p.Name)
	if p.Name == "" || utf8.RuneCountInString(p.Name) > 120 {
		return waymark.FieldErrorf(waymark.EINVALID, "practice_name", "Enter the practice's name, in 120 characters or fewer")
	}
	return nil
}

// Geocoder finds postcodes in the postcode table.
type Geocoder interface {
	Lookup(p postcode.Postcode) (postcode.Point, bool)
}

// text checks a text field with input.Lines (valid UTF-8, no control
// characters, trimmed) and its length.
func text(field, what string, s *string, max int, required bool) error {
	v, err := input.Lines(strings.ToUpper(what[:1])+what[1:], *s, 0)
	if err != nil {
		return waymark.FieldErrorf(waymark.EINVALID, field, "%s", waymark.ErrorMessage(err))
	}
	if *s = v; required && *s == "" {
		return waymark.FieldErrorf(waymark.EINVALID, field, "Enter %s", what)
	}
	if utf8.RuneCountInString(*s) > max {
		return waymark.FieldErrorf(waymark.EINVALID, field, "Enter %s in %d characters or fewer", what, max)
	}
	return nil
}

// Validate checks and normalises a client's details against today's date
// and the postcode table (nil to skip the look-up). Errors: EINVALID naming
// the field.
func (c *Client) Validate(today time.Time, geo Geocoder) error {
	for _, f := range []struct {
		field, what string
		s           *string
		max         int
		required    bool
	}{
		{"given_name", "their first name", &c.GivenName, 100, true},
		{"family_name", "their last name", &c.FamilyName, 100, true},
		{"preferred_name", "the name they prefer", &c.PreferredName, 100, false},
		{"address", "their address", &c.Address, 300, false},
		{"language", "their language", &c.Language, 60, false},
		{"next_of_kin", "their next of kin or carer", &c.NextOfKin, 300, false},
		{"what_matters", "what matters to them", &c.WhatMatters, 4000, false},
		{"referral_reason", "the reason for referral", &c.ReferralReason, 2000, false},
		{"referred_by", "who referred them", &c.ReferredBy, 300, false},
	} {
		if err := text(f.field, f.what, f.s, f.max, f.required); err != nil {
			return err
		}
	}
	if c.DateOfBirth.IsZero() {
		return waymark.FieldErrorf(waymark.EINVALID, "dob", "Enter their date of birth")
	}
	if c.DateOfBirth.After(today) || c.DateOfBirth.Year() < today.Year()-120 {
		return waymark.FieldErrorf(waymark.EINVALID, "dob", "Date of birth must be a real date in the past")
	}
	if c.NHSNumber = NormaliseNHSNumber(c.NHSNumber); c.NHSNumber != "" && !ValidNHSNumber(c.NHSNumber) {
		return waymark.FieldErrorf(waymark.EINVALID, "nhs_number", "Enter a valid 10 digit NHS number, or leave it blank")
	}
	if c.Postcode = strings.TrimSpace(c.Postcode); c.Postcode != "" {
		p, err := postcode.Parse(c.Postcode)
		if err != nil || !p.Full() {
			return waymark.FieldErrorf(waymark.EINVALID, "postcode", "Enter a full postcode, like DE4 3AG")
		}
		if geo != nil {
			if _, ok := geo.Lookup(p); !ok {
				return waymark.FieldErrorf(waymark.EINVALID, "postcode", "We cannot find this postcode; check it")
			}
		}
		c.Postcode = p.String()
	}
	if c.Phone = strings.TrimSpace(c.Phone); c.Phone != "" {
		// A mobile is kept in E.164 (texts are sent to it), a landline in
		// the national form, like 01629 580000.
		p, err := input.KeepPhone(c.Phone)
		if err != nil {
			return waymark.FieldErrorf(waymark.EINVALID, "phone", "Enter a UK phone number, like 01629 580000 or 07700 900982")
		}
		if c.Phone = p; !textable(p) {
			c.Phone = input.FormatPhone(p)
		}
	}
	if c.Email = strings.TrimSpace(c.Email); c.Email != "" {
		e, err := input.Email(c.Email)
		if err != nil {
			return waymark.FieldErrorf(waymark.EINVALID, "email", "Enter an email address in the correct format, like name@example.org")
		}
		c.Email = e
	}
	if !known(ContactMethods, c.PreferredContact) {
		return waymark.FieldErrorf(waymark.EINVALID, "preferred_contact", "Choose how they prefer to be contacted")
	}
	switch {
	case c.PreferredContact == "email" && c.Email == "":
		return waymark.FieldErrorf(waymark.EINVALID, "email", "Enter their email address, as they prefer email")
	case (c.PreferredContact == "phone" || c.PreferredContact == "text") && c.Phone == "":
		return waymark.FieldErrorf(waymark.EINVALID, "phone", "Enter their phone number, as they prefer phone or text")
	case c.PreferredContact == "text" && !textable(c.Phone):
		return waymark.FieldErrorf(waymark.EINVALID, "phone", "Enter a mobile number (starting 07): text messages cannot go to a landline")
	case c.PreferredContact == "post" && (c.Address == "" || c.Postcode == ""):
		return waymark.FieldErrorf(waymark.EINVALID, "address", "Enter their address and postcode, as they prefer letters")
	}
	if c.GPPractice != "" {
		var ok bool
		if c.GPPractice, ok = NormaliseODSCode(c.GPPractice); !ok {
			return waymark.FieldErrorf(waymark.EINVALID, "gp_practice", "Enter the GP practice's ODS code: a letter and five letters or numbers, like C81001")
		}
	}
	if c.Interpreter && c.Language == "" {
		return waymark.FieldErrorf(waymark.EINVALID, "language", "Enter the language they need an interpreter for")
	}
	for _, f := range c.AccessibleFormats {
		if !known(AccessibleFormats, f) {
			return waymark.FieldErrorf(waymark.EINVALID, "formats", "Choose accessible formats from the list")
		}
	}
	if c.Ethnicity != "" && !known(Ethnicities, c.Ethnicity) {
		return waymark.FieldErrorf(waymark.EINVALID, "ethnicity", "Choose an ethnic group from the list")
	}
	if c.Gender != "" && !known(Genders, c.Gender) {
		return waymark.FieldErrorf(waymark.EINVALID, "gender", "Choose a gender from the list")
	}
	if c.SexualOrientation != "" && !known(SexualOrientations, c.SexualOrientation) {
		return waymark.FieldErrorf(waymark.EINVALID, "sexual_orientation", "Choose a sexual orientation from the list")
	}
	if c.Disability != "" && !known(Disabilities, c.Disability) {
		return waymark.FieldErrorf(waymark.EINVALID, "disability", "Choose an answer from the list")
	}
	return nil
}

// ParseDate reads a date from day, month and year fields. ok is false when
// they do not make a real date.
func ParseDate(day, month, year string) (time.Time, bool) {
	d, err := time.Parse("2006-1-2", strings.TrimSpace(year)+"-"+strings.TrimSpace(month)+"-"+strings.TrimSpace(day))
	if err != nil || d.Year() < 1000 {
		return time.Time{}, false
	}
	return d, true
}

// textable reports whether a kept phone number can receive text messages.
func textable(phone string) bool {
	_, ok := input.TextableMobile(phone)
	return ok
}
