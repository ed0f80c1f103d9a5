package referral

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzReadAnswers feeds arbitrary posted values to a form with every
// question type: reading must never panic, every accepted answer must be
// one the question allows, and every refusal must say which question.
func FuzzReadAnswers(f *testing.F) {
	form := &Form{Questions: []Question{
		{ID: "s", Type: ShortText, Label: "Short", Required: true},
		{ID: "l", Type: LongText, Label: "Long"},
		{ID: "c", Type: SingleChoice, Label: "One", Options: []string{"A", "B"}},
		{ID: "m", Type: MultipleChoice, Label: "Many", Options: []string{"A", "B", "C"}},
		{ID: "y", Type: YesNo, Label: "Yes or no"},
		{ID: "d", Type: Date, Label: "When"},
	}}
	f.Add("hello", "A", "A|C", "Yes", "29", "2", "2028")
	f.Add("", "Z", "A|A", "maybe", "31", "13", "99999")
	f.Add(strings.Repeat("x", 300), "", "", "No", "-1", "0", "1900")
	f.Fuzz(func(t *testing.T, short, one, many, yes, day, month, year string) {
		values := map[string][]string{"q_s": {short}, "q_c": {one}, "q_m": strings.Split(many, "|"), "q_y": {yes},
			"q_d_day": {day}, "q_d_month": {month}, "q_d_year": {year}}
		answers, problems := form.ReadAnswers(func(k string) []string { return values[k] })
		for _, p := range problems.List() {
			if !strings.HasPrefix(p.Field, "q_") || p.Message == "" {
				t.Fatalf("problem %q: %q", p.Field, p.Message)
			}
		}
		for _, a := range answers {
			q, ok := form.Question(a.QuestionID)
			if !ok || len(a.Values) == 0 {
				t.Fatalf("answer to an unknown question or empty: %+v", a)
			}
			for _, v := range a.Values {
				if !utf8.ValidString(a.Text()) {
					continue // invalid input bytes pass through text answers unchanged
				}
				if q.HasOptions() && !slices.Contains(q.Options, v) {
					t.Fatalf("accepted %q for %s", v, q.Label)
				}
				if q.Type == YesNo && v != "Yes" && v != "No" {
					t.Fatalf("accepted %q for yes/no", v)
				}
			}
			if q.Type == Date && len(a.Values[0]) != 10 {
				t.Fatalf("date stored as %q", a.Values[0])
			}
		}
	})
}
