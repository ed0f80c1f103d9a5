package insights

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"waymark"
)

// ServiceFigures are one service's referral counts.
type ServiceFigures struct {
	ServiceID, Name string
	Received        int
	Answered        int // accepted, declined or declined automatically
	Accepted        int
	AttendanceKnown int // accepted referrals whose provider said
	Attended        int
	Rated           int
	ScoreSum        int
	Scores          [6]int // by score, 1 to 5
	MetYes          int
	MetNo           int
}

// Providers is the provider dashboard: each service's referrals, response
// times, acceptance and attendance rates, scores and "met my needs"
// answers. Providers see only their own services. Errors: as Access,
// EINVALID for a bad filter.
func (s *Insights) Providers(ctx context.Context, f Filter) (*Dashboard, error) {
	_, q, err := s.query(ctx, DashProviders, f)
	if err != nil {
		return nil, err
	}
	d := &Dashboard{Name: DashProviders, Title: "Providers", Filter: q.Filter}
	figs, err := s.store.ServiceFigures(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("service figures: %w", err)
	}
	hist, err := s.store.ResponseHours(ctx, q, true)
	if err != nil {
		return nil, fmt.Errorf("response times by service: %w", err)
	}
	byService := map[string][]HourCount{}
	for _, h := range hist {
		byService[h.ServiceID] = append(byService[h.ServiceID], h)
	}
	t := Table{ID: "services", Title: "Each service's referrals", Chart: Chart{Kind: "bar", Columns: []int{1}},
		Columns: []string{"Service", "Referrals received", "Median time to respond", "Acceptance rate", "Attendance rate", "Average score (1 to 5)", "Met their needs"},
		Note:    "Acceptance is of the referrals answered (declined automatically counts as not accepted); attendance of the accepted referrals whose provider said; scores and \"met my needs\" from the people who attended."}
	var total ServiceFigures
	all := map[int]int{}
	for _, f := range figs {
		med, n := percentileOf(byService[f.ServiceID], 0.5)
		name := Text(f.Name)
		name.Ref = f.ServiceID
		t.Row(name, Count(f.Received), Hours(med, n), Rate(f.Accepted, f.Answered), Rate(f.Attended, f.AttendanceKnown),
			Mean(float64(f.ScoreSum), f.Rated), Rate(f.MetYes, f.MetYes+f.MetNo))
		total.add(f)
		for _, h := range byService[f.ServiceID] {
			all[h.Hours] += h.N
		}
	}
	if len(figs) > 1 {
		med, n := percentile(all, 0.5)
		t.Row(Text("All services"), Count(total.Received), Hours(med, n), Rate(total.Accepted, total.Answered), Rate(total.Attended, total.AttendanceKnown),
			Mean(float64(total.ScoreSum), total.Rated), Rate(total.MetYes, total.MetYes+total.MetNo))
		t.down(1, len(figs), span(0, len(figs))...)
	}
	d.Tables = append(d.Tables, t, scoreTable(total))
	protect(d.Tables)
	return d, nil
}

func (f *ServiceFigures) add(o ServiceFigures) {
	f.Received += o.Received
	f.Answered += o.Answered
	f.Accepted += o.Accepted
	f.AttendanceKnown += o.AttendanceKnown
	f.Attended += o.Attended
	f.Rated += o.Rated
	f.ScoreSum += o.ScoreSum
	f.MetYes += o.MetYes
	f.MetNo += o.MetNo
	for i := range f.Scores {
		f.Scores[i] += o.Scores[i]
	}
}

// scoreTable is how people scored the services and whether they met their
// needs.
func scoreTable(f ServiceFigures) Table {
	t := Table{ID: "scores", Title: "What people said", Columns: []string{"Answer", "People", "Share"}, Chart: Chart{Kind: "bar"},
		Note: "People who attended are asked to score the service from 1 (poor) to 5 (very good) and whether it met their needs."}
	for sc := 5; sc >= 1; sc-- {
		t.Row(Text("Scored "+strconv.Itoa(sc)), Count(f.Scores[sc]), Rate(f.Scores[sc], f.Rated))
	}
	t.Row(Text("It met my needs"), Count(f.MetYes), Rate(f.MetYes, f.MetYes+f.MetNo))
	t.Row(Text("It did not meet my needs"), Count(f.MetNo), Rate(f.MetNo, f.MetYes+f.MetNo))
	t.shareOf(2, 1)
	// The shares give their denominators away: the people who scored, and
	// those who answered "met my needs".
	t.sums = append(t.sums, sum{known(f.Rated), t.column(1, 0, 5)}, sum{known(f.MetYes + f.MetNo), t.column(1, 5, 7)})
	return t
}

// Report is the one-page report of a service's figures over a calendar
// year, for funding bids.
type Report struct {
	Service Service
	Year    int
	Tables  []Table
}

// ProviderReport is a service's report for a year: its key figures,
// referrals by month and by source, and what people said. Providers may
// ask for their own services only. Errors: as Access, ENOTFOUND for a
// service outside the actor's scope, EINVALID for a year out of range.
func (s *Insights) ProviderReport(ctx context.Context, serviceID string, year int) (*Report, error) {
	acc, err := s.Access(ctx)
	if err != nil {
		return nil, err
	}
	if !acc.May(DashProviders) {
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "This report is not open to you")
	}
	now := s.now().UTC()
	if year < 2000 || year > now.Year() {
		return nil, waymark.FieldErrorf(waymark.EINVALID, "year", "Choose a year from 2000 to %d", now.Year())
	}
	svc, err := s.store.Service(ctx, serviceID)
	if err != nil {
		return nil, err
	}
	if !acc.Scope.All && !slices.Contains(acc.Scope.OrganizationIDs, svc.OrganizationID) {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "Service not found")
	}
	from := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	q := Query{Filter: Filter{From: from, To: from.AddDate(1, 0, 0), Interval: Month}, Scope: Scope{OrganizationIDs: []string{svc.OrganizationID}}, Now: now}
	q.ServiceID = serviceID
	figs, err := s.store.ServiceFigures(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("service figures: %w", err)
	}
	var f ServiceFigures
	for _, g := range figs {
		f.add(g)
	}
	hist, err := s.store.ResponseHours(ctx, q, false)
	if err != nil {
		return nil, fmt.Errorf("response times: %w", err)
	}
	h := map[int]int{}
	for _, b := range hist {
		h[b.Hours] += b.N
	}
	med, n := percentile(h, 0.5)
	key := Table{ID: "key-figures", Title: "Key figures", Columns: []string{"Measure", "Value"}}
	key.Row(Text("Referrals received"), Count(f.Received))
	key.Row(Text("Median time to respond"), Hours(med, n))
	key.Row(Text("Acceptance rate"), Rate(f.Accepted, f.Answered))
	key.Row(Text("Attendance rate"), Rate(f.Attended, f.AttendanceKnown))
	key.Row(Text("Average score (1 to 5)"), Mean(float64(f.ScoreSum), f.Rated))
	key.Row(Text("Met their needs"), Rate(f.MetYes, f.MetYes+f.MetNo))

	days, err := s.store.ReferralSources(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("referrals by month: %w", err)
	}
	labels, label := periods(q.Filter)
	byMonth, bySource := map[string]int{}, map[string]int{}
	for _, r := range days {
		byMonth[label(r.Day)] += r.N
		bySource[r.Source] += r.N
	}
	months := Table{ID: "by-month", Title: "Referrals by month", Columns: []string{"Month", "Referrals"}, Chart: Chart{Kind: "bar"}}
	for _, l := range labels {
		months.Row(Text(l), Count(byMonth[l]))
	}
	sources := Table{ID: "by-source", Title: "Who referred", Columns: []string{"Source", "Referrals"}}
	for _, src := range Sources {
		sources.Row(Text(src.Label), Count(bySource[src.Code]))
	}
	tables := []Table{key, months, sources, scoreTable(f)}
	// The months and the sources each add up to the referrals received.
	protect(tables, sum{key.at(0, 1), months.column(1, 0, len(months.Rows))}, sum{key.at(0, 1), sources.column(1, 0, len(sources.Rows))})
	return &Report{Service: *svc, Year: year, Tables: tables}, nil
}
