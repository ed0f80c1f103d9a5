package sqlstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/email"
	"waymark/internal/jobs"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

// arg is the dialect's placeholder for the nth query argument.
func arg(db *sqlstore.DB, n int) string {
	if db.Dialect() == sqlstore.Postgres {
		return fmt.Sprintf("$%d", n)
	}
	return "?"
}

// tablesWithColumn lists the tables that have a column of the name.
func tablesWithColumn(t *testing.T, db *sqlstore.DB, column string) []string {
	t.Helper()
	q := `SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND p.name = ?`
	if db.Dialect() == sqlstore.Postgres {
		q = `SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = $1`
	}
	return queryStrings(t, db, q, column)
}

func queryStrings(t *testing.T, db *sqlstore.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.SQL().QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// textHolding lists "table.column" for every text column holding any of
// the needles (case-insensitive).
func textHolding(t *testing.T, db *sqlstore.DB, needles ...string) []string {
	t.Helper()
	q := `SELECT m.name || '.' || p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.sql NOT LIKE 'CREATE VIRTUAL%' AND UPPER(p.type) LIKE '%TEXT%'`
	if db.Dialect() == sqlstore.Postgres {
		q = `SELECT table_name || '.' || column_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying')`
	}
	var found []string
	for _, tc := range queryStrings(t, db, q) {
		table, col, _ := strings.Cut(tc, ".")
		var where []string
		var args []any
		for _, n := range needles {
			args = append(args, "%"+strings.ToLower(n)+"%")
			where = append(where, "LOWER("+col+") LIKE "+arg(db, len(args)))
		}
		var n int
		if err := db.SQL().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM `+table+` WHERE `+strings.Join(where, " OR "), args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", tc, err)
		}
		if n > 0 {
			found = append(found, tc)
		}
	}
	return found
}

// newHeldRecord is a lived record of team A that was also emailed an
// appointment reminder and opened by an administrator breaking the glass
// with the reason.
func newHeldRecord(t *testing.T, db *sqlstore.DB, reason string) (*caseFixture, string) {
	t.Helper()
	f := newCaseFixture(t, db)
	id := newLivedRecord(t, f, newReferralFixture(t, db), false).client.ID
	remindAndDeliver(t, f, id)
	acceptReferralInto(t, f, id)
	if err := f.svc.BreakGlass(f.admin, id, reason); err != nil {
		t.Fatal(err)
	}
	return f, id
}

// remindAndDeliver books an appointment for tomorrow, sends its email
// reminder and delivers the outbox.
func remindAndDeliver(t *testing.T, f *caseFixture, clientID string) {
	t.Helper()
	ctx := context.Background()
	if err := f.svc.AddConsent(f.worker, clientID, casework.ConsentContactEmail, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AddAppointment(f.worker, clientID, casework.Appointment{StartsAt: f.clock().Add(26 * time.Hour), Mode: "phone", Place: "01629 580000"}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SendReminders(ctx, f.clock()); err != nil {
		t.Fatal(err)
	}
	outbox := email.NewOutbox(f.emails, email.DevTransport{}, f.clock, slog.New(slog.DiscardHandler))
	if sent, _, err := outbox.DeliverDue(ctx); err != nil || sent == 0 {
		t.Fatalf("delivered %d: %v", sent, err)
	}
}

// exportSections maps each table holding a client's data to the export's
// JSON section that shows it.
var exportSections = map[string]string{
	"cw_client":        "client",
	"cw_entry":         "timeline",
	"cw_amendment":     "amendments",
	"cw_consent":       "consents",
	"cw_need":          "needs",
	"cw_goal":          "goals",
	"cw_goal_score":    "goals",
	"cw_action":        "agreed_actions",
	"cw_appointment":   "appointments",
	"cw_measure":       "outcome_measures",
	"cw_break_glass":   "break_glass",
	"audit_event":      "access_log",
	"referral":         "referrals",
	"referral_message": "referrals",
	"email_outbox":     "emails",
	"sp_incoming":      "referrals_in",
}

func TestSubjectAccessExportHoldsEveryTableAboutTheClientAndIsAudited(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f, id := newHeldRecord(t, db, "Safeguarding concern raised by the GP")

		// Who may export.
		for name, who := range map[string]context.Context{"another team's worker": f.other, "a moderator": f.moderator} {
			if _, err := f.svc.Export(who, id, "json"); waymark.ErrorCode(err) != waymark.ENOTFOUND {
				t.Errorf("%s exported the record: %v", name, err)
			}
		}
		if _, err := f.svc.Export(f.admin, id, "html"); err != nil {
			t.Errorf("an administrator who broke the glass: %v", err)
		}
		x, err := f.svc.Export(f.worker, id, "json")
		if err != nil {
			t.Fatal(err)
		}

		// Every table with a client_id column, and those reached through
		// them, has its section in the export, and it is not empty.
		raw, err := json.Marshal(x)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		tables := tablesWithColumn(t, db, "client_id")
		if len(tables) < 10 {
			t.Fatalf("tables with client_id: %v", tables)
		}
		for _, table := range append(tables, "cw_client", "cw_goal_score", "referral", "referral_message", "email_outbox") {
			key, ok := exportSections[table]
			if !ok {
				t.Errorf("table %s holds client data but the export does not show it: add it to casework.Export and to exportSections", table)
				continue
			}
			if v, ok := doc[key]; !ok || v == nil {
				t.Errorf("table %s: export section %q is missing or empty", table, key)
			}
		}
		for _, want := range []string{"9434765919", "4 Bank Road, Matlock", "Low mood and isolated since her husband died",
			"Talked about her late husband's workshop", "Wrong word", // the old note and the reason for amending it
			"Go to a group once a week", "Visit the men's shed open morning", "Matlock library", "Lonely; loves woodwork",
			"Peggy came on Tuesday and is making a bird box", "Your appointment tomorrow", "Safeguarding concern raised by the GP",
			"ONS4: Life satisfaction 3 (low)", "SWEMWBS metric score 24.11 (raw 27)", "client.break_glass"} {
			if !strings.Contains(string(raw), jsonText(want)) {
				t.Errorf("the export lacks %q", want)
			}
		}
		var entries int
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM cw_entry WHERE client_id = `+arg(db, 1), id).Scan(&entries); err != nil {
			t.Fatal(err)
		}
		if len(x.Timeline) != entries || len(x.Goals) != 1 || len(x.Goals[0].Scores) != 3 || len(x.Measures) != 4 || len(x.Referrals) != 1 ||
			len(x.Referrals[0].Messages) != 1 || len(x.Emails) != 1 || len(x.BreakGlass) != 1 || len(x.Amendments) != 1 {
			t.Errorf("export counts: timeline %d of %d, goals %v, measures %d, referrals %+v, emails %d, break glass %d, amendments %d",
				len(x.Timeline), entries, x.Goals, len(x.Measures), x.Referrals, len(x.Emails), len(x.BreakGlass), len(x.Amendments))
		}

		// Each export is in the audit log with its format; the
		// administrator's says the glass was broken.
		log, err := f.svc.AccessLog(f.lead, id)
		if err != nil {
			t.Fatal(err)
		}
		var exports []string
		for _, e := range log {
			if e.Action == "client.export" {
				exports = append(exports, e.ActorID+" "+e.Detail)
			}
		}
		if want := []string{f.ids["worker"] + " json", f.ids["admin"] + " break glass html"}; !slices.Equal(exports, want) {
			t.Errorf("exports audited %v, want %v", exports, want)
		}
	})
}

// jsonText is s as it appears inside a JSON string.
func jsonText(s string) string {
	b, _ := json.Marshal(s)
	return strings.Trim(string(b), `"`)
}

// recordCounts are the anonymous counts insights use, for one client.
func recordCounts(t *testing.T, db *sqlstore.DB, clientID string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for name, q := range map[string]string{
		"status":        `SELECT status || ' ' || discharge_reason || ' ' || team_id || ' ' || gp_practice || ' ' || link_worker_id FROM cw_client WHERE id = %s`,
		"entries":       `SELECT kind || ' ' || contact_type || ' ' || CAST(minutes AS TEXT) || ' ' || ref_id FROM cw_entry WHERE client_id = %s ORDER BY seq`,
		"needs":         `SELECT domain FROM cw_need WHERE client_id = %s ORDER BY domain`,
		"measures":      `SELECT instrument || ' ' || stage || ' ' || scores FROM cw_measure WHERE client_id = %s ORDER BY id`,
		"goal scores":   `SELECT CAST(s.score AS TEXT) FROM cw_goal_score s JOIN cw_goal g ON g.id = s.goal_id WHERE g.client_id = %s ORDER BY s.seq`,
		"consents":      `SELECT kind FROM cw_consent WHERE client_id = %s ORDER BY kind`,
		"appointments":  `SELECT mode || ' ' || outcome FROM cw_appointment WHERE client_id = %s ORDER BY id`,
		"actions":       `SELECT CASE WHEN done_at IS NULL THEN 'open' ELSE 'done' END FROM cw_action WHERE client_id = %s ORDER BY id`,
		"referral ends": `SELECT status FROM referral WHERE CAST(id AS TEXT) IN (SELECT ref_id FROM cw_entry WHERE client_id = %s)`,
	} {
		out[name] = strings.Join(queryStrings(t, db, fmt.Sprintf(q, arg(db, 1)), clientID), "; ")
	}
	return out
}

func TestDischargedClientsAreAnonymisedAfterTheRetentionPeriodKeepingCounts(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f, id := newHeldRecord(t, db, "Safeguarding concern for Mrs Oakes")
		if err := f.svc.Discharge(f.worker, id, "goals_met", "Peggy goes to the men's shed every Tuesday and feels less alone"); err != nil {
			t.Fatal(err)
		}
		discharged := f.clock()
		// Another client is still active; a third was discharged a year later.
		active := sampleClient()
		active.GivenName, active.FamilyName, active.PreferredName, active.NHSNumber = "Arthur", "Bell", "", ""
		active.Address, active.Phone, active.Email, active.PreferredContact = "", "01332 290000", "", "phone"
		na, err := f.svc.CreateClient(f.worker, f.teamA.ID, active, false)
		if err != nil {
			t.Fatal(err)
		}
		later := active
		later.GivenName = "Cora"
		nl, err := f.svc.CreateClient(f.worker, f.teamA.ID, later, true)
		if err != nil {
			t.Fatal(err)
		}
		before := recordCounts(t, db, id)
		cBefore, err := f.store.Client(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		f.advance(365 * 24 * time.Hour)
		if err := f.svc.Discharge(f.worker, nl.Client.ID, "moved_away", "Moved to Leeds"); err != nil {
			t.Fatal(err)
		}

		// The job runs through the scheduler on the moving clock.
		retention := casework.NewService(f.store, f.clock, casework.Config{NewID: uuid.NewString, RetentionYears: 8})
		runner := jobs.NewRunner(sqlstore.NewJobStore(db), f.clock, slog.New(slog.NewTextHandler(io.Discard, nil)), retention.Jobs(time.Hour)...)
		f.mu.Lock()
		f.now = discharged.AddDate(8, 0, -1)
		f.mu.Unlock()
		if ran := runner.Tick(ctx); !slices.Contains(ran, "casework-anonymise") {
			t.Fatalf("jobs ran %v", ran)
		}
		if c, err := f.store.Client(ctx, id); err != nil || c.AnonymisedAt != nil || c.NHSNumber != cBefore.NHSNumber || c.WhatMatters != cBefore.WhatMatters {
			t.Errorf("a day before the retention period ended the record changed: %+v, %v", c, err)
		}
		f.advance(2 * 24 * time.Hour)
		runner.Tick(ctx)

		c, err := f.store.Client(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		month := time.Date(discharged.Year(), discharged.Month(), 1, 0, 0, 0, 0, time.UTC)
		if c.AnonymisedAt == nil || c.Name() != "Anonymised client" || c.NHSNumber != "" || !c.DateOfBirth.IsZero() || c.Address != "" ||
			c.Postcode != "" || c.Phone != "" || c.Email != "" || c.NextOfKin != "" || c.WhatMatters != "" || c.DischargeNote != "" ||
			c.ReferralReason != "" || c.ReferredBy != "" || c.Ethnicity != "" || c.Gender != "" ||
			c.Status != casework.StatusDischarged || c.DischargeReason != "goals_met" || c.DischargedAt == nil || !c.DischargedAt.Equal(month) {
			t.Errorf("anonymised client %+v", c)
		}
		// Nothing the person could be known by is left anywhere in the database.
		if found := textHolding(t, db, "Oakes", "Peggy", "Margaret", "9434765919", "Bank Road", "01629 580000", "woodwork", "husband",
			"Patel", "bird box", "Matlock library", "Wrong word", "Go to a group", "less alone"); len(found) > 0 {
			t.Errorf("personal data left in %v", found)
		}
		// The counts insights use are the same (one more record entry: the anonymisation).
		after := recordCounts(t, db, id)
		before["entries"] += "; record  0 "
		for k, v := range before {
			if after[k] != v {
				t.Errorf("%s\n before %s\n after  %s", k, v, after[k])
			}
		}
		// Every date about the person is the first of its month.
		for _, q := range []string{`SELECT at FROM cw_entry WHERE client_id = %s AND summary <> 'Record anonymised'`, `SELECT taken_at FROM cw_measure WHERE client_id = %s`,
			`SELECT s.at FROM cw_goal_score s JOIN cw_goal g ON g.id = s.goal_id WHERE g.client_id = %s`} {
			rows, err := db.SQL().QueryContext(ctx, fmt.Sprintf(q, arg(db, 1)), id)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var at time.Time
				if err := rows.Scan(&at); err != nil {
					t.Fatal(err)
				}
				if at.UTC().Day() != 1 || at.UTC().Hour() != 0 || at.UTC().Minute() != 0 {
					t.Errorf("%s: %s is not truncated to its month", q, at)
				}
			}
			rows.Close()
		}

		// Audited once, even when the job runs again; read-only; not found by search.
		if err := retention.AnonymiseDue(ctx, f.clock()); err != nil {
			t.Fatal(err)
		}
		log, err := f.svc.AccessLog(f.lead, id)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range log {
			if e.Action == "client.anonymise" {
				n++
				if e.ActorID != "" || e.Detail != "8 years after discharge" {
					t.Errorf("anonymisation audit %+v", e)
				}
			}
		}
		if n != 1 {
			t.Errorf("anonymisation audited %d times, want 1", n)
		}
		if _, err := f.svc.AddContact(f.worker, id, casework.Contact{Type: "phone", At: f.clock(), Note: "x"}); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("a contact on an anonymised record: %v", err)
		}
		if _, err := f.svc.DischargeLetter(f.worker, id); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("a letter of an anonymised record: %v", err)
		}
		if rows, err := f.svc.Search(f.worker, casework.SearchQuery{Text: "anonymised"}); err != nil || len(rows) != 0 {
			t.Errorf("search found %v, %v", rows, err)
		}
		// The NHS number is free for a new record.
		if _, err := f.svc.CreateClient(f.worker, f.teamA.ID, sampleClient(), true); err != nil {
			t.Errorf("the NHS number is still held: %v", err)
		}
		// The others are untouched.
		for _, other := range []string{na.Client.ID, nl.Client.ID} {
			if c, err := f.store.Client(ctx, other); err != nil || c.AnonymisedAt != nil || c.FamilyName != "Bell" {
				t.Errorf("client %s: %+v, %v", other, c, err)
			}
		}
	})
}
