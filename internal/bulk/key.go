package bulk

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"
)

// Key returns the idempotence key of a row: a hash of the organisation name,
// the service name and the postcode, each normalised (case, spaces and
// punctuation ignored), so the same service gives the same key however it is
// typed. Callers store the key with each entry they create from a row and
// look it up before creating another (see KeyFinder), so that importing the
// same file twice creates nothing twice.
func Key(organisationName, serviceName, postcode string) string {
	h := sha256.New()
	h.Write([]byte(normName(organisationName)))
	h.Write([]byte{0})
	h.Write([]byte(normName(serviceName)))
	h.Write([]byte{0})
	h.Write([]byte(strings.ToUpper(strings.Join(strings.Fields(postcode), ""))))
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// organizationKey identifies an organisation within a file by its name and
// email address.
func organizationKey(name, email string) string {
	h := sha256.New()
	h.Write([]byte(normName(name)))
	h.Write([]byte{0})
	h.Write([]byte(strings.ToLower(email)))
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// normName reduces a name to lower-case letters and digits separated by
// single spaces: "St. John's  Walk" becomes "st johns walk".
func normName(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		if r == '\'' || r == '’' {
			continue // "John's" and "Johns" are the same name
		}
		space = true
	}
	return b.String()
}
