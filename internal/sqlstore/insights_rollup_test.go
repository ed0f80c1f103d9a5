package sqlstore_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/insights"
	"waymark/internal/sqlstore"
)

// rollupRanges are ranges whose ends fall on and between the rollups'
// boundaries (firsts of months, the edge), before, across and after the
// data, seen on 15 June 2026.
var rollupRanges = []insights.Filter{
	insightsRange,
	{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 6, 16, 0, 0, 0, 0, time.UTC)},
	{From: time.Date(2026, 1, 20, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 4, 10, 0, 0, 0, 0, time.UTC)},
	{From: time.Date(2026, 1, 11, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 5, 3, 0, 0, 0, 0, time.UTC)},
	{From: time.Date(2026, 2, 4, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC)},
	{From: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 6, 14, 0, 0, 0, 0, time.UTC)},
	{From: time.Date(2026, 5, 28, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)},
	{From: time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 6, 20, 0, 0, 0, 0, time.UTC)},
}

// execOn runs a statement written with ? placeholders on either database.
func execOn(t *testing.T, db *sqlstore.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.SQL().Exec(sqlstore.Rebind(db, query), args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// withoutRollups runs fn with the rollups' state put aside, so that every
// figure comes from the plain queries, then puts it back.
func withoutRollups(t *testing.T, db *sqlstore.DB, fn func()) {
	t.Helper()
	type state struct {
		name, through string
		ran           time.Time
	}
	var kept []state
	rows, err := db.SQL().Query(`SELECT name, rolled_through, ran_at FROM insights_rollup`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s state
		if err := rows.Scan(&s.name, &s.through, &s.ran); err != nil {
			t.Fatal(err)
		}
		kept = append(kept, s)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	execOn(t, db, `DELETE FROM insights_rollup`)
	fn()
	for _, s := range kept {
		execOn(t, db, `INSERT INTO insights_rollup (name, rolled_through, ran_at) VALUES (?, ?, ?)`, s.name, s.through, s.ran)
	}
}

// dashboards are every dashboard open to the actor over a range.
func dashboards(t *testing.T, svc *insights.Insights, who context.Context, f insights.Filter) map[string]*insights.Dashboard {
	t.Helper()
	out := map[string]*insights.Dashboard{}
	for name, run := range map[string]func(context.Context, insights.Filter) (*insights.Dashboard, error){
		insights.DashReferrals: svc.Referrals, insights.DashProviders: svc.Providers, insights.DashTeams: svc.Teams,
	} {
		d, err := run(who, f)
		if waymark.ErrorCode(err) == waymark.EFORBIDDEN {
			continue // not this actor's
		}
		if err != nil {
			t.Fatalf("%s %v: %v", name, f, err)
		}
		out[name] = d
	}
	return out
}

// sameAsPlain checks that every figure of every dashboard open to the
// actor over each range is the same from the rollups as from the plain
// queries.
func sameAsPlain(t *testing.T, db *sqlstore.DB, svc *insights.Insights, who context.Context, ranges []insights.Filter) {
	t.Helper()
	for _, f := range ranges {
		rolled := dashboards(t, svc, who, f)
		var plain map[string]*insights.Dashboard
		withoutRollups(t, db, func() { plain = dashboards(t, svc, who, f) })
		for name, p := range plain {
			r := rolled[name]
			if len(p.Tables) != len(r.Tables) {
				t.Errorf("%s %s to %s: %d tables plain, %d rolled up", name, f.From.Format("2006-01-02"), f.To.Format("2006-01-02"), len(p.Tables), len(r.Tables))
				continue
			}
			for i := range p.Tables {
				if !reflect.DeepEqual(p.Tables[i], r.Tables[i]) {
					t.Errorf("%s %s to %s, %s:\nplain     %v\nrolled up %v", name, f.From.Format("2006-01-02"), f.To.Format("2006-01-02"),
						p.Tables[i].ID, p.Tables[i].Rows, r.Tables[i].Rows)
				}
			}
		}
	}
}

func TestInsightsRollupsGiveThePlainFiguresOfEveryDashboardThroughChanges(t *testing.T) {
	insightsData.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newInsightsFixture(t, db)
		store := sqlstore.NewInsightsStore(db)
		ctx := context.Background()
		// More referrals over more months, so that the totals of many
		// boundaries differ: one to Nordic walking on the 5th and 25th of
		// every month from March 2025, answered after a number of hours
		// that changes, every other one attended and scored.
		var orgA string
		if err := db.SQL().QueryRow(`SELECT CAST(organization_id AS TEXT) FROM service WHERE name = 'Nordic walking'`).Scan(&orgA); err != nil {
			t.Fatal(err)
		}
		n := 0
		add := func(service, org string, made time.Time, status string, answered time.Duration, attendance string, score int, met any, updated time.Time) string {
			n++
			id := uuid.NewSHA1(uuid.NameSpaceOID, []byte(fmt.Sprint("rollup referral ", n))).String()
			var responded any
			if answered > 0 {
				responded = made.Add(answered)
			}
			execOn(t, db, `INSERT INTO referral (id, reference, service_id, organization_id, source, status, referrer_id, client_name, preferred_contact, consent,
				decline_reason, attendance, created_at, updated_at, responded_at, score, met_needs)
				VALUES (?, ?, ?, ?, 'self', ?, '', 'A Person', 'email', TRUE, '', ?, ?, ?, ?, ?, ?)`,
				id, fmt.Sprint("ROLL", n), service, org, status, attendance, made, updated, responded, score, met)
			return id
		}
		for m := time.Date(2025, 3, 5, 10, 0, 0, 0, time.UTC); m.Before(insightsNow); m = m.AddDate(0, 1, 0) {
			for _, day := range []int{0, 20} {
				made := m.AddDate(0, 0, day)
				if !made.Before(insightsNow) {
					continue
				}
				if n%2 == 0 {
					add(f.nordic, orgA, made, "attended", time.Duration(1+n%7)*time.Hour, "attended", 1+n%5, n%3 > 0, made)
				} else {
					add(f.nordic, orgA, made, "declined", time.Duration(2+n%5)*time.Hour, "", 0, nil, made)
				}
			}
		}
		svc := f.svc
		sameAsPlain(t, db, svc, f.admin, rollupRanges)
		sameAsPlain(t, db, svc, f.provA, rollupRanges)
		if err := store.RollUp(ctx, insightsNow); err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"insights_service_total", "insights_incoming_day", "insights_wait_day", "insights_contact_day", "insights_discharge_day", "insights_wellbeing_day"} {
			var rows int
			if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&rows); err != nil || rows == 0 {
				t.Fatalf("%d rows in %s: %v", rows, table, err)
			}
		}
		sameAsPlain(t, db, svc, f.admin, rollupRanges)
		sameAsPlain(t, db, svc, f.provA, rollupRanges)
		sameAsPlain(t, db, svc, f.provB, rollupRanges)

		// Two days later: referrals made yesterday and today, a waiting
		// one from March answered and attended, a score given in May
		// (rated, not updated), and one from February entered late.
		later := time.Date(2026, 6, 17, 9, 0, 0, 0, time.UTC)
		var orgB string
		if err := db.SQL().QueryRow(`SELECT CAST(organization_id AS TEXT) FROM service WHERE name = 'Debt advice'`).Scan(&orgB); err != nil {
			t.Fatal(err)
		}
		add(f.debt, orgB, time.Date(2026, 6, 15, 16, 0, 0, 0, time.UTC), "attended", 3*time.Hour, "attended", 4, true, time.Date(2026, 6, 15, 16, 0, 0, 0, time.UTC))
		add(f.debt, orgB, time.Date(2026, 6, 16, 10, 0, 0, 0, time.UTC), "sent", 0, "", 0, nil, time.Date(2026, 6, 16, 10, 0, 0, 0, time.UTC))
		add(f.debt, orgB, time.Date(2026, 6, 17, 8, 0, 0, 0, time.UTC), "declined", time.Hour, "", 0, nil, time.Date(2026, 6, 17, 8, 30, 0, 0, time.UTC))
		execOn(t, db, `UPDATE referral SET status = 'attended', attendance = 'attended', responded_at = ?, updated_at = ? WHERE reference = 'REF6'`,
			time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC), later)
		execOn(t, db, `UPDATE referral SET score = 1, met_needs = FALSE, rated_at = ? WHERE reference = 'REF12'`, later)
		add(f.knit, orgA, time.Date(2026, 2, 14, 9, 0, 0, 0, time.UTC), "accepted", 50*time.Hour, "", 0, nil, later)
		// The teams: a referral into Amber Valley today and one entered late
		// for April, the one waiting since March accepted; a call today
		// and a visit in February entered late; a client discharged today
		// and another's discharge moved to two days later; a SWEMWBS
		// measure today, one entered late for March, and a first ONS4
		// today.
		teamID := func(name string) string { return uuid.NewSHA1(uuid.NameSpaceOID, []byte(name)).String() }
		execOn(t, db, `INSERT INTO sp_incoming (id, team_id, source, status, given_name, family_name, date_of_birth, preferred_contact, reason, consent, postcode, received_at, decided_at)
			VALUES (?, ?, 'self', 'waiting', 'Given', 'Family', '1950-01-01', 'phone', 'Lonely', TRUE, 'DE4 9ZZ', ?, NULL),
			(?, ?, 'professional', 'accepted', 'Given', 'Family', '1950-01-01', 'phone', 'Lonely', TRUE, 'DE4 9ZZ', ?, ?)`,
			teamID("incoming today"), f.teamA, time.Date(2026, 6, 17, 8, 0, 0, 0, time.UTC),
			teamID("incoming late"), f.teamA, time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC), time.Date(2026, 4, 3, 9, 0, 0, 0, time.UTC))
		execOn(t, db, `UPDATE sp_incoming SET status = 'accepted', decided_at = ? WHERE id = ?`, time.Date(2026, 6, 16, 10, 0, 0, 0, time.UTC), teamID("incoming 6"))
		client := func(name string) string { return teamID("client " + name) }
		execOn(t, db, `INSERT INTO cw_entry (id, client_id, kind, at, summary, contact_type, created_at) VALUES (?, ?, 'contact', ?, 'x', 'phone', ?), (?, ?, 'contact', ?, 'x', 'face_to_face', ?)`,
			teamID("entry today"), client("Open 1"), time.Date(2026, 6, 17, 8, 0, 0, 0, time.UTC), later,
			teamID("entry late"), client("Open 2"), time.Date(2026, 2, 20, 10, 0, 0, 0, time.UTC), later)
		execOn(t, db, `UPDATE cw_client SET status = 'discharged', discharge_reason = 'moved_away', discharged_at = ?, updated_at = ? WHERE id = ?`,
			time.Date(2026, 6, 17, 8, 0, 0, 0, time.UTC), later, client("Open 3"))
		execOn(t, db, `UPDATE cw_client SET discharged_at = ?, updated_at = ? WHERE id = ?`, time.Date(2026, 5, 3, 10, 0, 0, 0, time.UTC), later, client("Done"))
		execOn(t, db, `INSERT INTO cw_measure (id, client_id, instrument, stage, scores, taken_at, recorded_by) VALUES (?, ?, 'swemwbs', 'review', '4,4,4,4,4,4,4', ?, 'x'),
			(?, ?, 'swemwbs', 'review', '1,1,1,1,1,1,1', ?, 'x'), (?, ?, 'ons4', 'first', '5,5,5,5', ?, 'x')`,
			teamID("measure today"), client("Open 1"), time.Date(2026, 6, 17, 8, 0, 0, 0, time.UTC),
			teamID("measure late"), client("Open 2"), time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC),
			teamID("measure ons4"), client("Open 3"), time.Date(2026, 6, 17, 8, 0, 0, 0, time.UTC))
		if err := store.RollUp(ctx, later); err != nil {
			t.Fatal(err)
		}
		svc = insights.NewInsights(store, insights.Config{FirstContactDays: 10, ModerationHours: 48}, func() time.Time { return later })
		moved := append([]insights.Filter{}, rollupRanges...)
		moved = append(moved, insights.Filter{From: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 6, 18, 0, 0, 0, 0, time.UTC)},
			insights.Filter{From: time.Date(2026, 2, 14, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 6, 17, 0, 0, 0, 0, time.UTC)})
		for _, who := range []context.Context{f.admin, f.provA, f.provB} {
			sameAsPlain(t, db, svc, who, moved)
		}

		// The figures are the ones worked out by hand: in the first half of
		// 2026 Debt advice has its 5 referrals and the 3 new ones (7
		// answered, 6 accepted, 6 of 6 attended, scores 3,1,3,3,3,4 and 5
		// of 6 met their needs), Knit and natter the late one besides its 4.
		d, err := svc.Providers(f.admin, insightsRange)
		if err != nil {
			t.Fatal(err)
		}
		checkDashboard(t, d, want{"services": {
			"Debt advice":     {1: "8", 3: "86%", 4: "100%", 5: "2.8", 6: "83%"},
			"Knit and natter": {1: "5", 3: hidden},
		}})
		// A provider sees its own services' totals and no one else's.
		for _, p := range []struct {
			who          context.Context
			mine, theirs string
			received     string
		}{{f.provA, "Knit and natter", "Debt advice", "5"}, {f.provB, "Debt advice", "Nordic walking", "8"}} {
			d, err := svc.Providers(p.who, insightsRange)
			if err != nil {
				t.Fatal(err)
			}
			if tb := d.Table("services"); tb.Cell(p.mine, 1) != p.received || tb.Cell(p.theirs, 1) != "" {
				t.Errorf("a provider sees %v", tb.Rows)
			}
		}
		// In the first half of 2026: 7 referrals decided (the 5, the late
		// one and March's), 8 contacts in February (6 calls and Dales's in
		// Amber Valley, the late visit), 5 people with two SWEMWBS
		// measures (the late one changes no one's first or latest).
		d, err = svc.Teams(f.admin, insightsRange)
		if err != nil {
			t.Fatal(err)
		}
		checkDashboard(t, d, want{"waiting": {"Accepted or declined in the range": {1: "7"}}, "contacts": {"2026-02": {7: "8"}},
			"wellbeing": {"SWEMWBS (metric score, 7 to 35)": {1: "5", 2: "16.1"}}})
	})
}
