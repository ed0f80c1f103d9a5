package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/insights"
	"waymark/internal/sqlstore"
)

// pcnFixture adds two primary care networks to the insights fixture:
// South (U00002) has Amber Valley and Lime Grove (C81001); North (U00001)
// has Dales and Wirksworth (C81002), which sent 6 referrals to Debt
// advice through the practice app in March and 5 into Dales' waiting list
// from its clinical system in February; Dr Gee is one of Wirksworth's GPs,
// whose marketplace referral of 1 March is theirs too. It returns a
// commissioner limited to each.
func pcnFixture(t *testing.T, db *sqlstore.DB, f *insightsFixture) (north, south context.Context) {
	t.Helper()
	ctx := context.Background()
	exec := func(query string, args ...any) {
		t.Helper()
		if _, err := db.SQL().ExecContext(ctx, sqlstore.Rebind(db, query), args...); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
	}
	created := at("2025-01-01 09:00")
	northID, southID := uuid.NewString(), uuid.NewString()
	exec(`INSERT INTO pcn (id, ods_code, name, created_at) VALUES (?, 'U00001', 'North PCN', ?), (?, 'U00002', 'South PCN', ?)`, northID, created, southID, created)
	exec(`INSERT INTO pcn_team (team_id, pcn_id) VALUES (?, ?), (?, ?)`, f.teamB, northID, f.teamA, southID)
	exec(`INSERT INTO pcn_practice (ods_code, pcn_id) VALUES ('C81002', ?), ('C81001', ?)`, northID, southID)
	exec(`INSERT INTO gp_practice (ods_code, name, created_at) VALUES ('C81002', 'Wirksworth', ?)`, created)
	exec(`INSERT INTO practice_user (user_id, ods_code, role) SELECT id, 'C81002', 'gp' FROM app_user WHERE name = 'Dr Gee'`)
	gpReferral := func(channel, team, service, incomingID, marketID string, when time.Time) {
		exec(`INSERT INTO gp_referral (id, request_key, practice_ods, service_id, team_id, channel, nhs_number, given_name, family_name, date_of_birth,
			reason, incoming_id, market_referral_id, created_at) VALUES (?, ?, 'C81002', ?, ?, ?, '9434765919', 'Given', 'Family', '1950-01-01', 'Lonely', ?, ?, ?)`,
			uuid.NewString(), uuid.NewString(), service, team, channel, incomingID, marketID, when)
	}
	for i := 0; i < 6; i++ {
		made := at(fmt.Sprintf("2026-03-%02d 09:00", 10+i))
		rid := uuid.NewString()
		exec(`INSERT INTO referral (id, reference, service_id, organization_id, source, status, referrer_id, client_name, preferred_contact, consent,
			decline_reason, attendance, created_at, updated_at) SELECT ?, ?, id, organization_id, 'professional', 'sent', '', 'A Person', 'email', TRUE, '', '', ?, ?
			FROM service WHERE id = ?`, rid, fmt.Sprint("NORTH", i), made, made, f.debt)
		gpReferral("web", "", f.debt, "", rid, made)
	}
	for i := 0; i < 5; i++ {
		received := at(fmt.Sprintf("2026-02-%02d 09:00", 16+i))
		iid := uuid.NewString()
		exec(`INSERT INTO sp_incoming (id, team_id, source, status, given_name, family_name, date_of_birth, preferred_contact, reason, consent, postcode, received_at)
			VALUES (?, ?, 'gp', 'waiting', 'Given', 'Family', '1950-01-01', 'phone', 'Lonely', TRUE, 'DE4 9ZZ', ?)`, iid, f.teamB, received)
		gpReferral("fhir", f.teamB, "", iid, "", received)
	}
	commissioner := func(pcnID string) context.Context {
		return waymark.WithActor(ctx, waymark.Actor{UserID: uuid.NewString(), Roles: []waymark.Role{waymark.RoleCommissioner}, PCN: pcnID})
	}
	return commissioner(northID), commissioner(southID)
}

func TestInsightsAPCNCommissionerSeesOnlyTheirNetworksFigures(t *testing.T) {
	insightsData.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newInsightsFixture(t, db)
		north, south := pcnFixture(t, db, f)

		acc, err := f.svc.Access(north)
		if err != nil {
			t.Fatal(err)
		}
		if acc.Scope.All || len(acc.Teams) != 1 || acc.Teams[0].ID != f.teamB || len(acc.Dashboards) != 5 || acc.PCN.ODSCode != "U00001" {
			t.Fatalf("north's access: %+v", acc)
		}
		d, err := f.svc.Referrals(north, insightsRange)
		if err != nil {
			t.Fatal(err)
		}
		checkDashboard(t, d, want{
			// Its practice's 6 through the app, Dr Gee's 1 in the
			// marketplace and 5 from its system, and the self-referral into
			// Dales: the 5 would give the 1 away.
			"sources": {"Self-referral": {1: few}, "Link worker": {1: "0"}, "GP practice": {1: "7"}, "GP system (FHIR)": {1: withheld},
				"Other professional": {1: "0"}, "All": {1: "13"}},
			"gp-practices": {"Wirksworth (C81002)": {1: "6", 2: "5", 3: "11"}, "Lime Grove (C81001)": {}},
			// Dr Gee's 1 who did not attend beside the 7 sent would give the 6
			// awaiting a response away.
			"funnel":     {"Sent": {1: "7"}, "Awaiting a response": {1: withheld}, "Did not attend": {1: few}},
			"categories": {insights.SocialPrescribing: {1: "6"}, "Money advice": {1: "6"}, "Physical activity": {1: few}},
		})
		if c := d.Table("gp-practices").Cell("Lime Grove (C81001)", 1); c != "" {
			t.Errorf("north sees south's practice: %q", c)
		}
		d, err = f.svc.Teams(north, insightsRange)
		if err != nil {
			t.Fatal(err)
		}
		checkDashboard(t, d, want{"waiting": {"Waiting now": {1: "6"}}, "caseloads": {"Not allocated": {1: "Dales", 2: few}}})
		if got := len(d.Table("caseloads").Rows); got != 1 {
			t.Errorf("north's caseloads = %v", d.Table("caseloads").Rows)
		}
		d, err = f.svc.Providers(north, insightsRange)
		if err != nil {
			t.Fatal(err)
		}
		// Dr Gee's 1 to Nordic walking beside the 7 of all services would
		// give Debt advice's 6 away.
		if tb := d.Table("services"); tb.Cell("All services", 1) != "7" || tb.Cell("Nordic walking", 1) != few || tb.Cell("Debt advice", 1) != withheld || tb.Cell("Knit and natter", 1) != "" {
			t.Errorf("north's providers = %v", tb.Rows)
		}
		// A team of another network by changing the filter: refused.
		other := insightsRange
		other.TeamID = f.teamA
		for name, dash := range map[string]func(context.Context, insights.Filter) (*insights.Dashboard, error){"referrals": f.svc.Referrals, "teams": f.svc.Teams} {
			if _, err := dash(north, other); waymark.ErrorCode(err) != waymark.EINVALID {
				t.Errorf("north asks for south's team on %s: %v", name, err)
			}
		}
		own := insightsRange
		own.TeamID = f.teamB
		if d, err := f.svc.Teams(north, own); err != nil || d.Table("waiting").Cell("Waiting now", 1) != "6" {
			t.Errorf("north's own team: %v", err)
		}
		// Nor a service's yearly report: it is the provider's, of every referral.
		if _, err := f.svc.ProviderReport(north, f.debt, 2026); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("north's report on a service: %v", err)
		}
		// The directory and unmet need are the whole area's.
		if d, err := f.svc.Unmet(north, insightsRange); err != nil || d.Table("districts").Cell("All", 1) != "14" {
			t.Errorf("north's unmet need: %v", err)
		}

		// South: Amber Valley's 7 waiting-list referrals, its members' 2,
		// and Lime Grove's 1 through the app.
		d, err = f.svc.Referrals(south, insightsRange)
		if err != nil {
			t.Fatal(err)
		}
		checkDashboard(t, d, want{"sources": {"All": {1: "10"}}, "gp-practices": {"Lime Grove (C81001)": {1: few, 2: few, 3: few}}})
		if c := d.Table("gp-practices").Cell("Wirksworth (C81002)", 1); c != "" {
			t.Errorf("south sees north's practice: %q", c)
		}

		// The whole area's commissioner still sees everything.
		d, err = f.svc.Referrals(f.commissioner, insightsRange)
		if err != nil {
			t.Fatal(err)
		}
		// Lime Grove's few beside the totals withhold Wirksworth's figures.
		checkDashboard(t, d, want{"sources": {"All": {1: "34"}, "Self-referral": {1: "15"}},
			"gp-practices": {"Wirksworth (C81002)": {1: withheld, 2: withheld, 3: withheld}, "All": {1: "7", 2: "6", 3: "13"}}})
		if d, err := f.svc.Teams(f.commissioner, insightsRange); err != nil || d.Table("waiting").Cell("Waiting now", 1) != "8" {
			t.Errorf("whole area waiting now: %v", err)
		}
	})
}
