package input

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxWebsiteLength is the longest web address accepted.
const MaxWebsiteLength = 2000

// Website checks a web address, adding https:// when it has no scheme
// ("www.example.org"), and returns it in full with its host in lower case.
// Only http and https addresses of an internet host name, without a user
// name or password, are accepted.
func Website(s string) (string, error) {
	bad := invalid("Enter a full web address, like https://www.example.org")
	s = strings.TrimSpace(s)
	if s == "" || len(s) > MaxWebsiteLength || !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || Control(r) }) {
		return "", bad
	}
	v := s
	if !strings.Contains(v, "://") {
		v = "https://" + v
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil || u.Opaque != "" || !host(u.Hostname()) {
		return "", bad
	}
	u.Host = strings.ToLower(u.Host)
	return u.String(), nil
}
