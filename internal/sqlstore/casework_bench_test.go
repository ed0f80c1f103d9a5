package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

// The case management benchmark's size: one team's clients and every
// client's timeline entries together, with this many other users of the
// platform (authors' names are looked up among them).
const (
	benchClients = 5_000
	benchEntries = 1_000_000
	benchWorkers = 10
	benchUsers   = 2_000
	// Every benchHeavyEvery-th client has a long history of
	// benchHeavyEntries entries; the rest share what is left.
	benchHeavyEvery   = 50
	benchHeavyEntries = 2_000
)

// caseBench is the loaded benchmark team.
type caseBench struct {
	db      *sqlstore.DB
	svc     *casework.Service
	lead    context.Context
	workers []context.Context
	clients []string // every client ID, in load order
}

// benchEntryCount is how many entries client i has.
func benchEntryCount(i int) int {
	if i%benchHeavyEvery == 0 {
		return benchHeavyEntries
	}
	heavy := (benchClients + benchHeavyEvery - 1) / benchHeavyEvery
	light := benchClients - heavy
	rest := benchEntries - heavy*benchHeavyEntries
	n := rest / light
	if (i - i/benchHeavyEvery - 1) < rest%light { // the first light clients take the remainder
		n++
	}
	return n
}

// loadCaseBench returns the benchmark team on a database kept between runs
// (see sqlstoretest.BenchDB), loading it the first time with multi-row
// inserts, one transaction per batch.
func loadCaseBench(b *testing.B, d sqlstore.Dialect) *caseBench {
	b.Helper()
	ctx := context.Background()
	db, dsn := sqlstoretest.BenchDB(b, d, "casework", "bench_casework")
	cb := &caseBench{db: db}
	store := sqlstore.NewCaseworkStore(db)
	cb.svc = casework.NewService(store, time.Now, casework.Config{NewID: uuid.NewString})
	var teamID string
	err := db.SQL().QueryRowContext(ctx, `SELECT id FROM sp_team WHERE name = 'Benchmark team'`).Scan(&teamID)
	if errors.Is(err, sql.ErrNoRows) {
		start := time.Now()
		teamID = fillCaseBench(b, db)
		if err := db.Optimize(ctx); err != nil {
			b.Fatal(err)
		}
		analyse := "ANALYZE"
		if d == sqlstore.Postgres {
			analyse = "VACUUM ANALYZE"
		}
		if _, err := db.SQL().ExecContext(ctx, analyse); err != nil {
			b.Fatal(err)
		}
		b.Logf("built %s case management benchmark data (%d clients, %d entries) in %s", d, benchClients, benchEntries, time.Since(start).Round(time.Second))
	} else if err != nil {
		b.Fatal(err)
	}
	team, err := store.Team(ctx, teamID)
	if err != nil {
		b.Fatal(err)
	}
	for _, m := range team.Members {
		ctx := waymark.WithActor(context.Background(), waymark.Actor{UserID: m.UserID, Roles: []waymark.Role{waymark.RoleLinkWorker}})
		if m.Lead {
			cb.lead = ctx
		} else {
			cb.workers = append(cb.workers, ctx)
		}
	}
	rows, err := db.SQL().QueryContext(ctx, `SELECT id FROM cw_client WHERE team_id = `+arg(db, 1)+` ORDER BY id`, teamID)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			b.Fatal(err)
		}
		cb.clients = append(cb.clients, id)
	}
	if len(cb.clients) != benchClients || len(cb.workers) != benchWorkers || cb.lead == nil {
		b.Fatalf("benchmark database %s holds %d clients and %d workers: delete it to rebuild", dsn, len(cb.clients), len(cb.workers))
	}
	return cb
}

// batchInsert inserts rows of len(cols) values with multi-row INSERTs of
// per rows, each batch of inserts in one transaction of txRows rows.
func batchInsert(b *testing.B, db *sqlstore.DB, table string, cols []string, rows [][]any) {
	b.Helper()
	ctx := context.Background()
	const per, txRows = 500, 20_000
	for start := 0; start < len(rows); start += txRows {
		end := min(start+txRows, len(rows))
		tx, err := db.SQL().BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		for s := start; s < end; s += per {
			chunk := rows[s:min(s+per, end)]
			var q strings.Builder
			q.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
			args := make([]any, 0, len(chunk)*len(cols))
			for i, r := range chunk {
				if i > 0 {
					q.WriteString(", ")
				}
				q.WriteString("(")
				for j := range r {
					if j > 0 {
						q.WriteString(", ")
					}
					args = append(args, r[j])
					q.WriteString(arg(db, len(args)))
				}
				q.WriteString(")")
			}
			if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
				tx.Rollback()
				b.Fatalf("insert into %s: %v", table, err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}

// fillCaseBench loads the platform's users, the team with its lead and link
// workers, its clients in every status, and their timelines; it returns the
// team's ID.
func fillCaseBench(b *testing.B, db *sqlstore.DB) string {
	b.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(13, 5000))
	now := time.Now().UTC().Truncate(time.Second)
	var users [][]any
	var staff []string
	for i := range benchUsers + benchWorkers + 1 {
		id := uuid.NewString()
		users = append(users, []any{id, fmt.Sprintf("user%d@bench.example", i), fmt.Sprintf("User %d", i), "x", now})
		if i < benchWorkers+1 {
			staff = append(staff, id)
		}
	}
	batchInsert(b, db, "app_user", []string{"id", "email", "name", "password_hash", "created_at"}, users)
	store := sqlstore.NewCaseworkStore(db)
	team := &casework.Team{ID: uuid.NewString(), Name: "Benchmark team", CreatedAt: now}
	if err := store.CreateTeam(ctx, team); err != nil {
		b.Fatal(err)
	}
	for i, id := range staff {
		if err := store.SaveMember(ctx, casework.Member{TeamID: team.ID, UserID: id, Lead: i == 0}); err != nil {
			b.Fatal(err)
		}
	}
	workers := staff[1:]
	given := []string{"Margaret", "John", "Aisha", "Peter", "Susan", "Mohammed", "Linda", "David", "Grace", "Tomasz", "Chloe", "Ravi"}
	family := []string{"Oakes", "Smith", "Khan", "Brown", "Taylor", "Patel", "Wilson", "Evans", "Nowak", "Hughes", "Green", "Wood"}
	statuses := []casework.Status{casework.StatusActive, casework.StatusActive, casework.StatusActive, casework.StatusWaiting, casework.StatusOnHold, casework.StatusDischarged}
	kinds := []string{casework.KindContact, casework.KindContact, casework.KindContact, casework.KindAppointment, casework.KindMeasure, casework.KindGoal, casework.KindPlan, casework.KindStatus}
	note := strings.Repeat("Talked through how the week went and what to try next. ", 4)
	var clients [][]any
	var entries [][]any
	flush := func() {
		batchInsert(b, db, "cw_entry", []string{"id", "client_id", "kind", "at", "author_id", "summary", "note", "contact_type", "minutes", "ref_id", "created_at"}, entries)
		entries = entries[:0]
	}
	for i := range benchClients {
		id := uuid.NewString()
		g, f := given[rng.IntN(len(given))], fmt.Sprintf("%s%d", family[rng.IntN(len(family))], i)
		st := statuses[rng.IntN(len(statuses))]
		created := now.AddDate(0, 0, -rng.IntN(3*365)-30)
		var lastContact, discharged any
		if st != casework.StatusWaiting {
			lastContact = now.Add(-time.Duration(rng.IntN(90*24)) * time.Hour)
		}
		var reason string
		if st == casework.StatusDischarged {
			discharged, reason = now.AddDate(0, 0, -rng.IntN(365)), "goals_met"
		}
		var due any
		if st == casework.StatusActive || rng.IntN(3) == 0 {
			due = now.AddDate(0, 0, rng.IntN(60)-10).Format("2006-01-02")
		}
		clients = append(clients, []any{id, team.ID, workers[i%len(workers)], string(st), g, f, strings.ToLower(f + " " + g),
			fmt.Sprintf("19%02d-%02d-%02d", 30+rng.IntN(70), 1+rng.IntN(12), 1+rng.IntN(28)), "phone", lastContact, due, "Review goals",
			discharged, reason, created, created})
		n := benchEntryCount(i)
		span := now.Sub(created)
		for j := range n {
			k := kinds[rng.IntN(len(kinds))]
			at := created.Add(span * time.Duration(j) / time.Duration(n))
			row := []any{uuid.NewString(), id, k, at, workers[i%len(workers)], "Entry " + k, "", "", 0, "", at}
			if k == casework.KindContact {
				row[6], row[7], row[8] = note, "phone", 20+rng.IntN(40)
			}
			entries = append(entries, row)
		}
		if len(entries) >= 50_000 {
			if len(clients) > 0 {
				batchInsert(b, db, "cw_client", []string{"id", "team_id", "link_worker_id", "status", "given_name", "family_name", "search_name",
					"date_of_birth", "preferred_contact", "last_contact_at", "next_action_due", "next_action", "discharged_at", "discharge_reason",
					"created_at", "updated_at"}, clients)
				clients = clients[:0]
			}
			flush()
		}
	}
	batchInsert(b, db, "cw_client", []string{"id", "team_id", "link_worker_id", "status", "given_name", "family_name", "search_name",
		"date_of_birth", "preferred_contact", "last_contact_at", "next_action_due", "next_action", "discharged_at", "discharge_reason",
		"created_at", "updated_at"}, clients)
	flush()
	return team.ID
}

// caseloadSorts are the orders a caseload page offers.
var caseloadSorts = []string{casework.SortNextAction, casework.SortLastContact, casework.SortName, casework.SortStatus}

// BenchmarkCaseload measures the caseload page's query through the service
// (membership check included): a link worker's own caseload (500 clients)
// and the lead's whole-team caseload (5,000 clients, first 500 shown), in
// each sort order in turn.
func BenchmarkCaseload(b *testing.B) {
	for _, d := range sqlstoretest.Dialects() {
		for _, who := range []string{"mine", "team"} {
			b.Run(string(d)+"/"+who, func(b *testing.B) {
				cb := loadCaseBench(b, d)
				ms, err := cb.svc.MyTeams(cb.lead)
				if err != nil || len(ms) != 1 {
					b.Fatal(ms, err)
				}
				teamID := ms[0].TeamID
				lat := make([]time.Duration, 0, b.N)
				rows := 0
				for i := 0; b.Loop(); i++ {
					f := casework.CaseloadFilter{TeamID: teamID, Sort: caseloadSorts[i%len(caseloadSorts)]}
					ctx, mine := cb.lead, false
					if who == "mine" {
						ctx, mine = cb.workers[i%len(cb.workers)], true
					}
					start := time.Now()
					res, err := cb.svc.Caseload(ctx, f, mine)
					lat = append(lat, time.Since(start))
					if err != nil {
						b.Fatal(err)
					}
					rows += len(res)
				}
				reportPercentiles(b, lat)
				b.ReportMetric(float64(rows)/float64(len(lat)), "rows/op")
			})
		}
	}
}

// BenchmarkClientTimeline measures opening a client's record as the page
// does (Service.Record: the client, team, newest 200 timeline entries with
// their authors, amendments, consents, needs, goals, actions,
// appointments, measures, and the audit write), for clients in turn, one in
// fifty with 2,000 entries; and the timeline query alone, all kinds and
// contacts only.
func BenchmarkClientTimeline(b *testing.B) {
	for _, d := range sqlstoretest.Dialects() {
		for _, what := range []string{"record", "timeline", "contacts"} {
			b.Run(string(d)+"/"+what, func(b *testing.B) {
				cb := loadCaseBench(b, d)
				store := sqlstore.NewCaseworkStore(cb.db)
				ctx := context.Background()
				lat := make([]time.Duration, 0, b.N)
				rows := 0
				for i := 0; b.Loop(); i++ {
					id := cb.clients[(i*7)%len(cb.clients)]
					start := time.Now()
					var n int
					var err error
					switch what {
					case "record":
						var r *casework.Record
						r, err = cb.svc.Record(cb.workers[0], id, "")
						if r != nil {
							n = len(r.Timeline)
						}
					case "timeline":
						var es []casework.Entry
						es, err = store.Timeline(ctx, id, "", casework.TimelineLimit)
						n = len(es)
					case "contacts":
						var es []casework.Entry
						es, err = store.Timeline(ctx, id, casework.KindContact, casework.TimelineLimit)
						n = len(es)
					}
					lat = append(lat, time.Since(start))
					if err != nil {
						b.Fatal(err)
					}
					rows += n
				}
				reportPercentiles(b, lat)
				b.ReportMetric(float64(rows)/float64(len(lat)), "entries/op")
			})
		}
	}
}
