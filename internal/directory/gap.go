package directory

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"waymark/internal/postcode"
)

// SearchGap is a public search that found nothing, kept for commissioners
// to see unmet need. It holds no personal data: the postcode district
// only (never the full postcode), the search words, the category and the
// radius, and when.
type SearchGap struct {
	District    string // outward code, "" when no postcode was given
	Words       string // the search's words without digits, lower case, space separated
	Category    string // taxonomy term code, "" for any
	RadiusMiles int    // 0 when no postcode was given
	At          time.Time
}

// GapStore records searches that found nothing. A Store that implements
// it gets them recorded.
type GapStore interface {
	RecordSearchGap(ctx context.Context, g SearchGap) error
}

// maxGapWords bounds the words kept of one search.
const maxGapWords = 100

// NoteNothingFound records that q, a public search already run, found
// nothing (or nothing within its radius), unless it asked for nothing in
// particular or the store does not keep gaps.
func (s *Directory) NoteNothingFound(ctx context.Context, q SearchQuery) error {
	gaps, ok := s.store.(GapStore)
	if !ok {
		return nil
	}
	var words []string
	for _, w := range q.Terms() {
		if !strings.ContainsAny(w, "0123456789") { // no numbers, postcodes or phone numbers
			words = append(words, w)
		}
	}
	g := SearchGap{Words: strings.Join(words, " "), Category: q.Category, At: s.now().UTC()}
	for utf8.RuneCountInString(g.Words) > maxGapWords {
		i := strings.LastIndexByte(g.Words, ' ')
		if i < 0 {
			g.Words = string([]rune(g.Words)[:maxGapWords])
			break
		}
		g.Words = g.Words[:i]
	}
	if p, err := postcode.Parse(q.Postcode); err == nil {
		g.District, g.RadiusMiles = p.Outward, q.RadiusMiles
		if g.RadiusMiles == 0 {
			g.RadiusMiles = DefaultRadius
		}
	}
	if g.Words == "" && g.Category == "" && g.District == "" {
		return nil
	}
	if err := gaps.RecordSearchGap(ctx, g); err != nil {
		return fmt.Errorf("record search gap: %w", err)
	}
	return nil
}
