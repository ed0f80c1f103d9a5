package input

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// maxPhoneLength bounds what Phone reads, so long input costs nothing.
const maxPhoneLength = 40

// Phone checks a UK phone number written in any usual way ("01332 123456",
// "+44 (0)1332 123456", "0044 1332 123456") and returns its digits with a
// leading 0, like "01332123456". Numbers outside the UK, and UK numbers not
// in an allocated range, are refused, except Ofcom's ranges for drama
// (07700 900xxx, 01632 960xxx), which examples and demonstration data use.
// FormatPhone writes the result for people.
func Phone(s string) (string, error) {
	bad := invalid("Enter a UK phone number, like 01632 960 001 or 07700 900 982")
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxPhoneLength {
		return "", bad
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || strings.ContainsRune(" +-().\u2013", r)) {
			return "", bad
		}
	}
	num, err := phonenumbers.Parse(s, "GB")
	if err != nil || num.GetCountryCode() != 44 {
		return "", bad
	}
	digits := "0" + phonenumbers.GetNationalSignificantNumber(num)
	if !phonenumbers.IsValidNumber(num) && !drama(digits) {
		return "", bad
	}
	return digits, nil
}

// drama reports whether digits are in one of Ofcom's 11-digit ranges kept
// for drama and examples, which are never given to anyone.
func drama(digits string) bool {
	return len(digits) == 11 && (strings.HasPrefix(digits, "07700900") || strings.HasPrefix(digits, "01632960"))
}

// FormatPhone writes a number as Phone returns it with the usual UK spacing:
// "020 7946 0000", "0113 496 0000", "01332 123456", "07700 900123". Anything
// Phone would refuse comes back unchanged.
func FormatPhone(digits string) string {
	num, err := phonenumbers.Parse(digits, "GB")
	if err != nil || num.GetCountryCode() != 44 || (!phonenumbers.IsValidNumber(num) && !drama(digits)) {
		return digits
	}
	return phonenumbers.Format(num, phonenumbers.NATIONAL)
}
