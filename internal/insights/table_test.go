package insights

import (
	"bytes"
	"fmt"
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
	f, rows := downloadXLSX(t, tb)
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

// texts is a table's cells as they read, row by row.
func texts(t *Table) [][]string {
	var out [][]string
	for _, r := range t.Rows {
		var row []string
		for _, c := range r {
			row = append(row, c.Text)
		}
		out = append(out, row)
	}
	return out
}

// rowTable is one row of counts whose last cell is the total of the
// others.
func rowTable(counts ...int) *Table {
	t := &Table{ID: "t", Columns: make([]string, len(counts)+1)}
	row := []Cell{Text("Row")}
	for _, n := range counts {
		row = append(row, Count(n))
	}
	t.Row(row...)
	t.across(0, len(counts), span(1, len(counts))...)
	return t
}

func TestSecondarySuppressionWithholdsTheNextSmallestCountBesideATotal(t *testing.T) {
	for _, c := range []struct {
		name   string
		counts []int // the parts, then the total
		want   string
	}{
		{"no count hidden", []int{5, 10, 0, 15}, "[Row 5 10 0 15]"},
		{"one hidden at 1: the next smallest above 0 is withheld", []int{1, 7, 6, 0, 14}, "[Row fewer than 5 7 withheld 0 14]"},
		{"one hidden at 4, the next at 5", []int{4, 5, 20, 29}, "[Row fewer than 5 withheld 20 29]"},
		{"two hidden: neither can be worked out", []int{1, 4, 20, 25}, "[Row fewer than 5 fewer than 5 20 25]"},
		{"every other part 0: the total is withheld", []int{3, 0, 0, 8}, "[Row fewer than 5 0 0 withheld]"},
		{"a hidden total gives nothing away", []int{3, 0, 3}, "[Row fewer than 5 0 fewer than 5]"},
		{"equal next smallest: the first", []int{2, 6, 6, 14}, "[Row fewer than 5 withheld 6 14]"},
	} {
		tables := []Table{*rowTable(c.counts...)}
		protect(tables)
		tb := &tables[0]
		if got := fmt.Sprint(texts(tb)[0]); got != c.want {
			t.Errorf("%s: %v = %s, want %s", c.name, c.counts, got, c.want)
		}
		if strings.Contains(c.want, Withheld) != strings.Contains(tb.Note, WithheldNote) {
			t.Errorf("%s: note %q", c.name, tb.Note)
		}
	}
}

func TestSecondarySuppressionFollowsRowsAndColumnsUntilNothingIsGivenAway(t *testing.T) {
	// 3 10 | 13
	// 7 12 | 19
	// 10 22 | 32
	tb := &Table{ID: "t", Columns: []string{"", "A", "B", "All"}}
	tb.Row(Text("x"), Count(3), Count(10), Count(13))
	tb.Row(Text("y"), Count(7), Count(12), Count(19))
	tb.Row(Text("All"), Count(10), Count(22), Count(32))
	for r := 0; r < 3; r++ {
		tb.across(r, 3, 1, 2)
	}
	for c := 1; c <= 3; c++ {
		tb.down(c, 2, 0, 1)
	}
	protect([]Table{*tb})
	want := "[[x fewer than 5 withheld 13] [y withheld withheld 19] [All 10 22 32]]"
	if got := fmt.Sprint(texts(tb)); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestSecondarySuppressionJoinsTablesAndHidesSharesOfHiddenCounts(t *testing.T) {
	// Sources with their shares; the same totals month by month in
	// another table.
	src := &Table{ID: "sources", Columns: []string{"Source", "Referrals", "Share"}}
	src.Row(Text("Self"), Count(2), Rate(2, 20))
	src.Row(Text("GP"), Count(18), Rate(18, 20))
	src.Row(Text("All"), Count(20), Text(""))
	src.down(1, 2, 0, 1)
	src.shareOf(2, 1)
	months := &Table{ID: "months", Columns: []string{"Month", "Self", "GP"}}
	months.Row(Text("Jan"), Count(0), Count(9))
	months.Row(Text("Feb"), Count(2), Count(9))
	tables := []Table{*src, *months}
	protect(tables, sum{src.at(0, 1), months.column(1, 0, 2)}, sum{src.at(1, 1), months.column(2, 0, 2)})
	src = &tables[0]
	if got, want := fmt.Sprint(texts(src)), "[[Self fewer than 5 withheld] [GP withheld withheld] [All 20 ]]"; got != want {
		t.Errorf("sources = %s, want %s", got, want)
	}
	// GP's total withheld, so neither month of GP can be checked against it.
	if got, want := fmt.Sprint(texts(months)), "[[Jan 0 9] [Feb fewer than 5 9]]"; got != want {
		t.Errorf("months = %s, want %s", got, want)
	}
	var csv bytes.Buffer
	if err := WriteCSV(&csv, src); err != nil {
		t.Fatal(err)
	}
	if want := "Source,Referrals,Share\nSelf,fewer than 5,withheld\nGP,withheld,withheld\nAll,20,\n"; csv.String() != want {
		t.Errorf("csv = %q, want %q", csv.String(), want)
	}
	_, rows := downloadXLSX(t, src)
	if got := fmt.Sprint(rows); !strings.Contains(got, "[GP withheld withheld]") || !strings.Contains(got, WithheldNote) {
		t.Errorf("xlsx = %s", got)
	}
}

// downloadXLSX writes the table as XLSX and reads it back.
func downloadXLSX(t *testing.T, tb *Table) (*excelize.File, [][]string) {
	t.Helper()
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
	return f, rows
}
