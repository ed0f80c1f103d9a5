// Package postcode parses and normalises UK postcodes and finds where they
// are, offline, from a compact table of every UK postcode's centroid that is
// built into the binary (or imported from a newer ONS postcode directory).
package postcode

import (
	"strings"

	"waymark"
)

// Attribution is the notice the Open Government Licence asks for wherever the
// postcode data is shown or shipped.
var Attribution = []string{
	"Contains OS data © Crown copyright and database right 2025",
	"Contains Royal Mail data © Royal Mail copyright and database right 2025",
	"Source: Office for National Statistics licensed under the Open Government Licence v.3.0",
}

// Postcode is a UK postcode in normal form. Inward is empty when only an
// outward code (the district, such as DE45) was given.
type Postcode struct {
	Outward string
	Inward  string
}

// String returns the normal form: upper case with one space, "DE45 1AH", or
// just the outward code, "DE45".
func (p Postcode) String() string {
	if p.Inward == "" {
		return p.Outward
	}
	return p.Outward + " " + p.Inward
}

// Full reports whether p is a whole postcode rather than an outward code.
func (p Postcode) Full() bool { return p.Inward != "" }

// maxInput bounds what Parse looks at, so huge input costs nothing.
const maxInput = 16

func invalid(format string, args ...any) error {
	return waymark.FieldErrorf(waymark.EINVALID, "postcode", format, args...)
}

// Parse reads a postcode in any case and spacing ("de45 1ah", "DE451AH",
// " DE45  1AH ") or an outward code alone ("DE45"). Errors: EINVALID with
// Field "postcode" and a message for the public.
func Parse(s string) (Postcode, error) {
	if len(s) > maxInput {
		return Postcode{}, invalid("Postcode must be 8 characters or fewer, like DE4 3AG")
	}
	var b [maxInput]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			continue
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		default:
			return Postcode{}, invalid("Postcode must contain only letters, numbers and spaces, like DE4 3AG")
		}
		b[n] = c
		n++
	}
	if n == 0 {
		return Postcode{}, invalid("Enter a postcode, like DE4 3AG")
	}
	code := string(b[:n])
	if code == "GIR0AA" {
		return Postcode{Outward: "GIR", Inward: "0AA"}, nil
	}
	if validOutward(code) {
		return Postcode{Outward: code}, nil
	}
	if n >= 5 && n <= 7 && validOutward(code[:n-3]) && validInward(code[n-3:]) {
		return Postcode{Outward: code[:n-3], Inward: code[n-3:]}, nil
	}
	return Postcode{}, invalid("Enter a real postcode, like DE4 3AG")
}

// validOutward reports whether s is an outward code: A9, A99, AA9, AA99, A9A
// or AA9A.
func validOutward(s string) bool {
	if len(s) < 2 || len(s) > 4 || !letter(s[0]) {
		return false
	}
	i := 1
	if letter(s[i]) {
		i++
	}
	if i >= len(s) || !digit(s[i]) {
		return false
	}
	i++
	if i < len(s) && (digit(s[i]) || letter(s[i])) {
		i++
	}
	return i == len(s)
}

// validInward reports whether s is an inward code: a digit and two letters.
func validInward(s string) bool {
	return len(s) == 3 && digit(s[0]) && letter(s[1]) && letter(s[2])
}

func letter(c byte) bool { return c >= 'A' && c <= 'Z' }
func digit(c byte) bool  { return c >= '0' && c <= '9' }

// normalise returns s without spaces, upper-cased, for table keys.
func normalise(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}
