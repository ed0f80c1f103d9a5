package directory

import (
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"waymark"
	"waymark/internal/input"
	"waymark/internal/postcode"
)

// Limits on search input.
const (
	MaxQueryLength = 200 // characters in the keyword box
	MaxPage        = 500 // pages beyond this are refused rather than scanned
	DefaultPerPage = 20
	MaxPerPage     = 50
)

// Sort orders for search results.
const (
	SortRelevance = "relevance"
	SortDistance  = "distance"
)

// Referral type filters.
const (
	ReferralAny          = ""
	ReferralSignposting  = "signposting"  // contact the service directly
	ReferralSelf         = "self"         // the public can refer themselves
	ReferralProfessional = "professional" // a professional can refer
)

// RadiusChoices are the distances, in miles, offered on the search page.
var RadiusChoices = []int{1, 3, 5, 10, 25, 50}

// DefaultRadius is the radius used when a postcode is given without one.
const DefaultRadius = 10

// SearchQuery is a validated search of the public directory.
type SearchQuery struct {
	Text              string // keywords, as typed (trimmed)
	Category          string // taxonomy term code, "" for any
	FreeOnly          bool
	RecentlyConfirmed bool // only entries confirmed within ConfirmedWithin
	ReferralType      string
	Access            []string // AccessFeatures codes an entry must all have
	Delivery          string   // a DeliveryModes code, "" for any
	Language          string   // a Languages code, "" for any
	Postcode          string   // normalised postcode or outward code, "" for none
	RadiusMiles       int      // only with Postcode
	Sort              string
	Page              int // 1-based
	PerPage           int

	// Set by Directory.Search after geocoding Postcode.
	Near *postcode.Point
	// ConfirmedSince is set by Directory.Search when RecentlyConfirmed: the
	// earliest last-confirmed (assured) time an entry may have.
	ConfirmedSince time.Time
}

// ConfirmedWithin is how recently an entry must have been confirmed to pass
// the "confirmed in the last year" filter.
const ConfirmedWithin = 365 * 24 * time.Hour

// Offset returns the number of results before the requested page.
func (q SearchQuery) Offset() int { return (q.Page - 1) * q.PerPage }

// Terms returns the keywords split into words, lower-cased, with punctuation
// removed, for the full-text engines to stem. At most 12 words are kept.
func (q SearchQuery) Terms() []string {
	words := strings.FieldsFunc(strings.ToLower(q.Text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	kept := words[:0]
	for _, w := range words {
		if !stopWords[w] {
			kept = append(kept, w)
		}
	}
	if len(kept) > 12 {
		kept = kept[:12]
	}
	return kept
}

// stopWords are dropped from searches so that both databases, whose
// full-text engines differ on them, treat "walk in the park" alike.
var stopWords = map[string]bool{
	"a": true, "an": true, "and": true, "are": true, "at": true, "be": true, "by": true, "for": true,
	"from": true, "i": true, "in": true, "is": true, "it": true, "me": true, "my": true, "near": true,
	"of": true, "on": true, "or": true, "the": true, "to": true, "with": true,
}

// ParseSearch validates search parameters from a URL query. It returns the query
// with defaults filled in, and messages for any invalid fields. Parsing never
// fails outright: invalid fields are reported and left at their defaults so the
// page can show the rest of the search.
func ParseSearch(v url.Values) (SearchQuery, *waymark.Problems) {
	q := SearchQuery{Sort: SortRelevance, Page: 1, PerPage: DefaultPerPage}
	errs := &waymark.Problems{}

	if text, err := input.Line("Search words", v.Get("q"), MaxQueryLength); !errs.Check("q", err) {
		q.Text = strings.Join(strings.Fields(text), " ")
	}

	if c := strings.TrimSpace(v.Get("category")); c != "" {
		if !validCode(c) {
			errs.Add("category", "Choose a category from the list")
		} else {
			q.Category = c
		}
	}

	switch f := v.Get("free"); f {
	case "", "0", "false", "off":
	case "1", "true", "on", "yes":
		q.FreeOnly = true
	default:
		errs.Add("free", "Free only must be ticked or not ticked")
	}

	switch f := v.Get("confirmed"); f {
	case "", "0", "false", "off":
	case "1", "true", "on", "yes":
		q.RecentlyConfirmed = true
	default:
		errs.Add("confirmed", "Confirmed in the last year must be ticked or not ticked")
	}

	switch r := v.Get("referral"); r {
	case ReferralAny, ReferralSignposting, ReferralSelf, ReferralProfessional:
		q.ReferralType = r
	default:
		errs.Add("referral", "Choose a way to get help from the list")
	}

	if access := v["access"]; len(access) > 0 {
		if codes, err := cleanOptions(AccessFeatures, access, "access", "Choose accessibility features from the list"); !errs.Check("access", err) {
			q.Access = codes
		}
	}
	if d := v.Get("delivery"); d != "" {
		if OptionLabel(DeliveryModes, d) == "" {
			errs.Add("delivery", "Choose how the service is given from the list")
		} else {
			q.Delivery = d
		}
	}
	if l := v.Get("language"); l != "" {
		if OptionLabel(Languages, l) == "" {
			errs.Add("language", "Choose a language from the list")
		} else {
			q.Language = l
		}
	}

	if pc := strings.TrimSpace(v.Get("postcode")); pc != "" {
		if len(pc) > 16 {
			errs.Add("postcode", "Postcode must be 8 characters or fewer, like DE4 3AG")
		} else {
			q.Postcode = pc // geocoded and normalised by Directory.Search
		}
	}

	q.RadiusMiles = DefaultRadius
	if r := v.Get("radius"); r != "" {
		n, err := strconv.Atoi(r)
		if err != nil || !validRadius(n) {
			errs.Add("radius", "Choose a distance from the list")
		} else {
			q.RadiusMiles = n
		}
	}

	switch s := v.Get("sort"); s {
	case "", SortRelevance:
	case SortDistance:
		q.Sort = SortDistance
	default:
		errs.Add("sort", "Choose how to sort results from the list")
	}

	if p := v.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		switch {
		case err != nil || n < 1:
			errs.Add("page", "Page must be a whole number, 1 or more")
		case n > MaxPage:
			errs.Add("page", "Page must be "+strconv.Itoa(MaxPage)+" or less: narrow your search instead")
		default:
			q.Page = n
		}
	}
	if q.Postcode == "" && q.Sort == SortDistance {
		q.Sort = SortRelevance
	}
	return q, errs
}

// validCode reports whether s looks like a taxonomy term code: short, lower-case
// letters, digits and hyphens.
func validCode(s string) bool {
	if len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

func validRadius(n int) bool {
	for _, r := range RadiusChoices {
		if n == r {
			return true
		}
	}
	return false
}

// Filtered reports whether any filter narrows the search (beyond its words
// and postcode).
func (q SearchQuery) Filtered() bool {
	return q.Category != "" || q.FreeOnly || q.RecentlyConfirmed || q.ReferralType != "" ||
		len(q.Access) > 0 || q.Delivery != "" || q.Language != ""
}

// SearchResult is one page of matching services.
type SearchResult struct {
	Query SearchQuery
	Hits  []Hit
	Total int // matching services across all pages
	// TotalCapped says more than Total matched: counting stops at
	// MaxCounted, where a dense area would take long to count and the
	// pages end anyway.
	TotalCapped bool
}

// MaxCounted is the most matches a search counts, and the pages end
// there: fifty pages of DefaultPerPage. Counting every service within 10
// miles of central London, or every match of a common word, in a national
// directory would take longer than finding the page.
const MaxCounted = 50 * DefaultPerPage

// Pages returns the number of pages of results.
func (r *SearchResult) Pages() int {
	if r.Total == 0 || r.Query.PerPage == 0 {
		return 0
	}
	return (r.Total + r.Query.PerPage - 1) / r.Query.PerPage
}

// Hit is one service in search results: the summary fields, its nearest
// location, and the distance to the searched postcode when there was one.
type Hit struct {
	Service       Service // Organization, Categories and Locations are filled
	DistanceMiles *float64
	Nearest       *Location
}
