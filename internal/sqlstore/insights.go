package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/directory"
	"waymark/internal/insights"
)

// InsightsStore answers the dashboards' aggregate questions over the other
// domains' tables. It only reads. It implements insights.Store.
type InsightsStore struct {
	db *DB
}

// NewInsightsStore returns an InsightsStore on db.
func NewInsightsStore(db *DB) *InsightsStore { return &InsightsStore{db: db} }

var _ insights.Store = (*InsightsStore)(nil)

// The expressions in which the dialects differ for the dashboards are the
// dialect's (utcDay, minutesBetween, outward, referralSource).

// day is a timestamp column's UTC day as YYYY-MM-DD.
func (s *InsightsStore) day(col string) string { return s.db.dialect.utcDay(col) }

// minutes is the whole minutes from one timestamp to another.
func (s *InsightsStore) minutes(from, to string) string { return s.db.dialect.minutesBetween(from, to) }

// outward is the postcode district of a normalised postcode column.
func (s *InsightsStore) outward(col string) string { return s.db.dialect.outward(col) }

// where collects conditions and their arguments.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return "TRUE"
	}
	return strings.Join(w.conds, " AND ")
}

// inAreaServices is a condition that a service id column names a service
// with an address in the postcode district.
func inAreaServices(col string) string {
	return col + ` IN (SELECT sal.service_id FROM service_at_location sal JOIN address a ON a.location_id = sal.location_id
		WHERE UPPER(a.postal_code) LIKE ?)`
}

// referrals is the condition on marketplace referrals r for q: made in
// the range, within the scope, for the service and in the area. A team's
// referrals are those its members made, and a practice's those its GP and
// staff accounts made in the marketplace as well as those it sent through
// the practice app; the people are listed by id so that both databases
// read their referrals through the referrer index.
func (s *InsightsStore) referrals(ctx context.Context, q insights.Query) (*where, error) {
	var parts []string
	var args []any
	if ids := q.Scope.TeamIDs; !q.Scope.All && len(ids) > 0 {
		parts = append(parts, `SELECT user_id FROM sp_team_member WHERE team_id IN (`+placeholders(len(ids))+`)`)
		args = append(args, anys(ids)...)
	}
	if ods := q.Scope.Practices; !q.Scope.All && len(ods) > 0 {
		parts = append(parts, `SELECT CAST(user_id AS TEXT) FROM practice_user WHERE ods_code IN (`+placeholders(len(ods))+`)`)
		args = append(args, anys(ods)...)
	}
	var members []string
	if len(parts) > 0 {
		var err error
		if members, err = columnStrings(ctx, s.db.reader(), strings.Join(parts, " UNION "), args); err != nil {
			return nil, fmt.Errorf("team members and practice accounts: %w", err)
		}
	}
	return referralsBy(q, members), nil
}

// referralsBy is referrals with the team members known.
func referralsBy(q insights.Query, members []string) *where {
	w := &where{}
	w.add("r.created_at >= ? AND r.created_at < ?", q.From, q.To)
	if !q.Scope.All {
		var or []string
		var args []any
		if ids := q.Scope.OrganizationIDs; len(ids) > 0 {
			or = append(or, "r.organization_id IN ("+placeholders(len(ids))+")")
			args = append(args, anys(ids)...)
		}
		if len(members) > 0 {
			or = append(or, "r.referrer_id IN ("+placeholders(len(members))+")")
			args = append(args, anys(members)...)
		}
		if ods := q.Scope.Practices; len(ods) > 0 {
			or = append(or, "CAST(r.id AS TEXT) IN (SELECT g.market_referral_id FROM gp_referral g WHERE g.practice_ods IN ("+placeholders(len(ods))+"))")
			args = append(args, anys(ods)...)
		}
		if len(or) == 0 {
			or = []string{"FALSE"}
		}
		w.add("("+strings.Join(or, " OR ")+")", args...)
	}
	if q.ServiceID != "" {
		w.add("r.service_id = ?", q.ServiceID)
	}
	if q.Area != "" {
		w.add(inAreaServices("r.service_id"), q.Area+" %")
	}
	return w
}

// incoming is the condition on waiting-list referrals i for q, received in
// the range: into the scope's teams or made by its practices; ok is false
// when the scope has neither (a provider's).
func incoming(q insights.Query) (w *where, ok bool) {
	if q.ServiceID != "" || (!q.Scope.All && len(q.Scope.TeamIDs) == 0 && len(q.Scope.Practices) == 0) {
		return nil, false
	}
	w = &where{}
	w.add("i.received_at >= ? AND i.received_at < ?", q.From, q.To)
	if ods := q.Scope.Practices; !q.Scope.All && len(ods) > 0 {
		or, args := []string{"i.id IN (SELECT g.incoming_id FROM gp_referral g WHERE g.practice_ods IN (" + placeholders(len(ods)) + "))"}, anys(ods)
		if ids := q.Scope.TeamIDs; len(ids) > 0 {
			or = append(or, "i.team_id IN ("+placeholders(len(ids))+")")
			args = append(args, anys(ids)...)
		}
		w.add("("+strings.Join(or, " OR ")+")", args...)
	} else {
		teamScope(w, q, "i.team_id")
	}
	if q.Area != "" {
		w.add("UPPER(i.postcode) LIKE ?", q.Area+" %")
	}
	return w, true
}

// teamScope limits a team id column to the scope's teams.
func teamScope(w *where, q insights.Query, col string) {
	if !q.Scope.All {
		if len(q.Scope.TeamIDs) == 0 {
			w.add("FALSE")
			return
		}
		w.add(col+" IN ("+placeholders(len(q.Scope.TeamIDs))+")", anys(q.Scope.TeamIDs)...)
	}
}

// clients is the condition on clients c for q's teams and area.
func clients(q insights.Query) *where {
	w := &where{}
	teamScope(w, q, "c.team_id")
	if q.Area != "" {
		w.add("UPPER(c.postcode) LIKE ?", q.Area+" %")
	}
	return w
}

// source classifies a marketplace referral r by who made it (see the
// dialect's referralSource), with the joins it needs.
func (s *InsightsStore) source() (expr, joins string) { return s.db.dialect.referralSource() }

// incomingSource classifies a waiting-list referral i, with its join.
const incomingSource = `CASE WHEN gpr.channel = 'fhir' THEN 'gp_system'
		WHEN gpr.channel = 'web' OR i.source = 'gp' THEN 'gp_practice'
		WHEN i.source = 'self' THEN 'self' ELSE 'professional' END`

const incomingJoin = ` LEFT JOIN gp_referral gpr ON gpr.incoming_id = i.id AND gpr.incoming_id <> ''`

// LeadTeams lists the teams the user leads, by name.
func (s *InsightsStore) LeadTeams(ctx context.Context, userID string) ([]insights.Team, error) {
	return s.teams(ctx, `SELECT t.id, t.name FROM sp_team t JOIN sp_team_member m ON m.team_id = t.id
		WHERE m.user_id = ? AND m.lead ORDER BY t.name, t.id`, userID)
}

// Teams lists every team, by name.
func (s *InsightsStore) Teams(ctx context.Context) ([]insights.Team, error) {
	return s.teams(ctx, `SELECT id, name FROM sp_team ORDER BY name, id`)
}

// PCN finds a primary care network with its teams (by name) and the ODS
// codes of its practices. Errors: ENOTFOUND.
func (s *InsightsStore) PCN(ctx context.Context, id string) (*insights.PCN, error) {
	p := &insights.PCN{ID: id}
	err := s.db.reader().queryRow(ctx, `SELECT name, ods_code FROM pcn WHERE id = ?`, id).Scan(&p.Name, &p.ODSCode)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "There is no such primary care network")
	}
	if err != nil {
		return nil, fmt.Errorf("find pcn %s: %w", id, err)
	}
	if p.Teams, err = s.teams(ctx, `SELECT t.id, t.name FROM sp_team t JOIN pcn_team pt ON pt.team_id = t.id WHERE pt.pcn_id = ? ORDER BY t.name, t.id`, id); err != nil {
		return nil, err
	}
	if p.Practices, err = columnStrings(ctx, s.db.reader(), `SELECT ods_code FROM pcn_practice WHERE pcn_id = ? ORDER BY ods_code`, []any{id}); err != nil {
		return nil, fmt.Errorf("pcn practices: %w", err)
	}
	return p, nil
}

func (s *InsightsStore) teams(ctx context.Context, query string, args ...any) ([]insights.Team, error) {
	var out []insights.Team
	err := eachRow(ctx, s.db.reader(), query, args, func(r rowScanner) error {
		var t insights.Team
		err := r.Scan(&t.ID, &t.Name)
		out = append(out, t)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	return out, nil
}

// Service finds a service with its organisation. Errors: ENOTFOUND.
func (s *InsightsStore) Service(ctx context.Context, id string) (*insights.Service, error) {
	if uuid.Validate(id) != nil {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "Service not found")
	}
	var v insights.Service
	err := s.db.reader().queryRow(ctx, `SELECT s.id, s.name, s.organization_id, o.name FROM service s JOIN organization o ON o.id = s.organization_id WHERE s.id = ?`, id).
		Scan(&v.ID, &v.Name, &v.OrganizationID, &v.OrganizationName)
	if err != nil {
		return nil, fmt.Errorf("find service %s: %w", id, mapError(err))
	}
	return &v, nil
}

// ReferralSources counts referrals by day and source: marketplace
// referrals, then waiting-list referrals into teams.
func (s *InsightsStore) ReferralSources(ctx context.Context, q insights.Query) ([]insights.SourceDay, error) {
	var out []insights.SourceDay
	scan := func(r rowScanner) error {
		var d insights.SourceDay
		err := r.Scan(&d.Day, &d.Source, &d.N)
		out = append(out, d)
		return err
	}
	rolled, rest, err := s.split(ctx, q, rollupName)
	if err == nil && rolled != nil {
		err = eachRow(ctx, s.db.reader(), `SELECT day, source, SUM(n) FROM insights_referral_day WHERE day >= ? AND day < ? GROUP BY day, source`,
			[]any{rolled[0], rolled[1]}, scan)
	}
	if err != nil {
		return nil, fmt.Errorf("rolled-up referrals by source: %w", err)
	}
	w, err := s.referrals(ctx, rest)
	if err != nil {
		return nil, err
	}
	source, joins := s.source()
	err = eachRow(ctx, s.db.reader(), `SELECT day, source, COUNT(*) FROM (SELECT `+s.day("r.created_at")+` AS day, `+source+` AS source
		FROM referral r`+joins+` WHERE `+w.sql()+`) x GROUP BY day, source`, w.args, scan)
	if err != nil {
		return nil, fmt.Errorf("referrals by source: %w", err)
	}
	if _, ok := incoming(q); ok {
		rolled, rest, err := s.split(ctx, q, teamsRollup)
		if err == nil && rolled != nil {
			err = eachRow(ctx, s.db.reader(), `SELECT day, source, n FROM insights_incoming_day WHERE day >= ? AND day < ? AND source <> ''`,
				[]any{rolled[0], rolled[1]}, scan)
		}
		if err != nil {
			return nil, fmt.Errorf("rolled-up waiting-list referrals by source: %w", err)
		}
		w, _ := incoming(rest)
		err = eachRow(ctx, s.db.reader(), `SELECT day, source, COUNT(*) FROM (SELECT `+s.day("i.received_at")+` AS day, `+incomingSource+` AS source
			FROM sp_incoming i`+incomingJoin+` WHERE `+w.sql()+`) x GROUP BY day, source`, w.args, scan)
		if err != nil {
			return nil, fmt.Errorf("waiting-list referrals by source: %w", err)
		}
	}
	return out, nil
}

// GPReferrals counts referrals from GP practices made in the range by
// practice and channel: every practice for the whole area, those into the
// scope's teams or to its organisations' services otherwise.
func (s *InsightsStore) GPReferrals(ctx context.Context, q insights.Query) ([]insights.PracticeCount, error) {
	w := &where{}
	w.add("g.created_at >= ? AND g.created_at < ?", q.From, q.To)
	if !q.Scope.All || q.ServiceID != "" {
		or := []string{"FALSE"}
		var args []any
		if ids := q.Scope.TeamIDs; len(ids) > 0 && q.ServiceID == "" {
			or = append(or, "g.team_id IN ("+placeholders(len(ids))+")")
			args = append(args, anys(ids)...)
		}
		if ods := q.Scope.Practices; len(ods) > 0 && q.ServiceID == "" {
			or = append(or, "g.practice_ods IN ("+placeholders(len(ods))+")")
			args = append(args, anys(ods)...)
		}
		if ids := q.Scope.OrganizationIDs; len(ids) > 0 {
			// The referral behind each GP referral, by its key (GP
			// referrals are few; an organisation's referrals many).
			id := "g.market_referral_id"
			if s.db.Dialect() == Postgres {
				id = "CAST(NULLIF(g.market_referral_id, '') AS UUID)"
			}
			or = append(or, "EXISTS (SELECT 1 FROM referral r WHERE r.id = "+id+" AND r.organization_id IN ("+placeholders(len(ids))+"))")
			args = append(args, anys(ids)...)
		}
		w.add("("+strings.Join(or, " OR ")+")", args...)
	}
	if q.ServiceID != "" {
		w.add("g.service_id = ?", q.ServiceID)
	}
	if q.Area != "" {
		w.add("UPPER(g.postcode) LIKE ?", q.Area+" %")
	}
	var out []insights.PracticeCount
	err := eachRow(ctx, s.db.reader(), `SELECT g.practice_ods, COALESCE(MAX(p.name), ''), g.channel, COUNT(*) FROM gp_referral g
		LEFT JOIN gp_practice p ON p.ods_code = g.practice_ods WHERE `+w.sql()+` GROUP BY g.practice_ods, g.channel`, w.args, func(r rowScanner) error {
		var c insights.PracticeCount
		err := r.Scan(&c.ODSCode, &c.Name, &c.Channel, &c.N)
		out = append(out, c)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("gp referrals: %w", err)
	}
	return out, nil
}

// categories joins each service's categories in Waymark's own taxonomy
// (c.name) to the service id column; its argument comes first. The join
// is of the tables themselves, so both databases use their indexes.
func categories(serviceCol string) string {
	return ` LEFT JOIN (service_taxonomy st JOIN taxonomy_term c ON c.id = st.taxonomy_term_id AND c.taxonomy_id = ?) ON st.service_id = ` + serviceCol
}

// ReferralCategories counts referrals by day and category of service;
// waiting-list referrals count as social prescribing.
func (s *InsightsStore) ReferralCategories(ctx context.Context, q insights.Query) ([]insights.CategoryDay, error) {
	var out []insights.CategoryDay
	scan := func(r rowScanner) error {
		var d insights.CategoryDay
		err := r.Scan(&d.Day, &d.Category, &d.N)
		if d.Category == "" {
			d.Category = "No category"
		}
		out = append(out, d)
		return err
	}
	rolled, rest, err := s.split(ctx, q, rollupName)
	if err == nil && rolled != nil {
		err = eachRow(ctx, s.db.reader(), `SELECT day, category, n FROM insights_referral_category WHERE day >= ? AND day < ?`, []any{rolled[0], rolled[1]}, scan)
	}
	if err != nil {
		return nil, fmt.Errorf("rolled-up referrals by category: %w", err)
	}
	w, err := s.referrals(ctx, rest)
	if err != nil {
		return nil, err
	}
	err = eachRow(ctx, s.db.reader(), `SELECT day, category, COUNT(*) FROM (SELECT `+s.day("r.created_at")+` AS day, COALESCE(c.name, '') AS category
		FROM referral r`+categories("r.service_id")+` WHERE `+w.sql()+`) x GROUP BY day, category`,
		append([]any{directory.CategoryTaxonomyID}, w.args...), scan)
	if err != nil {
		return nil, fmt.Errorf("referrals by category: %w", err)
	}
	if _, ok := incoming(q); ok {
		scan := func(r rowScanner) error {
			d := insights.CategoryDay{Category: insights.SocialPrescribing}
			err := r.Scan(&d.Day, &d.N)
			out = append(out, d)
			return err
		}
		rolled, rest, err := s.split(ctx, q, teamsRollup)
		if err == nil && rolled != nil {
			err = eachRow(ctx, s.db.reader(), `SELECT day, n FROM insights_incoming_day WHERE day >= ? AND day < ? AND source = ''`,
				[]any{rolled[0], rolled[1]}, scan)
		}
		if err != nil {
			return nil, fmt.Errorf("rolled-up waiting-list referrals by day: %w", err)
		}
		w, _ := incoming(rest)
		err = eachRow(ctx, s.db.reader(), `SELECT day, COUNT(*) FROM (SELECT `+s.day("i.received_at")+` AS day FROM sp_incoming i WHERE `+w.sql()+`) x GROUP BY day`,
			w.args, scan)
		if err != nil {
			return nil, fmt.Errorf("waiting-list referrals by day: %w", err)
		}
	}
	return out, nil
}

// ReferralOutcomes counts marketplace referrals by status, decline reason,
// attendance and whether the provider answered.
func (s *InsightsStore) ReferralOutcomes(ctx context.Context, q insights.Query) ([]insights.OutcomeCount, error) {
	var out []insights.OutcomeCount
	scan := func(r rowScanner) error {
		var o insights.OutcomeCount
		var responded int
		err := r.Scan(&o.Status, &o.DeclineReason, &o.Attendance, &responded, &o.N)
		o.Responded = responded == 1
		out = append(out, o)
		return err
	}
	rolled, rest, err := s.split(ctx, q, rollupName)
	if err == nil && rolled != nil {
		err = eachRow(ctx, s.db.reader(), `SELECT status, decline_reason, attendance, responded, SUM(n) FROM insights_referral_day
			WHERE day >= ? AND day < ? GROUP BY status, decline_reason, attendance, responded`, []any{rolled[0], rolled[1]}, scan)
	}
	if err != nil {
		return nil, fmt.Errorf("rolled-up referral outcomes: %w", err)
	}
	w, err := s.referrals(ctx, rest)
	if err != nil {
		return nil, err
	}
	err = eachRow(ctx, s.db.reader(), `SELECT r.status, r.decline_reason, r.attendance, CASE WHEN r.responded_at IS NULL THEN 0 ELSE 1 END AS responded, COUNT(*)
		FROM referral r WHERE `+w.sql()+` GROUP BY r.status, r.decline_reason, r.attendance, responded`, w.args, scan)
	if err != nil {
		return nil, fmt.Errorf("referral outcomes: %w", err)
	}
	return out, nil
}

// ResponseHours is the histogram of hours to the provider's first answer.
func (s *InsightsStore) ResponseHours(ctx context.Context, q insights.Query, byService bool) ([]insights.HourCount, error) {
	if byService {
		plan, err := s.planServices(ctx, q)
		if err != nil {
			return nil, err
		}
		if plan != nil {
			return s.rolledServiceHours(ctx, plan)
		}
		return s.responseHours(ctx, q, "r.service_id")
	}
	var out []insights.HourCount
	rolled, rest, err := s.split(ctx, q, rollupName)
	if err == nil && rolled != nil {
		err = eachRow(ctx, s.db.reader(), `SELECT '', hours, SUM(n) FROM insights_referral_hours WHERE day >= ? AND day < ? GROUP BY hours`,
			[]any{rolled[0], rolled[1]}, func(r rowScanner) error {
				var h insights.HourCount
				err := r.Scan(&h.ServiceID, &h.Hours, &h.N)
				out = append(out, h)
				return err
			})
	}
	if err != nil {
		return nil, fmt.Errorf("rolled-up response hours: %w", err)
	}
	plain, err := s.responseHours(ctx, rest, "''")
	return append(out, plain...), err
}

// responseHours counts q's answered referrals by service (the expression
// service, an empty string for none) and whole hours to the answer.
func (s *InsightsStore) responseHours(ctx context.Context, q insights.Query, service string) ([]insights.HourCount, error) {
	w, err := s.referrals(ctx, q)
	if err != nil {
		return nil, err
	}
	w.add("r.responded_at IS NOT NULL")
	var out []insights.HourCount
	err = eachRow(ctx, s.db.reader(), `SELECT service, hours, COUNT(*) FROM (SELECT `+service+` AS service, `+s.minutes("r.created_at", "r.responded_at")+` / 60 AS hours
		FROM referral r WHERE `+w.sql()+`) x GROUP BY service, hours`, w.args, func(r rowScanner) error {
		var h insights.HourCount
		err := r.Scan(&h.ServiceID, &h.Hours, &h.N)
		out = append(out, h)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("response hours: %w", err)
	}
	return out, nil
}

// ServiceFigures counts each service's marketplace referrals, by name:
// from the running totals for the whole area or a provider, else from the
// referrals.
func (s *InsightsStore) ServiceFigures(ctx context.Context, q insights.Query) ([]insights.ServiceFigures, error) {
	plan, err := s.planServices(ctx, q)
	if err != nil {
		return nil, err
	}
	var out []insights.ServiceFigures
	if plan != nil {
		out, err = s.rolledServiceFigures(ctx, plan)
	} else {
		out, err = s.serviceFigures(ctx, q)
	}
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b insights.ServiceFigures) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.ServiceID, b.ServiceID))
	})
	return out, nil
}

// serviceFigures counts each service's referrals in q from the referrals.
func (s *InsightsStore) serviceFigures(ctx context.Context, q insights.Query) ([]insights.ServiceFigures, error) {
	var out []insights.ServiceFigures
	w, err := s.referrals(ctx, q)
	if err != nil {
		return nil, err
	}
	err = eachRow(ctx, s.db.reader(), `SELECT r.service_id, s.name, COUNT(*),
		SUM(CASE WHEN r.responded_at IS NOT NULL OR r.status = 'auto_declined' THEN 1 ELSE 0 END),
		SUM(CASE WHEN r.responded_at IS NOT NULL AND r.status <> 'declined' THEN 1 ELSE 0 END),
		SUM(CASE WHEN r.attendance <> '' THEN 1 ELSE 0 END),
		SUM(CASE WHEN r.attendance = 'attended' THEN 1 ELSE 0 END),
		SUM(CASE WHEN r.score > 0 THEN 1 ELSE 0 END), SUM(r.score),
		SUM(CASE WHEN r.score = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN r.score = 2 THEN 1 ELSE 0 END),
		SUM(CASE WHEN r.score = 3 THEN 1 ELSE 0 END), SUM(CASE WHEN r.score = 4 THEN 1 ELSE 0 END),
		SUM(CASE WHEN r.score = 5 THEN 1 ELSE 0 END),
		SUM(CASE WHEN r.score > 0 AND r.met_needs = TRUE THEN 1 ELSE 0 END),
		SUM(CASE WHEN r.score > 0 AND r.met_needs = FALSE THEN 1 ELSE 0 END)
		FROM referral r JOIN service s ON s.id = r.service_id WHERE `+w.sql()+` GROUP BY r.service_id, s.name`,
		w.args, func(r rowScanner) error {
			var f insights.ServiceFigures
			err := r.Scan(&f.ServiceID, &f.Name, &f.Received, &f.Answered, &f.Accepted, &f.AttendanceKnown, &f.Attended, &f.Rated, &f.ScoreSum,
				&f.Scores[1], &f.Scores[2], &f.Scores[3], &f.Scores[4], &f.Scores[5], &f.MetYes, &f.MetNo)
			out = append(out, f)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("service figures: %w", err)
	}
	return out, nil
}

// Waits finds the waiting-list referrals waiting now and the waits of
// those decided in the range: for the whole area, the days rolled up from
// the rollups and the rest from the referrals.
func (s *InsightsStore) Waits(ctx context.Context, q insights.Query) (*insights.Waits, error) {
	out := &insights.Waits{Decided: map[int]int{}}
	rolled, rest, err := s.split(ctx, q, teamsRollup)
	if err == nil && rolled != nil {
		err = eachRow(ctx, s.db.reader(), `SELECT days, SUM(n) FROM insights_wait_day WHERE day >= ? AND day < ? GROUP BY days`,
			[]any{rolled[0], rolled[1]}, func(r rowScanner) error {
				var days, n int
				err := r.Scan(&days, &n)
				out.Decided[days] += n
				return err
			})
	}
	if err != nil {
		return nil, fmt.Errorf("rolled-up waits: %w", err)
	}
	q = rest
	w := &where{}
	w.add("(i.status = 'waiting' OR (i.decided_at >= ? AND i.decided_at < ?))", q.From, q.To)
	teamScope(w, q, "i.team_id")
	if q.Area != "" {
		w.add("UPPER(i.postcode) LIKE ?", q.Area+" %")
	}
	err = eachRow(ctx, s.db.reader(), `SELECT i.received_at, i.decided_at FROM sp_incoming i WHERE `+w.sql(), w.args, func(r rowScanner) error {
		var received time.Time
		var decided sql.NullTime
		if err := r.Scan(&received, &decided); err != nil {
			return err
		}
		if decided.Valid && !decided.Time.After(q.Now) {
			out.Decided[casework.WorkingDays(received, decided.Time)]++
		} else {
			out.Waiting = append(out.Waiting, received)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("waits: %w", err)
	}
	return out, nil
}

// Caseloads counts each link worker's open cases.
func (s *InsightsStore) Caseloads(ctx context.Context, q insights.Query) ([]insights.Caseload, error) {
	w := clients(q)
	// The condition of the partial index cw_client_open_idx, word for word.
	w.add("c.status IN ('waiting', 'active', 'on_hold')")
	var out []insights.Caseload
	err := eachRow(ctx, s.db.reader(), `SELECT t.name, COALESCE(u.name, ''), x.n FROM (SELECT c.team_id, c.link_worker_id, COUNT(*) AS n FROM cw_client c
		WHERE `+w.sql()+` GROUP BY c.team_id, c.link_worker_id) x JOIN sp_team t ON t.id = x.team_id
		LEFT JOIN app_user u ON CAST(u.id AS TEXT) = x.link_worker_id ORDER BY t.name, u.name`, w.args, func(r rowScanner) error {
		var l insights.Caseload
		err := r.Scan(&l.Team, &l.Worker, &l.Open)
		out = append(out, l)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("caseloads: %w", err)
	}
	return out, nil
}

// Contacts counts contacts by day and type.
func (s *InsightsStore) Contacts(ctx context.Context, q insights.Query) ([]insights.ContactDay, error) {
	var out []insights.ContactDay
	scan := func(r rowScanner) error {
		var d insights.ContactDay
		err := r.Scan(&d.Day, &d.Type, &d.N)
		out = append(out, d)
		return err
	}
	rolled, q, err := s.split(ctx, q, teamsRollup)
	if err == nil && rolled != nil {
		err = eachRow(ctx, s.db.reader(), `SELECT day, contact_type, n FROM insights_contact_day WHERE day >= ? AND day < ?`, []any{rolled[0], rolled[1]}, scan)
	}
	if err != nil {
		return nil, fmt.Errorf("rolled-up contacts: %w", err)
	}
	w := clients(q)
	from := `cw_entry e JOIN cw_client c ON c.id = e.client_id`
	var args []any
	if s.db.Dialect() == Postgres && !q.Scope.All {
		// Some teams: each client's contacts by index (PostgreSQL would
		// rather read every contact of the range and join).
		from = `cw_client c CROSS JOIN LATERAL (SELECT e.at, e.contact_type FROM cw_entry e WHERE e.client_id = c.id AND e.kind = ? AND e.at >= ? AND e.at < ?) e`
		args = append([]any{casework.KindContact, q.From, q.To}, w.args...)
	} else {
		w.add("e.kind = ? AND e.at >= ? AND e.at < ?", casework.KindContact, q.From, q.To)
		args = w.args
	}
	err = eachRow(ctx, s.db.reader(), `SELECT day, contact_type, COUNT(*) FROM (SELECT `+s.day("e.at")+` AS day, e.contact_type
		FROM `+from+` WHERE `+w.sql()+`) x GROUP BY day, contact_type`, args, scan)
	if err != nil {
		return nil, fmt.Errorf("contacts: %w", err)
	}
	return out, nil
}

// Discharges counts clients discharged in the range by reason.
func (s *InsightsStore) Discharges(ctx context.Context, q insights.Query) ([]insights.ReasonCount, error) {
	var out []insights.ReasonCount
	scan := func(r rowScanner) error {
		var v insights.ReasonCount
		err := r.Scan(&v.Reason, &v.N)
		out = append(out, v)
		return err
	}
	rolled, q, err := s.split(ctx, q, teamsRollup)
	if err == nil && rolled != nil {
		err = eachRow(ctx, s.db.reader(), `SELECT reason, SUM(n) FROM insights_discharge_day WHERE day >= ? AND day < ? GROUP BY reason`,
			[]any{rolled[0], rolled[1]}, scan)
	}
	if err != nil {
		return nil, fmt.Errorf("rolled-up discharges: %w", err)
	}
	w := clients(q)
	w.add("c.status = 'discharged' AND c.discharged_at >= ? AND c.discharged_at < ?", q.From, q.To)
	err = eachRow(ctx, s.db.reader(), `SELECT c.discharge_reason, COUNT(*) FROM cw_client c WHERE `+w.sql()+` GROUP BY c.discharge_reason`, w.args, scan)
	if err != nil {
		return nil, fmt.Errorf("discharges: %w", err)
	}
	return out, nil
}

// measures lists the measures taken before the range ends of the clients
// with one taken in the range, by client and time.
func (s *InsightsStore) measures(ctx context.Context, q insights.Query) ([]insights.MeasureRow, error) {
	w := clients(q)
	w.add("m.taken_at < ?", q.To)
	if q.Scope.All {
		// Every team: the clients with a measure in the range, from the measures.
		w.add("m.client_id IN (SELECT client_id FROM cw_measure WHERE taken_at >= ? AND taken_at < ?)", q.From, q.To)
	} else {
		// Some teams: each of their clients' measures, by index.
		w.add("EXISTS (SELECT 1 FROM cw_measure x WHERE x.client_id = c.id AND x.taken_at >= ? AND x.taken_at < ?)", q.From, q.To)
	}
	var out []insights.MeasureRow
	err := eachMeasure(ctx, s.db.reader(), `SELECT m.client_id, m.instrument, m.scores, m.taken_at FROM cw_measure m JOIN cw_client c ON c.id = m.client_id
		WHERE `+w.sql()+` ORDER BY m.client_id, m.taken_at, m.id`, w.args, func(m insights.MeasureRow) { out = append(out, m) })
	if err != nil {
		return nil, fmt.Errorf("measures: %w", err)
	}
	return out, nil
}

// live is the condition on services s that are live, in q's area.
func live(q insights.Query) *where {
	w := &where{}
	w.add("s.status IN ('published', 'frozen')")
	if q.Area != "" {
		w.add(inAreaServices("s.id"), q.Area+" %")
	}
	return w
}

// LiveByCategory counts live entries by category.
func (s *InsightsStore) LiveByCategory(ctx context.Context, q insights.Query) ([]insights.NameCount, error) {
	w := live(q)
	return s.nameCounts(ctx, `SELECT COALESCE(c.name, ''), COUNT(*) FROM service s`+categories("s.id")+`
		WHERE `+w.sql()+` GROUP BY COALESCE(c.name, '')`, append([]any{directory.CategoryTaxonomyID}, w.args...))
}

// LiveByDistrict counts live entries by their first address's district.
func (s *InsightsStore) LiveByDistrict(ctx context.Context, q insights.Query) ([]insights.NameCount, error) {
	w := live(q)
	return s.nameCounts(ctx, `SELECT COALESCE(d, ''), COUNT(*) FROM (SELECT (SELECT `+s.outward("UPPER(a.postal_code)")+`
		FROM service_at_location sal JOIN address a ON a.location_id = sal.location_id WHERE sal.service_id = s.id AND a.postal_code <> ''
		ORDER BY sal.position, a.id LIMIT 1) AS d FROM service s WHERE `+w.sql()+`) x GROUP BY COALESCE(d, '')`, w.args)
}

func (s *InsightsStore) nameCounts(ctx context.Context, query string, args []any) ([]insights.NameCount, error) {
	var out []insights.NameCount
	err := eachRow(ctx, s.db.reader(), query, args, func(r rowScanner) error {
		var c insights.NameCount
		err := r.Scan(&c.Name, &c.N)
		out = append(out, c)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("counts: %w", err)
	}
	return out, nil
}

// Confirmed counts live entries and those confirmed since a time.
func (s *InsightsStore) Confirmed(ctx context.Context, q insights.Query, since time.Time) (int, int, error) {
	w := live(q)
	var all, confirmed int
	err := s.db.reader().queryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN s.assured_at >= ? THEN 1 ELSE 0 END), 0) FROM service s WHERE `+w.sql(),
		append([]any{since}, w.args...)...).Scan(&all, &confirmed)
	if err != nil {
		return 0, 0, fmt.Errorf("confirmed entries: %w", err)
	}
	return all, confirmed, nil
}

// Reviews lists moderators' decisions in the range with the minutes since
// the submission before each.
func (s *InsightsStore) Reviews(ctx context.Context, q insights.Query) ([]insights.Review, error) {
	w := &where{}
	w.add("e.action IN ('approve', 'decline') AND e.at >= ? AND e.at < ?", q.From, q.To)
	if q.Area != "" {
		w.add(inAreaServices("e.service_id"), q.Area+" %")
	}
	submitted := `(SELECT MAX(x.at) FROM service_event x WHERE x.service_id = e.service_id AND x.action = 'submit' AND x.at <= e.at)`
	var out []insights.Review
	err := eachRow(ctx, s.db.reader(), `SELECT action, minutes FROM (SELECT e.action, `+s.minutes(submitted, "e.at")+` AS minutes
		FROM service_event e WHERE `+w.sql()+`) x WHERE minutes IS NOT NULL`, w.args, func(r rowScanner) error {
		var v insights.Review
		var action string
		err := r.Scan(&action, &v.Minutes)
		v.Approved = action == string(directory.ActionApprove)
		out = append(out, v)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reviews: %w", err)
	}
	return out, nil
}

// The notes the checkers write when they suspend an entry.
const (
	websiteFinding    = "Our website check found changes%"
	manualUnconfirmed = "Checked by a moderator: could not confirm%"
)

// Checks counts the website and manual checks in the range.
func (s *InsightsStore) Checks(ctx context.Context, q insights.Query) (*insights.CheckFigures, error) {
	area, areaArgs := "", []any{}
	if q.Area != "" {
		area, areaArgs = " AND "+inAreaServices("service_id"), []any{q.Area + " %"}
	}
	c := &insights.CheckFigures{}
	r := s.db.reader()
	err := r.queryRow(ctx, `SELECT COUNT(*) FROM service_check WHERE checked_at >= ? AND checked_at < ?`+area, append([]any{q.From, q.To}, areaArgs...)...).Scan(&c.WebsitesChecked)
	if err == nil {
		err = r.queryRow(ctx, `SELECT COUNT(*) FROM service_check WHERE failures > 0 AND service_id IN (SELECT id FROM service WHERE status IN ('published', 'frozen'))`+area,
			areaArgs...).Scan(&c.Unreachable)
	}
	if err == nil {
		err = r.queryRow(ctx, `SELECT COUNT(*) FROM service_event WHERE action = 'check' AND at >= ? AND at < ?`+area, append([]any{q.From, q.To}, areaArgs...)...).Scan(&c.ManualChecks)
	}
	if err == nil {
		err = r.queryRow(ctx, `SELECT COUNT(*) FROM service_event WHERE action = 'suspend' AND note LIKE ? AND at >= ? AND at < ?`+area,
			append([]any{manualUnconfirmed, q.From, q.To}, areaArgs...)...).Scan(&c.ManualSuspended)
	}
	if err == nil {
		c.Findings, err = columnStrings(ctx, r, `SELECT note FROM service_event WHERE action = 'suspend' AND note LIKE ? AND at >= ? AND at < ?`+area,
			append([]any{websiteFinding, q.From, q.To}, areaArgs...))
	}
	if err != nil {
		return nil, fmt.Errorf("checks: %w", err)
	}
	return c, nil
}

// SearchGaps counts searches that found nothing, in the range and area.
func (s *InsightsStore) SearchGaps(ctx context.Context, q insights.Query) ([]insights.GapCount, error) {
	w := &where{}
	w.add("at >= ? AND at < ?", q.From, q.To)
	if q.Area != "" {
		w.add("district = ?", q.Area)
	}
	var out []insights.GapCount
	err := eachRow(ctx, s.db.reader(), `SELECT district, words, category, COUNT(*) FROM search_gap WHERE `+w.sql()+` GROUP BY district, words, category`,
		w.args, func(r rowScanner) error {
			var g insights.GapCount
			err := r.Scan(&g.District, &g.Words, &g.Category, &g.N)
			out = append(out, g)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("search gaps: %w", err)
	}
	return out, nil
}

// RecordSearchGap keeps a search that found nothing (postcode district,
// words, category and radius only). It implements directory.GapStore.
func (s *DirectoryStore) RecordSearchGap(ctx context.Context, g directory.SearchGap) error {
	return s.db.inTx(ctx, func(c conn) error {
		return c.exec(ctx, `INSERT INTO search_gap (at, district, words, category, radius_miles) VALUES (?, ?, ?, ?, ?)`,
			g.At, g.District, g.Words, g.Category, g.RadiusMiles)
	})
}
