package referral

import (
	"errors"
	"net/url"
	"testing"

	"waymark"
)

func TestQuestionsNeedALabelAKnownTypeAndAtLeastTwoDistinctOptions(t *testing.T) {
	for _, tc := range []struct {
		q     Question
		field string
	}{
		{Question{Type: ShortText, Label: "  "}, "label"},
		{Question{Type: "essay", Label: "Why?"}, "type"},
		{Question{Type: SingleChoice, Label: "Which?", Options: []string{"One", " "}}, "options"},
		{Question{Type: MultipleChoice, Label: "Which?", Options: []string{"One", "One"}}, "options"},
		{Question{Type: ShortText, Label: "Name", Help: string(make([]byte, 501))}, "help"},
	} {
		err := tc.q.Validate()
		if err == nil || !hasField(err, tc.field) {
			t.Errorf("%+v: %v, want a problem with %s", tc.q, err, tc.field)
		}
	}
	q := Question{Type: YesNo, Label: " Do you drive? ", Options: []string{"left over"}}
	if err := q.Validate(); err != nil || q.Label != "Do you drive?" || q.Options != nil {
		t.Errorf("yes/no question: %v %+v", err, q)
	}
}

func hasField(err error, field string) bool {
	var e *waymark.Error
	return errors.As(err, &e) && e.Field == field
}

func TestAnswersAreCheckedAgainstEachQuestionType(t *testing.T) {
	f := &Form{Questions: []Question{
		{ID: "a", Type: ShortText, Label: "Short", Required: true},
		{ID: "b", Type: LongText, Label: "Long"},
		{ID: "c", Type: SingleChoice, Label: "One", Options: []string{"X", "Y"}, Required: true},
		{ID: "d", Type: MultipleChoice, Label: "Many", Options: []string{"X", "Y", "Z"}},
		{ID: "e", Type: YesNo, Label: "Yes or no", Required: true},
		{ID: "f", Type: Date, Label: "When", Required: true},
	}}
	read := func(v url.Values) ([]Answer, map[string]string) {
		answers, problems := f.ReadAnswers(func(k string) []string { return v[k] })
		return answers, problems.Map()
	}
	answers, problems := read(url.Values{"q_a": {"Hi"}, "q_c": {"Y"}, "q_d": {"X", "Z"}, "q_e": {"No"},
		"q_f_day": {"29"}, "q_f_month": {"2"}, "q_f_year": {"2028"}})
	if len(problems) != 0 || len(answers) != 5 || answers[4].Text() != "29 February 2028" || answers[2].Text() != "X, Z" {
		t.Fatalf("good answers: %v %+v", problems, answers)
	}
	_, problems = read(url.Values{"q_c": {"Q"}, "q_d": {"X", "X"}, "q_e": {"Maybe"},
		"q_f_day": {"29"}, "q_f_month": {"2"}, "q_f_year": {"2027"}, "q_b": {string(make([]byte, 5001))}})
	for _, field := range []string{"q_a", "q_b", "q_c", "q_d", "q_e", "q_f"} {
		if problems[field] == "" {
			t.Errorf("no problem reported for %s: %v", field, problems)
		}
	}
}

func TestQuestionsCanBeReorderedReplacedAndRemoved(t *testing.T) {
	f := &Form{}
	for _, id := range []string{"a", "b", "c"} {
		if err := f.Put(Question{ID: id, Type: ShortText, Label: "Question " + id}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Move("c", -1); err != nil {
		t.Fatal(err)
	}
	f.Move("a", -1) // already first: unchanged
	if err := f.Put(Question{ID: "b", Type: LongText, Label: "Changed"}); err != nil {
		t.Fatal(err)
	}
	if err := f.Remove("a"); err != nil {
		t.Fatal(err)
	}
	if len(f.Questions) != 2 || f.Questions[0].ID != "c" || f.Questions[1].Label != "Changed" {
		t.Errorf("form: %+v", f.Questions)
	}
	if err := f.Remove("zzz"); err == nil {
		t.Errorf("removed a question that is not there")
	}
}
