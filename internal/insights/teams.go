package insights

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"waymark/internal/casework"
)

// Waits are a waiting list now and the waits of the referrals accepted or
// declined in the range.
type Waits struct {
	// Waiting is when each referral waiting now came.
	Waiting []time.Time
	// Decided counts the referrals decided in the range by the working
	// days they waited (casework.WorkingDays from arrival to decision).
	Decided map[int]int
}

// Caseload is one link worker's open cases (waiting, active or on hold).
type Caseload struct {
	Team   string // the team's name
	Worker string // their name, "" for clients not allocated
	Open   int
}

// ContactDay counts a team's contacts with clients on one day by type.
type ContactDay struct {
	Day, Type string
	N         int
}

// ReasonCount counts discharges by reason.
type ReasonCount struct {
	Reason string
	N      int
}

// MeasureRow is one outcome measure taken. Client is an opaque key that
// only tells one person's measures from another's.
type MeasureRow struct {
	Client     string
	Instrument string
	Scores     []int
	TakenAt    time.Time
}

// TeamStore answers the team questions, for the teams in q.Scope (every
// team when All).
type TeamStore interface {
	// Waits are the waiting-list referrals still waiting at q.Now and
	// the waits of those accepted or declined in the range.
	Waits(ctx context.Context, q Query) (*Waits, error)
	// Caseloads counts each link worker's open cases now.
	Caseloads(ctx context.Context, q Query) ([]Caseload, error)
	// Contacts counts contacts recorded in the range by day and type.
	Contacts(ctx context.Context, q Query) ([]ContactDay, error)
	// Discharges counts discharges in the range by reason.
	Discharges(ctx context.Context, q Query) ([]ReasonCount, error)
	// Wellbeing pairs each client's first and latest measure before the
	// range ends, for the clients whose latest was taken in the range (as
	// SumWellbeing does).
	Wellbeing(ctx context.Context, q Query) (WellbeingSums, error)
}

// Meaningful changes: how much a person's score must improve to count as
// improved. SWEMWBS: 3 metric points (Warwick Medical School's guidance on
// meaningful change for an individual); ONS4: 1 point on the 0 to 10 scale
// (down for anxiety).
const (
	MeaningfulSWEMWBS = 3.0
	MeaningfulONS4    = 1.0
)

// Teams is the social prescribing team dashboard: the waiting list and its
// waits against the first-contact target, caseloads, contacts, discharges
// and wellbeing change. Errors: as Access, EINVALID for a bad filter.
func (s *Insights) Teams(ctx context.Context, f Filter) (*Dashboard, error) {
	_, q, err := s.query(ctx, DashTeams, f)
	if err != nil {
		return nil, err
	}
	d := &Dashboard{Name: DashTeams, Title: "Social prescribing teams", Filter: q.Filter}
	waits, err := s.store.Waits(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("waits: %w", err)
	}
	d.Tables = append(d.Tables, s.waitTable(q, waits))

	loads, err := s.store.Caseloads(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("caseloads: %w", err)
	}
	cl := Table{ID: "caseloads", Title: "Caseload per link worker", Columns: []string{"Link worker", "Team", "Open cases"}, Chart: Chart{Kind: "bar"},
		Note: "Clients waiting, active or on hold now, by their link worker."}
	for _, l := range loads {
		name := l.Worker
		if name == "" {
			name = "Not allocated"
		}
		cl.Row(Text(name), Text(l.Team), Count(l.Open))
	}
	d.Tables = append(d.Tables, cl)

	contacts, err := s.store.Contacts(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("contacts: %w", err)
	}
	d.Tables = append(d.Tables, contactTable(q.Filter, contacts))

	dis, err := s.store.Discharges(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("discharges: %w", err)
	}
	byReason, all := map[string]int{}, 0
	for _, r := range dis {
		byReason[r.Reason] += r.N
		all += r.N
	}
	dt := Table{ID: "discharges", Title: "Discharges by reason", Columns: []string{"Reason", "People", "Share"}, Chart: Chart{Kind: "bar"}}
	for _, r := range casework.DischargeReasons {
		dt.Row(Text(r.Label), Count(byReason[r.Key]), Rate(byReason[r.Key], all))
	}
	dt.Row(Text("All"), Count(all), Text(""))
	dt.down(1, len(casework.DischargeReasons), span(0, len(casework.DischargeReasons))...)
	dt.shareOf(2, 1)
	d.Tables = append(d.Tables, dt)

	ws, err := s.store.Wellbeing(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("wellbeing: %w", err)
	}
	d.Tables = append(d.Tables, wellbeing(ws))
	protect(d.Tables)
	return d, nil
}

// waitTable is the waiting list now and the waits of the referrals decided
// in the range, in working days against the target.
func (s *Insights) waitTable(q Query, waits *Waits) Table {
	target := s.cfg.FirstContactDays
	var now, over, decided, inTime int
	var nowDays []int
	for _, received := range waits.Waiting {
		days := casework.WorkingDays(received, q.Now)
		now++
		nowDays = append(nowDays, days)
		if days > target {
			over++
		}
	}
	for days, n := range waits.Decided {
		decided += n
		if days <= target {
			inTime += n
		}
	}
	t := Table{ID: "waiting", Title: "Waiting list and waiting times", Columns: []string{"Measure", "Value"},
		Note: fmt.Sprintf("Waits are in working days (Monday to Friday) against the first-contact target of %d working days. \"Now\" is when the page was made; the others are referrals a link worker accepted or declined in the range.", target)}
	t.Row(Text("Waiting now"), Count(now))
	t.Row(Text("Waiting longer than the target now"), Count(over))
	t.Row(Text("Median wait so far"), Days(median(nowDays), len(nowDays), "working days"))
	t.Row(Text("Accepted or declined in the range"), Count(decided))
	t.Row(Text("Median wait to be accepted or declined"), Days(histMedian(waits.Decided), decided, "working days"))
	t.Row(Text("Accepted or declined within the target"), Rate(inTime, decided))
	return t
}

// median is the median of whole numbers.
func median(xs []int) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	m := len(xs) / 2
	if len(xs)%2 == 1 {
		return float64(xs[m])
	}
	return float64(xs[m-1]+xs[m]) / 2
}

// histMedian is the median of whole numbers given as a histogram.
func histMedian(hist map[int]int) float64 {
	n := 0
	for _, c := range hist {
		n += c
	}
	if n == 0 {
		return 0
	}
	// The values at ranks n/2 and (n+1)/2 (from 1): the same value when n
	// is odd, the two middle ones when even.
	lo, hi := (n+1)/2, n/2+1
	var a, b float64
	seen := 0
	for _, v := range slices.Sorted(maps.Keys(hist)) {
		prev := seen
		seen += hist[v]
		if prev < lo && lo <= seen {
			a = float64(v)
		}
		if prev < hi && hi <= seen {
			b = float64(v)
		}
	}
	if n%2 == 1 {
		return a
	}
	return (a + b) / 2
}

// contactTable is contacts over time by type.
func contactTable(f Filter, list []ContactDay) Table {
	labels, label := periods(f)
	counts := map[string]map[string]int{}
	for _, c := range list {
		p := label(c.Day)
		if counts[p] == nil {
			counts[p] = map[string]int{}
		}
		counts[p][c.Type] += c.N
	}
	t := Table{ID: "contacts", Title: "Contacts with clients", Chart: Chart{Kind: "bar", Stacked: true},
		Columns: []string{periodHeading(f.Interval)}}
	for _, ct := range casework.ContactTypes {
		t.Columns = append(t.Columns, ct.Label)
	}
	t.Columns = append(t.Columns, "All")
	for _, p := range labels {
		row := []Cell{Text(p)}
		all := 0
		for _, ct := range casework.ContactTypes {
			row = append(row, Count(counts[p][ct.Key]))
			all += counts[p][ct.Key]
		}
		for k, n := range counts[p] {
			if !slices.ContainsFunc(casework.ContactTypes, func(o casework.Option) bool { return o.Key == k }) {
				all += n
			}
		}
		t.Row(append(row, Count(all))...)
		t.across(len(t.Rows)-1, len(casework.ContactTypes)+1, span(1, len(casework.ContactTypes)+1)...)
	}
	return t
}

// measureScale is one score a wellbeing table reports.
type measureScale struct {
	label      string
	instrument string
	score      func([]int) (float64, bool)
	better     float64 // the meaningful change, negative when lower is better
}

var scales = [Scales]measureScale{
	{"SWEMWBS (metric score, 7 to 35)", casework.SWEMWBS, swemwbsScore, MeaningfulSWEMWBS},
	{"ONS4 life satisfaction (0 to 10)", casework.ONS4, item(0), MeaningfulONS4},
	{"ONS4 worthwhile (0 to 10)", casework.ONS4, item(1), MeaningfulONS4},
	{"ONS4 happiness (0 to 10)", casework.ONS4, item(2), MeaningfulONS4},
	{"ONS4 anxiety (0 to 10, lower is better)", casework.ONS4, item(3), -MeaningfulONS4},
}

// Scales is how many scales the wellbeing table reports (its rows).
const Scales = 5

func swemwbsScore(answers []int) (float64, bool) {
	if len(answers) != 7 {
		return 0, false
	}
	raw := 0
	for _, a := range answers {
		raw += a
	}
	v, err := casework.SWEMWBSMetric(raw)
	return v, err == nil
}

func item(i int) func([]int) (float64, bool) {
	return func(answers []int) (float64, bool) {
		if len(answers) != 4 {
			return 0, false
		}
		return float64(answers[i]), true
	}
}

// WellbeingSum is one scale's figures: N people, the sums of their first
// and latest scores in hundredths (SWEMWBS metric scores have two
// decimals), and how many improved by a meaningful amount. Whole
// hundredths add up exactly, in any order.
type WellbeingSum struct {
	N, First, Last, Improved int
}

// WellbeingSums are every scale's figures, in the table's order.
type WellbeingSums [Scales]WellbeingSum

// Add adds (sign 1) or takes away (sign -1) o.
func (w *WellbeingSums) Add(o WellbeingSums, sign int) {
	for i := range w {
		w[i].N += sign * o[i].N
		w[i].First += sign * o[i].First
		w[i].Last += sign * o[i].Last
		w[i].Improved += sign * o[i].Improved
	}
}

// AddPair adds (sign 1) or takes away (sign -1) a person's first and
// latest measure on one instrument to the scales they answer.
func (w *WellbeingSums) AddPair(first, last MeasureRow, sign int) {
	for i, sc := range scales {
		if first.Instrument != sc.instrument || last.Instrument != sc.instrument {
			continue
		}
		a, ok1 := sc.score(first.Scores)
		b, ok2 := sc.score(last.Scores)
		if !ok1 || !ok2 {
			continue
		}
		ha, hb := int(math.Round(a*100)), int(math.Round(b*100))
		w[i].N += sign
		w[i].First += sign * ha
		w[i].Last += sign * hb
		if better := int(math.Round(sc.better * 100)); (better > 0 && hb-ha >= better) || (better < 0 && hb-ha <= better) {
			w[i].Improved += sign
		}
	}
}

// SumWellbeing compares each person's first and latest measure on each
// instrument (rows by client and time), for people whose latest measure
// before the range ends was taken in the range and who have at least two
// (at different times). Of measures taken at the same time, the one
// listed last counts as the later.
func SumWellbeing(f Filter, rows []MeasureRow) WellbeingSums {
	type pair struct{ first, last MeasureRow }
	pairs := map[string]*pair{}
	var keys []string
	for _, r := range rows {
		if !r.TakenAt.Before(f.To) {
			continue
		}
		k := r.Client + "\x00" + r.Instrument
		p, ok := pairs[k]
		if !ok {
			pairs[k] = &pair{first: r, last: r}
			keys = append(keys, k)
			continue
		}
		if r.TakenAt.Before(p.first.TakenAt) {
			p.first = r
		}
		if !r.TakenAt.Before(p.last.TakenAt) {
			p.last = r
		}
	}
	var sums WellbeingSums
	for _, k := range keys {
		p := pairs[k]
		if p.first.TakenAt.Equal(p.last.TakenAt) || p.last.TakenAt.Before(f.From) {
			continue
		}
		sums.AddPair(p.first, p.last, 1)
	}
	return sums
}

// wellbeing is the table of first against latest scores.
func wellbeing(sums WellbeingSums) Table {
	t := Table{ID: "wellbeing", Title: "Wellbeing change, first against latest", Chart: Chart{Kind: "bar", Columns: []int{2, 3}},
		Columns: []string{"Measure", "People", "Mean first score", "Mean latest score", "Mean change", "Improved by a meaningful amount"},
		Note: fmt.Sprintf("People with at least two measures whose latest was taken in the range. A meaningful improvement is %.0f metric points or more on SWEMWBS and %.0f point or more on an ONS4 question (a fall, for anxiety).",
			MeaningfulSWEMWBS, MeaningfulONS4)}
	for i, sc := range scales {
		w := sums[i]
		t.Row(Text(sc.label), Count(w.N), Mean(float64(w.First)/100, w.N), Mean(float64(w.Last)/100, w.N), Mean(float64(w.Last-w.First)/100, w.N), Rate(w.Improved, w.N))
	}
	return t
}
