package referral

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark"
	"waymark/internal/input"
)

// QuestionType is the kind of answer a referral form question takes.
type QuestionType string

// Question types.
const (
	ShortText      QuestionType = "short_text"
	LongText       QuestionType = "long_text"
	SingleChoice   QuestionType = "single_choice"
	MultipleChoice QuestionType = "multiple_choice"
	YesNo          QuestionType = "yes_no"
	Date           QuestionType = "date"
)

// QuestionTypes lists every type with its label, in the order providers see
// them.
var QuestionTypes = []struct {
	Type  QuestionType
	Label string
}{
	{ShortText, "Short answer"},
	{LongText, "Long answer"},
	{SingleChoice, "Choose one option"},
	{MultipleChoice, "Choose one or more options"},
	{YesNo, "Yes or no"},
	{Date, "Date"},
}

// Limits on forms and answers.
const (
	MaxQuestions    = 30
	MaxOptions      = 20
	maxLabel        = 200
	maxHelp         = 500
	maxShortAnswer  = 200
	maxLongAnswer   = 5000
	maxOptionLength = 100
)

// Question is one question on a provider's referral form.
type Question struct {
	ID       string       `json:"id"`
	Type     QuestionType `json:"type"`
	Label    string       `json:"label"`
	Help     string       `json:"help,omitempty"`
	Required bool         `json:"required"`
	Options  []string     `json:"options,omitempty"` // choices, for single and multiple choice
}

// HasOptions reports whether the question offers a list of choices.
func (q Question) HasOptions() bool { return q.Type == SingleChoice || q.Type == MultipleChoice }

// TypeLabel is the question type's name for people.
func (q Question) TypeLabel() string {
	for _, t := range QuestionTypes {
		if t.Type == q.Type {
			return t.Label
		}
	}
	return string(q.Type)
}

// Form is a service's referral form: the questions asked on top of the
// person's name, contact details and consent, which Waymark always asks.
type Form struct {
	ServiceID string
	Questions []Question
	UpdatedAt time.Time
}

// Validate checks a question a provider is adding or changing, tidying its
// text. Errors: EINVALID with Field "label", "type", "help" or "options".
func (q *Question) Validate() error {
	var lerr, herr error
	q.Label, lerr = input.Line("The question", q.Label, maxLabel)
	q.Help, herr = input.Lines("The help text", q.Help, maxHelp)
	switch {
	case lerr != nil:
		return waymark.FieldErrorf(waymark.EINVALID, "label", "%s", waymark.ErrorMessage(lerr))
	case q.Label == "":
		return waymark.FieldErrorf(waymark.EINVALID, "label", "Enter the question")
	case herr != nil:
		return waymark.FieldErrorf(waymark.EINVALID, "help", "%s", waymark.ErrorMessage(herr))
	}
	known := false
	for _, t := range QuestionTypes {
		known = known || t.Type == q.Type
	}
	if !known {
		return waymark.FieldErrorf(waymark.EINVALID, "type", "Choose the type of answer")
	}
	if !q.HasOptions() {
		q.Options = nil
		return nil
	}
	var opts []string
	for _, o := range q.Options {
		o, err := input.Line("Each option", o, maxOptionLength)
		if err != nil {
			return waymark.FieldErrorf(waymark.EINVALID, "options", "%s", waymark.ErrorMessage(err))
		}
		if o == "" {
			continue
		}
		if slices.Contains(opts, o) {
			return waymark.FieldErrorf(waymark.EINVALID, "options", "The option %q is there twice", o)
		}
		opts = append(opts, o)
	}
	switch {
	case len(opts) < 2:
		return waymark.FieldErrorf(waymark.EINVALID, "options", "Enter at least 2 options, one on each line")
	case len(opts) > MaxOptions:
		return waymark.FieldErrorf(waymark.EINVALID, "options", "Enter %d options or fewer", MaxOptions)
	}
	q.Options = opts
	return nil
}

// Answer is a person's answer to one question, with the question as it was
// asked, so later changes to the form do not change what was sent.
type Answer struct {
	QuestionID string   `json:"question_id"`
	Label      string   `json:"label"`
	Type       string   `json:"type"`
	Values     []string `json:"values,omitempty"`
}

// Text is the answer for people: choices joined, dates written out.
func (a Answer) Text() string {
	if QuestionType(a.Type) == Date && len(a.Values) == 1 {
		if d, err := time.Parse(time.DateOnly, a.Values[0]); err == nil {
			return d.Format("2 January 2006")
		}
	}
	return strings.Join(a.Values, ", ")
}

// FieldName is the form field a question's answer is posted in.
func (q Question) FieldName() string { return "q_" + q.ID }

// ReadAnswers checks posted answers against the form: values are read by
// get (one value) and getAll (every value of a field), as from url.Values.
// Every question's problem is returned, by field name, so the page can show
// them all at once.
func (f *Form) ReadAnswers(getAll func(field string) []string) ([]Answer, *waymark.Problems) {
	problems := &waymark.Problems{}
	var out []Answer
	for _, q := range f.Questions {
		field := q.FieldName()
		var vals []string
		for _, v := range getAll(field) {
			if v = strings.TrimSpace(v); v != "" {
				vals = append(vals, v)
			}
		}
		if q.Type == Date {
			vals = readDate(getAll(field+"_day"), getAll(field+"_month"), getAll(field+"_year"))
		}
		if msg := checkAnswer(q, vals); msg != "" {
			problems.Add(field, msg)
			continue
		}
		if len(vals) > 0 {
			out = append(out, Answer{QuestionID: q.ID, Label: q.Label, Type: string(q.Type), Values: vals})
		}
	}
	return out, problems
}

// readDate joins the day, month and year boxes the NHS date input uses into
// one value "YYYY-M-D" for checking; nothing when all are empty.
func readDate(day, month, year []string) []string {
	first := func(v []string) string {
		if len(v) == 0 {
			return ""
		}
		return strings.TrimSpace(v[0])
	}
	d, m, y := first(day), first(month), first(year)
	if d == "" && m == "" && y == "" {
		return nil
	}
	return []string{fmt.Sprintf("%s-%s-%s", y, m, d)}
}

func checkAnswer(q Question, vals []string) string {
	if len(vals) == 0 {
		if q.Required {
			switch q.Type {
			case SingleChoice, YesNo, MultipleChoice:
				return "Select an answer to: " + q.Label
			case Date:
				return "Enter a date for: " + q.Label
			}
			return "Answer the question: " + q.Label
		}
		return ""
	}
	switch q.Type {
	case ShortText:
		if len(vals) != 1 {
			return fmt.Sprintf("The answer to %q must be %d characters or fewer", q.Label, maxShortAnswer)
		}
		if _, err := input.Line(fmt.Sprintf("The answer to %q", q.Label), vals[0], maxShortAnswer); err != nil {
			return waymark.ErrorMessage(err)
		}
	case LongText:
		if len(vals) != 1 {
			return fmt.Sprintf("The answer to %q must be %d characters or fewer", q.Label, maxLongAnswer)
		}
		if _, err := input.Lines(fmt.Sprintf("The answer to %q", q.Label), vals[0], maxLongAnswer); err != nil {
			return waymark.ErrorMessage(err)
		}
	case YesNo:
		if len(vals) != 1 || (vals[0] != "Yes" && vals[0] != "No") {
			return "Select yes or no for: " + q.Label
		}
	case SingleChoice:
		if len(vals) != 1 || !slices.Contains(q.Options, vals[0]) {
			return "Select one of the options for: " + q.Label
		}
	case MultipleChoice:
		seen := map[string]bool{}
		for _, v := range vals {
			if !slices.Contains(q.Options, v) || seen[v] {
				return "Select from the options for: " + q.Label
			}
			seen[v] = true
		}
	case Date:
		var y, m, d int
		if _, err := fmt.Sscanf(vals[0], "%d-%d-%d", &y, &m, &d); err != nil {
			return "Enter a real date for: " + q.Label
		}
		t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
		if y < 1900 || y > 2200 || t.Year() != y || int(t.Month()) != m || t.Day() != d {
			return "Enter a real date for: " + q.Label
		}
		vals[0] = t.Format(time.DateOnly)
	}
	return ""
}

// Move returns the form with question id moved one place up (delta -1) or
// down (+1); unchanged at either end.
func (f *Form) Move(id string, delta int) error {
	i := f.index(id)
	if i < 0 {
		return waymark.Errorf(waymark.ENOTFOUND, "That question is not on the form")
	}
	j := i + delta
	if j < 0 || j >= len(f.Questions) {
		return nil
	}
	f.Questions[i], f.Questions[j] = f.Questions[j], f.Questions[i]
	return nil
}

// Remove takes a question off the form.
func (f *Form) Remove(id string) error {
	i := f.index(id)
	if i < 0 {
		return waymark.Errorf(waymark.ENOTFOUND, "That question is not on the form")
	}
	f.Questions = slices.Delete(f.Questions, i, i+1)
	return nil
}

// Put adds a question, or replaces the one with its ID.
func (f *Form) Put(q Question) error {
	if err := q.Validate(); err != nil {
		return err
	}
	if i := f.index(q.ID); i >= 0 {
		f.Questions[i] = q
		return nil
	}
	if len(f.Questions) >= MaxQuestions {
		return waymark.Errorf(waymark.EINVALID, "A form can have up to %d questions", MaxQuestions)
	}
	f.Questions = append(f.Questions, q)
	return nil
}

// Question returns a question by ID.
func (f *Form) Question(id string) (Question, bool) {
	if i := f.index(id); i >= 0 {
		return f.Questions[i], true
	}
	return Question{}, false
}

func (f *Form) index(id string) int {
	return slices.IndexFunc(f.Questions, func(q Question) bool { return q.ID == id })
}
