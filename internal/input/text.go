// Package input checks and normalises the values people type and importers
// read: clean text, email addresses, UK phone numbers, web addresses,
// keywords and postcodes. Web forms, bulk onboarding, the Open Referral UK
// importer and each domain's Validate use it, so a value is accepted or
// refused the same way wherever it comes from. It also neutralises
// spreadsheet formulas in what Waymark exports.
//
// Every error is a *waymark.Error with code EINVALID and a message for the
// public that names the value (such as "Title must be 150 characters or
// fewer"); callers attach it to their field with waymark.Problems.
package input

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"waymark"
)

// invalid returns an EINVALID error with a message for the public.
func invalid(format string, args ...any) error {
	return waymark.Errorf(waymark.EINVALID, format, args...)
}

// Line checks a one-line text value and returns it trimmed. It refuses
// invalid UTF-8, line breaks and control characters other than tab, and more
// than max characters (no limit when max is 0). label names the value in
// messages, like "Title". An empty value is not an error: callers decide
// whether the field is required.
func Line(label, s string, max int) (string, error) {
	return clean(label, s, max, false)
}

// Lines checks a text value that may span lines (a text area) and returns it
// trimmed, with every line ending written as "\n". It refuses invalid UTF-8
// and control characters other than tab and new line, and more than max
// characters (no limit when max is 0).
func Lines(label, s string, max int) (string, error) {
	return clean(label, s, max, true)
}

func clean(label, s string, max int, multiline bool) (string, error) {
	if !utf8.ValidString(s) {
		return "", invalid("%s must be plain text: it contains something that is not a character", label)
	}
	if multiline && strings.ContainsRune(s, '\r') {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	}
	for _, r := range s {
		switch {
		case r == '\n' && !multiline, r == '\r':
			return "", invalid("%s must be on one line", label)
		case Control(r) && r != '\n':
			return "", invalid("%s must not contain control characters", label)
		}
	}
	s = strings.TrimSpace(s)
	if max > 0 && utf8.RuneCountInString(s) > max {
		return "", invalid("%s must be %s characters or fewer", label, count(max))
	}
	return s, nil
}

// Control reports whether r is a control character text may not hold:
// C0 controls other than tab and new line, DEL and the C1 controls.
func Control(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n') || (r >= 0x7f && r <= 0x9f)
}

// Check reports, as an error naming label, whether s holds anything no text
// field accepts: invalid UTF-8 or a control character other than tab, carriage
// return and new line. The web edge runs it over every submitted value
// before any field's own rules.
func Check(label, s string) error {
	if !utf8.ValidString(s) {
		return invalid("%s must be plain text: it contains something that is not a character", label)
	}
	for _, r := range s {
		if r != '\r' && Control(r) {
			return invalid("%s must not contain control characters", label)
		}
	}
	return nil
}

// count writes n with thousands separators: 10000 is "10,000".
func count(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
