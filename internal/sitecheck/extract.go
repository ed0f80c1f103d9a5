package sitecheck

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"waymark/internal/input"
	"waymark/internal/postcode"
)

// Page is what Extract finds in an HTML document.
type Page struct {
	Title        string
	Text         string   // visible text, whitespace collapsed to single spaces
	Phones       []string // UK numbers as digits with a leading 0, sorted, no duplicates
	Emails       []string // lower case, sorted, no duplicates
	Postcodes    []string // full postcodes in normal form, sorted, no duplicates
	OpeningTimes []string // such as "Mon-Fri 09:00-17:00", sorted, no duplicates
}

// Extract parses an HTML document (UTF-8) and returns its title, visible text
// and contact details. Text inside script, style, noscript, template and head
// elements is not visible and is skipped. Phone numbers and emails are also
// read from tel: and mailto: links. The error is non-nil only if the HTML
// parser fails, which it does not for any input held in memory.
func Extract(body []byte) (Page, error) {
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return Page{}, fmt.Errorf("parse html: %w", err)
	}
	var w textWalker
	w.walk(doc, 0)
	text := collapseSpace(w.text.String())
	p := Page{
		Title:        collapseSpace(w.title.String()),
		Text:         text,
		Phones:       findPhones(text),
		Emails:       findEmails(text),
		Postcodes:    findPostcodes(text),
		OpeningTimes: findOpeningTimes(text),
	}
	for _, href := range w.links {
		scheme, rest, ok := strings.Cut(href, ":")
		if !ok {
			continue
		}
		rest, _, _ = strings.Cut(rest, "?")
		if u, err := url.PathUnescape(rest); err == nil {
			rest = u
		}
		switch strings.ToLower(strings.TrimSpace(scheme)) {
		case "tel":
			if n, ok := normalizePhone(rest); ok {
				p.Phones = append(p.Phones, n)
			}
		case "mailto":
			for _, addr := range strings.Split(rest, ",") {
				p.Emails = append(p.Emails, findEmails(addr)...)
			}
		}
	}
	p.Phones = sortedSet(p.Phones)
	p.Emails = sortedSet(p.Emails)
	return p, nil
}

// maxDepth bounds recursion on pathologically nested documents; the parser
// itself limits nesting, so this is a second line of defence.
const maxDepth = 512

// textWalker collects the visible text, the title and tel:/mailto: links.
type textWalker struct {
	text  strings.Builder
	title strings.Builder
	links []string
}

func (w *textWalker) walk(n *html.Node, depth int) {
	if depth > maxDepth {
		return
	}
	switch n.Type {
	case html.TextNode:
		w.text.WriteString(n.Data)
		return
	case html.ElementNode:
		switch n.DataAtom {
		case atom.Title:
			if w.title.Len() == 0 && n.Namespace == "" { // not an SVG tooltip
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					if c.Type == html.TextNode {
						w.title.WriteString(c.Data)
					}
				}
			}
			return
		case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Head:
			// Titles live in head; look for one without taking its text.
			if n.DataAtom == atom.Head {
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					if c.Type == html.ElementNode && c.DataAtom == atom.Title {
						w.walk(c, depth+1)
					}
				}
			}
			return
		case atom.A:
			for _, a := range n.Attr {
				if a.Key == "href" {
					w.links = append(w.links, a.Val)
				}
			}
		}
		if !inline[n.DataAtom] {
			w.text.WriteByte(' ')
			defer w.text.WriteByte(' ')
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c, depth+1)
	}
}

// inline elements do not separate words; every other element does.
var inline = map[atom.Atom]bool{
	atom.A: true, atom.Abbr: true, atom.B: true, atom.Bdi: true, atom.Bdo: true,
	atom.Cite: true, atom.Code: true, atom.Data: true, atom.Dfn: true, atom.Em: true,
	atom.I: true, atom.Kbd: true, atom.Mark: true, atom.Q: true, atom.S: true,
	atom.Samp: true, atom.Small: true, atom.Span: true, atom.Strong: true, atom.Sub: true,
	atom.Sup: true, atom.Time: true, atom.U: true, atom.Var: true, atom.Font: true,
}

// collapseSpace replaces each run of white space with one space, trims the
// ends and replaces invalid UTF-8.
func collapseSpace(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// sortedSet sorts s and removes duplicates, returning nil when empty so that
// snapshots compare and serialise the same however they were built.
func sortedSet(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	slices.Sort(s)
	return slices.Compact(s)
}

// phonePattern matches what may be a UK phone number at the start of its
// input: "+44" (optionally with "(0)") or "0", then up to three groups of
// digits separated by one space, dot or hyphen, with brackets allowed around
// the area code.
var phonePattern = regexp.MustCompile(`^(?:\+\s?44\s?(?:\(0\)\s?)?|\(?0)\d{2,5}\)?[ .\-\x{2013}]?\d{2,4}[ .\-\x{2013}]?\d{3,4}`)

func findPhones(text string) []string {
	var out []string
	for _, m := range findAt(text, phonePattern, 40, func(c byte) bool { return c == '0' || c == '+' || c == '(' }) {
		if m[1] < len(text) && isWordByte(text[m[1]]) {
			continue // part of a longer number or word
		}
		if n, ok := normalizePhone(text[m[0]:m[1]]); ok {
			out = append(out, n)
		}
	}
	return sortedSet(out)
}

// findAt finds the matches of re, which must start with "^", that begin at
// a byte for which first is true, not preceded by a letter or digit, and lie
// within window bytes. It returns the matches' submatch indices into text,
// without overlaps. Running an anchored pattern on short windows is much
// faster than scanning a whole page with an unanchored one.
func findAt(text string, re *regexp.Regexp, window int, first func(byte) bool) [][]int {
	var out [][]int
	for i := 0; i < len(text); i++ {
		if !first(text[i]) || (i > 0 && isWordByte(text[i-1])) {
			continue
		}
		m := re.FindStringSubmatchIndex(text[i:min(len(text), i+window)])
		if m == nil {
			continue
		}
		for j := range m {
			if m[j] >= 0 {
				m[j] += i
			}
		}
		out = append(out, m)
		i = m[1] - 1
	}
	return out
}

func isWordByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// normalizePhone turns a written UK number into digits with a leading 0
// ("01332 123456", "+44 (0)1332 123456" and "+441332123456" all give
// "01332123456"), with the input package's one UK phone rule. It reports
// false for anything else.
func normalizePhone(s string) (string, bool) {
	n, err := input.Phone(s)
	return n, err == nil
}

// FormatPhone writes a normalised UK number with the usual spacing:
// "020 7946 0000", "0113 496 0000", "01332 123456", "07700 900123".
func FormatPhone(d string) string { return input.FormatPhone(d) }

var emailPattern = regexp.MustCompile(`^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)

// emailByte reports whether c may appear in an email address as matched.
func emailByte(c byte) bool {
	return isWordByte(c) || strings.IndexByte("._%+-@", c) >= 0
}

func findEmails(text string) []string {
	var out []string
	for at := strings.IndexByte(text, '@'); at >= 0; {
		start, end := at, at+1
		for start > 0 && emailByte(text[start-1]) && text[start-1] != '@' {
			start--
		}
		for end < len(text) && emailByte(text[end]) && text[end] != '@' {
			end++
		}
		if m := emailPattern.FindString(text[start:end]); m != "" {
			if m = strings.TrimLeft(m, "."); !strings.HasPrefix(m, "@") {
				out = append(out, strings.ToLower(m))
			}
		}
		next := strings.IndexByte(text[at+1:], '@')
		if next < 0 {
			break
		}
		at += 1 + next
	}
	return sortedSet(out)
}

// postcodePattern matches an upper-case run shaped like a full postcode; it
// is then checked with postcode.Parse. Lower-case look-alikes are ignored:
// they are rare on real pages and common in other words.
var postcodePattern = regexp.MustCompile(`^(?:GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})`)

func findPostcodes(text string) []string {
	var out []string
	for _, m := range findAt(text, postcodePattern, 8, func(c byte) bool { return c >= 'A' && c <= 'Z' }) {
		if m[1] < len(text) && isWordByte(text[m[1]]) {
			continue
		}
		if pc, err := postcode.Parse(text[m[0]:m[1]]); err == nil && pc.Full() {
			out = append(out, pc.String())
		}
	}
	return sortedSet(out)
}

const (
	dayPattern   = `(?:monday|mon|tuesday|tues|tue|wednesday|wed|thursday|thurs|thur|thu|friday|fri|saturday|sat|sunday|sun)s?`
	timePattern  = `\d{1,2}(?:[:.]\d{2})?\s*(?:[ap]\.?m\.?)?`
	rangePattern = `\s*(?:-|–|—|to|until|till|through|thru)\s*`
)

// openingPattern finds a day or range of days followed by a range of times or
// "closed": "Monday 9am–5pm", "Mon-Fri: 09:00 - 17:00", "Saturday closed".
var openingPattern = regexp.MustCompile(`(?i)^(` + dayPattern + `)(?:` + rangePattern + `(` + dayPattern + `))?\b[\s:,]*(?:from\s+)?(?:(` +
	timePattern + `)` + rangePattern + `(` + timePattern + `)|(closed))`)

var dayNames = map[string]string{
	"mon": "Mon", "tue": "Tue", "wed": "Wed", "thu": "Thu", "fri": "Fri", "sat": "Sat", "sun": "Sun",
}

func findOpeningTimes(text string) []string {
	var out []string
	for _, idx := range findAt(text, openingPattern, 100, func(c byte) bool { return strings.IndexByte("MTWFSmtwfs", c) >= 0 }) {
		m := make([]string, len(idx)/2)
		for i := range m {
			if idx[2*i] >= 0 {
				m[i] = text[idx[2*i]:idx[2*i+1]]
			}
		}
		days := dayNames[strings.ToLower(m[1][:3])]
		if m[2] != "" {
			days += "-" + dayNames[strings.ToLower(m[2][:3])]
		}
		if m[5] != "" {
			out = append(out, days+" closed")
			continue
		}
		start, end, ok := timeRange(m[3], m[4])
		if !ok {
			continue
		}
		out = append(out, days+" "+start+"-"+end)
	}
	return sortedSet(out)
}

// clockTime reads "9", "9am", "09:00", "5.30 p.m." into hours and minutes and
// whether am or pm was given.
func clockTime(s string) (h, m int, suffix byte, ok bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.ReplaceAll(s, ".", ":")
	s = strings.TrimRight(s, ":")
	if strings.HasSuffix(s, "m") {
		s = strings.TrimSuffix(s, "m")
		s = strings.TrimRight(s, ":")
		if s == "" {
			return 0, 0, 0, false
		}
		suffix = s[len(s)-1]
		s = strings.TrimSpace(s[:len(s)-1])
		s = strings.TrimRight(s, ":")
	}
	hs, ms, hasMin := strings.Cut(s, ":")
	h, err := strconv.Atoi(hs)
	if err != nil {
		return 0, 0, 0, false
	}
	if hasMin {
		if m, err = strconv.Atoi(ms); err != nil || m > 59 {
			return 0, 0, 0, false
		}
	}
	if h > 23 || (suffix != 0 && (h == 0 || h > 12)) {
		return 0, 0, 0, false
	}
	return h, m, suffix, true
}

// to24 applies an am/pm suffix to an hour.
func to24(h int, suffix byte) int {
	switch {
	case suffix == 'p' && h < 12:
		return h + 12
	case suffix == 'a' && h == 12:
		return 0
	}
	return h
}

// timeRange normalises a written range of times to 24-hour "HH:MM" strings,
// guessing a missing am/pm from the other end ("9-5pm" is 09:00-17:00,
// "1-4pm" is 13:00-16:00, "9-5" is 09:00-17:00).
func timeRange(a, b string) (start, end string, ok bool) {
	h1, m1, s1, ok1 := clockTime(a)
	h2, m2, s2, ok2 := clockTime(b)
	if !ok1 || !ok2 {
		return "", "", false
	}
	h2 = to24(h2, s2)
	switch {
	case s1 != 0:
		h1 = to24(h1, s1)
	case s2 == 'p' && h1 < 12 && h1+12 <= h2:
		h1 += 12
	}
	if s1 == 0 && s2 == 0 && h2 <= h1 && h2 < 12 {
		h2 += 12
	}
	return fmt.Sprintf("%02d:%02d", h1, m1), fmt.Sprintf("%02d:%02d", h2, m2), true
}
