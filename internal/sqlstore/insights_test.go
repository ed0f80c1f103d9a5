package sqlstore_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/insights"
	"waymark/internal/seed"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

// insightsNow is when the dashboards are looked at: Monday 15 June 2026.
var insightsNow = time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)

// insightsRange is the first half of 2026.
var insightsRange = insights.Filter{From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), Interval: insights.Month}

// insightsFixture is hand-built data whose every figure is known (the
// comments say what each row adds), with an actor of each kind.
type insightsFixture struct {
	db                                      *sqlstore.DB
	svc                                     *insights.Insights
	admin, commissioner, provA, provB, lead context.Context
	worker, gp, moderator                   context.Context
	teamA, teamB                            string
	nordic, knit, debt                      string
	exec                                    func(query string, args ...any)
}

func at(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

// insightsData is the fixture's data, built once per test process and
// database and copied for each test.
var insightsData = sqlstoretest.NewTemplate("insights", func(ctx context.Context, db *sqlstore.DB) error {
	var first error
	buildInsights(db, func(query string, args ...any) {
		if first != nil {
			return
		}
		if db.Dialect() == sqlstore.Postgres {
			var b strings.Builder
			n := 0
			for _, c := range query {
				if c == '?' {
					n++
					fmt.Fprintf(&b, "$%d", n)
					continue
				}
				b.WriteRune(c)
			}
			query = b.String()
		}
		if _, err := db.SQL().ExecContext(ctx, query, args...); err != nil {
			first = fmt.Errorf("%s: %w", query, err)
		}
	})
	return first
})

// newInsightsFixture returns the fixture on db, a copy of insightsData.
func newInsightsFixture(t *testing.T, db *sqlstore.DB) *insightsFixture {
	t.Helper()
	return buildInsights(db, func(string, ...any) {})
}

// buildInsights works out the fixture's ids and actors, and writes its
// rows with exec.
func buildInsights(db *sqlstore.DB, exec func(query string, args ...any)) *insightsFixture {
	ctx := context.Background()
	f := &insightsFixture{db: db, exec: exec}
	id := func(name string) string { return uuid.NewSHA1(uuid.NameSpaceOID, []byte(name)).String() }
	created := at("2025-01-01 09:00")

	// Organisations, services, categories and addresses.
	orgA, orgB, orgGP := id("org A"), id("org B"), id("org GP")
	for _, o := range []string{orgA, orgB, orgGP} {
		f.exec(`INSERT INTO organization (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)`, o, "Org "+o[:4], created, created)
	}
	f.exec(`INSERT INTO taxonomy (id, name) SELECT ?, 'Categories' WHERE NOT EXISTS (SELECT 1 FROM taxonomy WHERE id = ?)`, directory.CategoryTaxonomyID, directory.CategoryTaxonomyID)
	cats := map[string]string{}
	for _, c := range []string{"Physical activity", "Arts and creativity", "Loneliness and isolation", "Money advice"} {
		cats[c] = id("term " + c)
		f.exec(`INSERT INTO taxonomy_term (id, taxonomy_id, code, name) VALUES (?, ?, ?, ?)`, cats[c], directory.CategoryTaxonomyID, "x-"+cats[c][:8], c)
	}
	service := func(name, org, status, postcode string, assured *time.Time, categories ...string) string {
		sid, loc := id("service "+name), id("location "+name)
		f.exec(`INSERT INTO service (id, organization_id, name, kind, pathway, visibility, status, created_at, updated_at, assured_at)
			VALUES (?, ?, ?, 'referral', 'waymark_form', 'listed', ?, ?, ?, ?)`, sid, org, name, status, created, created, assured)
		f.exec(`INSERT INTO location (id, latitude, longitude) VALUES (?, 53.1, -1.5)`, loc)
		f.exec(`INSERT INTO address (id, location_id, postal_code) VALUES (?, ?, ?)`, id("address "+name), loc, postcode)
		f.exec(`INSERT INTO service_at_location (id, service_id, location_id) VALUES (?, ?, ?)`, id("sal "+name), sid, loc)
		for _, c := range categories {
			f.exec(`INSERT INTO service_taxonomy (service_id, taxonomy_term_id) VALUES (?, ?)`, sid, cats[c])
		}
		return sid
	}
	jan1, may1 := at("2026-01-01 00:00"), at("2026-05-01 00:00")
	f.nordic = service("Nordic walking", orgA, "published", "DE4 3AG", &jan1, "Physical activity")
	f.knit = service("Knit and natter", orgA, "frozen", "DE4 1AB", nil, "Arts and creativity", "Loneliness and isolation")
	f.debt = service("Debt advice", orgB, "published", "DE1 2AB", nil, "Money advice")
	draft := service("Draft entry", orgB, "draft", "DE1 3CD", nil)
	var extra []string
	for i := 1; i <= 5; i++ {
		extra = append(extra, service(fmt.Sprintf("Walk %d", i), orgA, "published", "DE4 2XY", &may1, "Physical activity"))
	}

	// People.
	user := func(name, platformRole string) string {
		uid := id("user " + name)
		f.exec(`INSERT INTO app_user (id, email, name, password_hash, platform_role, created_at) VALUES (?, ?, ?, 'x', ?, ?)`,
			uid, strings.ReplaceAll(strings.ToLower(name), " ", ".")+"@example.org", name, platformRole, created)
		return uid
	}
	member := func(uid, org string, r waymark.Role) {
		f.exec(`INSERT INTO membership (user_id, organization_id, role) VALUES (?, ?, ?)`, uid, org, string(r))
	}
	provA, provB := user("Pat Provider", ""), user("Bea Provider", "")
	member(provA, orgA, waymark.RoleProvider)
	member(provB, orgB, waymark.RoleProvider)
	lead, worker, lead2 := user("Lee Lead", ""), user("Wyn Worker", ""), user("Dee Lead", "")
	gp, prof := user("Dr Gee", ""), user("Otto Other", "")
	member(gp, orgGP, waymark.RoleGP)
	member(prof, orgGP, waymark.RoleLinkWorker) // a professional in no team
	f.teamA, f.teamB = id("team A"), id("team B")
	f.exec(`INSERT INTO sp_team (id, name, created_at) VALUES (?, 'Amber Valley', ?), (?, 'Dales', ?)`, f.teamA, created, f.teamB, created)
	f.exec(`INSERT INTO sp_team_member (team_id, user_id, lead) VALUES (?, ?, TRUE), (?, ?, FALSE), (?, ?, TRUE)`, f.teamA, lead, f.teamA, worker, f.teamB, lead2)
	actor := func(uid string, rs ...waymark.Role) context.Context {
		a := waymark.Actor{UserID: uid, Roles: rs}
		return waymark.WithActor(ctx, a)
	}
	f.admin = actor(user("Ada Admin", "admin"), waymark.RoleAdmin)
	f.commissioner = actor(user("Cy Commissioner", "commissioner"), waymark.RoleCommissioner)
	f.moderator = actor(user("Mo Moderator", "moderator"), waymark.RoleModerator)
	f.provA = waymark.WithActor(ctx, waymark.Actor{UserID: provA, Roles: []waymark.Role{waymark.RoleProvider}, Memberships: []waymark.Membership{{OrganizationID: orgA, Role: waymark.RoleProvider}}})
	f.provB = waymark.WithActor(ctx, waymark.Actor{UserID: provB, Roles: []waymark.Role{waymark.RoleProvider}, Memberships: []waymark.Membership{{OrganizationID: orgB, Role: waymark.RoleProvider}}})
	f.lead = actor(lead, waymark.RoleLinkWorker)
	f.worker = actor(worker, waymark.RoleLinkWorker)
	f.gp = waymark.WithActor(ctx, waymark.Actor{UserID: gp, Roles: []waymark.Role{waymark.RoleGP}, Memberships: []waymark.Membership{{OrganizationID: orgGP, Role: waymark.RoleGP}}})

	// Marketplace referrals: 15 in the range, one before it.
	n := 0
	referral := func(service, org, source, referrer, made, status string, respondedAfter time.Duration, decline, attendance string, score int, met any) {
		n++
		c := at(made)
		var responded any
		if respondedAfter > 0 {
			responded = c.Add(respondedAfter)
		}
		f.exec(`INSERT INTO referral (id, reference, service_id, organization_id, source, status, referrer_id, client_name, preferred_contact, consent,
			decline_reason, attendance, created_at, updated_at, responded_at, score, met_needs)
			VALUES (?, ?, ?, ?, ?, ?, ?, 'A Person', 'email', TRUE, ?, ?, ?, ?, ?, ?, ?)`,
			id(fmt.Sprint("referral ", n)), fmt.Sprint("REF", n), service, org, source, status, referrer, decline, attendance, c, c, responded, score, met)
	}
	h := time.Hour
	// Nordic walking: 6 received; answered 5 after 2, 4, 10, 20, 30 hours;
	// 4 accepted (3 attended, 1 did not); 1 declined (full); 1 waiting.
	referral(f.nordic, orgA, "self", "", "2026-01-10 10:00", "attended", 2*h, "", "attended", 5, true)
	referral(f.nordic, orgA, "self", "", "2026-01-12 10:00", "attended", 4*h, "", "attended", 4, true)
	referral(f.nordic, orgA, "professional", worker, "2026-02-03 09:00", "closed", 10*h, "", "attended", 4, false)
	referral(f.nordic, orgA, "professional", worker, "2026-02-05 09:00", "declined", 20*h, "full", "", 0, nil)
	referral(f.nordic, orgA, "professional", gp, "2026-03-01 09:00", "did_not_attend", 30*h, "", "did_not_attend", 0, nil)
	referral(f.nordic, orgA, "professional", prof, "2026-03-02 09:00", "sent", 0, "", "", 0, nil)
	// Knit and natter: 4 self-referrals, none answered.
	referral(f.knit, orgA, "self", "", "2026-04-01 09:00", "auto_declined", 0, "", "", 0, nil)
	referral(f.knit, orgA, "self", "", "2026-04-02 09:00", "cancelled", 0, "", "", 0, nil)
	referral(f.knit, orgA, "self", "", "2026-04-03 09:00", "sent", 0, "", "", 0, nil)
	referral(f.knit, orgA, "self", "", "2026-04-04 09:00", "sent", 0, "", "", 0, nil)
	// Debt advice: 5 self-referrals accepted after an hour, attended, scored 3, met needs.
	for d := 1; d <= 5; d++ {
		referral(f.debt, orgB, "self", "", fmt.Sprintf("2026-05-0%d 09:00", d), "attended", h, "", "attended", 3, true)
	}
	referral(f.debt, orgB, "self", "", "2025-12-20 09:00", "sent", 0, "", "", 0, nil) // before the range

	// Waiting-list referrals. Amber Valley: 7 in the range (self 3, GP 1,
	// professional 3); decided 5 after 4, 14, 2, 1 and 5 working days;
	// 2 waiting now, one longer than the 10-day target. Dales: 1 waiting.
	k := 0
	incoming := func(team, source, received, status string, decided *time.Time) {
		k++
		f.exec(`INSERT INTO sp_incoming (id, team_id, source, status, given_name, family_name, date_of_birth, preferred_contact, reason, consent, postcode, received_at, decided_at)
			VALUES (?, ?, ?, ?, 'Given', 'Family', '1950-01-01', 'phone', 'Lonely', TRUE, 'DE4 9ZZ', ?, ?)`, id(fmt.Sprint("incoming ", k)), team, source, status, at(received), decided)
	}
	tp := func(s string) *time.Time { v := at(s); return &v }
	incoming(f.teamA, "self", "2026-01-05 09:00", "accepted", tp("2026-01-09 09:00"))
	incoming(f.teamA, "self", "2026-01-06 09:00", "accepted", tp("2026-01-26 09:00"))
	incoming(f.teamA, "gp", "2026-02-02 09:00", "accepted", tp("2026-02-04 09:00"))
	incoming(f.teamA, "professional", "2026-03-02 09:00", "declined", tp("2026-03-03 09:00"))
	incoming(f.teamA, "professional", "2026-03-04 09:00", "accepted", tp("2026-03-11 09:00"))
	incoming(f.teamA, "professional", "2026-03-05 09:00", "waiting", nil)
	incoming(f.teamA, "self", "2026-06-12 09:00", "waiting", nil)
	incoming(f.teamB, "self", "2026-02-10 09:00", "waiting", nil)

	// Two came from a GP practice: the GP's referral to Nordic walking
	// through the practice app, the GP referral into Amber Valley from the
	// practice's clinical system.
	f.exec(`INSERT INTO gp_practice (ods_code, name, created_at) VALUES ('C81001', 'Lime Grove', ?)`, created)
	gpReferral := func(key, channel, team, service, incomingID, marketID, when string) {
		f.exec(`INSERT INTO gp_referral (id, request_key, practice_ods, service_id, team_id, channel, nhs_number, given_name, family_name, date_of_birth,
			reason, incoming_id, market_referral_id, created_at) VALUES (?, ?, 'C81001', ?, ?, ?, '9434765919', 'Given', 'Family', '1950-01-01', 'Lonely', ?, ?, ?)`,
			id("gp "+key), key, service, team, channel, incomingID, marketID, at(when))
	}
	gpReferral("web", "web", "", f.nordic, "", id("referral 5"), "2026-03-01 09:00")
	gpReferral("fhir", "fhir", f.teamA, "", id("incoming 3"), "", "2026-02-02 09:00")

	// Clients. Amber Valley: the worker has 5 open cases, 1 is waiting
	// unallocated, 2 were discharged (goals met, moved away). Dales: 1.
	client := func(name, team, worker, status, reason string, discharged *time.Time) string {
		cid := id("client " + name)
		f.exec(`INSERT INTO cw_client (id, team_id, link_worker_id, status, given_name, family_name, search_name, date_of_birth, preferred_contact,
			postcode, discharge_reason, discharged_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'Client', ?, '1950-01-01', 'phone', 'DE4 9ZZ', ?, ?, ?, ?)`,
			cid, team, worker, status, name, strings.ToLower(name), reason, discharged, created, created)
		return cid
	}
	var open []string
	for i, st := range []string{"active", "active", "active", "active", "on_hold"} {
		open = append(open, client(fmt.Sprint("Open ", i), f.teamA, worker, st, "", nil))
	}
	client("Waiting", f.teamA, "", "waiting", "", nil)
	client("Done", f.teamA, worker, "discharged", "goals_met", tp("2026-05-01 10:00"))
	client("Moved", f.teamA, worker, "discharged", "moved_away", tp("2026-06-01 10:00"))
	dales := client("Dales", f.teamB, "", "active", "", nil)

	// Contacts: Amber Valley 6 phone calls in February and a visit in
	// March; Dales a phone call.
	e := 0
	entry := func(clientID, kind, contactType, when string) {
		e++
		f.exec(`INSERT INTO cw_entry (id, client_id, kind, at, summary, contact_type, created_at) VALUES (?, ?, ?, ?, 'x', ?, ?)`,
			id(fmt.Sprint("entry ", e)), clientID, kind, at(when), contactType, at(when))
	}
	for i := 0; i < 6; i++ {
		entry(open[i%5], "contact", "phone", fmt.Sprintf("2026-02-%02d 10:00", 2+i))
	}
	entry(open[0], "contact", "face_to_face", "2026-03-02 10:00")
	entry(open[0], "goal", "", "2026-03-02 11:00") // not a contact
	entry(dales, "contact", "phone", "2026-02-02 10:00")

	// Measures: 5 SWEMWBS pairs (four from raw 14 to 21, metric 15.32 to
	// 19.25; one 21 to 21) and 1 ONS4 pair.
	m := 0
	measure := func(clientID, instrument, scores, when string) {
		m++
		f.exec(`INSERT INTO cw_measure (id, client_id, instrument, stage, scores, taken_at, recorded_by) VALUES (?, ?, ?, 'first', ?, ?, 'x')`,
			id(fmt.Sprint("measure ", m)), clientID, instrument, scores, at(when))
	}
	for i, c := range open {
		first := "2,2,2,2,2,2,2"
		if i == 4 {
			first = "3,3,3,3,3,3,3"
		}
		measure(c, "swemwbs", first, "2026-01-15 10:00")
		measure(c, "swemwbs", "3,3,3,3,3,3,3", "2026-05-15 10:00")
	}
	measure(open[0], "ons4", "5,5,5,5", "2026-01-15 10:00")
	measure(open[0], "ons4", "7,7,7,3", "2026-05-15 10:00")

	// Moderation: 5 walks approved 1, 2, 3, 50 and 60 hours after being
	// sent, the draft declined after 24.
	ev := 0
	event := func(serviceID, action, note string, when time.Time) {
		ev++
		f.exec(`INSERT INTO service_event (id, service_id, action, from_status, to_status, note, at) VALUES (?, ?, ?, '', '', ?, ?)`,
			id(fmt.Sprint("event ", ev)), serviceID, action, note, when)
	}
	sent := at("2026-02-01 10:00")
	for i, hours := range []int{1, 2, 3, 50, 60} {
		event(extra[i], "submit", "", sent)
		event(extra[i], "approve", "", sent.Add(time.Duration(hours)*h))
	}
	event(draft, "submit", "", at("2026-03-01 10:00"))
	event(draft, "decline", "Not a service", at("2026-03-02 10:00"))
	// Checks: two websites checked in the range (one unreachable), one
	// before; one suspension with two findings; one manual check and one
	// manual suspension.
	f.exec(`INSERT INTO service_check (service_id, checked_at, failures) VALUES (?, ?, 0), (?, ?, 2), (?, ?, 0)`,
		f.nordic, at("2026-06-01 10:00"), f.debt, at("2026-06-02 10:00"), extra[0], at("2025-12-01 10:00"))
	event(extra[1], "suspend", "Our website check found changes: Phone number 01629 000000 no longer appears on the page; Much of the page's text has changed (60%).", at("2026-04-01 10:00"))
	event(extra[2], "check", "Checked by a moderator: still running", at("2026-04-02 10:00"))
	event(extra[3], "suspend", "Checked by a moderator: could not confirm it is still running", at("2026-04-03 10:00"))

	// Searches that found nothing: DE4 yoga 6 times, DE4 sign language
	// once, knitting without a postcode 5 times, DE1 food category twice,
	// and one before the range.
	gap := func(district, words, category string, times int, when string) {
		for i := 0; i < times; i++ {
			f.exec(`INSERT INTO search_gap (at, district, words, category, radius_miles) VALUES (?, ?, ?, ?, 10)`, at(when), district, words, category)
		}
	}
	gap("DE4", "yoga", "", 6, "2026-03-01 10:00")
	gap("DE4", "sign language", "", 1, "2026-03-01 10:00")
	gap("", "knitting", "", 5, "2026-04-01 10:00")
	gap("DE1", "", "food", 2, "2026-04-01 10:00")
	gap("DE4", "yoga", "", 1, "2025-11-01 10:00")

	f.svc = insights.NewInsights(sqlstore.NewInsightsStore(db), insights.Config{FirstContactDays: 10, ModerationHours: 48}, func() time.Time { return insightsNow })
	return f
}

// want is expected cells: table id → row label → column → text.
type want map[string]map[string]map[int]string

func checkDashboard(t *testing.T, d *insights.Dashboard, w want) {
	t.Helper()
	for id, rows := range w {
		tb := d.Table(id)
		if tb == nil {
			t.Errorf("%s: no table %q", d.Name, id)
			continue
		}
		for label, cols := range rows {
			for col, text := range cols {
				if got := tb.Cell(label, col); got != text {
					t.Errorf("%s %s %q column %d (%s) = %q, want %q", d.Name, id, label, col, tb.Columns[col], got, text)
				}
			}
		}
	}
}

const few, hidden, withheld = insights.FewerThan5, insights.NotShown, insights.Withheld

func TestInsightsReferralFiguresForEachScope(t *testing.T) {
	insightsData.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newInsightsFixture(t, db)
		for _, who := range []context.Context{f.admin, f.commissioner} {
			d, err := f.svc.Referrals(who, insightsRange)
			if err != nil {
				t.Fatal(err)
			}
			checkDashboard(t, d, want{
				// Self 11 marketplace + 4 waiting list; GP app 1, GP system 1; other 1 + 3.
				// The share of a hidden count would give it away: withheld.
				"sources": {"Self-referral": {1: "15", 2: "65%"}, "Link worker": {1: few, 2: withheld}, "GP practice": {1: few, 2: withheld},
					"GP system (FHIR)": {1: few, 2: withheld}, "Other professional": {1: few, 2: withheld}, "All": {1: "23"}},
				"gp-practices": {"Lime Grove (C81001)": {1: few, 2: few, 3: few}},
				// January: 2 Nordic + 2 Amber Valley; April: 4 knit; May: 5 debt.
				"over-time": {"2026-01": {1: few, 6: few}, "2026-02": {6: few}, "2026-03": {6: "5"}, "2026-04": {1: few, 6: few},
					"2026-05": {1: "5", 6: "5"}, "2026-06": {1: few, 6: few}},
				"categories": {"Physical activity": {1: "6"}, "Arts and creativity": {1: few}, "Loneliness and isolation": {1: few},
					"Money advice": {1: "5"}, insights.SocialPrescribing: {1: "8"}},
				"categories-over-time": {"2026-05": {1: "0", 3: "5"}, "2026-01": {1: few, 2: few}},
				"funnel": {"Sent": {1: "15", 2: "100%"}, "Awaiting a response": {1: few, 2: withheld}, "Accepted": {1: "9", 2: "60%"},
					"Declined by the provider": {1: few, 2: withheld}, "Declined automatically": {1: few}, "Withdrawn before a response": {1: few},
					"Attended": {1: "8", 2: "53%"}, "Did not attend": {1: few}},
				"decline-reasons": {"The service is full at the moment": {1: few, 2: hidden}, "Another reason": {1: "0", 2: hidden}},
				// Hours: 1,1,1,1,1,2,4,10,20,30.
				"response": {"Referrals answered": {1: "10"}, "Median": {1: "1.0 hours"}, "90th percentile": {1: "20.0 hours"}},
			})
		}
		// The provider sees its two services only.
		d, err := f.svc.Referrals(f.provA, insightsRange)
		if err != nil {
			t.Fatal(err)
		}
		checkDashboard(t, d, want{
			"sources":      {"Self-referral": {1: "6"}, "Link worker": {1: few}, "GP practice": {1: few}, "GP system (FHIR)": {1: "0"}, "All": {1: "10"}},
			"gp-practices": {"Lime Grove (C81001)": {1: few, 2: "0", 3: few}},
			"funnel":       {"Sent": {1: "10"}, "Accepted": {1: few}, "Attended": {1: few}},
			"response":     {"Referrals answered": {1: "5"}, "Median": {1: "10.0 hours"}, "90th percentile": {1: "30.0 hours"}},
		})
		if c := d.Table("categories").Cell("Money advice", 1); c != "" {
			t.Errorf("provider A sees provider B's category: %q", c)
		}
		// The team lead sees the team's waiting list and its members' referrals.
		d, err = f.svc.Referrals(f.lead, insightsRange)
		if err != nil {
			t.Fatal(err)
		}
		checkDashboard(t, d, want{
			"sources":      {"Self-referral": {1: few}, "Link worker": {1: few}, "GP practice": {1: "0"}, "GP system (FHIR)": {1: few}, "Other professional": {1: few}, "All": {1: "9"}},
			"gp-practices": {"Lime Grove (C81001)": {1: "0", 2: few, 3: few}},
			"funnel":       {"Sent": {1: few}},
		})
		// An area: DE1 has only Debt advice; waiting-list postcodes are DE4.
		area := insightsRange
		area.Area = "de1"
		d, err = f.svc.Referrals(f.admin, area)
		if err != nil {
			t.Fatal(err)
		}
		checkDashboard(t, d, want{"sources": {"Self-referral": {1: "5"}, "All": {1: "5"}}})
		// Weeks: Monday 4 May holds the five debt referrals.
		weeks := insightsRange
		weeks.Interval = insights.Week
		d, err = f.svc.Referrals(f.admin, weeks)
		if err != nil {
			t.Fatal(err)
		}
		checkDashboard(t, d, want{"over-time": {"2026-04-27": {1: few}, "2026-05-04": {1: few}}})
	})
}

func TestInsightsProviderFiguresAndAProviderNeverSeesAnother(t *testing.T) {
	insightsData.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newInsightsFixture(t, db)
		d, err := f.svc.Providers(f.admin, insightsRange)
		if err != nil {
			t.Fatal(err)
		}
		checkDashboard(t, d, want{
			"services": {
				// Knit and natter's few and the total would give each other away: the next smallest is withheld.
				"Debt advice":     {1: withheld, 2: "1.0 hours", 3: "100%", 4: "100%", 5: "3.0", 6: "100%"},
				"Knit and natter": {1: few, 2: "–", 3: hidden, 4: "–", 5: "–", 6: "–"},
				"Nordic walking":  {1: "6", 2: "10.0 hours", 3: "80%", 4: hidden, 5: hidden, 6: hidden},
				"All services":    {1: "15", 2: "1.0 hours", 3: "82%", 4: "89%", 5: "3.5", 6: "88%"},
			},
			// The shares of hidden counts are withheld; 8 answered, so the 7 who said
			// it met their needs would give the 1 who said not away.
			"scores": {"Scored 5": {1: few, 2: withheld}, "Scored 4": {1: few, 2: withheld}, "Scored 3": {1: "5", 2: "63%"}, "Scored 2": {1: "0", 2: "0%"},
				"It met my needs": {1: withheld, 2: withheld}, "It did not meet my needs": {1: few, 2: withheld}},
		})
		for _, p := range []struct {
			who          context.Context
			mine, theirs string
		}{{f.provA, "Nordic walking", "Debt advice"}, {f.provB, "Debt advice", "Nordic walking"}} {
			d, err := f.svc.Providers(p.who, insightsRange)
			if err != nil {
				t.Fatal(err)
			}
			tb := d.Table("services")
			if tb.Cell(p.mine, 1) == "" || tb.Cell(p.theirs, 1) != "" {
				t.Errorf("provider sees %v", tb.Rows)
			}
		}
		b, _ := f.svc.Providers(f.provB, insightsRange)
		checkDashboard(t, b, want{"services": {"Debt advice": {1: "5"}}, "scores": {"Scored 3": {1: "5"}, "Scored 4": {1: "0"}}})
		if c := b.Table("services").Cell("All services", 1); c != "" {
			t.Errorf("one service has no total row: %q", c)
		}

		r, err := f.svc.ProviderReport(f.provA, f.nordic, 2026)
		if err != nil {
			t.Fatal(err)
		}
		if r.Service.Name != "Nordic walking" || r.Year != 2026 {
			t.Errorf("report of %+v", r)
		}
		rd := &insights.Dashboard{Name: "report", Tables: r.Tables}
		checkDashboard(t, rd, want{
			"key-figures": {"Referrals received": {1: "6"}, "Median time to respond": {1: "10.0 hours"}, "Acceptance rate": {1: "80%"},
				"Attendance rate": {1: hidden}, "Average score (1 to 5)": {1: hidden}, "Met their needs": {1: hidden}},
			"by-month":  {"2026-01": {1: few}, "2026-02": {1: few}, "2026-03": {1: few}, "2026-04": {1: "0"}, "2026-12": {1: "0"}},
			"by-source": {"Self-referral": {1: few}, "Link worker": {1: few}, "GP practice": {1: few}, "Other professional": {1: few}},
		})
		if _, err := f.svc.ProviderReport(f.provB, f.nordic, 2026); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("provider B asks for provider A's report: %v", err)
		}
		if _, err := f.svc.ProviderReport(f.provA, f.nordic, 2027); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("a year to come: %v", err)
		}
		if _, err := f.svc.ProviderReport(f.provA, "not-an-id", 2026); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("a bad id: %v", err)
		}
		if _, err := f.svc.Providers(f.lead, insightsRange); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Errorf("a team lead on the provider dashboard: %v", err)
		}
	})
}

func TestInsightsTeamFigures(t *testing.T) {
	insightsData.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newInsightsFixture(t, db)
		team := insightsRange
		team.TeamID = f.teamA
		expect := want{
			"waiting": {"Waiting now": {1: few}, "Waiting longer than the target now": {1: few}, "Median wait so far": {1: hidden},
				"Accepted or declined in the range": {1: "5"}, "Median wait to be accepted or declined": {1: "4.0 working days"},
				"Accepted or declined within the target": {1: "80%"}},
			"caseloads":  {"Wyn Worker": {1: "Amber Valley", 2: "5"}, "Not allocated": {2: few}},
			"contacts":   {"2026-02": {2: "6", 7: "6"}, "2026-03": {1: few, 7: few}, "2026-01": {7: "0"}},
			"discharges": {"Goals met": {1: few, 2: hidden}, "Moved away": {1: few}, "Died": {1: "0"}, "All": {1: few}},
			"wellbeing": {"SWEMWBS (metric score, 7 to 35)": {1: "5", 2: "16.1", 3: "19.3", 4: "3.1", 5: "80%"},
				"ONS4 life satisfaction (0 to 10)": {1: few, 2: hidden, 4: hidden, 5: hidden}},
		}
		for _, who := range []context.Context{f.admin, f.lead} {
			d, err := f.svc.Teams(who, team)
			if err != nil {
				t.Fatal(err)
			}
			checkDashboard(t, d, expect)
		}
		// Every team: Dales adds a waiting referral, a client and a call.
		d, err := f.svc.Teams(f.commissioner, insightsRange)
		if err != nil {
			t.Fatal(err)
		}
		checkDashboard(t, d, want{"waiting": {"Waiting now": {1: few}}, "contacts": {"2026-02": {2: "7"}},
			"caseloads": {"Wyn Worker": {2: "5"}}})
		if n := len(d.Table("caseloads").Rows); n != 3 {
			t.Errorf("caseload rows = %d, want 3 (the worker, and not allocated in each team)", n)
		}
		other := insightsRange
		other.TeamID = f.teamB
		if _, err := f.svc.Teams(f.lead, other); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("a lead asks for another team: %v", err)
		}
		for name, who := range map[string]context.Context{"worker": f.worker, "gp": f.gp, "provider": f.provA} {
			if _, err := f.svc.Teams(who, insightsRange); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
				t.Errorf("%s on the team dashboard: %v", name, err)
			}
		}
	})
}

func TestInsightsDirectoryAndUnmetNeedFigures(t *testing.T) {
	insightsData.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newInsightsFixture(t, db)
		for _, who := range []context.Context{f.admin, f.moderator} {
			d, err := f.svc.Directory(who, insightsRange)
			if err != nil {
				t.Fatal(err)
			}
			checkDashboard(t, d, want{
				"categories": {"Physical activity": {1: "6"}, "Arts and creativity": {1: few}, "Money advice": {1: few}},
				"districts":  {"DE4": {1: "7"}, "DE1": {1: few}},
				// 8 live less 2 not confirmed: the 6 would give the 2 away.
				"confirmed": {"Live entries": {1: "8"}, "Confirmed in the last year": {1: withheld, 2: withheld}, "Not confirmed in the last year": {1: few, 2: withheld}},
				"moderation": {"Entries decided": {1: "6"}, "Approved": {1: withheld}, "Declined": {1: few}, "Median time to a decision": {1: "3.0 hours"},
					"90th percentile": {1: "2.5 days"}, "Decided within 48 hours": {1: "67%"}},
				"checks": {"Websites last checked in the range": {1: few}, "Websites that could not be reached at their last check": {1: few},
					"Suspended after the website check found changes": {1: few}, "Manual checks by a moderator": {1: few},
					"Suspended after a manual check could not confirm them": {1: few}},
				"findings": {"Phone numbers changed": {1: few}, "Text changed a lot": {1: few}},
			})
			if d.Table("districts").Cell("DE1", 1) == "" || d.Table("categories").Cell("No category", 1) != "" {
				t.Errorf("districts %v categories %v", d.Table("districts").Rows, d.Table("categories").Rows)
			}
		}
		d, err := f.svc.Unmet(f.commissioner, insightsRange)
		if err != nil {
			t.Fatal(err)
		}
		checkDashboard(t, d, want{
			// Each table adds up to 14: with one count under 5, the next smallest is withheld.
			"districts":      {"DE4": {1: "7"}, "No postcode given": {1: withheld}, "DE1": {1: few}, "All": {1: "14"}},
			"words":          {"yoga": {1: "6"}, "knitting": {1: withheld}, "Other searches (each fewer than 5 times) and searches by postcode alone": {1: few}},
			"district-words": {"DE4": {1: "yoga", 2: "6"}, "No postcode given": {1: "knitting", 2: withheld}, "Others": {2: few}},
		})
		if c := d.Table("words").Cell("sign language", 1); c != "" {
			t.Errorf("words searched once are shown: %q", c)
		}
		for name, who := range map[string]context.Context{"moderator": f.moderator, "provider": f.provA, "lead": f.lead} {
			if _, err := f.svc.Unmet(who, insightsRange); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
				t.Errorf("%s on unmet need: %v", name, err)
			}
		}
		bad := insightsRange
		bad.Area = "DE4 3AG"
		if _, err := f.svc.Unmet(f.admin, bad); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("a full postcode as the area: %v", err)
		}
	})
}

func TestSearchesThatFindNothingKeepTheDistrictAndWordsWithoutNumbers(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		when := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
		dir := directory.NewDirectory(sqlstore.NewDirectoryStore(db), nil, func() time.Time { return when }, slog.New(slog.NewTextHandler(io.Discard, nil)))
		ctx := context.Background()
		for _, q := range []directory.SearchQuery{
			{Text: "Yoga for Jo Bloggs 07700 900123 DE4 3AG", Postcode: "DE4 3AG", RadiusMiles: 5},
			{Category: "food"},
			{}, // asked for nothing: not kept
		} {
			if err := dir.NoteNothingFound(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		svc := insights.NewInsights(sqlstore.NewInsightsStore(db), insights.Config{}, func() time.Time { return when })
		admin := waymark.WithActor(ctx, waymark.Actor{UserID: uuid.NewString(), Roles: []waymark.Role{waymark.RoleAdmin}})
		gaps, err := sqlstore.NewInsightsStore(db).SearchGaps(admin, insights.Query{Filter: insights.Filter{From: when.AddDate(0, 0, -1), To: when.AddDate(0, 0, 1)}})
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprint(gaps)
		if len(gaps) != 2 || !strings.Contains(got, "{DE4 yoga jo bloggs  1}") || !strings.Contains(got, "{  food 1}") {
			t.Errorf("gaps = %s", got)
		}
		if strings.Contains(got, "3AG") || strings.Contains(got, "0770") {
			t.Errorf("a full postcode or number is kept: %s", got)
		}
		d, err := svc.Unmet(admin, insights.Filter{From: when.AddDate(0, 0, -1), To: when.AddDate(0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		if c := d.Table("districts").Cell("DE4", 1); c != few {
			t.Errorf("DE4 = %q", c)
		}
	})
}

func TestDemoActivityGivesEveryDashboardFigures(t *testing.T) {
	insightsData.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newInsightsFixture(t, db)
		var orgA string
		if err := db.SQL().QueryRow(`SELECT CAST(organization_id AS TEXT) FROM service WHERE name = 'Nordic walking'`).Scan(&orgA); err != nil {
			t.Fatal(err)
		}
		services := []*directory.Service{{ID: f.nordic, OrganizationID: orgA, Pathway: directory.PathwayWaymarkForm}}
		people := seed.ActivityPeople{TeamID: f.teamB, LeadID: "lead", WorkerID: "worker", GPID: "gp", TeamReferrals: 25, Searches: 10}
		a := seed.SyntheticActivity(services, people, insightsNow, 7)
		if again := seed.SyntheticActivity(services, people, insightsNow, 7); !reflect.DeepEqual(a, again) {
			t.Error("the same seed gives other activity")
		}
		if err := sqlstore.NewActivityStore(db).AddActivity(context.Background(), a); err != nil {
			t.Fatal(err)
		}
		year := insights.Filter{From: insightsNow.AddDate(-1, 0, 0), To: insightsNow.AddDate(0, 0, 1)}
		team := year
		team.TeamID = f.teamB
		for name, run := range map[string]func() (*insights.Dashboard, error){
			"referrals": func() (*insights.Dashboard, error) { return f.svc.Referrals(f.admin, year) },
			"providers": func() (*insights.Dashboard, error) { return f.svc.Providers(f.admin, year) },
			"teams":     func() (*insights.Dashboard, error) { return f.svc.Teams(f.admin, team) },
			"unmet":     func() (*insights.Dashboard, error) { return f.svc.Unmet(f.admin, year) },
		} {
			d, err := run()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			cell := map[string][2]string{"referrals": {"funnel", "Sent"}, "providers": {"services", "Nordic walking"},
				"teams": {"wellbeing", "SWEMWBS (metric score, 7 to 35)"}, "unmet": {"districts", "All"}}[name]
			if got := d.Table(cell[0]).Cell(cell[1], 1); got == "" || got == "0" || got == few {
				t.Errorf("%s %s %s = %q, want a figure of 5 or more", name, cell[0], cell[1], got)
			}
		}
	})
}

func TestInsightsRollupsGiveTheSameFiguresAndFollowChanges(t *testing.T) {
	insightsData.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newInsightsFixture(t, db)
		store := sqlstore.NewInsightsStore(db)
		plain, err := f.svc.Referrals(f.admin, insightsRange)
		if err != nil {
			t.Fatal(err)
		}
		// Rolled up to 15 June: the range's first half-month onwards comes
		// from the referrals, the rest from the rollups.
		if err := store.RollUp(context.Background(), insightsNow); err != nil {
			t.Fatal(err)
		}
		rolled, err := f.svc.Referrals(f.admin, insightsRange)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(plain.Tables, rolled.Tables) {
			for i := range plain.Tables {
				if !reflect.DeepEqual(plain.Tables[i], rolled.Tables[i]) {
					t.Errorf("%s: plain %v, rolled up %v", plain.Tables[i].ID, plain.Tables[i].Rows, rolled.Tables[i].Rows)
				}
			}
		}
		// A waiting knit referral from April is declined: the next run
		// recomputes April 3rd.
		later := insightsNow.Add(time.Hour)
		q := `UPDATE referral SET status = 'declined', decline_reason = 'full', responded_at = ?, updated_at = ? WHERE reference = 'REF9'`
		if db.Dialect() == sqlstore.Postgres {
			q = `UPDATE referral SET status = 'declined', decline_reason = 'full', responded_at = $1, updated_at = $2 WHERE reference = 'REF9'`
		}
		if _, err := db.SQL().Exec(q, later, later); err != nil {
			t.Fatal(err)
		}
		if err := store.RollUp(context.Background(), later.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		d, err := f.svc.Referrals(f.admin, insightsRange)
		if err != nil {
			t.Fatal(err)
		}
		checkDashboard(t, d, want{"funnel": {"Declined by the provider": {1: few, 2: withheld}, "Awaiting a response": {1: few, 2: withheld}},
			"response": {"Referrals answered": {1: "11"}}})
		// An area, a team or a provider never reads the rollups.
		area := insightsRange
		area.Area = "DE4"
		if d, err := f.svc.Referrals(f.admin, area); err != nil || d.Table("funnel").Cell("Sent", 1) != "10" {
			t.Errorf("DE4 sent = %v %v", d.Table("funnel").Cell("Sent", 1), err)
		}
	})
}
