package bulk

import (
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"waymark/internal/input"
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

// checkEmail reports whether s is a plain email address, returning it as
// the input package writes it (domain in lower case, "mailto:" dropped).
func checkEmail(s string) (string, bool) {
	e, err := input.Email(s)
	return e, err == nil
}

// checkWebsite reports whether s is a web address, adding https:// when it
// has no scheme ("www.example.org"), and returns it in full.
func checkWebsite(s string) (string, bool) {
	u, err := input.Website(s)
	return u, err == nil
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
	n, err := input.Phone(s)
	if err != nil {
		return "", false
	}
	return input.FormatPhone(n), true
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
