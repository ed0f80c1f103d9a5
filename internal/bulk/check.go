package bulk

import (
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// maxAge is the oldest age a row may give.
const maxAge = 120

// maxLength returns the most characters a column's cell may hold, or 0 for
// no limit beyond the file's size. Names and descriptions follow the
// directory's own limits.
func maxLength(col string) int {
	switch col {
	case ColOrganisationName, ColServiceName:
		return 150
	case ColDescription:
		return 10000
	case ColAddressLine:
		return 200
	case ColTown:
		return 100
	case ColOpeningTimes:
		return 1000
	case ColWhoItIsFor:
		return 2000
	}
	return 0
}

// checkEmail reports whether s is a plain email address (no name, no angle
// brackets) that mail could be delivered to, and returns it with its domain
// in lower case. A "mailto:" prefix, as spreadsheets copy from links, is
// dropped.
func checkEmail(s string) (string, bool) {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "mailto:"), "MAILTO:")
	if len(s) > 254 || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune(`<>,;"()[]\`, r) }) {
		return "", false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return "", false
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], strings.ToLower(s[at+1:])
	if local == "" || len(local) > 64 || !validHost(domain) {
		return "", false
	}
	return local + "@" + domain, true
}

// validHost reports whether h looks like an internet host name: labels of
// letters, digits and hyphens separated by dots, ending in a name of at least
// two letters.
func validHost(h string) bool {
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
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r > utf8.RuneSelf) {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	return len(tld) >= 2 && strings.IndexFunc(tld, func(r rune) bool { return r >= '0' && r <= '9' }) < 0
}

// checkWebsite reports whether s is a web address, adding https:// when it
// has no scheme ("www.example.org"), and returns it in full.
func checkWebsite(s string) (string, bool) {
	if strings.ContainsFunc(s, unicode.IsSpace) {
		return "", false
	}
	v := s
	if !strings.Contains(v, "://") {
		v = "https://" + v
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil || !validHost(u.Hostname()) {
		return "", false
	}
	u.Host = strings.ToLower(u.Host)
	return u.String(), true
}

// websiteKey reduces a checked web address to what identifies the page: the
// host without "www.", the path without a trailing slash, and the query, so
// http://www.example.org/walks/ and https://example.org/walks are the same.
func websiteKey(website string) string {
	u, err := url.Parse(website)
	if err != nil {
		return website
	}
	key := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.") + strings.TrimRight(u.EscapedPath(), "/")
	if u.RawQuery != "" {
		key += "?" + u.RawQuery
	}
	return key
}

// checkPhone reports whether s is a valid UK phone number and returns it in
// national format, like "01332 123456".
func checkPhone(s string) (string, bool) {
	num, err := phonenumbers.Parse(s, "GB")
	if err != nil || num.GetCountryCode() != 44 || !phonenumbers.IsValidNumber(num) {
		return "", false
	}
	return phonenumbers.Format(num, phonenumbers.NATIONAL), true
}

// checkAge reads an age in whole years. Spreadsheets may write a number cell
// as "18.0", which reads as 18.
func checkAge(s string) (int, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		return n, n >= 0 && n <= maxAge
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != float64(int(f)) {
		return 0, false
	}
	return int(f), f >= 0 && f <= maxAge
}

// checkFree reads a Yes or No cell.
func checkFree(s string) (free, ok bool) {
	switch strings.ToLower(s) {
	case "yes", "y", "true", "1", "free":
		return true, true
	case "no", "n", "false", "0":
		return false, true
	}
	return false, false
}

// splitCodes splits a category cell into its codes: separated by
// semicolons, or commas, with spaces around them ignored.
func splitCodes(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == '\n' })
	codes := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			codes = append(codes, p)
		}
	}
	return codes
}

// tooLong reports whether s has more than n characters.
func tooLong(s string, n int) bool {
	return len(s) > n && utf8.RuneCountInString(s) > n
}
