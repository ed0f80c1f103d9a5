package hostile

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTheCorpusHasEightyValuesOfEveryKind(t *testing.T) {
	values, err := Values()
	if err != nil {
		t.Fatal(err)
	}
	if len(values) < 80 {
		t.Fatalf("the corpus has %d values, want at least 80", len(values))
	}
	kinds := map[string]func(string) bool{
		"NUL":           func(v string) bool { return strings.ContainsRune(v, 0) },
		"invalid UTF-8": func(v string) bool { return !utf8.ValidString(v) },
		"right-to-left": func(v string) bool { return strings.ContainsAny(v, "\u202e\u200f") },
		"SQL": func(v string) bool {
			return strings.Contains(strings.ToUpper(v), "DROP TABLE") || strings.Contains(v, "' OR ")
		},
		"long (10,000 bytes)": func(v string) bool { return len(v) >= 10000 },
		"huge number":         func(v string) bool { return strings.Contains(v, "99999999999999999999") },
	}
	for kind, has := range kinds {
		found := false
		for _, v := range values {
			found = found || has(v)
		}
		if !found {
			t.Errorf("the corpus has no %s value", kind)
		}
	}
}
