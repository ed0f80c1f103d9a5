// Package insights is the dashboards and reports for commissioners, social
// prescribing teams and providers: referrals over time by source and
// category, the referral funnel and response times, each service's figures
// (with a printable report for funding bids), a team's waiting list,
// caseloads, contacts, discharges and wellbeing change, the directory's
// coverage and upkeep, and unmet need (searches that found nothing).
//
// It only reads: its Store answers aggregate questions over the other
// domains' tables, and nothing but web and cmd imports it. Every figure
// passes the small-number rule (see Count and Rate) before it leaves the
// package, so pages, CSV and XLSX downloads show the same.
package insights

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark"
	"waymark/internal/jobs"
	"waymark/internal/postcode"
)

// Scope is whose figures an actor may see.
type Scope struct {
	// All is the whole area: administrators and commissioners.
	All bool
	// OrganizationIDs limits referral figures to these organisations'
	// services (a provider's own).
	OrganizationIDs []string
	// TeamIDs limits figures to these social prescribing teams (a team
	// lead's, or a primary care network's), and referrals to those their
	// members made and, for waiting lists, those made to the teams.
	TeamIDs []string
	// PCN is the primary care network of a commissioner limited to one:
	// its teams are TeamIDs and its GP practices Practices.
	PCN string
	// Practices (ODS codes) adds the referrals these GP practices made,
	// through the practice app, their GP system or their GP and staff
	// accounts in the marketplace, wherever they went.
	Practices []string
}

// Empty reports whether the scope allows nothing.
func (s Scope) Empty() bool {
	return !s.All && s.PCN == "" && len(s.OrganizationIDs) == 0 && len(s.TeamIDs) == 0 && len(s.Practices) == 0
}

// Interval is how referrals over time are grouped.
type Interval string

// Intervals.
const (
	Week  Interval = "week"
	Month Interval = "month"
)

// Filter is what a dashboard shows: a date range [From, To) in UTC days,
// and for the whole area optionally one team or one postcode district.
type Filter struct {
	From, To time.Time // To is exclusive (the day after the last day shown)
	Interval Interval
	TeamID   string // "" for every team in scope
	Area     string // a postcode district such as DE4, "" for all
}

// Query is a filter narrowed to a scope, as the store receives it.
type Query struct {
	Filter
	Scope Scope
	// ServiceID limits referral figures to one service ("" for all).
	ServiceID string
	// Now is the time figures such as "waiting now" are taken at.
	Now time.Time
}

// Team is a social prescribing team.
type Team struct {
	ID, Name string
}

// PCN is a primary care network as the dashboards see it: its teams and
// the ODS codes of its GP practices.
type PCN struct {
	ID, Name, ODSCode string
	Teams             []Team
	Practices         []string
}

// Service is one listing, for choosing a provider report.
type Service struct {
	ID, Name, OrganizationID, OrganizationName string
}

// Store answers the aggregate questions of the dashboards. Every method
// respects q.Scope and q.Filter; none returns personal data.
type Store interface {
	// LeadTeams lists the teams the user leads.
	LeadTeams(ctx context.Context, userID string) ([]Team, error)
	// Teams lists every team.
	Teams(ctx context.Context) ([]Team, error)
	// PCN finds a primary care network with its teams and practices.
	// Errors: ENOTFOUND.
	PCN(ctx context.Context, id string) (*PCN, error)
	// Service finds one service. Errors: ENOTFOUND.
	Service(ctx context.Context, id string) (*Service, error)

	ReferralStore
	TeamStore
	DirectoryStore
	// SearchGaps counts searches that found nothing in the range, by
	// district, words and kind.
	SearchGaps(ctx context.Context, q Query) ([]GapCount, error)
	// RollUp brings the whole area's pre-computed referral counts up to
	// now: every whole day, with the days whose referrals changed since it
	// last ran recomputed. Until a day is rolled up, its counts come from
	// the referrals themselves.
	RollUp(ctx context.Context, now time.Time) error
}

// Config holds the numbers the dashboards compare against.
type Config struct {
	// FirstContactDays is the waiting list's first-contact target in
	// working days.
	FirstContactDays int
	// ModerationHours is the moderators' review target.
	ModerationHours int
}

// Insights computes the dashboards for the actor in the context.
type Insights struct {
	store Store
	cfg   Config
	now   func() time.Time
}

// NewInsights returns Insights on store. now is the clock.
func NewInsights(store Store, cfg Config, now func() time.Time) *Insights {
	if cfg.FirstContactDays <= 0 {
		cfg.FirstContactDays = 10
	}
	if cfg.ModerationHours <= 0 {
		cfg.ModerationHours = 48
	}
	return &Insights{store: store, cfg: cfg, now: now}
}

// Dashboard names.
const (
	DashReferrals = "referrals"
	DashProviders = "providers"
	DashTeams     = "teams"
	DashDirectory = "directory"
	DashUnmet     = "unmet-need"
)

// Access is what the actor may see: the dashboards and their scope.
type Access struct {
	Scope      Scope
	Dashboards []string
	Teams      []Team // the teams they may choose between
	Moderator  bool   // sees the directory dashboard only
	// PCN is the primary care network a commissioner is limited to; nil
	// for everyone else.
	PCN *PCN
}

// Area says whose figures the scope shows, for the pages: "the whole
// area", a network's practices and teams, or the actor's own.
func (a *Access) Area() string {
	switch {
	case a.Scope.All:
		return "the whole area"
	case a.PCN != nil:
		return a.PCN.Name + " (" + a.PCN.ODSCode + "): referrals its GP practices and its teams' link workers made, and its social prescribing teams"
	case len(a.Scope.OrganizationIDs) > 0 && len(a.Scope.TeamIDs) > 0:
		return "your organisations' services and the teams you lead"
	case len(a.Scope.OrganizationIDs) > 0:
		return "your organisations' services"
	case len(a.Scope.TeamIDs) > 0:
		return "the teams you lead"
	}
	return "the directory"
}

// WholeArea reports whether the dashboard shows the whole area whatever
// the actor's scope: the directory and unmet need are not kept by team or
// network.
func WholeArea(dash string) bool { return dash == DashDirectory || dash == DashUnmet }

// May reports whether the dashboard is open to the actor.
func (a *Access) May(dash string) bool { return slices.Contains(a.Dashboards, dash) }

// Access works out the actor's scope: administrators and commissioners
// see the whole area and every dashboard, except a commissioner limited
// to a primary care network, who sees the referrals its practices and its
// teams' link workers made, its teams' waiting lists and figures, and the
// directory and unmet need of the whole area; providers their organisations'
// services (referrals and provider figures); team leads their teams
// (referrals their members made, team figures); moderators the directory
// dashboard. Errors: EUNAUTHORIZED signed out, EFORBIDDEN for anyone else.
func (s *Insights) Access(ctx context.Context) (*Access, error) {
	a := waymark.ActorFrom(ctx)
	if a.Anonymous() {
		return nil, waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in to see insights")
	}
	out := &Access{}
	if a.Has(waymark.RoleCommissioner) && a.PCN != "" && !a.Has(waymark.RoleAdmin) {
		p, err := s.store.PCN(ctx, a.PCN)
		if err != nil {
			return nil, fmt.Errorf("pcn %s: %w", a.PCN, err)
		}
		out.PCN, out.Teams = p, p.Teams
		out.Scope = Scope{PCN: p.ID, Practices: p.Practices}
		for _, t := range p.Teams {
			out.Scope.TeamIDs = append(out.Scope.TeamIDs, t.ID)
		}
		out.Dashboards = []string{DashReferrals, DashProviders, DashTeams, DashDirectory, DashUnmet}
		return out, nil
	}
	if a.Has(waymark.RoleAdmin) || a.Has(waymark.RoleCommissioner) {
		teams, err := s.store.Teams(ctx)
		if err != nil {
			return nil, fmt.Errorf("teams: %w", err)
		}
		out.Scope, out.Teams = Scope{All: true}, teams
		out.Dashboards = []string{DashReferrals, DashProviders, DashTeams, DashDirectory, DashUnmet}
		return out, nil
	}
	for _, m := range a.Memberships {
		if m.Role == waymark.RoleProvider && !slices.Contains(out.Scope.OrganizationIDs, m.OrganizationID) {
			out.Scope.OrganizationIDs = append(out.Scope.OrganizationIDs, m.OrganizationID)
		}
	}
	teams, err := s.store.LeadTeams(ctx, a.UserID)
	if err != nil {
		return nil, fmt.Errorf("teams led by %s: %w", a.UserID, err)
	}
	for _, t := range teams {
		out.Scope.TeamIDs = append(out.Scope.TeamIDs, t.ID)
	}
	out.Teams = teams
	if !out.Scope.Empty() {
		out.Dashboards = append(out.Dashboards, DashReferrals)
	}
	if len(out.Scope.OrganizationIDs) > 0 {
		out.Dashboards = append(out.Dashboards, DashProviders)
	}
	if len(out.Scope.TeamIDs) > 0 {
		out.Dashboards = append(out.Dashboards, DashTeams)
	}
	if a.Has(waymark.RoleModerator) {
		out.Dashboards = append(out.Dashboards, DashDirectory)
		out.Moderator = true
	}
	if len(out.Dashboards) == 0 {
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "Insights are for commissioners, team leads, providers and the platform team")
	}
	return out, nil
}

// query checks the filter against the access and narrows it to the scope.
// Errors: EFORBIDDEN for a dashboard or team outside the access, EINVALID
// for a bad range or area.
func (s *Insights) query(ctx context.Context, dash string, f Filter) (*Access, Query, error) {
	acc, err := s.Access(ctx)
	if err != nil {
		return nil, Query{}, err
	}
	if !acc.May(dash) {
		return nil, Query{}, waymark.Errorf(waymark.EFORBIDDEN, "This dashboard is not open to you")
	}
	if f.Interval != Week {
		f.Interval = Month
	}
	if f.From.IsZero() || f.To.IsZero() {
		f.From, f.To = DefaultRange(s.now())
	}
	if !f.From.Before(f.To) {
		return nil, Query{}, waymark.FieldErrorf(waymark.EINVALID, "from", "The start date must be before the end date")
	}
	if f.To.Sub(f.From) > 5*366*24*time.Hour {
		return nil, Query{}, waymark.FieldErrorf(waymark.EINVALID, "from", "Choose a range of 5 years or less")
	}
	q := Query{Filter: f, Scope: acc.Scope, Now: s.now().UTC()}
	if f.Area != "" {
		area, err := Area(f.Area)
		if err != nil {
			return nil, Query{}, err
		}
		q.Area = area
	}
	if f.TeamID != "" {
		if !slices.ContainsFunc(acc.Teams, func(t Team) bool { return t.ID == f.TeamID }) {
			return nil, Query{}, waymark.FieldErrorf(waymark.EINVALID, "team", "Choose a team from the list")
		}
		q.Scope = Scope{TeamIDs: []string{f.TeamID}}
	}
	return acc, q, nil
}

// Area normalises a postcode district (outward code) such as "de4".
// Errors: EINVALID with Field "area" for anything else, full postcodes
// included.
func Area(s string) (string, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	p, err := postcode.Parse(s)
	if err != nil || p.Full() {
		return "", waymark.FieldErrorf(waymark.EINVALID, "area", "Enter a postcode district, like DE4")
	}
	return p.Outward, nil
}

// DefaultRange is the last twelve whole months to today: from the first
// of the month a year before to tomorrow.
func DefaultRange(now time.Time) (from, to time.Time) {
	now = now.UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	return time.Date(now.Year()-1, now.Month()+1, 1, 0, 0, 0, 0, time.UTC), today.AddDate(0, 0, 1)
}

// Jobs are the insights' scheduled work: rolling up the whole area's
// referral counts, every so often (the dashboards are that stale at most
// for days already rolled up; today's referrals are always counted as
// they are).
func (s *Insights) Jobs(every time.Duration) []jobs.Job {
	return []jobs.Job{{Name: "insights-rollups", Every: every, Lease: 30 * time.Minute, Run: s.store.RollUp}}
}
