package casework_test

import (
	"fmt"
	"testing"

	"waymark/internal/casework"
)

func TestNHSNumberCheckDigit(t *testing.T) {
	valid := []string{"9434765919", "943 476 5919", "943-476-5919", "4010232137", "9990000018"}
	for _, n := range valid {
		if !casework.ValidNHSNumber(n) {
			t.Errorf("ValidNHSNumber(%q) = false, want true", n)
		}
	}
	invalid := []string{
		"9434765918", // wrong check digit
		"9434765910",
		"1234567890", // the check digit would be 10: never valid
		"943476591",  // nine digits
		"94347659190",
		"94347659A9",
		"",
	}
	for _, n := range invalid {
		if casework.ValidNHSNumber(n) {
			t.Errorf("ValidNHSNumber(%q) = true, want false", n)
		}
	}
	// Every other last digit of a valid number is refused.
	for d := '0'; d <= '9'; d++ {
		n := "943476591" + string(d)
		if got, want := casework.ValidNHSNumber(n), d == '9'; got != want {
			t.Errorf("ValidNHSNumber(%q) = %v, want %v", n, got, want)
		}
	}
}

func TestODSCodeShape(t *testing.T) {
	for in, want := range map[string]bool{"C81001": true, "c81001": true, " C81001 ": true, "Y02625": true, "CA1B2C": true,
		"181001": false, "C8100": false, "C810011": false, "C81-01": false, "": false} {
		if _, got := casework.NormaliseODSCode(in); got != want {
			t.Errorf("NormaliseODSCode(%q) ok = %v, want %v", in, got, want)
		}
	}
}

func TestSWEMWBSConversionAtEveryRawScore(t *testing.T) {
	// The published SWEMWBS raw-to-metric conversion table (see the source
	// cited on swemwbsMetric in measure.go), at every raw score.
	want := map[int]float64{
		7: 7.00, 8: 9.51, 9: 11.25, 10: 12.40, 11: 13.33, 12: 14.08, 13: 14.75, 14: 15.32, 15: 15.84, 16: 16.36,
		17: 16.88, 18: 17.43, 19: 17.98, 20: 18.59, 21: 19.25, 22: 19.98, 23: 20.73, 24: 21.54, 25: 22.35, 26: 23.21,
		27: 24.11, 28: 25.03, 29: 26.02, 30: 27.03, 31: 28.13, 32: 29.31, 33: 30.70, 34: 32.55, 35: 35.00,
	}
	for raw := 7; raw <= 35; raw++ {
		got, err := casework.SWEMWBSMetric(raw)
		if err != nil || got != want[raw] {
			t.Errorf("SWEMWBSMetric(%d) = %v, %v; want %v", raw, got, err, want[raw])
		}
	}
	for _, raw := range []int{6, 36, 0, -1} {
		if _, err := casework.SWEMWBSMetric(raw); err == nil {
			t.Errorf("SWEMWBSMetric(%d) gave no error", raw)
		}
	}
	// A measure's metric comes from the sum of its seven answers.
	m := casework.Measure{Instrument: casework.SWEMWBS, Stage: "first", Scores: []int{3, 3, 3, 3, 3, 3, 3}}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	if m.Total() != 21 || m.Metric() != 19.25 {
		t.Errorf("total %d metric %v, want 21 and 19.25", m.Total(), m.Metric())
	}
	m.Scores[6] = 6
	if err := m.Validate(); err == nil {
		t.Error("an answer of 6 was accepted")
	}
}

func TestONS4BandingAtEveryScore(t *testing.T) {
	positive := []string{"low", "low", "low", "low", "low", "medium", "medium", "high", "high", "very high", "very high"}
	anxiety := []string{"very low", "very low", "low", "low", "medium", "medium", "high", "high", "high", "high", "high"}
	for q := 0; q < 4; q++ {
		for score := 0; score <= 10; score++ {
			want := positive[score]
			if q == 3 {
				want = anxiety[score]
			}
			if got := casework.ONS4Band(q, score); got != want {
				t.Errorf("ONS4Band(%d, %d) = %q, want %q", q, score, got, want)
			}
		}
		for _, bad := range []int{-1, 11} {
			if got := casework.ONS4Band(q, bad); got != "" {
				t.Errorf("ONS4Band(%d, %d) = %q, want none", q, bad, got)
			}
		}
	}
	m := casework.Measure{Instrument: casework.ONS4, Stage: "review", Scores: []int{4, 5, 8, 6}}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	if got, want := m.Label(), "ONS4: Life satisfaction 4 (low), Worthwhile 5 (medium), Happiness 8 (high), Anxiety 6 (high)"; got != want {
		t.Errorf("label %q, want %q", got, want)
	}
	m.Scores = []int{4, 5, 8}
	if err := m.Validate(); err == nil {
		t.Error("three answers were accepted")
	}
}

func TestChangesFromFirstToLatest(t *testing.T) {
	ms := []casework.Measure{
		{Instrument: casework.ONS4, Scores: []int{3, 4, 5, 8}},
		{Instrument: casework.SWEMWBS, Scores: []int{2, 2, 2, 2, 2, 2, 2}},
		{Instrument: casework.ONS4, Scores: []int{5, 5, 5, 5}},
		{Instrument: casework.ONS4, Scores: []int{7, 6, 9, 2}},
		{Instrument: casework.SWEMWBS, Scores: []int{4, 4, 4, 4, 4, 4, 4}},
	}
	got := casework.Changes(ms)
	if len(got) != 5 {
		t.Fatalf("%d changes, want 5", len(got))
	}
	if c := got[0]; c.First != 3 || c.Latest != 7 || c.FirstBand != "low" || c.LatestBand != "high" || c.Count != 3 {
		t.Errorf("life satisfaction change %+v", c)
	}
	if c := got[3]; c.First != 8 || c.Latest != 2 || c.Difference() != -6 || c.LatestBand != "low" {
		t.Errorf("anxiety change %+v", c)
	}
	if c := got[4]; fmt.Sprintf("%.2f %.2f", c.First, c.Latest) != "15.32 25.03" {
		t.Errorf("SWEMWBS change %+v", c)
	}
}
