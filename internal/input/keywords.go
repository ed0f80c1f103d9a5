package input

import (
	"strings"
)

// Keyword limits.
const (
	MaxKeywords      = 30
	MaxKeywordLength = 50
)

// Keywords reads a comma-separated list of keywords ("walking, health
// walk"), also accepting semicolons and new lines between them. Each is
// trimmed and checked as a line; empty ones and repeats (in any case) are
// dropped. More than MaxKeywords, or one longer than MaxKeywordLength, is
// refused.
func Keywords(s string) ([]string, error) {
	if err := Check("Keywords", s); err != nil {
		return nil, err
	}
	var out []string
	seen := map[string]bool{}
	for _, k := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '\r' }) {
		k, err := Line("Each keyword", k, MaxKeywordLength)
		if err != nil {
			return nil, err
		}
		if k == "" || seen[strings.ToLower(k)] {
			continue
		}
		seen[strings.ToLower(k)] = true
		out = append(out, k)
		if len(out) > MaxKeywords {
			return nil, invalid("Enter %d keywords or fewer", MaxKeywords)
		}
	}
	return out, nil
}
