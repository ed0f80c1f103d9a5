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

// FormatPhone writes a number as Phone or Mobile return it (digits, or
// E.164 for a mobile) with the usual UK spacing:
// "020 7946 0000", "0113 496 0000", "01332 123456", "07700 900123". Anything
// Phone would refuse comes back unchanged.
func FormatPhone(digits string) string {
	num, err := phonenumbers.Parse(digits, "GB")
	if err != nil || num.GetCountryCode() != 44 || (!phonenumbers.IsValidNumber(num) && !drama("0"+phonenumbers.GetNationalSignificantNumber(num))) {
		return digits
	}
	return phonenumbers.Format(num, phonenumbers.NATIONAL)
}

// Mobile checks a UK mobile number written in any usual way ("07700 900982",
// "+44 7700 900982") and returns it in E.164 form, like "+447700900982": the
// form text messages are sent to and mobile numbers are kept in. A landline,
// or a number outside the UK, is refused with a message that says texts go
// to mobiles only.
func Mobile(s string) (string, error) {
	if _, err := Phone(s); err != nil {
		return "", invalid("Enter a UK mobile number, like 07700 900 982")
	}
	e, ok := TextableMobile(s)
	if !ok {
		return "", invalid("Enter a UK mobile number (starting 07): we can only send text messages to mobiles")
	}
	return e, nil
}

// TextableMobile reads a phone number as it was typed or kept (E.164, the
// digits Phone returns, or the national form with spaces that older records
// hold) and returns it in E.164 form with true when it is a UK mobile that
// can receive text messages. Landlines, pagers and anything unreadable give
// "", false. Records are read through it, so numbers kept before mobiles
// were stored in E.164 still get texts.
func TextableMobile(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxPhoneLength {
		return "", false
	}
	num, err := phonenumbers.Parse(s, "GB")
	if err != nil || num.GetCountryCode() != 44 {
		return "", false
	}
	nsn := phonenumbers.GetNationalSignificantNumber(num)
	mobile := phonenumbers.IsValidNumber(num) && phonenumbers.GetNumberType(num) == phonenumbers.MOBILE
	if !mobile && !(drama("0"+nsn) && strings.HasPrefix(nsn, "7")) {
		return "", false
	}
	return "+44" + nsn, true
}

// KeepPhone returns a UK number as Phone returns it, ready to keep: a
// mobile in E.164 form (which text messages need), any other number as its
// digits with a leading 0. Errors: as Phone.
func KeepPhone(s string) (string, error) {
	digits, err := Phone(s)
	if err != nil {
		return "", err
	}
	if e, ok := TextableMobile(digits); ok {
		return e, nil
	}
	return digits, nil
}
