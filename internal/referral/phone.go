package referral

import (
	"strings"
)

// NormalisePhone checks a UK phone number and writes it in one form:
// digits only, starting 0. It accepts spaces, dashes, brackets and +44.
func NormalisePhone(s string) (string, bool) {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return "", false
		}
	}
	n := b.String()
	if strings.HasPrefix(n, "+44") {
		n = "0" + strings.TrimPrefix(strings.TrimPrefix(n, "+44"), "0")
	}
	if strings.HasPrefix(n, "0044") {
		n = "0" + strings.TrimPrefix(n, "0044")
	}
	if !strings.HasPrefix(n, "0") || strings.HasPrefix(n, "00") || len(n) < 10 || len(n) > 11 {
		return "", false
	}
	return n, true
}
