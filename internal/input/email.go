package input

import (
	"net/mail"
	"strings"
	"unicode"
)

// MaxEmailLength is the longest email address accepted.
const MaxEmailLength = 254

// Email checks an email address: a plain address (no name, no angle brackets)
// that mail could be delivered to. It returns it trimmed, with a "mailto:"
// prefix (as copied from links) dropped and its domain in lower case.
func Email(s string) (string, error) {
	bad := invalid("Enter an email address in the correct format, like name@example.org")
	s = strings.TrimSpace(s)
	if len(s) > 7 && strings.EqualFold(s[:7], "mailto:") {
		s = s[7:]
	}
	if s == "" || len(s) > MaxEmailLength || strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || Control(r) || strings.ContainsRune(`<>,;"()[]\`, r)
	}) {
		return "", bad
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return "", bad
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], strings.ToLower(s[at+1:])
	if local == "" || len(local) > 64 || !host(domain) {
		return "", bad
	}
	return local + "@" + domain, nil
}

// host reports whether h looks like an internet host name: labels of
// letters, digits and hyphens separated by dots, ending in a name of at least
// two letters.
func host(h string) bool {
	if len(h) > 253 {
		return false
	}
	labels := strings.Split(h, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || (r > unicode.MaxASCII && unicode.IsLetter(r))) {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	return len(tld) >= 2 && !strings.ContainsFunc(tld, unicode.IsDigit)
}
