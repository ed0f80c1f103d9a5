package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"waymark/internal/directory"
	"waymark/internal/insights"
)

// Rollups: pre-computed figures for the whole area, which the dashboards
// read for the days before rolled_through (the edge) instead of every
// referral, client, contact or measure; the days from the edge come from
// the tables. Counts of marketplace referrals by day (insights_referral_day,
// _hours and _category): the job rolls up each new whole day and
// recomputes the days whose referrals changed since it last ran. Running
// totals by service (insights_services.go) and the team counts
// (insights_teams.go) are described with their code.

// The rollups, each with its own state row in insights_rollup.
const (
	rollupName     = "referrals" // insights_referral_day, _hours and _category
	servicesRollup = "services"  // insights_service_total
	teamsRollup    = "teams"     // insights_incoming_day, _wait_day, _contact_day, _discharge_day, _wellbeing_day
)

// rollupSlack is how far before the last run the job looks for changed
// rows, so that a change committed just after a run began (with an
// earlier timestamp) is still seen by the next.
const rollupSlack = time.Hour

// rolledThrough is the first day not in the named rollup ("" before the
// first run) and when the job last ran.
func (s *InsightsStore) rolledThrough(ctx context.Context, c conn, name string) (string, time.Time, error) {
	var day string
	var ran time.Time
	err := c.queryRow(ctx, `SELECT rolled_through, ran_at FROM insights_rollup WHERE name = ?`, name).Scan(&day, &ran)
	if errors.Is(err, sql.ErrNoRows) {
		return "", time.Time{}, nil
	}
	if err != nil {
		return "", time.Time{}, fmt.Errorf("rollup state %s: %w", name, err)
	}
	return day, ran, nil
}

// saveRolled records that the named rollup holds every day before today.
func saveRolled(ctx context.Context, c conn, name, today string, now time.Time) error {
	if err := c.exec(ctx, `DELETE FROM insights_rollup WHERE name = ?`, name); err != nil {
		return fmt.Errorf("rollup state %s: %w", name, err)
	}
	if err := c.exec(ctx, `INSERT INTO insights_rollup (name, rolled_through, ran_at) VALUES (?, ?, ?)`, name, today, now.UTC()); err != nil {
		return fmt.Errorf("rollup state %s: %w", name, err)
	}
	return nil
}

// RollUp brings the rollups up to now: every whole day before today, with
// what changed since the last run recomputed.
func (s *InsightsStore) RollUp(ctx context.Context, now time.Time) error {
	today := now.UTC().Format("2006-01-02")
	// The team counts are read before the transaction (which holds
	// SQLite's write lock) and written in it.
	teams, err := s.teamCounts(ctx, s.db.reader(), dayStart(today))
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(c conn) error {
		if err := s.rollReferrals(ctx, c, today, now); err != nil {
			return err
		}
		if err := s.rollServices(ctx, c, today, now); err != nil {
			return err
		}
		if err := teams.write(ctx, c); err != nil {
			return err
		}
		return saveRolled(ctx, c, teamsRollup, today, now)
	})
}

// rollReferrals rolls up the referral counts by day: every new whole day,
// and the days of referrals changed since the last run again.
func (s *InsightsStore) rollReferrals(ctx context.Context, c conn, today string, now time.Time) error {
	through, ran, err := s.rolledThrough(ctx, c, rollupName)
	if err != nil {
		return err
	}
	var changed []string
	if through != "" {
		changed, err = columnStrings(ctx, c, `SELECT DISTINCT `+s.day("created_at")+` FROM referral WHERE updated_at >= ? AND created_at < ?`,
			[]any{ran.Add(-rollupSlack), dayStart(through)})
		if err != nil {
			return fmt.Errorf("changed days: %w", err)
		}
	}
	if through < today {
		if err := s.rollDays(ctx, c, through, today); err != nil {
			return err
		}
	}
	for _, d := range changed {
		if err := s.rollDays(ctx, c, d, dayStart(d).AddDate(0, 0, 1).Format("2006-01-02")); err != nil {
			return err
		}
	}
	return saveRolled(ctx, c, rollupName, today, now)
}

func dayStart(day string) time.Time {
	t, _ := time.Parse("2006-01-02", day)
	return t
}

// rollDays recomputes the rollups of the days from (inclusive, "" for the
// beginning) to (exclusive).
func (s *InsightsStore) rollDays(ctx context.Context, c conn, from, to string) error {
	w := &where{}
	w.add("r.created_at < ?", dayStart(to))
	if from != "" {
		w.add("r.created_at >= ?", dayStart(from))
	}
	for _, t := range []string{"insights_referral_day", "insights_referral_hours", "insights_referral_category"} {
		if err := c.exec(ctx, `DELETE FROM `+t+` WHERE day >= ? AND day < ?`, from, to); err != nil {
			return fmt.Errorf("clear %s: %w", t, err)
		}
	}
	source, joins := s.source()
	err := c.exec(ctx, `INSERT INTO insights_referral_day (day, source, status, decline_reason, attendance, responded, n)
		SELECT day, source, status, decline_reason, attendance, responded, COUNT(*) FROM (SELECT `+s.day("r.created_at")+` AS day, `+source+` AS source,
		r.status, r.decline_reason, r.attendance, CASE WHEN r.responded_at IS NULL THEN 0 ELSE 1 END AS responded
		FROM referral r`+joins+` WHERE `+w.sql()+`) x GROUP BY day, source, status, decline_reason, attendance, responded`, w.args...)
	if err == nil {
		err = c.exec(ctx, `INSERT INTO insights_referral_hours (day, hours, n)
			SELECT day, hours, COUNT(*) FROM (SELECT `+s.day("r.created_at")+` AS day, `+s.minutes("r.created_at", "r.responded_at")+` / 60 AS hours
			FROM referral r WHERE `+w.sql()+` AND r.responded_at IS NOT NULL) x GROUP BY day, hours`, w.args...)
	}
	if err == nil {
		err = c.exec(ctx, `INSERT INTO insights_referral_category (day, category, n)
			SELECT day, category, COUNT(*) FROM (SELECT `+s.day("r.created_at")+` AS day, COALESCE(c.name, '') AS category
			FROM referral r`+categories("r.service_id")+` WHERE `+w.sql()+`) x GROUP BY day, category`, append([]any{directory.CategoryTaxonomyID}, w.args...)...)
	}
	if err != nil {
		return fmt.Errorf("roll up referrals: %w", err)
	}
	return nil
}

// wholeArea reports whether q asks for the whole area with nothing
// narrowing it (no area, no service): the questions the rollups answer.
func wholeArea(q insights.Query) bool {
	return q.Scope.All && q.Area == "" && q.ServiceID == ""
}

// split divides q's range at the rollups' edge: rolled is the part the
// rollups answer (nil when they answer none of it: not the whole area, an
// area or a service chosen, or not rolled up yet), and rest the query for
// the remaining days.
func (s *InsightsStore) split(ctx context.Context, q insights.Query, name string) (rolled *[2]string, rest insights.Query, err error) {
	if !wholeArea(q) {
		return nil, q, nil
	}
	through, _, err := s.rolledThrough(ctx, s.db.reader(), name)
	if err != nil || through == "" {
		return nil, q, err
	}
	edge := dayStart(through)
	if !q.From.Before(edge) {
		return nil, q, nil
	}
	to := q.To
	if to.After(edge) {
		to = edge
	}
	rest = q
	rest.From = to
	return &[2]string{q.From.Format("2006-01-02"), to.Format("2006-01-02")}, rest, nil
}
