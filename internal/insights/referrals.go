package insights

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"waymark/internal/referral"
)

// Referral sources: who made a referral.
const (
	SourceSelf         = "self"         // the person, for themselves
	SourceLinkWorker   = "link_worker"  // a member of a social prescribing team
	SourceGPPractice   = "gp_practice"  // GP practice staff
	SourceGPSystem     = "gp_system"    // a GP system over FHIR
	SourceProfessional = "professional" // any other professional
)

// Sources are the sources in the order the dashboards show them, with
// their labels.
var Sources = []struct{ Code, Label string }{
	{SourceSelf, "Self-referral"},
	{SourceLinkWorker, "Link worker"},
	{SourceGPPractice, "GP practice"},
	{SourceGPSystem, "GP system (FHIR)"},
	{SourceProfessional, "Other professional"},
}

// SocialPrescribing is the category of referrals into a social prescribing
// team's waiting list.
const SocialPrescribing = "Social prescribing (link workers)"

// SourceDay counts the referrals made on one day (YYYY-MM-DD) from one
// source.
type SourceDay struct {
	Day, Source string
	N           int
}

// CategoryDay counts the referrals made on one day to services of one
// category (a referral counts once in each of its service's categories).
type CategoryDay struct {
	Day, Category string
	N             int
}

// OutcomeCount counts marketplace referrals by where they got to.
type OutcomeCount struct {
	Status        string // a referral.Status
	DeclineReason string // its code, when declined
	Attendance    string // attended, did_not_attend or ""
	Responded     bool   // the provider accepted or declined
	N             int
}

// HourCount is a histogram bucket of first-response times: N referrals
// answered after Hours whole hours, for ServiceID ("" when not by service).
type HourCount struct {
	ServiceID string
	Hours     int
	N         int
}

// PracticeCount counts referrals from one GP practice through one channel
// (web for the practice app, fhir for a connected GP system).
type PracticeCount struct {
	ODSCode, Name, Channel string
	N                      int
}

// ReferralStore answers the referral questions. Referrals are the
// marketplace's (to services) and, for "over time", also those into social
// prescribing teams' waiting lists.
type ReferralStore interface {
	// ReferralSources counts referrals made in the range by day and source.
	ReferralSources(ctx context.Context, q Query) ([]SourceDay, error)
	// ReferralCategories counts referrals made in the range by day and
	// category.
	ReferralCategories(ctx context.Context, q Query) ([]CategoryDay, error)
	// ReferralOutcomes counts marketplace referrals made in the range by
	// status, decline reason and attendance.
	ReferralOutcomes(ctx context.Context, q Query) ([]OutcomeCount, error)
	// ResponseHours is the histogram of first-response times of
	// marketplace referrals made in the range; by service when byService.
	ResponseHours(ctx context.Context, q Query, byService bool) ([]HourCount, error)
	// GPReferrals counts referrals from GP practices made in the range by
	// practice and channel.
	GPReferrals(ctx context.Context, q Query) ([]PracticeCount, error)
	// ServiceFigures counts each service's marketplace referrals made in
	// the range.
	ServiceFigures(ctx context.Context, q Query) ([]ServiceFigures, error)
}

// Referrals is the referrals dashboard: over time by source and by
// category, the funnel and response times. Errors: as Access, EINVALID
// for a bad filter.
func (s *Insights) Referrals(ctx context.Context, f Filter) (*Dashboard, error) {
	_, q, err := s.query(ctx, DashReferrals, f)
	if err != nil {
		return nil, err
	}
	d := &Dashboard{Name: DashReferrals, Title: "Referrals", Filter: q.Filter}
	labels, label := periods(q.Filter)

	bySource, err := s.store.ReferralSources(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("referrals by source: %w", err)
	}
	counts := map[string]map[string]int{}
	totals := map[string]int{}
	for _, r := range bySource {
		p := label(r.Day)
		if counts[p] == nil {
			counts[p] = map[string]int{}
		}
		counts[p][r.Source] += r.N
		totals[r.Source] += r.N
	}
	over := Table{ID: "over-time", Title: "Referrals over time by source", Chart: Chart{Kind: "bar", Stacked: true},
		Note: "Referrals to services in the directory and into social prescribing teams' waiting lists, by when they were made."}
	over.Columns = []string{periodHeading(q.Interval)}
	for _, src := range Sources {
		over.Columns = append(over.Columns, src.Label)
	}
	over.Columns = append(over.Columns, "All")
	for _, p := range labels {
		row := []Cell{Text(p)}
		all := 0
		for _, src := range Sources {
			row = append(row, Count(counts[p][src.Code]))
			all += counts[p][src.Code]
		}
		over.Row(append(row, Count(all))...)
		over.across(len(over.Rows)-1, len(Sources)+1, span(1, len(Sources)+1)...)
	}
	d.Tables = append(d.Tables, over)
	src := Table{ID: "sources", Title: "Referrals by source", Columns: []string{"Source", "Referrals", "Share"}, Chart: Chart{Kind: "bar"}}
	all := 0
	for _, n := range totals {
		all += n
	}
	for _, s := range Sources {
		src.Row(Text(s.Label), Count(totals[s.Code]), Rate(totals[s.Code], all))
	}
	src.Row(Text("All"), Count(all), Text(""))
	src.down(1, len(Sources), span(0, len(Sources))...)
	src.shareOf(2, 1)
	// Each source's total is also the sum of its column over time.
	var joins []sum
	for i := 0; i <= len(Sources); i++ {
		joins = append(joins, sum{src.at(i, 1), over.column(i+1, 0, len(over.Rows))})
	}
	d.Tables = append(d.Tables, src)

	byCat, err := s.store.ReferralCategories(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("referrals by category: %w", err)
	}
	catTotals := map[string]int{}
	catCounts := map[string]map[string]int{}
	for _, r := range byCat {
		catTotals[r.Category] += r.N
		p := label(r.Day)
		if catCounts[p] == nil {
			catCounts[p] = map[string]int{}
		}
		catCounts[p][r.Category] += r.N
	}
	cats := make([]string, 0, len(catTotals))
	for c := range catTotals {
		cats = append(cats, c)
	}
	sort.Slice(cats, func(i, j int) bool {
		if catTotals[cats[i]] != catTotals[cats[j]] {
			return catTotals[cats[i]] > catTotals[cats[j]]
		}
		return cats[i] < cats[j]
	})
	cat := Table{ID: "categories", Title: "Referrals by category of service", Columns: []string{"Category", "Referrals"}, Chart: Chart{Kind: "bar"},
		Note: "A referral to a service in more than one category counts in each."}
	for _, c := range cats {
		cat.Row(Text(c), Count(catTotals[c]))
	}
	// Each category's total is the sum of its column over time.
	d.Tables = append(d.Tables, cat)
	catOver := Table{ID: "categories-over-time", Title: "Referrals over time by category", Chart: Chart{Kind: "line"},
		Columns: append([]string{periodHeading(q.Interval)}, cats...)}
	if len(cats) > chartLines {
		// More lines than colours cannot be told apart.
		catOver.Chart.Columns = span(1, chartLines+1)
		catOver.Note = fmt.Sprintf("The chart shows the %d categories with the most referrals; the table has every one.", chartLines)
	}
	for _, p := range labels {
		row := []Cell{Text(p)}
		for _, c := range cats {
			row = append(row, Count(catCounts[p][c]))
		}
		catOver.Row(row...)
	}
	for i := range cats {
		joins = append(joins, sum{cat.at(i, 1), catOver.column(i+1, 0, len(catOver.Rows))})
	}
	d.Tables = append(d.Tables, catOver)

	practices, err := s.store.GPReferrals(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("gp referrals: %w", err)
	}
	d.Tables = append(d.Tables, practiceTable(practices))

	outcomes, err := s.store.ReferralOutcomes(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("referral outcomes: %w", err)
	}
	fun, dec := funnel(outcomes), declines(outcomes)
	// Declined by the provider is the sum of the reasons.
	joins = append(joins, sum{fun.at(3, 1), dec.column(1, 0, len(dec.Rows))})
	d.Tables = append(d.Tables, fun, dec)

	hist, err := s.store.ResponseHours(ctx, q, false)
	if err != nil {
		return nil, fmt.Errorf("response times: %w", err)
	}
	h := map[int]int{}
	for _, b := range hist {
		h[b.Hours] += b.N
	}
	med, n := percentile(h, 0.5)
	p90, _ := percentile(h, 0.9)
	resp := Table{ID: "response", Title: "Time to first response", Columns: []string{"Measure", "Value"},
		Note: "From a referral being sent to the provider accepting or declining it, in whole hours; referrals declined automatically are not counted."}
	resp.Row(Text("Referrals answered"), Count(n))
	resp.Row(Text("Median"), Hours(med, n))
	resp.Row(Text("90th percentile"), Hours(p90, n))
	d.Tables = append(d.Tables, resp)
	protect(d.Tables, joins...)
	return d, nil
}

// funnel is where referrals got to: sent, answered, attended.
func funnel(list []OutcomeCount) Table {
	var sent, waiting, accepted, declined, auto, cancelled, attended, missed int
	for _, o := range list {
		sent += o.N
		switch {
		case o.Status == string(referral.StatusSent):
			waiting += o.N
		case o.Status == string(referral.StatusDeclined):
			declined += o.N
		case o.Status == string(referral.StatusAutoDeclined):
			auto += o.N
		case o.Responded:
			accepted += o.N
		case o.Status == string(referral.StatusCancelled):
			cancelled += o.N
		}
		switch o.Attendance {
		case string(referral.StatusAttended):
			attended += o.N
		case string(referral.StatusDidNotAttend):
			missed += o.N
		}
	}
	t := Table{ID: "funnel", Title: "What happened to referrals", Columns: []string{"Stage", "Referrals", "Share of sent"}, Chart: Chart{Kind: "bar"},
		Note: "Referrals to services in the directory made in the range. Attended and not attended are of the accepted referrals whose provider has said."}
	for _, r := range []struct {
		label string
		n     int
	}{
		{"Sent", sent}, {"Awaiting a response", waiting}, {"Accepted", accepted}, {"Declined by the provider", declined},
		{"Declined automatically", auto}, {"Withdrawn before a response", cancelled}, {"Attended", attended}, {"Did not attend", missed},
	} {
		t.Row(Text(r.label), Count(r.n), Rate(r.n, sent))
	}
	t.down(1, 0, span(1, 6)...) // sent is those waiting, answered or withdrawn
	t.shareOf(2, 1)
	return t
}

// declines counts declined referrals by reason.
func declines(list []OutcomeCount) Table {
	by := map[string]int{}
	all := 0
	for _, o := range list {
		if o.Status == string(referral.StatusDeclined) {
			by[o.DeclineReason] += o.N
			all += o.N
		}
	}
	t := Table{ID: "decline-reasons", Title: "Declined referrals by reason", Columns: []string{"Reason", "Referrals", "Share of declined"}, Chart: Chart{Kind: "bar"}}
	known := []string{}
	for _, r := range referral.DeclineReasons {
		t.Row(Text(r.Label), Count(by[r.Code]), Rate(by[r.Code], all))
		known = append(known, r.Code)
	}
	other := 0
	for code, n := range by {
		if !slices.Contains(known, code) {
			other += n
		}
	}
	if other > 0 {
		t.Row(Text("Not recorded"), Count(other), Rate(other, all))
	}
	t.shareOf(2, 1)
	return t
}

// practiceTable is referrals from GP practices by practice, through the
// practice app and from connected GP systems.
func practiceTable(list []PracticeCount) Table {
	type row struct {
		name     string
		web, sys int
	}
	rows := map[string]*row{}
	var codes []string
	for _, p := range list {
		r, ok := rows[p.ODSCode]
		if !ok {
			name := p.ODSCode
			if p.Name != "" {
				name = p.Name + " (" + p.ODSCode + ")"
			}
			r = &row{name: name}
			rows[p.ODSCode] = r
			codes = append(codes, p.ODSCode)
		}
		if p.Channel == "fhir" {
			r.sys += p.N
		} else {
			r.web += p.N
		}
	}
	sort.Slice(codes, func(i, j int) bool { return rows[codes[i]].name < rows[codes[j]].name })
	t := Table{ID: "gp-practices", Title: "Referrals from GP practices", Columns: []string{"Practice", "Practice app", "GP system (FHIR)", "All"},
		Chart: Chart{Kind: "bar", Stacked: true}, Note: "Referrals a practice made through Waymark's practice app or from its clinical system over FHIR, to a social prescribing team or a service."}
	var web, sys int
	for _, c := range codes {
		r := rows[c]
		t.Row(Text(r.name), Count(r.web), Count(r.sys), Count(r.web+r.sys))
		t.across(len(t.Rows)-1, 3, 1, 2)
		web += r.web
		sys += r.sys
	}
	if len(codes) > 1 {
		t.Row(Text("All"), Count(web), Count(sys), Count(web+sys))
		last := len(t.Rows) - 1
		t.across(last, 3, 1, 2)
		for c := 1; c <= 3; c++ {
			t.down(c, last, span(0, last)...)
		}
	}
	return t
}
