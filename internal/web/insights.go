package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"waymark"
	"waymark/internal/insights"
)

// Insights: dashboards for commissioners, team leads, providers and the
// platform team. Every route is open to anyone signed in; insights.Access
// decides who sees what (403 for people with no dashboard).

const insightsBase = "/insights"

// insightsRoutes registers the dashboards, their downloads and the
// providers' yearly report.
func (s *Server) insightsRoutes() {
	s.route("GET "+insightsBase, signedIn, s.handleInsights)
	s.route("GET "+insightsBase+"/{dashboard}", signedIn, s.handleDashboard)
	s.route("GET "+insightsBase+"/{dashboard}/download", signedIn, s.handleDashboardDownload)
	s.route("GET "+insightsBase+"/providers/{id}/report", signedIn, s.handleProviderReport)
}

// dashboardInfo names and describes each dashboard.
var dashboardInfo = map[string]struct{ Title, About string }{
	insights.DashReferrals: {"Referrals", "Referrals over time by source and category, what happened to them and how fast providers answered."},
	insights.DashProviders: {"Providers", "Each service's referrals, response times, acceptance and attendance, and what people said; a yearly report for funding bids."},
	insights.DashTeams:     {"Social prescribing teams", "Waiting list and waits against the target, caseloads, contacts, discharges and wellbeing change."},
	insights.DashDirectory: {"The directory", "Entries by category and postcode district, entries confirmed in the last year, moderation times and checks."},
	insights.DashUnmet:     {"Unmet need", "Searches that found nothing, by postcode district and words."},
}

// insightsIndexView lists the dashboards open to the user.
type insightsIndexView struct {
	page
	Dashboards []homeLink
	Area       string // whose figures they show
}

func (s *Server) handleInsights(w http.ResponseWriter, r *http.Request) {
	acc, err := s.deps.Insights.Access(r.Context())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := insightsIndexView{page: s.page(r, "Insights"), Area: acc.Area()}
	for _, d := range acc.Dashboards {
		info := dashboardInfo[d]
		v.Dashboards = append(v.Dashboards, homeLink{insightsBase + "/" + d, info.Title, info.About})
	}
	v.Breadcrumbs, v.NoIndex = crumbs(), true
	s.render(w, r, http.StatusOK, "insights", v)
}

// dashboardView is one dashboard with its filter form.
type dashboardView struct {
	page
	Dashboard *insights.Dashboard
	Name      string
	Form      url.Values
	FieldErrs map[string]string
	Teams     []insights.Team
	ShowTeam  bool // the team filter applies
	ShowArea  bool // the area filter applies
	Query     string
	Tables    []tableView
	Years     []int // for the providers' yearly reports
	// Area says whose figures are shown; WholeArea is true when they are
	// the whole area's though the user's own scope is narrower.
	Area      string
	WholeArea bool
}

// tableView is a table with its chart data and download links.
type tableView struct {
	insights.Table
	ChartJSON string
	CSV, XLSX string
	// Link is where a cell naming something (Ref) links, with %s for its
	// id; "" for no links.
	Link string
}

// dashboards maps a dashboard name to its method.
func (s *Server) dashboard(name string) func(ctx context.Context, f insights.Filter) (*insights.Dashboard, error) {
	switch name {
	case insights.DashReferrals:
		return s.deps.Insights.Referrals
	case insights.DashProviders:
		return s.deps.Insights.Providers
	case insights.DashTeams:
		return s.deps.Insights.Teams
	case insights.DashDirectory:
		return s.deps.Insights.Directory
	case insights.DashUnmet:
		return s.deps.Insights.Unmet
	}
	return nil
}

// parseInsightsFilter reads the filter form: from and to (inclusive) as
// dates, interval, team and area, with what is wrong with it by field.
func parseInsightsFilter(q url.Values) (insights.Filter, *waymark.Problems) {
	errs := &waymark.Problems{}
	var f insights.Filter
	f.Interval = insights.Interval(q.Get("interval"))
	f.TeamID = strings.TrimSpace(q.Get("team"))
	f.Area = strings.TrimSpace(q.Get("area"))
	date := func(field, label string) time.Time {
		v := strings.TrimSpace(q.Get(field))
		if v == "" {
			return time.Time{}
		}
		t, err := time.Parse("2006-01-02", v)
		if err != nil {
			errs.Add(field, label+" must be a date like 2026-01-31")
		}
		return t
	}
	from, to := date("from", "The start date"), date("to", "The end date")
	if errs.Len() == 0 && (!from.IsZero() || !to.IsZero()) {
		if from.IsZero() || to.IsZero() {
			errs.Add("from", "Enter both a start date and an end date")
		} else {
			f.From, f.To = from, to.AddDate(0, 0, 1)
		}
	}
	if f.Interval != "" && f.Interval != insights.Week && f.Interval != insights.Month {
		errs.Add("interval", "Choose weeks or months")
	}
	return f, errs
}

func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("dashboard")
	run := s.dashboard(name)
	if run == nil {
		s.notFound(w, r)
		return
	}
	acc, err := s.deps.Insights.Access(r.Context())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	form := r.URL.Query()
	v := dashboardView{page: s.page(r, dashboardInfo[name].Title), Name: name, Form: form, Teams: acc.Teams,
		ShowTeam: name == insights.DashTeams || name == insights.DashReferrals,
		ShowArea: name != insights.DashTeams || acc.Scope.All, Area: acc.Area()}
	if insights.WholeArea(name) && !acc.Scope.All {
		v.Area, v.WholeArea = "the whole area", acc.PCN != nil
	}
	v.Breadcrumbs, v.NoIndex = crumbs(link{Href: insightsBase, Text: "Insights"}), true
	f, probs := parseInsightsFilter(form)
	status := http.StatusOK
	v.FieldErrs = map[string]string{}
	err = probs.Err()
	if err == nil {
		v.Dashboard, err = run(r.Context(), f)
	}
	if err != nil {
		// Only what is wrong with the filter shows on the form.
		if _, ok := waymark.ProblemsOf(err); !ok {
			s.renderError(w, r, err)
			return
		}
		status, _ = showProblems(&v.page, v.FieldErrs, err, []string{"from", "to", "interval", "team", "area"})
	}
	if v.Dashboard != nil {
		d := v.Dashboard
		if form.Get("from") == "" {
			form.Set("from", d.Filter.From.Format("2006-01-02"))
			form.Set("to", d.Filter.To.AddDate(0, 0, -1).Format("2006-01-02"))
		}
		if form.Get("interval") == "" {
			form.Set("interval", string(d.Filter.Interval))
		}
		keep := url.Values{}
		for _, k := range []string{"from", "to", "interval", "team", "area"} {
			if form.Get(k) != "" {
				keep.Set(k, form.Get(k))
			}
		}
		v.Query = keep.Encode()
		for _, t := range d.Tables {
			tv := tableView{Table: t, ChartJSON: chartJSON(t)}
			dl := url.Values{}
			for k, vs := range keep {
				dl[k] = vs
			}
			dl.Set("table", t.ID)
			dl.Set("format", "csv")
			tv.CSV = insightsBase + "/" + name + "/download?" + dl.Encode()
			dl.Set("format", "xlsx")
			tv.XLSX = insightsBase + "/" + name + "/download?" + dl.Encode()
			v.Tables = append(v.Tables, tv)
		}
		// The yearly report is a service's every referral: for its
		// providers and the whole area, not a network's commissioner.
		if name == insights.DashProviders && (acc.Scope.All || len(acc.Scope.OrganizationIDs) > 0) {
			v.Years = []int{s.deps.Now().Year()}
			for i := range v.Tables {
				v.Tables[i].Link = insightsBase + "/providers/%s/report?year=" + strconv.Itoa(v.Years[0])
			}
		}
	}
	s.render(w, r, status, "insights-dashboard", v)
}

// chartJSON is a table's chart: the first column labels the points and
// each column of figures is a series; hidden figures are gaps.
func chartJSON(t insights.Table) string {
	if t.Chart.Kind == "" || len(t.Rows) == 0 {
		return ""
	}
	type series struct {
		Label  string     `json:"label"`
		Points []*float64 `json:"points"`
	}
	out := struct {
		Kind    string   `json:"kind"`
		Stacked bool     `json:"stacked"`
		Labels  []string `json:"labels"`
		Series  []series `json:"series"`
	}{Kind: t.Chart.Kind, Stacked: t.Chart.Stacked}
	rows := t.Rows
	if last := rows[len(rows)-1]; len(rows) > 1 && (last[0].Text == "All" || last[0].Text == "All services") {
		rows = rows[:len(rows)-1] // a total would dwarf the rest
	}
	// In a stack, a hidden figure would make its period look smaller than
	// it is: such a period is left out of the chart (the table has it).
	gappy := map[int]bool{}
	for i, r := range rows {
		out.Labels = append(out.Labels, r[0].Text)
		for c := 1; c < len(r) && t.Chart.Stacked; c++ {
			if chartColumn(t, c) && !r[c].Number {
				gappy[i] = true
			}
		}
	}
	for c := 1; c < len(t.Columns); c++ {
		if !chartColumn(t, c) {
			continue
		}
		s := series{Label: t.Columns[c]}
		numbers := false
		for i, r := range rows {
			if c < len(r) && r[c].Number && !gappy[i] {
				v := r[c].Value
				s.Points = append(s.Points, &v)
				numbers = true
			} else {
				s.Points = append(s.Points, nil)
			}
		}
		if numbers {
			out.Series = append(out.Series, s)
		}
	}
	if len(out.Series) == 0 {
		return ""
	}
	b, err := json.Marshal(out)
	if err != nil {
		return ""
	}
	return string(b)
}

// chartColumn reports whether the table's column c is a series of its
// chart: a column of figures, not a total or a share, and one of the
// chart's columns when it names them.
func chartColumn(t insights.Table, c int) bool {
	col := t.Columns[c]
	if col == "All" || col == "Share" || strings.HasPrefix(col, "Share of") {
		return false
	}
	return len(t.Chart.Columns) == 0 || slices.Contains(t.Chart.Columns, c)
}

func (s *Server) handleDashboardDownload(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("dashboard")
	run := s.dashboard(name)
	if run == nil {
		s.notFound(w, r)
		return
	}
	q := r.URL.Query()
	f, probs := parseInsightsFilter(q)
	if list := probs.List(); len(list) > 0 {
		s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "%s", list[0].Message))
		return
	}
	format := q.Get("format")
	if format != "csv" && format != "xlsx" {
		s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "Choose CSV or XLSX"))
		return
	}
	d, err := run(r.Context(), f)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	t := d.Table(q.Get("table"))
	if t == nil {
		s.notFound(w, r)
		return
	}
	var buf bytes.Buffer
	filename := name + "-" + t.ID + "-" + d.Filter.From.Format("2006-01-02") + "-to-" + d.Filter.To.AddDate(0, 0, -1).Format("2006-01-02")
	if format == "csv" {
		err = insights.WriteCSV(&buf, t)
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	} else {
		err = insights.WriteXLSX(&buf, t)
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+"."+format+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// yearReportView is a service's printable yearly report.
type yearReportView struct {
	page
	Report *insights.Report
	Tables []tableView
	Years  []int // the other years to choose from
}

func (s *Server) handleProviderReport(w http.ResponseWriter, r *http.Request) {
	year, err := strconv.Atoi(r.URL.Query().Get("year"))
	if err != nil {
		year = s.deps.Now().Year()
	}
	rep, err := s.deps.Insights.ProviderReport(r.Context(), r.PathValue("id"), year)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := yearReportView{page: s.page(r, rep.Service.Name+": referrals in "+strconv.Itoa(year)), Report: rep}
	for _, t := range rep.Tables {
		v.Tables = append(v.Tables, tableView{Table: t, ChartJSON: chartJSON(t)})
	}
	for y := s.deps.Now().Year(); y > s.deps.Now().Year()-4; y-- {
		if y != year {
			v.Years = append(v.Years, y)
		}
	}
	v.Breadcrumbs, v.NoIndex = crumbs(link{Href: insightsBase, Text: "Insights"}, link{Href: insightsBase + "/" + insights.DashProviders, Text: "Providers"}), true
	s.render(w, r, http.StatusOK, "insights-report", v)
}
