package insights

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func TestSmallNumberRuleAt0_1_4_5_6(t *testing.T) {
	for _, c := range []struct {
		n                    int
		count, rate, mean, h string
	}{
		{0, "0", "–", "–", "–"},
		{1, FewerThan5, NotShown, NotShown, NotShown},
		{4, FewerThan5, NotShown, NotShown, NotShown},
		{5, "5", "60%", "2.0", "3.0 hours"},
		{6, "6", "50%", "2.0", "3.0 hours"},
	} {
		if got := Count(c.n).Text; got != c.count {
			t.Errorf("Count(%d) = %q, want %q", c.n, got, c.count)
		}
		if got := Rate(3, c.n).Text; got != c.rate {
			t.Errorf("Rate(3, %d) = %q, want %q", c.n, got, c.rate)
		}
		if got := Mean(2*float64(c.n), c.n).Text; got != c.mean {
			t.Errorf("Mean over %d = %q, want %q", c.n, got, c.mean)
		}
		if got := Hours(3*time.Hour, c.n).Text; got != c.h {
			t.Errorf("Hours over %d = %q, want %q", c.n, got, c.h)
		}
		if hidden := c.n > 0 && c.n < 5; Count(c.n).Number == hidden {
			t.Errorf("Count(%d) is a number for charts: %v", c.n, Count(c.n).Number)
		}
	}
}

func TestPercentileIsTheNearestRank(t *testing.T) {
	hist := map[int]int{1: 5, 2: 1, 4: 1, 10: 1, 20: 1, 30: 1}
	if m, n := percentile(hist, 0.5); m != time.Hour || n != 10 {
		t.Errorf("median = %v of %d", m, n)
	}
	if p, _ := percentile(hist, 0.9); p != 20*time.Hour {
		t.Errorf("90th = %v", p)
	}
	if _, n := percentile(nil, 0.5); n != 0 {
		t.Errorf("empty: %d", n)
	}
}

func TestDownloadsKeepTheSmallNumberRuleAndNeutraliseFormulas(t *testing.T) {
	tb := &Table{ID: "t", Title: "Searches", Note: "=note", Columns: []string{"Words", "Searches"}}
	tb.Row(Text("=HYPERLINK(\"http://x\")"), Count(3))
	tb.Row(Text("yoga"), Count(6))
	var csv bytes.Buffer
	if err := WriteCSV(&csv, tb); err != nil {
		t.Fatal(err)
	}
	want := "Words,Searches\n\"'=HYPERLINK(\"\"http://x\"\")\",fewer than 5\nyoga,6\n"
	if csv.String() != want {
		t.Errorf("csv = %q, want %q", csv.String(), want)
	}
	var x bytes.Buffer
	if err := WriteXLSX(&x, tb); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&x)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	got := make([]string, len(rows))
	for i, r := range rows {
		got[i] = strings.Join(r, "|")
	}
	if strings.Join(got, "\n") != "Searches\n'=note\n\nWords|Searches\n'=HYPERLINK(\"http://x\")|fewer than 5\nyoga|6" {
		t.Errorf("xlsx rows = %q", got)
	}
	if typ, _ := f.GetCellType("Sheet1", "B6"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("a count is stored as %v", typ)
	}
}
