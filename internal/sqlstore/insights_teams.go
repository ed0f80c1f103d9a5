package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark/internal/casework"
	"waymark/internal/insights"
)

// The whole area's team counts by day (insights_incoming_day, _wait_day,
// _contact_day, _discharge_day and _wellbeing_day), for the days before
// the edge. Each run of the job computes them all again from the tables:
// a few hundred thousand rows read, a few tens of thousands written, so
// that late entries, edits to old days and anonymisation (which moves a
// client's dates to the first of the month) need no tracking.

// teamCounts are the team rollups' rows, computed before they are written.
type teamCounts struct {
	incoming   map[[2]string]int // day, source ("" for every referral)
	waits      map[dayCount]int
	contacts   map[[2]string]int // day, contact type
	discharges map[[2]string]int // day, reason
	wellbeing  map[[2]string]*insights.WellbeingSums
}

type dayCount struct {
	day  string
	days int
}

// teamCounts reads the counts of everything before edge.
func (s *InsightsStore) teamCounts(ctx context.Context, c conn, edge time.Time) (*teamCounts, error) {
	t := &teamCounts{incoming: map[[2]string]int{}, waits: map[dayCount]int{}, contacts: map[[2]string]int{},
		discharges: map[[2]string]int{}, wellbeing: map[[2]string]*insights.WellbeingSums{}}
	pairs := func(m map[[2]string]int) func(r rowScanner) error {
		return func(r rowScanner) error {
			var k [2]string
			var n int
			err := r.Scan(&k[0], &k[1], &n)
			m[k] += n
			return err
		}
	}
	err := eachRow(ctx, c, `SELECT day, source, COUNT(*) FROM (SELECT `+s.day("i.received_at")+` AS day, `+incomingSource+` AS source
		FROM sp_incoming i`+incomingJoin+` WHERE i.received_at < ?) x GROUP BY day, source`, []any{edge}, pairs(t.incoming))
	if err == nil {
		err = eachRow(ctx, c, `SELECT `+s.day("received_at")+`, '', COUNT(*) FROM sp_incoming WHERE received_at < ? GROUP BY `+s.day("received_at"),
			[]any{edge}, pairs(t.incoming))
	}
	if err != nil {
		return nil, fmt.Errorf("roll up waiting-list referrals: %w", err)
	}
	// Referrals marked waiting count as waiting now, whatever their date.
	// A wait in working days depends only on the two days in London.
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		return nil, fmt.Errorf("roll up waits: %w", err)
	}
	working := map[[2]string]int{}
	err = eachRow(ctx, c, `SELECT received_at, decided_at FROM sp_incoming WHERE decided_at < ? AND status <> 'waiting'`, []any{edge}, func(r rowScanner) error {
		var received, decided time.Time
		if err := r.Scan(&received, &decided); err != nil {
			return err
		}
		k := [2]string{received.In(london).Format("2006-01-02"), decided.In(london).Format("2006-01-02")}
		days, ok := working[k]
		if !ok {
			days = casework.WorkingDays(received, decided)
			working[k] = days
		}
		t.waits[dayCount{decided.UTC().Format("2006-01-02"), days}]++
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("roll up waits: %w", err)
	}
	err = eachRow(ctx, c, `SELECT day, contact_type, COUNT(*) FROM (SELECT `+s.day("e.at")+` AS day, e.contact_type
		FROM cw_entry e JOIN cw_client c ON c.id = e.client_id WHERE e.kind = ? AND e.at < ?) x GROUP BY day, contact_type`,
		[]any{casework.KindContact, edge}, pairs(t.contacts))
	if err != nil {
		return nil, fmt.Errorf("roll up contacts: %w", err)
	}
	err = eachRow(ctx, c, `SELECT `+s.day("discharged_at")+`, discharge_reason, COUNT(*) FROM cw_client WHERE status = 'discharged' AND discharged_at < ?
		GROUP BY `+s.day("discharged_at")+`, discharge_reason`, []any{edge}, pairs(t.discharges))
	if err != nil {
		return nil, fmt.Errorf("roll up discharges: %w", err)
	}
	var run []insights.MeasureRow
	flush := func() {
		for _, p := range wellbeingPairs(run) {
			k := [2]string{p.last.TakenAt.UTC().Format("2006-01-02"), p.next}
			if t.wellbeing[k] == nil {
				t.wellbeing[k] = &insights.WellbeingSums{}
			}
			t.wellbeing[k].AddPair(p.first, p.last, 1)
		}
		run = run[:0]
	}
	err = eachMeasure(ctx, c, `SELECT client_id, instrument, scores, taken_at FROM cw_measure WHERE taken_at < ? ORDER BY client_id, instrument, taken_at, id`,
		[]any{edge}, func(m insights.MeasureRow) {
			if len(run) > 0 && (run[0].Client != m.Client || run[0].Instrument != m.Instrument) {
				flush()
			}
			run = append(run, m)
		})
	if err != nil {
		return nil, fmt.Errorf("roll up wellbeing: %w", err)
	}
	flush()
	return t, nil
}

// wellbeingPair is a person's first measure on an instrument and a later
// one, which is their latest for a range ending after it and no later than
// next (the day of the measure after it, "" for none).
type wellbeingPair struct {
	first, last insights.MeasureRow
	next        string
}

// wellbeingPairs lists the pairs of one person's measures on one
// instrument (by time, in the order insights.SumWellbeing reads them): a
// measure at the same time as the first is no pair, and one followed by
// another at the same time is never the latest.
func wellbeingPairs(ms []insights.MeasureRow) []wellbeingPair {
	var out []wellbeingPair
	for k := 1; k < len(ms); k++ {
		if ms[k].TakenAt.Equal(ms[0].TakenAt) {
			continue
		}
		next := ""
		if k+1 < len(ms) {
			if ms[k+1].TakenAt.Equal(ms[k].TakenAt) {
				continue
			}
			next = ms[k+1].TakenAt.UTC().Format("2006-01-02")
		}
		out = append(out, wellbeingPair{first: ms[0], last: ms[k], next: next})
	}
	return out
}

// eachMeasure reads measure rows (client, instrument, scores, taken).
func eachMeasure(ctx context.Context, c conn, query string, args []any, fn func(insights.MeasureRow)) error {
	return eachRow(ctx, c, query, args, func(r rowScanner) error {
		var m insights.MeasureRow
		var scores string
		if err := r.Scan(&m.Client, &m.Instrument, &scores, &m.TakenAt); err != nil {
			return err
		}
		var err error
		if m.Scores, err = casework.DecodeScores(scores); err != nil {
			return err
		}
		fn(m)
		return nil
	})
}

// write replaces the team rollups' rows.
func (t *teamCounts) write(ctx context.Context, c conn) error {
	var rows [][]any
	for k, n := range t.incoming {
		rows = append(rows, []any{k[0], k[1], n})
	}
	if err := replaceRows(ctx, c, "insights_incoming_day", "day, source, n", rows); err != nil {
		return err
	}
	rows = rows[:0]
	for k, n := range t.waits {
		rows = append(rows, []any{k.day, k.days, n})
	}
	if err := replaceRows(ctx, c, "insights_wait_day", "day, days, n", rows); err != nil {
		return err
	}
	rows = rows[:0]
	for k, n := range t.contacts {
		rows = append(rows, []any{k[0], k[1], n})
	}
	if err := replaceRows(ctx, c, "insights_contact_day", "day, contact_type, n", rows); err != nil {
		return err
	}
	rows = rows[:0]
	for k, n := range t.discharges {
		rows = append(rows, []any{k[0], k[1], n})
	}
	if err := replaceRows(ctx, c, "insights_discharge_day", "day, reason, n", rows); err != nil {
		return err
	}
	rows = rows[:0]
	for k, sums := range t.wellbeing {
		for scale, w := range sums {
			if w.N != 0 {
				rows = append(rows, []any{scale, k[0], k[1], w.N, w.First, w.Last, w.Improved})
			}
		}
	}
	return replaceRows(ctx, c, "insights_wellbeing_day", "scale, day, next_day, n, first_sum, last_sum, improved", rows)
}

// replaceRows empties a table and inserts rows, many a statement.
func replaceRows(ctx context.Context, c conn, table, cols string, rows [][]any) error {
	if err := c.exec(ctx, `DELETE FROM `+table); err != nil {
		return fmt.Errorf("clear %s: %w", table, err)
	}
	for len(rows) > 0 {
		n := min(len(rows), 200)
		var args []any
		values := make([]string, n)
		for i, r := range rows[:n] {
			args = append(args, r...)
			values[i] = "(" + placeholders(len(r)) + ")"
		}
		if err := c.exec(ctx, `INSERT INTO `+table+` (`+cols+`) VALUES `+strings.Join(values, ", "), args...); err != nil {
			return fmt.Errorf("fill %s: %w", table, err)
		}
		rows = rows[n:]
	}
	return nil
}

// Wellbeing pairs each client's first and latest measures (as
// insights.SumWellbeing): for the whole area, the pairs whose latest
// measure was taken before the edge from the rollups, and those of the
// clients measured since from their measures.
func (s *InsightsStore) Wellbeing(ctx context.Context, q insights.Query) (insights.WellbeingSums, error) {
	var sums insights.WellbeingSums
	rolled, rest, err := s.split(ctx, q, teamsRollup)
	if err != nil {
		return sums, err
	}
	midnight := func(t time.Time) bool { return t.Equal(dayStart(t.UTC().Format("2006-01-02"))) }
	if rolled == nil || !midnight(q.From) || !midnight(q.To) {
		rows, err := s.measures(ctx, q)
		if err != nil {
			return sums, err
		}
		return insights.SumWellbeing(q.Filter, rows), nil
	}
	toDay := q.To.UTC().Format("2006-01-02")
	err = eachRow(ctx, s.db.reader(), `SELECT scale, SUM(n), SUM(first_sum), SUM(last_sum), SUM(improved) FROM insights_wellbeing_day
		WHERE day >= ? AND day < ? AND (next_day = '' OR next_day >= ?) GROUP BY scale`, []any{rolled[0], rolled[1], toDay}, func(r rowScanner) error {
		var scale int
		var w insights.WellbeingSum
		if err := r.Scan(&scale, &w.N, &w.First, &w.Last, &w.Improved); err != nil {
			return err
		}
		if scale >= 0 && scale < insights.Scales {
			sums[scale] = w
		}
		return nil
	})
	if err != nil {
		return sums, fmt.Errorf("rolled-up wellbeing: %w", err)
	}
	if !rest.From.Before(rest.To) {
		return sums, nil
	}
	// The people measured since the edge: their pair in the rollups makes
	// way for their pair now.
	edge := rest.From
	var rows []insights.MeasureRow
	err = eachMeasure(ctx, s.db.reader(), `SELECT m.client_id, m.instrument, m.scores, m.taken_at FROM cw_measure m
		WHERE m.client_id IN (SELECT client_id FROM cw_measure WHERE taken_at >= ? AND taken_at < ?) AND m.taken_at < ?
		ORDER BY m.client_id, m.taken_at, m.id`, []any{edge, q.To, q.To}, func(m insights.MeasureRow) { rows = append(rows, m) })
	if err != nil {
		return sums, fmt.Errorf("wellbeing since the rollups: %w", err)
	}
	measured := map[[2]string]bool{}
	for _, m := range rows {
		if !m.TakenAt.Before(edge) {
			measured[[2]string{m.Client, m.Instrument}] = true
		}
	}
	byKey := map[[2]string][]insights.MeasureRow{}
	var keys [][2]string
	for _, m := range rows {
		k := [2]string{m.Client, m.Instrument}
		if !measured[k] {
			continue
		}
		if byKey[k] == nil {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], m)
	}
	var now []insights.MeasureRow
	for _, k := range keys {
		ms := byKey[k]
		now = append(now, ms...)
		before := ms[:slices.IndexFunc(ms, func(m insights.MeasureRow) bool { return !m.TakenAt.Before(edge) })]
		for _, p := range wellbeingPairs(before) {
			if p.next == "" && !p.last.TakenAt.Before(q.From) {
				sums.AddPair(p.first, p.last, -1)
			}
		}
	}
	sums.Add(insights.SumWellbeing(q.Filter, now), 1)
	return sums, nil
}
