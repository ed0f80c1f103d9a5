package sitecheck

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode"
)

// DefaultMinSimilarity is the text similarity below which a page's text is
// said to have changed materially.
const DefaultMinSimilarity = 0.6

// shingleSize is how many consecutive words make one shingle for similarity.
const shingleSize = 3

// Change is the result of comparing two snapshots of a page.
type Change struct {
	// Material reports whether the provider should be asked to check their
	// listing.
	Material bool
	// Reasons say what changed, in plain English for an email to the
	// provider, most serious first.
	Reasons []string
	// Similarity of the two pages' normalised text, from 0 (nothing shared)
	// to 1 (the same). It is 1 when the texts were not compared.
	Similarity float64
}

// Comparer compares snapshots. The zero value uses the defaults.
type Comparer struct {
	// MinSimilarity is the text similarity below which the text has changed
	// materially; DefaultMinSimilarity if zero.
	MinSimilarity float64
}

// Compare compares snapshots with the default Comparer.
func Compare(prev, cur Snapshot) Change {
	return Comparer{}.Compare(prev, cur)
}

// Compare says whether cur, the latest snapshot of a page, differs
// materially from prev, the one before. prev may be the zero Snapshot for a
// first check: then only a gone, redirected or parked page is material.
//
// Material changes: contact details (phone numbers, emails, postcodes,
// opening times) added or removed; the page newly gone (an HTTP error status
// or a failed fetch) or back again; the final URL newly on another site; the
// page newly looking like a parked domain; the page no longer HTML; the
// normalised text's similarity below MinSimilarity. Cosmetic changes (dates,
// times, numbers, copyright years, white space, case) are normalised away
// first. A snapshot disallowed by robots.txt is never a change.
func (c Comparer) Compare(prev, cur Snapshot) Change {
	ch := Change{Similarity: 1}
	if cur.Disallowed {
		return ch
	}
	minSim := c.MinSimilarity
	if minSim <= 0 {
		minSim = DefaultMinSimilarity
	}
	hasPrev := (prev.URL != "" || !prev.FetchedAt.IsZero()) && !prev.Disallowed
	add := func(format string, args ...any) {
		ch.Material = true
		ch.Reasons = append(ch.Reasons, fmt.Sprintf(format, args...))
	}

	if to := siteOf(cur.FinalURL); to != "" && to != siteOf(cur.URL) &&
		(!hasPrev || to != siteOf(finalURL(prev))) {
		add("The page now redirects to another site (%s)", to)
	}
	if cur.Gone() {
		if !hasPrev || !prev.Gone() {
			add("%s", goneReason(cur))
		}
		if hasPrev && prev.HTML() {
			ch.Similarity = 0
		}
		return ch
	}
	if hasPrev && prev.Gone() {
		add("The page can be reached again; it could not be reached at the last check")
		return ch
	}
	if looksParked(cur) && !(hasPrev && looksParked(prev)) {
		add("The page looks like a parked domain")
	}
	if !cur.HTML() {
		if hasPrev && prev.HTML() {
			add("The page is no longer a web page (it is now %s)", cur.ContentType)
		}
		return ch
	}
	if !hasPrev || !prev.HTML() {
		return ch
	}

	diffDetails(prev.Phones, cur.Phones, FormatPhone, "Phone number %s no longer appears on the page", "A new phone number appears on the page: %s", add)
	diffDetails(prev.Emails, cur.Emails, nil, "Email address %s no longer appears on the page", "A new email address appears on the page: %s", add)
	diffDetails(prev.Postcodes, cur.Postcodes, nil, "Postcode %s no longer appears on the page", "A new postcode appears on the page: %s", add)
	diffDetails(prev.OpeningTimes, cur.OpeningTimes, quote, "Opening times %s no longer appear on the page", "New opening times appear on the page: %s", add)

	if prev.TextHash == "" || prev.TextHash != cur.TextHash {
		ch.Similarity = Similarity(prev.Text, cur.Text)
	}
	if ch.Similarity < minSim {
		changed := int(math.Round((1 - ch.Similarity) * 100))
		amount := "Much"
		if changed > 50 {
			amount = "Most"
		}
		add("%s of the page's text has changed (%d%%)", amount, changed)
		if titlesDisjoint(prev.Title, cur.Title) {
			add("The page looks like a different site: its title was %s and is now %s", quote(prev.Title), quote(cur.Title))
		}
	}
	return ch
}

// diffDetails reports details removed from and added to a sorted list.
func diffDetails(prev, cur []string, format func(string) string, removed, added string, add func(string, ...any)) {
	if format == nil {
		format = func(s string) string { return s }
	}
	for _, p := range prev {
		if _, found := slices.BinarySearch(cur, p); !found {
			add(removed, format(p))
		}
	}
	for _, c := range cur {
		if _, found := slices.BinarySearch(prev, c); !found {
			add(added, format(c))
		}
	}
}

func quote(s string) string { return "“" + s + "”" }

// finalURL is where a snapshot's fetch ended.
func finalURL(s Snapshot) string {
	if s.FinalURL != "" {
		return s.FinalURL
	}
	return s.URL
}

// goneReason says in plain English why a gone page is gone.
func goneReason(s Snapshot) string {
	switch s.ErrorKind {
	case FailureDNS:
		return fmt.Sprintf("The website's address no longer works (%s cannot be found)", hostOf(finalURL(s)))
	case FailureBlocked:
		return fmt.Sprintf("The website's address (%s) points to a private network address", hostOf(finalURL(s)))
	case FailureRedirects:
		return "The page redirects too many times or to an address that is not a web page"
	case FailureConnect:
		return "The website could not be reached (it did not answer, or refused the connection)"
	}
	switch {
	case s.Status == http.StatusNotFound || s.Status == http.StatusGone:
		return fmt.Sprintf("The page could not be found (%d)", s.Status)
	case s.Status == http.StatusUnauthorized || s.Status == http.StatusForbidden:
		return fmt.Sprintf("The page is no longer public (%d)", s.Status)
	case s.Status >= 500:
		return fmt.Sprintf("The website reported an error (%d)", s.Status)
	}
	return fmt.Sprintf("The page could not be shown (%d)", s.Status)
}

// siteOf is the host of a URL in lower case, without port or a leading
// "www.": the simple rule for "the same site".
func siteOf(raw string) string {
	return strings.TrimPrefix(hostOf(raw), "www.")
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
}

// parkedPhrases appear on domain-parking and domain-sale pages.
var parkedPhrases = []string{
	"this domain is for sale",
	"this domain may be for sale",
	"domain is for sale",
	"buy this domain",
	"parked free",
	"domain parking",
	"this domain is parked",
	"this page is parked",
	"parked domain",
	"this domain has expired",
	"domain name has expired",
}

// looksParked reports whether a snapshot's title or text reads like a parked
// or for-sale domain.
func looksParked(s Snapshot) bool {
	text := strings.ToLower(s.Title + " " + s.Text)
	for _, p := range parkedPhrases {
		if strings.Contains(text, p) {
			return true
		}
	}
	return false
}

// titleStopWords say nothing about which site a title belongs to.
var titleStopWords = map[string]bool{
	"a": true, "an": true, "and": true, "the": true, "of": true, "to": true, "for": true,
	"in": true, "on": true, "at": true, "with": true, "home": true, "page": true, "welcome": true,
}

// titlesDisjoint reports whether two non-empty titles share no words other
// than stop words.
func titlesDisjoint(a, b string) bool {
	wa, wb := words(a), words(b)
	if len(wa) == 0 || len(wb) == 0 {
		return false
	}
	seen := make(map[string]bool, len(wa))
	for _, w := range wa {
		if !titleStopWords[w] {
			seen[w] = true
		}
	}
	for _, w := range wb {
		if seen[w] {
			return false
		}
	}
	return true
}

// words splits s into lower-case runs of letters; digits and punctuation
// separate words and are dropped.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) })
}

// cosmeticWords are dropped by NormalizeText: month and day names, am/pm and
// ordinal suffixes change with dates and times without changing a page.
var cosmeticWords = map[string]bool{
	"january": true, "february": true, "march": true, "april": true, "may": true, "june": true,
	"july": true, "august": true, "september": true, "october": true, "november": true, "december": true,
	"jan": true, "feb": true, "mar": true, "apr": true, "jun": true, "jul": true, "aug": true,
	"sep": true, "sept": true, "oct": true, "nov": true, "dec": true,
	"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true,
	"saturday": true, "sunday": true, "mon": true, "tue": true, "tues": true, "wed": true,
	"thu": true, "thur": true, "thurs": true, "fri": true, "sat": true, "sun": true,
	"am": true, "pm": true, "st": true, "nd": true, "rd": true, "th": true,
}

// NormalizeText reduces text to what matters when comparing pages: lower-case
// words of letters only, separated by single spaces, without numbers, dates,
// times, punctuation or white-space differences.
func NormalizeText(text string) string {
	ws := words(text)
	out := ws[:0]
	for _, w := range ws {
		if !cosmeticWords[w] {
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}

// Similarity returns the Jaccard similarity of the sets of three-word
// shingles of two texts' normal forms: 1 when they are the same, 0 when they
// share nothing. Two empty texts are the same.
func Similarity(a, b string) float64 {
	sa, sb := shingles(NormalizeText(a)), shingles(NormalizeText(b))
	if len(sa) == 0 && len(sb) == 0 {
		return 1
	}
	shared := 0
	for s := range sa {
		if sb[s] {
			shared++
		}
	}
	return float64(shared) / float64(len(sa)+len(sb)-shared)
}

// shingles returns the set of runs of shingleSize consecutive words, or the
// whole text as one shingle when it is shorter.
func shingles(normal string) map[string]bool {
	ws := strings.Fields(normal)
	set := make(map[string]bool)
	if len(ws) == 0 {
		return set
	}
	if len(ws) < shingleSize {
		set[normal] = true
		return set
	}
	for i := 0; i+shingleSize <= len(ws); i++ {
		set[strings.Join(ws[i:i+shingleSize], " ")] = true
	}
	return set
}
