package casework

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"waymark"
)

// Instruments: the outcome measures a team records.
const (
	ONS4    = "ons4"
	SWEMWBS = "swemwbs"
)

// Measure stages: when in the person's journey a measure was taken.
var MeasureStages = []Option{
	{"first", "First contact"}, {"review", "Review"}, {"discharge", "Discharge"},
}

// Measure is one completed outcome measure.
type Measure struct {
	ID         string
	ClientID   string
	Instrument string // ONS4 or SWEMWBS
	Stage      string // MeasureStages key
	Scores     []int  // ONS4: four 0-10 answers; SWEMWBS: seven 1-5 answers
	TakenAt    time.Time
	RecordedBy string
}

// ONS4Questions are the ONS personal wellbeing questions, in order.
var ONS4Questions = []string{
	"Overall, how satisfied are you with your life nowadays?",
	"Overall, to what extent do you feel that the things you do in your life are worthwhile?",
	"Overall, how happy did you feel yesterday?",
	"On a scale where 0 is 'not at all anxious' and 10 is 'completely anxious', overall, how anxious did you feel yesterday?",
}

// ONS4Short are short names of the ONS4 questions, for tables.
var ONS4Short = []string{"Life satisfaction", "Worthwhile", "Happiness", "Anxiety"}

// SWEMWBSItems are the seven SWEMWBS statements, answered 1 (none of the
// time) to 5 (all of the time).
var SWEMWBSItems = []string{
	"I've been feeling optimistic about the future",
	"I've been feeling useful",
	"I've been feeling relaxed",
	"I've been dealing with problems well",
	"I've been thinking clearly",
	"I've been feeling close to other people",
	"I've been able to make up my own mind about things",
}

// SWEMWBSAnswers label the SWEMWBS answers 1 to 5.
var SWEMWBSAnswers = []string{"None of the time", "Rarely", "Some of the time", "Often", "All of the time"}

// swemwbsMetric is the published SWEMWBS conversion table (Rasch-based):
// index raw-7 gives the metric score for raw totals 7 to 35.
//
// Source: the raw-to-metric conversion table of the Warwick-Edinburgh Mental
// Wellbeing Scales user guide (NHS Health Scotland, University of Warwick
// and University of Edinburgh, version 2, 2015), from Stewart-Brown et al.
// (2009), Health and Quality of Life Outcomes 7:15, doi:10.1186/1477-7525-7-15;
// Warwick Medical School's scoring guidance
// (https://warwick.ac.uk/fac/med/research/platform/wemwbs/researchers/guidance/)
// says SWEMWBS totals must be transformed with this table. Checked value by
// value on 2 December 2026 against published copies of the table in public
// analysis code (all 29 values agree).
var swemwbsMetric = [29]float64{
	7.00, 9.51, 11.25, 12.40, 13.33, 14.08, 14.75, 15.32, 15.84, 16.36,
	16.88, 17.43, 17.98, 18.59, 19.25, 19.98, 20.73, 21.54, 22.35, 23.21,
	24.11, 25.03, 26.02, 27.03, 28.13, 29.31, 30.70, 32.55, 35.00,
}

// SWEMWBSMetric converts a SWEMWBS raw total (7 to 35) to its metric score.
// Errors: EINVALID outside 7 to 35.
func SWEMWBSMetric(raw int) (float64, error) {
	if raw < 7 || raw > 35 {
		return 0, waymark.Errorf(waymark.EINVALID, "A SWEMWBS raw score is from 7 to 35, not %d", raw)
	}
	return swemwbsMetric[raw-7], nil
}

// ONS4 bands.
const (
	BandVeryLow  = "very low"
	BandLow      = "low"
	BandMedium   = "medium"
	BandHigh     = "high"
	BandVeryHigh = "very high"
)

// ONS4Band bands an answer to ONS4 question q (0 life satisfaction,
// 1 worthwhile, 2 happiness, 3 anxiety) as the ONS does: for the first three
// 0-4 low, 5-6 medium, 7-8 high, 9-10 very high; anxiety the other way, 0-1
// very low, 2-3 low, 4-5 medium, 6-10 high. It returns "" for an answer
// outside 0 to 10.
func ONS4Band(q, score int) string {
	if score < 0 || score > 10 {
		return ""
	}
	if q == 3 {
		switch {
		case score <= 1:
			return BandVeryLow
		case score <= 3:
			return BandLow
		case score <= 5:
			return BandMedium
		}
		return BandHigh
	}
	switch {
	case score <= 4:
		return BandLow
	case score <= 6:
		return BandMedium
	case score <= 8:
		return BandHigh
	}
	return BandVeryHigh
}

// Validate checks the instrument, stage and every answer. Errors: EINVALID
// naming the first bad answer's field ("q1".."q7").
func (m *Measure) Validate() error {
	var n, lo, hi int
	switch m.Instrument {
	case ONS4:
		n, lo, hi = 4, 0, 10
	case SWEMWBS:
		n, lo, hi = 7, 1, 5
	default:
		return waymark.FieldErrorf(waymark.EINVALID, "instrument", "Choose ONS4 or SWEMWBS")
	}
	if !known(MeasureStages, m.Stage) {
		return waymark.FieldErrorf(waymark.EINVALID, "stage", "Choose when this measure was taken")
	}
	if len(m.Scores) != n {
		return waymark.FieldErrorf(waymark.EINVALID, "q1", "Answer all %d questions", n)
	}
	for i, s := range m.Scores {
		if s < lo || s > hi {
			return waymark.FieldErrorf(waymark.EINVALID, fmt.Sprintf("q%d", i+1), "Answer question %d with a score from %d to %d", i+1, lo, hi)
		}
	}
	return nil
}

// Total is the SWEMWBS raw total, or 0 for ONS4.
func (m Measure) Total() int {
	if m.Instrument != SWEMWBS {
		return 0
	}
	t := 0
	for _, s := range m.Scores {
		t += s
	}
	return t
}

// Metric is the SWEMWBS metric score, or 0 for ONS4.
func (m Measure) Metric() float64 {
	v, _ := SWEMWBSMetric(m.Total())
	return v
}

// Label is a one-line summary: the metric score, or the four ONS4 answers
// with their bands.
func (m Measure) Label() string {
	if m.Instrument == SWEMWBS {
		return fmt.Sprintf("SWEMWBS metric score %.2f (raw %d)", m.Metric(), m.Total())
	}
	parts := make([]string, len(m.Scores))
	for i, s := range m.Scores {
		if i < len(ONS4Short) {
			parts[i] = fmt.Sprintf("%s %d (%s)", ONS4Short[i], s, ONS4Band(i, s))
		}
	}
	return "ONS4: " + strings.Join(parts, ", ")
}

// EncodeScores and DecodeScores keep answers as "7,8,6,3" for storage.
func EncodeScores(s []int) string {
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = strconv.Itoa(v)
	}
	return strings.Join(parts, ",")
}

// DecodeScores parses EncodeScores' form.
func DecodeScores(s string) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	out := make([]int, len(parts))
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("decode scores %q: %w", s, err)
		}
		out[i] = v
	}
	return out, nil
}

// Change is one score's first and latest value, for the measures table.
type Change struct {
	Name          string
	First, Latest float64
	FirstBand     string
	LatestBand    string
	Count         int
	Format        string // "%.0f" or "%.2f"
}

// Difference is Latest minus First.
func (c Change) Difference() float64 { return c.Latest - c.First }

// Changes summarises measures (oldest first) as each score's change from the
// first to the latest measure: the four ONS4 answers and the SWEMWBS metric.
func Changes(measures []Measure) []Change {
	var ons, swem []Measure
	for _, m := range measures {
		switch m.Instrument {
		case ONS4:
			ons = append(ons, m)
		case SWEMWBS:
			swem = append(swem, m)
		}
	}
	var out []Change
	if len(ons) > 0 {
		first, last := ons[0], ons[len(ons)-1]
		for i, name := range ONS4Short {
			out = append(out, Change{Name: "ONS4 " + strings.ToLower(name), First: float64(first.Scores[i]), Latest: float64(last.Scores[i]),
				FirstBand: ONS4Band(i, first.Scores[i]), LatestBand: ONS4Band(i, last.Scores[i]), Count: len(ons), Format: "%.0f"})
		}
	}
	if len(swem) > 0 {
		out = append(out, Change{Name: "SWEMWBS metric score", First: swem[0].Metric(), Latest: swem[len(swem)-1].Metric(),
			Count: len(swem), Format: "%.2f"})
	}
	return out
}
