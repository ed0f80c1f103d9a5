package sqlstore

import (
	"context"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"waymark/internal/insights"
)

// Running totals of each service's referrals (insights_service_total),
// for the provider dashboard of the whole area or of a provider (the
// totals are kept by the referral's organisation, as a provider's scope
// reads referrals). A row holds a service's figures over the referrals
// made before upto, a boundary day: the first of every
// month, and the rollups' edge (the first day not rolled up). A range's
// figures are the totals at its upper boundary less those at its lower
// one, with the days between a boundary and the range's own ends counted
// from the referrals (added or taken away). Each boundary is the nearest
// to the range's end, so at most half a month is counted at either end,
// and a range ending today counts only today. So the dashboard reads two
// rows a service, whatever the range.
//
// A service has a row at every boundary after its first referral; no row
// is a total of nothing. The job moves the edge forward each day from the
// last edge's totals and the new days' referrals, and recomputes every
// total of a service one of whose referrals changed (updated or rated)
// since it last ran.

// serviceTotal is a service's figures with its histogram of whole hours
// to the first answer.
type serviceTotal struct {
	f     insights.ServiceFigures
	hours map[int]int
}

// add adds (sign 1) or takes away (sign -1) o.
func (t *serviceTotal) add(o *serviceTotal, sign int) {
	f, g := &t.f, o.f
	f.Received += sign * g.Received
	f.Answered += sign * g.Answered
	f.Accepted += sign * g.Accepted
	f.AttendanceKnown += sign * g.AttendanceKnown
	f.Attended += sign * g.Attended
	f.Rated += sign * g.Rated
	f.ScoreSum += sign * g.ScoreSum
	for i := range f.Scores {
		f.Scores[i] += sign * g.Scores[i]
	}
	f.MetYes += sign * g.MetYes
	f.MetNo += sign * g.MetNo
	if t.hours == nil && len(o.hours) > 0 {
		t.hours = map[int]int{}
	}
	for h, n := range o.hours {
		if t.hours[h] += sign * n; t.hours[h] == 0 {
			delete(t.hours, h)
		}
	}
}

// counts are the figures' counts in the order they are stored.
func (t *serviceTotal) counts() []*int {
	f := &t.f
	return []*int{&f.Received, &f.Answered, &f.Accepted, &f.AttendanceKnown, &f.Attended, &f.Rated, &f.ScoreSum,
		&f.Scores[1], &f.Scores[2], &f.Scores[3], &f.Scores[4], &f.Scores[5], &f.MetYes, &f.MetNo}
}

// encode writes a total as signed varints: the counts, then the
// histogram's hours and counts, by hours. One column reads much faster
// than sixteen.
func (t *serviceTotal) encode() []byte {
	b := []byte{}
	for _, c := range t.counts() {
		b = binary.AppendVarint(b, int64(*c))
	}
	for _, h := range slices.Sorted(maps.Keys(t.hours)) {
		b = binary.AppendVarint(b, int64(h))
		b = binary.AppendVarint(b, int64(t.hours[h]))
	}
	return b
}

// decodeTotal reads encode's total of a service, without its histogram
// unless hours.
func decodeTotal(id string, b []byte, hours bool) (*serviceTotal, error) {
	t := &serviceTotal{f: insights.ServiceFigures{ServiceID: id}}
	if hours {
		t.hours = map[int]int{}
	}
	next := func() (int, bool) {
		v, n := binary.Varint(b)
		if n <= 0 {
			return 0, false
		}
		b = b[n:]
		return int(v), true
	}
	for _, c := range t.counts() {
		v, ok := next()
		if !ok {
			return nil, fmt.Errorf("service %s: bad totals", id)
		}
		*c = v
	}
	for hours && len(b) > 0 {
		h, ok1 := next()
		n, ok2 := next()
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("service %s: bad hours", id)
		}
		t.hours[h] = n
	}
	return t, nil
}

// decodeHours reads the histogram of encode's total as a list by hours,
// without a map.
func decodeHours(id string, b []byte) ([]insights.HourCount, error) {
	for range (&serviceTotal{}).counts() {
		_, n := binary.Varint(b)
		if n <= 0 {
			return nil, fmt.Errorf("service %s: bad totals", id)
		}
		b = b[n:]
	}
	var out []insights.HourCount
	for len(b) > 0 {
		h, n := binary.Varint(b)
		if n <= 0 {
			return nil, fmt.Errorf("service %s: bad hours", id)
		}
		c, m := binary.Varint(b[n:])
		if m <= 0 {
			return nil, fmt.Errorf("service %s: bad hours", id)
		}
		out = append(out, insights.HourCount{ServiceID: id, Hours: int(h), N: int(c)})
		b = b[n+m:]
	}
	return out, nil
}

// servicePlan is how the whole area's figures of each service over a
// range come from the running totals: those at upper less those at lower,
// with the referrals of the segments added (sign 1) or taken away (-1).
type servicePlan struct {
	q            insights.Query
	lower, upper string
	segments     []segment
}

type segment struct {
	from, to time.Time
	sign     int
}

// planServices plans q from the running totals, or returns nil when they
// cannot answer it: neither the whole area nor a provider's, not rolled
// up yet, or a range
// starting on or after the edge, or too short to reach a boundary.
func (s *InsightsStore) planServices(ctx context.Context, q insights.Query) (*servicePlan, error) {
	if !wholeArea(q) && !providerOnly(q) {
		return nil, nil
	}
	through, _, err := s.rolledThrough(ctx, s.db.reader(), servicesRollup)
	if err != nil || through == "" {
		return nil, err
	}
	edge := dayStart(through)
	if !q.From.Before(edge) {
		return nil, nil
	}
	lower, upper := nearestBoundary(q.From, edge), edge
	if q.To.Before(edge) {
		upper = nearestBoundary(q.To, edge)
	}
	if !lower.Before(upper) {
		return nil, nil
	}
	p := &servicePlan{q: q, lower: lower.Format("2006-01-02"), upper: upper.Format("2006-01-02")}
	if lower.Before(q.From) {
		p.segments = append(p.segments, segment{lower, q.From, -1})
	} else if q.From.Before(lower) {
		p.segments = append(p.segments, segment{q.From, lower, 1})
	}
	if upper.Before(q.To) {
		p.segments = append(p.segments, segment{upper, q.To, 1})
	} else if q.To.Before(upper) {
		p.segments = append(p.segments, segment{q.To, upper, -1})
	}
	return p, nil
}

// providerOnly reports whether q asks for a provider's services and
// nothing else: its organisations' referrals, which the totals hold by
// organisation.
func providerOnly(q insights.Query) bool {
	return !q.Scope.All && len(q.Scope.OrganizationIDs) > 0 && len(q.Scope.TeamIDs) == 0 && q.Area == "" && q.ServiceID == ""
}

// orgFilter is the condition on totals t of p's organisations, if any.
func (p *servicePlan) orgFilter() (string, []any) {
	if p.q.Scope.All {
		return "", nil
	}
	return " AND t.organization_id IN (" + placeholders(len(p.q.Scope.OrganizationIDs)) + ")", anys(p.q.Scope.OrganizationIDs)
}

// segmentQuery is p's query over a segment.
func (p *servicePlan) segmentQuery(seg *segment) insights.Query {
	q := p.q
	q.From, q.To = seg.from, seg.to
	return q
}

// nearestBoundary is the boundary nearest t (before edge): the first of
// its month or of the next, or the edge when that comes first.
func nearestBoundary(t, edge time.Time) time.Time {
	t = t.UTC()
	floor := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	ceil := floor.AddDate(0, 1, 0)
	if ceil.After(edge) {
		ceil = edge
	}
	if t.Sub(floor) <= ceil.Sub(t) {
		return floor
	}
	return ceil
}

// planned adds up a plan: read gives the totals at both boundaries (seg
// nil; sign 1 at upper, -1 at lower), then each segment's.
func planned(p *servicePlan, read func(seg *segment, add func(id, name string, sign int, t *serviceTotal)) error) (map[string]*serviceTotal, error) {
	out := map[string]*serviceTotal{}
	add := func(id, name string, sign int, t *serviceTotal) {
		o := out[id]
		if o == nil {
			o = &serviceTotal{}
			out[id] = o
		}
		if name != "" {
			o.f.ServiceID, o.f.Name = id, name
		}
		o.add(t, sign)
	}
	if err := read(nil, add); err != nil {
		return nil, err
	}
	for i := range p.segments {
		if err := read(&p.segments[i], add); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// rolledServiceFigures is ServiceFigures from the running totals.
func (s *InsightsStore) rolledServiceFigures(ctx context.Context, p *servicePlan) ([]insights.ServiceFigures, error) {
	totals, err := planned(p, func(seg *segment, add func(string, string, int, *serviceTotal)) error {
		if seg != nil {
			figs, err := s.serviceFigures(ctx, p.segmentQuery(seg))
			for _, f := range figs {
				add(f.ServiceID, f.Name, seg.sign, &serviceTotal{f: f})
			}
			return err
		}
		return s.readTotals(ctx, p, add)
	})
	if err != nil {
		return nil, err
	}
	out := make([]insights.ServiceFigures, 0, len(totals))
	for _, t := range totals {
		if t.f.Received > 0 {
			out = append(out, t.f)
		}
	}
	return out, nil
}

// readTotals adds the totals at p's upper boundary, with the services'
// names, and takes away those at its lower one.
func (s *InsightsStore) readTotals(ctx context.Context, p *servicePlan, add func(string, string, int, *serviceTotal)) error {
	orgs, orgArgs := p.orgFilter()
	for _, b := range []struct {
		upto string
		sign int
	}{{p.upper, 1}, {p.lower, -1}} {
		query := `SELECT t.service_id, '', t.figures FROM insights_service_total t WHERE t.upto = ?` + orgs
		if b.sign == 1 {
			// A service with a total at lower has one at upper.
			query = `SELECT t.service_id, s.name, t.figures FROM insights_service_total t JOIN service s ON s.id = t.service_id WHERE t.upto = ?` + orgs
		}
		err := eachRow(ctx, s.db.reader(), query, append([]any{b.upto}, orgArgs...), func(r rowScanner) error {
			var id, name string
			var raw []byte
			if err := r.Scan(&id, &name, &raw); err != nil {
				return err
			}
			t, err := decodeTotal(id, raw, false)
			if err != nil {
				return err
			}
			add(id, name, b.sign, t)
			return nil
		})
		if err != nil {
			return fmt.Errorf("service totals at %s: %w", b.upto, err)
		}
	}
	return nil
}

// rolledServiceHours is ResponseHours by service from the running totals:
// each service's histogram at upper less the one at lower, with the
// segments', merged as lists sorted by hours.
func (s *InsightsStore) rolledServiceHours(ctx context.Context, p *servicePlan) ([]insights.HourCount, error) {
	hists := map[string][]insights.HourCount{}
	orgs, orgArgs := p.orgFilter()
	for _, b := range []struct {
		upto string
		sign int
	}{{p.upper, 1}, {p.lower, -1}} {
		err := eachRow(ctx, s.db.reader(), `SELECT t.service_id, t.figures FROM insights_service_total t WHERE t.upto = ?`+orgs, append([]any{b.upto}, orgArgs...), func(r rowScanner) error {
			var id string
			var raw []byte
			if err := r.Scan(&id, &raw); err != nil {
				return err
			}
			hs, err := decodeHours(id, raw)
			if err != nil {
				return err
			}
			hists[id] = mergeHours(hists[id], hs, b.sign)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("service hours at %s: %w", b.upto, err)
		}
	}
	for i := range p.segments {
		seg := &p.segments[i]
		hist, err := s.responseHours(ctx, p.segmentQuery(seg), "r.service_id")
		if err != nil {
			return nil, err
		}
		for _, h := range hist {
			hists[h.ServiceID] = mergeHours(hists[h.ServiceID], []insights.HourCount{h}, seg.sign)
		}
	}
	var out []insights.HourCount
	for _, hs := range hists {
		for _, h := range hs {
			if h.N > 0 {
				out = append(out, h)
			}
		}
	}
	return out, nil
}

// mergeHours adds (sign 1) or takes away (-1) b from a, both by hours.
func mergeHours(a, b []insights.HourCount, sign int) []insights.HourCount {
	out := make([]insights.HourCount, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || i < len(a) && a[i].Hours < b[j].Hours:
			out = append(out, a[i])
			i++
		case i == len(a) || b[j].Hours < a[i].Hours:
			h := b[j]
			h.N *= sign
			out = append(out, h)
			j++
		default:
			h := a[i]
			h.N += sign * b[j].N
			out = append(out, h)
			i++
			j++
		}
	}
	return out
}

// rollServices brings the running totals up to today: the first run
// computes them all; later runs move the edge to today (when the day has
// changed) and recompute the services whose referrals changed.
func (s *InsightsStore) rollServices(ctx context.Context, c conn, today string, now time.Time) error {
	through, ran, err := s.rolledThrough(ctx, c, servicesRollup)
	if err != nil {
		return err
	}
	if through == "" {
		if err := s.recomputeServices(ctx, c, nil, today); err != nil {
			return err
		}
		return saveRolled(ctx, c, servicesRollup, today, now)
	}
	if through < today {
		if err := s.advanceServices(ctx, c, through, today); err != nil {
			return err
		}
	}
	since := ran.Add(-rollupSlack)
	changed, err := columnStrings(ctx, c, `SELECT DISTINCT CAST(service_id AS TEXT) FROM referral WHERE updated_at >= ? AND created_at < ?
		UNION SELECT DISTINCT CAST(service_id AS TEXT) FROM referral WHERE rated_at >= ? AND created_at < ?`,
		[]any{since, dayStart(today), since, dayStart(today)})
	if err != nil {
		return fmt.Errorf("changed services: %w", err)
	}
	for len(changed) > 0 {
		n := min(len(changed), 500)
		if err := s.recomputeServices(ctx, c, changed[:n], today); err != nil {
			return err
		}
		changed = changed[n:]
	}
	return saveRolled(ctx, c, servicesRollup, today, now)
}

// advanceServices moves the edge from one day to a later one: the totals
// at each new boundary are those at the one before and the referrals
// between. The old edge's totals go unless it is the first of a month.
func (s *InsightsStore) advanceServices(ctx context.Context, c conn, from, to string) error {
	totals := map[string]*serviceTotal{}
	err := eachRow(ctx, c, `SELECT service_id, organization_id, figures FROM insights_service_total WHERE upto = ?`, []any{from}, func(r rowScanner) error {
		var id, org string
		var raw []byte
		if err := r.Scan(&id, &org, &raw); err != nil {
			return err
		}
		t, err := decodeTotal(id, raw, true)
		totals[id+" "+org] = t
		return err
	})
	if err != nil {
		return fmt.Errorf("service totals at %s: %w", from, err)
	}
	prev := dayStart(from)
	for _, b := range boundaries(prev, dayStart(to)) {
		delta, err := s.referralTotals(ctx, c, "r.created_at >= ? AND r.created_at < ?", []any{prev, b})
		if err != nil {
			return err
		}
		for id, d := range delta {
			if totals[id] == nil {
				totals[id] = &serviceTotal{f: insights.ServiceFigures{ServiceID: id}}
			}
			totals[id].add(d, 1)
		}
		if err := insertTotals(ctx, c, b.Format("2006-01-02"), totals); err != nil {
			return err
		}
		prev = b
	}
	if dayStart(from).Day() != 1 {
		if err := c.exec(ctx, `DELETE FROM insights_service_total WHERE upto = ?`, from); err != nil {
			return fmt.Errorf("old edge totals: %w", err)
		}
	}
	return nil
}

// boundaries lists the boundaries after from up to edge: the firsts of
// months, then the edge.
func boundaries(from, edge time.Time) []time.Time {
	var out []time.Time
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0); m.Before(edge); m = m.AddDate(0, 1, 0) {
		out = append(out, m)
	}
	return append(out, edge)
}

// recomputeServices computes every total of the services (nil for all)
// from their referrals made before edge.
func (s *InsightsStore) recomputeServices(ctx context.Context, c conn, ids []string, edge string) error {
	cond, args := "r.created_at < ?", []any{dayStart(edge)}
	del, delArgs := `DELETE FROM insights_service_total`, []any{}
	if ids != nil {
		cond += " AND r.service_id IN (" + placeholders(len(ids)) + ")"
		args = append(args, anys(ids)...)
		del += " WHERE service_id IN (" + placeholders(len(ids)) + ")"
		delArgs = anys(ids)
	}
	// Each service's referrals by month.
	months := map[string]map[string]*serviceTotal{}
	first := ""
	err := s.eachReferralTotal(ctx, c, cond, args, func(id, day string, t *serviceTotal) {
		if months[id] == nil {
			months[id] = map[string]*serviceTotal{}
		}
		m := day[:7]
		if months[id][m] == nil {
			months[id][m] = &serviceTotal{f: insights.ServiceFigures{ServiceID: id}}
		}
		months[id][m].add(t, 1)
		if first == "" || m < first {
			first = m
		}
	})
	if err != nil {
		return err
	}
	if err := c.exec(ctx, del, delArgs...); err != nil {
		return fmt.Errorf("clear service totals: %w", err)
	}
	if first == "" {
		return nil
	}
	start, _ := time.Parse("2006-01", first)
	running := map[string]*serviceTotal{}
	prev := start
	for _, b := range boundaries(start, dayStart(edge)) {
		// The months from prev (inclusive) to b (exclusive) join the totals.
		for m := prev; m.Before(b); m = m.AddDate(0, 1, 0) {
			key := m.Format("2006-01")
			for id, byMonth := range months {
				if t := byMonth[key]; t != nil {
					if running[id] == nil {
						running[id] = &serviceTotal{f: insights.ServiceFigures{ServiceID: id}}
					}
					running[id].add(t, 1)
				}
			}
		}
		if err := insertTotals(ctx, c, b.Format("2006-01-02"), running); err != nil {
			return err
		}
		prev = b
	}
	return nil
}

// referralTotals adds up the referrals matching cond by service.
func (s *InsightsStore) referralTotals(ctx context.Context, c conn, cond string, args []any) (map[string]*serviceTotal, error) {
	out := map[string]*serviceTotal{}
	err := s.eachReferralTotal(ctx, c, cond, args, func(id, _ string, t *serviceTotal) {
		if out[id] == nil {
			out[id] = &serviceTotal{f: insights.ServiceFigures{ServiceID: id}}
		}
		out[id].add(t, 1)
	})
	return out, err
}

// eachReferralTotal calls fn with each referral r matching cond as a
// total of one, with its key (service and organisation ids, by a space)
// and day; the figures are worked out as
// serviceFigures and responseHours work them out.
func (s *InsightsStore) eachReferralTotal(ctx context.Context, c conn, cond string, args []any, fn func(id, day string, t *serviceTotal)) error {
	err := eachRow(ctx, c, `SELECT r.service_id, r.organization_id, `+s.day("r.created_at")+`,
		CASE WHEN r.responded_at IS NOT NULL OR r.status = 'auto_declined' THEN 1 ELSE 0 END,
		CASE WHEN r.responded_at IS NOT NULL AND r.status <> 'declined' THEN 1 ELSE 0 END,
		CASE WHEN r.attendance <> '' THEN 1 ELSE 0 END,
		CASE WHEN r.attendance = 'attended' THEN 1 ELSE 0 END,
		r.score, CASE WHEN r.score > 0 AND r.met_needs = TRUE THEN 1 WHEN r.score > 0 AND r.met_needs = FALSE THEN 2 ELSE 0 END,
		CASE WHEN r.responded_at IS NULL THEN NULL ELSE `+s.minutes("r.created_at", "r.responded_at")+` / 60 END
		FROM referral r WHERE `+cond, args, func(r rowScanner) error {
		var id, org, day string
		var score, met int
		var hours *int
		t := &serviceTotal{f: insights.ServiceFigures{Received: 1}}
		f := &t.f
		if err := r.Scan(&id, &org, &day, &f.Answered, &f.Accepted, &f.AttendanceKnown, &f.Attended, &score, &met, &hours); err != nil {
			return err
		}
		f.ServiceID = id
		f.ScoreSum = score
		if score > 0 {
			f.Rated = 1
		}
		if score >= 1 && score <= 5 {
			f.Scores[score] = 1
		}
		switch met {
		case 1:
			f.MetYes = 1
		case 2:
			f.MetNo = 1
		}
		if hours != nil {
			t.hours = map[int]int{*hours: 1}
		}
		fn(id+" "+org, day, t)
		return nil
	})
	if err != nil {
		return fmt.Errorf("referral totals: %w", err)
	}
	return nil
}

// insertTotals writes the totals at a boundary (by service and
// organisation ids, joined by a space), many rows a statement.
func insertTotals(ctx context.Context, c conn, upto string, totals map[string]*serviceTotal) error {
	const batch = 200
	ids := slices.Sorted(maps.Keys(totals))
	for len(ids) > 0 {
		n := min(len(ids), batch)
		var args []any
		var rows []string
		for _, id := range ids[:n] {
			if t := totals[id]; t.f.Received != 0 {
				service, org, _ := strings.Cut(id, " ")
				args = append(args, upto, service, org, t.encode())
				rows = append(rows, "(?, ?, ?, ?)")
			}
		}
		ids = ids[n:]
		if len(rows) == 0 {
			continue
		}
		err := c.exec(ctx, `INSERT INTO insights_service_total (upto, service_id, organization_id, figures) VALUES `+strings.Join(rows, ", "), args...)
		if err != nil {
			return fmt.Errorf("insert service totals at %s: %w", upto, err)
		}
	}
	return nil
}
