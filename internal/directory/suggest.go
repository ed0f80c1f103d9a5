package directory

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
)

// Suggestions help after a search that found nothing: other spellings of
// the words typed, related searches, and whether the postcode is outside
// the area the directory covers.
type Suggestions struct {
	// Spelling is the search text with misspelt words replaced by the
	// nearest words the directory uses; "" when there is none.
	Spelling string
	// Related are searches for words related to those typed.
	Related []string
	// OutsideArea is true when no service is within the largest search
	// distance of the postcode.
	OutsideArea bool
}

// related maps words people search for to the words services use. It is
// small on purpose: a few common needs, not a thesaurus.
var related = map[string][]string{
	"lonely":     {"befriending", "social group"},
	"loneliness": {"befriending", "social group"},
	"isolated":   {"befriending", "social group"},
	"alone":      {"befriending"},
	"friends":    {"befriending", "social group"},
	"money":      {"debt advice", "benefits"},
	"debt":       {"debt advice"},
	"bills":      {"debt advice", "benefits"},
	"skint":      {"debt advice", "food bank"},
	"food":       {"food bank"},
	"hungry":     {"food bank"},
	"sad":        {"mental health", "wellbeing"},
	"depressed":  {"mental health", "wellbeing"},
	"anxious":    {"mental health", "wellbeing"},
	"anxiety":    {"mental health", "wellbeing"},
	"stress":     {"mental health", "wellbeing"},
	"exercise":   {"walking", "physical activity"},
	"fitness":    {"walking", "physical activity"},
	"active":     {"walking", "physical activity"},
	"garden":     {"gardening", "horticulture"},
	"outdoors":   {"walking", "gardening"},
	"art":        {"arts", "craft"},
	"painting":   {"arts", "craft"},
	"music":      {"singing", "choir"},
	"carer":      {"carers"},
	"caring":     {"carers"},
	"grief":      {"bereavement"},
	"bereaved":   {"bereavement"},
	"housing":    {"housing advice"},
	"homeless":   {"housing advice"},
	"job":        {"employment"},
	"work":       {"employment", "volunteering"},
}

// RelatedSearches returns searches for words related to those typed, from a
// small fixed list ("lonely" → befriending), leaving out words already typed.
func RelatedSearches(q SearchQuery) []string {
	var out []string
	seen := map[string]bool{}
	text := strings.ToLower(q.Text)
	for _, t := range q.Terms() {
		for _, r := range related[t] {
			if !seen[r] && !strings.Contains(text, r) {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	return out
}

// vocabularyTTL is how long the words of the directory are kept before they
// are read again.
const vocabularyTTL = 10 * time.Minute

// vocabulary is the words public entries use, with how often.
type vocabulary struct {
	mu    sync.Mutex
	words map[string]int
	at    time.Time
}

// Suggest offers help after a search that found nothing. Errors: only
// internal ones.
func (s *Directory) Suggest(ctx context.Context, q SearchQuery) (*Suggestions, error) {
	out := &Suggestions{}
	if terms := q.Terms(); len(terms) > 0 {
		words, err := s.words(ctx)
		if err != nil {
			return nil, err
		}
		changed := false
		fixed := make([]string, len(terms))
		for i, t := range terms {
			fixed[i] = t
			if words[t] > 0 || len([]rune(t)) < 3 {
				continue
			}
			if w := closest(t, words); w != "" {
				fixed[i], changed = w, true
			}
		}
		if changed {
			out.Spelling = strings.Join(fixed, " ")
		}
	}
	out.Related = RelatedSearches(q)
	if q.Near != nil {
		wide := SearchQuery{Near: q.Near, RadiusMiles: RadiusChoices[len(RadiusChoices)-1], Page: 1, PerPage: 1, Sort: SortDistance}
		res, err := s.store.SearchServices(ctx, wide)
		if err != nil {
			return nil, fmt.Errorf("suggest: search the whole area: %w", err)
		}
		out.OutsideArea = res.Total == 0
	}
	return out, nil
}

// words returns the directory's words, read at most every vocabularyTTL.
func (s *Directory) words(ctx context.Context) (map[string]int, error) {
	v := &s.vocab
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.words != nil && s.now().Sub(v.at) < vocabularyTTL {
		return v.words, nil
	}
	texts, err := s.store.PublicText(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the directory's words: %w", err)
	}
	words := map[string]int{}
	for _, t := range texts {
		for _, w := range strings.FieldsFunc(strings.ToLower(t), func(r rune) bool { return !unicode.IsLetter(r) }) {
			if len([]rune(w)) >= 3 {
				words[w]++
			}
		}
	}
	v.words, v.at = words, s.now()
	return words, nil
}

// closest returns the most used word within a small edit distance of t
// (one edit for words up to 5 letters, two for longer ones), or "".
func closest(t string, words map[string]int) string {
	limit := 1
	if len([]rune(t)) > 5 {
		limit = 2
	}
	type cand struct {
		w       string
		d, uses int
	}
	var best []cand
	for w, n := range words {
		if abs(len(w)-len(t)) > limit {
			continue
		}
		if d := editDistance(t, w); d <= limit {
			best = append(best, cand{w, d, n})
		}
	}
	if len(best) == 0 {
		return ""
	}
	sort.Slice(best, func(i, j int) bool {
		if best[i].d != best[j].d {
			return best[i].d < best[j].d
		}
		if best[i].uses != best[j].uses {
			return best[i].uses > best[j].uses
		}
		return best[i].w < best[j].w
	})
	return best[0].w
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// editDistance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and swaps of neighbours each count one.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
