package sqlstore_test

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/insights"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

// The insights benchmark's size: referrals to services over three years,
// and clients of social prescribing teams.
const (
	benchInsightReferrals = 1_000_000
	benchInsightClients   = 200_000
	benchInsightServices  = 10_000
	benchInsightOrgs      = 2_000
	benchInsightTeams     = 50
	benchInsightWorkers   = 10 // per team
	benchInsightGPs       = 200
)

// benchSQL writes the dialect's pieces of the fill: ids made from numbers
// and times as seconds after 1 January 2024.
type benchSQL struct{ d sqlstore.Dialect }

// id is a UUID-shaped text id of a kind and a number expression; uuid
// casts it for UUID columns in PostgreSQL.
func (b benchSQL) id(kind int, n string, uuid bool) string {
	prefix := fmt.Sprintf("'%08d-0000-4000-8000-' || ", kind)
	if b.d == sqlstore.Postgres {
		s := prefix + "lpad(CAST((" + n + ") AS TEXT), 12, '0')"
		if uuid {
			return "CAST(" + s + " AS UUID)"
		}
		return s
	}
	return prefix + "substr('000000000000' || (" + n + "), -12, 12)"
}

func (b benchSQL) at(seconds string) string {
	if b.d == sqlstore.Postgres {
		return "(TIMESTAMPTZ '2024-01-01 00:00:00+00' + (" + seconds + ") * INTERVAL '1 second')"
	}
	return "(strftime('%Y-%m-%d %H:%M:%S', 1704067200 + (" + seconds + "), 'unixepoch') || '+00:00')"
}

// numbers is a CTE of the numbers 1 to n, as n(i).
func numbers(n int) string {
	return fmt.Sprintf("WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < %d) ", n)
}

// loadInsightsBench returns the benchmark database, kept between runs
// (see sqlstoretest.BenchDB), filling it the first time with SQL that
// generates the rows.
func loadInsightsBench(b *testing.B, d sqlstore.Dialect, rollUp bool) *sqlstore.DB {
	b.Helper()
	ctx := context.Background()
	db, _ := sqlstoretest.BenchDB(b, d, "insights", "bench_insights")
	var n int
	if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM referral`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	if n >= benchInsightReferrals {
		if !rollUp {
			return db
		}
		// As the insights-rollups job does every 10 minutes.
		start := time.Now()
		if err := sqlstore.NewInsightsStore(db).RollUp(ctx, time.Now()); err != nil {
			b.Fatal(err)
		}
		b.Logf("roll-up (%s) in %s", d, time.Since(start).Round(time.Millisecond))
		return db
	}
	start := time.Now()
	q := benchSQL{d}
	const year = 365 * 24 * 3600
	team := func(i string) string { return "'team-' || (1 + (" + i + ") % " + fmt.Sprint(benchInsightTeams) + ")" }
	stmts := []string{
		`INSERT INTO taxonomy (id, name) SELECT '` + directory.CategoryTaxonomyID + `', 'Categories' WHERE NOT EXISTS (SELECT 1 FROM taxonomy WHERE id = '` + directory.CategoryTaxonomyID + `')`,
		numbers(16) + `INSERT INTO taxonomy_term (id, taxonomy_id, code, name) SELECT ` + q.id(7, "i", true) + `, '` + directory.CategoryTaxonomyID + `', 'bench-' || i, 'Category ' || i FROM n`,
		numbers(benchInsightOrgs) + `INSERT INTO organization (id, name, created_at, updated_at) SELECT ` + q.id(1, "i", true) + `, 'Organisation ' || i, ` + q.at("0") + `, ` + q.at("0") + ` FROM n`,
		numbers(benchInsightServices) + `INSERT INTO service (id, organization_id, name, kind, pathway, visibility, status, created_at, updated_at, assured_at)
			SELECT ` + q.id(2, "i", true) + `, ` + q.id(1, fmt.Sprintf("1 + i %% %d", benchInsightOrgs), true) + `, 'Service ' || i, 'referral', 'waymark_form', 'listed',
			CASE WHEN i % 10 = 0 THEN 'suspended' ELSE 'published' END, ` + q.at("0") + `, ` + q.at("0") + `, ` + q.at(fmt.Sprintf("(i * 7919) %% (3 * %d)", year)) + ` FROM n`,
		numbers(benchInsightServices) + `INSERT INTO location (id, latitude, longitude) SELECT ` + q.id(8, "i", true) + `, 53, -1.5 FROM n`,
		numbers(benchInsightServices) + `INSERT INTO address (id, location_id, postal_code) SELECT ` + q.id(9, "i", true) + `, ` + q.id(8, "i", true) + `, 'DE' || (1 + i % 60) || ' 1AA' FROM n`,
		numbers(benchInsightServices) + `INSERT INTO service_at_location (id, service_id, location_id) SELECT ` + q.id(10, "i", true) + `, ` + q.id(2, "i", true) + `, ` + q.id(8, "i", true) + ` FROM n`,
		numbers(benchInsightServices) + `INSERT INTO service_taxonomy (service_id, taxonomy_term_id) SELECT ` + q.id(2, "i", true) + `, ` + q.id(7, "1 + i % 16", true) + ` FROM n`,
		numbers(benchInsightServices) + `INSERT INTO service_event (id, service_id, action, from_status, to_status, at) SELECT ` + q.id(11, "i", true) + `, ` + q.id(2, "i", true) + `, 'submit', 'draft', 'pending_review', ` + q.at(fmt.Sprintf("(i * 9473) %% (3 * %d)", year)) + ` FROM n`,
		numbers(benchInsightServices) + `INSERT INTO service_event (id, service_id, action, from_status, to_status, at) SELECT ` + q.id(12, "i", true) + `, ` + q.id(2, "i", true) + `, 'approve', 'pending_review', 'published', ` + q.at(fmt.Sprintf("(i * 9473) %% (3 * %d) + 3600 * (1 + i %% 90)", year)) + ` FROM n`,
		numbers(benchInsightServices) + `INSERT INTO service_check (service_id, checked_at, failures) SELECT ` + q.id(2, "i", true) + `, ` + q.at(fmt.Sprintf("(i * 6151) %% (3 * %d)", year)) + `, i % 7 / 6 FROM n`,
		numbers(benchInsightTeams*benchInsightWorkers) + `INSERT INTO app_user (id, email, name, password_hash, created_at) SELECT ` + q.id(5, "i", true) + `, 'worker' || i || '@example.org', 'Worker ' || i, 'x', ` + q.at("0") + ` FROM n`,
		numbers(benchInsightGPs) + `INSERT INTO app_user (id, email, name, password_hash, created_at) SELECT ` + q.id(6, "i", true) + `, 'gp' || i || '@example.org', 'GP ' || i, 'x', ` + q.at("0") + ` FROM n`,
		numbers(benchInsightGPs) + `INSERT INTO membership (user_id, organization_id, role) SELECT ` + q.id(6, "i", true) + `, ` + q.id(1, "1", true) + `, 'gp' FROM n`,
		numbers(benchInsightTeams) + `INSERT INTO sp_team (id, name, created_at) SELECT 'team-' || i, 'Team ' || i, ` + q.at("0") + ` FROM n`,
		numbers(benchInsightTeams*benchInsightWorkers) + `INSERT INTO sp_team_member (team_id, user_id, lead) SELECT 'team-' || (1 + (i - 1) / ` + fmt.Sprint(benchInsightWorkers) + `), ` + q.id(5, "i", false) + `, (i - 1) % ` + fmt.Sprint(benchInsightWorkers) + ` = 0 FROM n`,
		// Referrals: 45% self, 30% by link workers, 15% by GPs, 10% by
		// other professionals; every status, response within 1 to 120 hours.
		numbers(benchInsightReferrals) + `INSERT INTO referral (id, reference, service_id, organization_id, source, status, referrer_id, client_name, preferred_contact, consent,
			decline_reason, attendance, created_at, updated_at, responded_at, score, met_needs)
			SELECT ` + q.id(3, "i", true) + `, 'B' || i, ` + q.id(2, fmt.Sprintf("1 + (i * 7919) %% %d", benchInsightServices), true) + `,
			` + q.id(1, fmt.Sprintf("1 + (1 + (i * 7919) %% %d) %% %d", benchInsightServices, benchInsightOrgs), true) + `,
			CASE WHEN i % 100 < 45 THEN 'self' ELSE 'professional' END,
			CASE WHEN (i * 31) % 100 < 5 THEN 'sent' WHEN (i * 31) % 100 < 15 THEN 'declined' WHEN (i * 31) % 100 < 18 THEN 'auto_declined'
				WHEN (i * 31) % 100 < 20 THEN 'cancelled' WHEN (i * 31) % 100 < 60 THEN 'attended' WHEN (i * 31) % 100 < 75 THEN 'did_not_attend' ELSE 'accepted' END,
			CASE WHEN i % 100 < 45 THEN '' WHEN i % 100 < 75 THEN ` + q.id(5, fmt.Sprintf("1 + i %% %d", benchInsightTeams*benchInsightWorkers), false) + `
				WHEN i % 100 < 90 THEN ` + q.id(6, fmt.Sprintf("1 + i %% %d", benchInsightGPs), false) + ` ELSE '' END,
			'Bench Person', 'phone', TRUE,
			CASE WHEN (i * 31) % 100 BETWEEN 5 AND 14 THEN 'full' ELSE '' END,
			CASE WHEN (i * 31) % 100 BETWEEN 20 AND 59 THEN 'attended' WHEN (i * 31) % 100 BETWEEN 60 AND 74 THEN 'did_not_attend' ELSE '' END,
			` + q.at("i * 94") + `, ` + q.at("i * 94") + `,
			CASE WHEN (i * 31) % 100 < 5 OR (i * 31) % 100 BETWEEN 15 AND 19 THEN NULL ELSE ` + q.at("i * 94 + 3600 * (1 + (i * 17) % 120)") + ` END,
			CASE WHEN (i * 31) % 100 BETWEEN 20 AND 59 AND i % 3 > 0 THEN 1 + i % 5 ELSE 0 END,
			CASE WHEN (i * 31) % 100 BETWEEN 20 AND 59 AND i % 3 > 0 THEN i % 5 > 0 ELSE NULL END FROM n`,
		numbers(benchInsightClients) + `INSERT INTO sp_incoming (id, team_id, source, status, given_name, family_name, date_of_birth, postcode, preferred_contact, reason, consent, received_at, decided_at)
			SELECT 'in-' || i, ` + team("i") + `, CASE i % 3 WHEN 0 THEN 'self' WHEN 1 THEN 'gp' ELSE 'professional' END,
			CASE WHEN i > ` + fmt.Sprint(benchInsightClients-2000) + ` THEN 'waiting' WHEN i % 12 = 0 THEN 'declined' ELSE 'accepted' END,
			'Given', 'Family', '1950-01-01', 'DE' || (1 + i % 60) || ' 2BB', 'phone', 'Bench', TRUE, ` + q.at("i * 470") + `,
			CASE WHEN i > ` + fmt.Sprint(benchInsightClients-2000) + ` THEN NULL ELSE ` + q.at("i * 470 + 86400 * (1 + i % 20)") + ` END FROM n`,
		numbers(benchInsightClients) + `INSERT INTO cw_client (id, team_id, link_worker_id, status, given_name, family_name, search_name, date_of_birth, postcode, preferred_contact,
			discharge_reason, discharged_at, created_at, updated_at)
			SELECT 'c-' || i, ` + team("i") + `, ` + q.id(5, fmt.Sprintf("(i %% %d) * %d + 1 + i %% %d", benchInsightTeams, benchInsightWorkers, benchInsightWorkers), false) + `,
			CASE WHEN i % 10 < 7 THEN 'discharged' WHEN i % 10 = 7 THEN 'on_hold' ELSE 'active' END, 'Given', 'Family', 'family given', '1950-01-01', 'DE' || (1 + i % 60) || ' 2BB', 'phone',
			CASE WHEN i % 10 < 7 THEN 'goals_met' ELSE '' END, CASE WHEN i % 10 < 7 THEN ` + q.at("i * 470 + 86400 * 90") + ` ELSE NULL END, ` + q.at("i * 470") + `, ` + q.at("i * 470") + ` FROM n`,
		numbers(benchInsightClients) + `INSERT INTO cw_entry (id, client_id, kind, at, summary, contact_type, created_at) SELECT 'e1-' || i, 'c-' || i, 'contact', ` + q.at("i * 470 + 86400 * 7") + `, 'Phone', 'phone', ` + q.at("i * 470") + ` FROM n`,
		numbers(benchInsightClients) + `INSERT INTO cw_entry (id, client_id, kind, at, summary, contact_type, created_at) SELECT 'e2-' || i, 'c-' || i, 'contact', ` + q.at("i * 470 + 86400 * 30") + `, 'Visit', 'face_to_face', ` + q.at("i * 470") + ` FROM n`,
	}
	for k, stage := range []struct{ instrument, scores, offset string }{
		{"swemwbs", "2,2,2,3,3,3,3", "86400"}, {"swemwbs", "3,3,3,3,4,4,4", "86400 * 80"}, {"ons4", "5,5,5,6", "86400"}, {"ons4", "6,7,6,4", "86400 * 80"},
	} {
		stmts = append(stmts, numbers(benchInsightClients)+fmt.Sprintf(`INSERT INTO cw_measure (id, client_id, instrument, stage, scores, taken_at, recorded_by)
			SELECT 'm%d-' || i, 'c-' || i, '%s', 'first', '%s', `, k, stage.instrument, stage.scores)+q.at("i * 470 + "+stage.offset)+` , 'bench' FROM n WHERE i % 2 = 0`)
	}
	stmts = append(stmts, numbers(100_000)+`INSERT INTO search_gap (at, district, words, category, radius_miles) SELECT `+q.at("i * 946")+`, 'DE' || (1 + i % 60), CASE i % 7 WHEN 0 THEN 'yoga' WHEN 1 THEN 'swimming' WHEN 2 THEN 'tai chi' ELSE 'word' || (i % 300) END, '', 10 FROM n`)
	for _, s := range stmts {
		if _, err := db.SQL().ExecContext(ctx, s); err != nil {
			b.Fatalf("fill: %v\n%s", err, s)
		}
	}
	if err := db.Optimize(ctx); err != nil {
		b.Fatal(err)
	}
	if d == sqlstore.Postgres {
		if _, err := db.SQL().ExecContext(ctx, "VACUUM ANALYZE"); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("filled the insights benchmark database (%s) in %s", d, time.Since(start).Round(time.Second))
	start = time.Now()
	if err := sqlstore.NewInsightsStore(db).RollUp(ctx, time.Now()); err != nil {
		b.Fatal(err)
	}
	b.Logf("first roll-up of the referrals (%s) in %s", d, time.Since(start).Round(time.Millisecond))
	return db
}

// processCPU is the processor time (user and system) this process has
// used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkInsightsDashboards measures each dashboard as its page asks for
// it (Insights.X: access, every query and the tables), over the default
// range (the last twelve months), for the whole area as an
// administrator, for one provider organisation, for a provider of 100
// organisations (500 services) and for one team lead,
// with the referral rollups up to date as the insights-rollups job keeps
// them.
func BenchmarkInsightsDashboards(b *testing.B) {
	rolled := map[sqlstore.Dialect]bool{} // once a run is enough
	for _, d := range sqlstoretest.Dialects() {
		for _, who := range []string{"admin", "provider", "bigprovider", "lead"} {
			for _, dash := range []string{insights.DashReferrals, insights.DashProviders, insights.DashTeams, insights.DashDirectory, insights.DashUnmet} {
				if who != "admin" && (dash == insights.DashDirectory || dash == insights.DashUnmet) ||
					strings.HasSuffix(who, "provider") && dash == insights.DashTeams || who == "lead" && dash == insights.DashProviders {
					continue
				}
				b.Run(string(d)+"/"+who+"/"+dash, func(b *testing.B) {
					db := loadInsightsBench(b, d, !rolled[d])
					rolled[d] = true
					svc := insights.NewInsights(sqlstore.NewInsightsStore(db), insights.Config{}, time.Now)
					var ctx context.Context
					switch who {
					case "admin":
						ctx = waymark.WithActor(context.Background(), waymark.Actor{UserID: "bench-admin", Roles: []waymark.Role{waymark.RoleAdmin}})
					case "provider":
						ctx = waymark.WithActor(context.Background(), waymark.Actor{UserID: "bench-provider", Roles: []waymark.Role{waymark.RoleProvider},
							Memberships: []waymark.Membership{{OrganizationID: "00000001-0000-4000-8000-000000000007", Role: waymark.RoleProvider}}})
					case "bigprovider":
						var ms []waymark.Membership
						for i := 1; i <= 100; i++ {
							ms = append(ms, waymark.Membership{OrganizationID: fmt.Sprintf("00000001-0000-4000-8000-%012d", i), Role: waymark.RoleProvider})
						}
						ctx = waymark.WithActor(context.Background(), waymark.Actor{UserID: "bench-big-provider", Roles: []waymark.Role{waymark.RoleProvider}, Memberships: ms})
					case "lead":
						ctx = waymark.WithActor(context.Background(), waymark.Actor{UserID: "00000005-0000-4000-8000-000000000011", Roles: []waymark.Role{waymark.RoleLinkWorker}})
					}
					run := map[string]func(context.Context, insights.Filter) (*insights.Dashboard, error){
						insights.DashReferrals: svc.Referrals, insights.DashProviders: svc.Providers, insights.DashTeams: svc.Teams,
						insights.DashDirectory: svc.Directory, insights.DashUnmet: svc.Unmet,
					}[dash]
					lat := make([]time.Duration, 0, b.N)
					cpu := processCPU(b)
					for b.Loop() {
						start := time.Now()
						_, err := run(ctx, insights.Filter{})
						lat = append(lat, time.Since(start))
						if err != nil {
							b.Fatal(err)
						}
					}
					cpu = processCPU(b) - cpu
					reportPercentiles(b, lat)
					// This process's processor time: all the work for SQLite
					// (what a dashboard takes on an idle core), the Go side
					// only for PostgreSQL.
					b.ReportMetric(float64(cpu.Microseconds())/1000/float64(len(lat)), "cpu-ms/op")
				})
			}
		}
	}
}
