package input

import (
	"waymark"
	"waymark/internal/postcode"
)

// Postcode reads a whole UK postcode in any case and spacing and returns it
// in normal form, like "DE45 1AH". An outward code alone ("DE45") is
// refused; see Area.
func Postcode(s string) (postcode.Postcode, error) {
	pc, err := Area(s)
	if err != nil {
		return pc, err
	}
	if !pc.Full() {
		return postcode.Postcode{}, invalid("Enter a full postcode, like DE4 3AG")
	}
	return pc, nil
}

// Area reads a whole postcode or an outward code alone ("DE45"), as the
// search box accepts.
func Area(s string) (postcode.Postcode, error) {
	pc, err := postcode.Parse(s)
	if err != nil {
		// postcode.Parse names its field; callers here attach their own.
		return postcode.Postcode{}, invalid("%s", waymark.ErrorMessage(err))
	}
	return pc, nil
}
