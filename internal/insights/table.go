package insights

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MinCount is the small-number rule's threshold: a count from 1 to
// MinCount-1 shows as "fewer than 5", and a rate, mean or percentile
// resting on fewer than MinCount people is not shown.
const MinCount = 5

// Words the small-number rule shows instead of figures.
const (
	FewerThan5 = "fewer than 5"
	NotShown   = "not shown (fewer than 5)"
	// Withheld is a figure hidden by secondary suppression: shown, it
	// would let someone work out a count under 5 from a total.
	Withheld = "withheld"
)

// WithheldNote is added to the note of a table with a withheld figure.
const WithheldNote = "Figures shown as \"withheld\" are hidden so that a number under 5 cannot be worked out from a total."

// Cell is one figure of a table, already through the small-number rule:
// Text is what people read (and what CSV holds); Value is the number for
// charts and spreadsheets, and Number is false when the figure is hidden
// or is text.
type Cell struct {
	Text   string
	Ref    string // the id of what the cell names (a service), for links
	Value  float64
	Number bool

	n      int  // the count behind a Count cell
	hidden bool // a count the rule hid: fewer than 5, or withheld
}

// Text is a cell of words.
func Text(s string) Cell { return Cell{Text: s} }

// Count is a count of people or referrals: 0 shows as 0, 1 to 4 as "fewer
// than 5", more as the number.
func Count(n int) Cell {
	if n > 0 && n < MinCount {
		return Cell{Text: FewerThan5, n: n, hidden: true}
	}
	return Cell{Text: strconv.Itoa(n), Value: float64(n), Number: true, n: n}
}

// Plain is a count of things that are not people, such as services: no
// small-number rule.
func Plain(n int) Cell {
	return Cell{Text: strconv.Itoa(n), Value: float64(n), Number: true}
}

// Rate is n out of d as a whole percentage, hidden when d is under
// MinCount, and "–" when d is 0.
func Rate(n, d int) Cell {
	switch {
	case d == 0:
		return Cell{Text: "–"}
	case d < MinCount:
		return Cell{Text: NotShown}
	}
	v := 100 * float64(n) / float64(d)
	return Cell{Text: strconv.Itoa(int(math.Round(v))) + "%", Value: math.Round(v*10) / 10, Number: true}
}

// Mean is sum over n to one decimal place, hidden when n is under MinCount.
func Mean(sum float64, n int) Cell {
	switch {
	case n == 0:
		return Cell{Text: "–"}
	case n < MinCount:
		return Cell{Text: NotShown}
	}
	return Decimal(sum / float64(n))
}

// Decimal is a number to one decimal place, with no rule (the caller
// applied it).
func Decimal(v float64) Cell {
	v = math.Round(v*10) / 10
	if v == 0 {
		v = 0 // no "-0.0"
	}
	return Cell{Text: strconv.FormatFloat(v, 'f', 1, 64), Value: v, Number: true}
}

// Hours is a duration in hours (one decimal place), or in days for two
// days and more, hidden when it rests on fewer than MinCount (n).
func Hours(d time.Duration, n int) Cell {
	switch {
	case n == 0:
		return Cell{Text: "–"}
	case n < MinCount:
		return Cell{Text: NotShown}
	}
	h := d.Hours()
	if h >= 48 {
		days := math.Round(h/24*10) / 10
		return Cell{Text: strconv.FormatFloat(days, 'f', 1, 64) + " days", Value: math.Round(h*10) / 10, Number: true}
	}
	return Cell{Text: strconv.FormatFloat(math.Round(h*10)/10, 'f', 1, 64) + " hours", Value: math.Round(h*10) / 10, Number: true}
}

// Days is a number of days, hidden when it rests on fewer than MinCount.
func Days(v float64, n int, unit string) Cell {
	switch {
	case n == 0:
		return Cell{Text: "–"}
	case n < MinCount:
		return Cell{Text: NotShown}
	}
	c := Decimal(v)
	c.Text += " " + unit
	return c
}

// chartLines is the most series a chart draws where it could have more:
// more than there are colours to tell them apart.
const chartLines = 6

// Chart says how a table is drawn where JavaScript runs: its first column
// labels the points and every numeric column is a series (or only those
// in Columns, where the table's columns are not of one kind: a count
// beside hours and rates would share one axis).
type Chart struct {
	Kind    string // "bar", "line" or "" for no chart
	Stacked bool
	Columns []int
}

// Table is one table of a dashboard: what the page shows, what a chart
// draws and what CSV and XLSX downloads hold.
type Table struct {
	ID      string // unique within the dashboard, for downloads
	Title   string
	Note    string // how the figures are counted
	Columns []string
	Rows    [][]Cell
	Chart   Chart

	sums   []sum      // totals shown with their parts, for secondary suppression
	shares [][2]*Cell // a share and the count it is a share of
}

// Row appends a row.
func (t *Table) Row(cells ...Cell) { t.Rows = append(t.Rows, cells) }

// at is the cell in row r, column c; nil when there is none.
func (t *Table) at(r, c int) *Cell {
	if r < 0 || r >= len(t.Rows) || c < 0 || c >= len(t.Rows[r]) {
		return nil
	}
	return &t.Rows[r][c]
}

// across records that in row r the cell in column total is the sum of the
// cells in columns parts. Record sums once the rows are all added.
func (t *Table) across(r, total int, parts ...int) {
	s := sum{total: t.at(r, total)}
	for _, c := range parts {
		s.parts = append(s.parts, t.at(r, c))
	}
	t.sums = append(t.sums, s)
}

// down records that in column c the cell in row total is the sum of the
// cells in rows parts.
func (t *Table) down(c, total int, parts ...int) {
	s := sum{total: t.at(total, c)}
	for _, r := range parts {
		s.parts = append(s.parts, t.at(r, c))
	}
	t.sums = append(t.sums, s)
}

// column is the cells of column c in rows from to to-1.
func (t *Table) column(c, from, to int) []*Cell {
	var out []*Cell
	for r := from; r < to; r++ {
		out = append(out, t.at(r, c))
	}
	return out
}

// shareOf records that, in every row, column share is a share of the
// count in column count: a share of a hidden count is hidden too (else
// the count could be worked back from the share and its denominator).
func (t *Table) shareOf(share, count int) {
	for r := range t.Rows {
		t.shares = append(t.shares, [2]*Cell{t.at(r, share), t.at(r, count)})
	}
}

// span is the whole numbers from from to to-1.
func span(from, to int) []int {
	out := make([]int, 0, max(to-from, 0))
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

// sum is a shown total and the shown counts it adds up, in one table or
// across two (a table's total row and another table's figures).
type sum struct {
	total *Cell
	parts []*Cell
}

// known is a total the table does not show but its shares give away (a
// share's denominator), for a sum.
func known(n int) *Cell {
	c := Count(n)
	return &c
}

// withhold hides a cell by secondary suppression.
func withhold(c *Cell) { *c = Cell{Text: Withheld, n: c.n, hidden: true} }

// protect is secondary suppression, the second half of the small-number
// rule, over a dashboard's tables and the sums that join them (extra):
// whenever a shown total has exactly one hidden count among its parts
// (which the total and the other parts would give away), the smallest
// other part above 0 is withheld too, or the total itself when every other
// part is 0. It repeats until no sum gives a count away (withholding a
// cell can leave another sum with one hidden part), then hides the shares
// of hidden counts, and says so in the notes of the tables it changed.
func protect(tables []Table, extra ...sum) {
	var sums []sum
	for i := range tables {
		sums = append(sums, tables[i].sums...)
	}
	sums = append(sums, extra...)
	for changed := true; changed; {
		changed = false
		for _, s := range sums {
			if s.total == nil || !s.total.Number {
				continue
			}
			hidden := 0
			var next *Cell
			for _, p := range s.parts {
				switch {
				case p == nil:
				case p.hidden:
					hidden++
				case p.Number && p.n > 0 && (next == nil || p.n < next.n):
					next = p
				}
			}
			if hidden != 1 {
				continue
			}
			if next == nil {
				next = s.total
			}
			withhold(next)
			changed = true
		}
	}
	for i := range tables {
		t := &tables[i]
		for _, sh := range t.shares {
			if sh[0] != nil && sh[1] != nil && sh[1].hidden && sh[0].Number {
				withhold(sh[0])
			}
		}
		if t.withholds() && !strings.Contains(t.Note, WithheldNote) {
			t.Note = strings.TrimSpace(t.Note + " " + WithheldNote)
		}
	}
}

// withholds reports whether a cell of the table is withheld.
func (t *Table) withholds() bool {
	for _, r := range t.Rows {
		for _, c := range r {
			if c.Text == Withheld {
				return true
			}
		}
	}
	return false
}

// Cell returns the text of the row whose first cell is label, in column
// col; "" when there is none. Tests and the printable report use it.
func (t *Table) Cell(label string, col int) string {
	for _, r := range t.Rows {
		if len(r) > col && r[0].Text == label {
			return r[col].Text
		}
	}
	return ""
}

// Dashboard is one dashboard's tables for a filter.
type Dashboard struct {
	Name   string
	Title  string
	Filter Filter
	Tables []Table
}

// Table returns the dashboard's table with the id, or nil.
func (d *Dashboard) Table(id string) *Table {
	i := slices.IndexFunc(d.Tables, func(t Table) bool { return t.ID == id })
	if i < 0 {
		return nil
	}
	return &d.Tables[i]
}

// percentile returns the p-th percentile (0 < p < 1, nearest rank) of a
// histogram of whole hours, and the number of values.
func percentile(hist map[int]int, p float64) (time.Duration, int) {
	hs := make([]HourCount, 0, len(hist))
	for h, n := range hist {
		hs = append(hs, HourCount{Hours: h, N: n})
	}
	return percentileOf(hs, p)
}

// percentileOf is percentile of a histogram given as a list (sorted here,
// buckets of the same hours added together).
func percentileOf(hs []HourCount, p float64) (time.Duration, int) {
	n := 0
	for _, h := range hs {
		n += h.N
	}
	if n == 0 {
		return 0, 0
	}
	slices.SortFunc(hs, func(a, b HourCount) int { return cmp.Compare(a.Hours, b.Hours) })
	rank := int(math.Ceil(p * float64(n)))
	if rank < 1 {
		rank = 1
	}
	seen := 0
	for _, h := range hs {
		seen += h.N
		if seen >= rank {
			return time.Duration(h.Hours) * time.Hour, n
		}
	}
	return time.Duration(hs[len(hs)-1].Hours) * time.Hour, n
}

// periods lists the labels of the weeks (starting Monday) or months from
// from to to, and the function that labels a day.
func periods(f Filter) ([]string, func(day string) string) {
	label := func(t time.Time) string {
		if f.Interval == Week {
			wd := (int(t.Weekday()) + 6) % 7
			return t.AddDate(0, 0, -wd).Format("2006-01-02")
		}
		return t.Format("2006-01")
	}
	var out []string
	for d := f.From; d.Before(f.To); d = d.AddDate(0, 0, 1) {
		l := label(d)
		if len(out) == 0 || out[len(out)-1] != l {
			out = append(out, l)
		}
	}
	return out, func(day string) string {
		t, err := time.Parse("2006-01-02", day)
		if err != nil {
			return day
		}
		return label(t)
	}
}

// periodHeading names the period column.
func periodHeading(i Interval) string {
	if i == Week {
		return "Week starting"
	}
	return "Month"
}
