package sqlstore_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/account"
	"waymark/internal/casework"
	"waymark/internal/email"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

// caseFixture is a case management service on a clock the test moves, two
// teams and people in every position.
type caseFixture struct {
	store  *sqlstore.CaseworkStore
	emails *sqlstore.EmailStore
	svc    *casework.Service
	mu     sync.Mutex
	now    time.Time
	teamA  *casework.Team
	teamB  *casework.Team
	ids    map[string]string // user IDs by name
	// actors: admin, lead (team A), worker (team A), other (team B's link
	// worker), moderator
	admin, lead, worker, other, moderator context.Context
}

func (f *caseFixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *caseFixture) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

func newCaseFixture(t *testing.T, db *sqlstore.DB) *caseFixture {
	t.Helper()
	ctx := context.Background()
	f := &caseFixture{store: sqlstore.NewCaseworkStore(db), emails: sqlstore.NewEmailStore(db), now: testNow, ids: map[string]string{}}
	outbox := email.NewOutbox(f.emails, email.DevTransport{}, f.clock, slog.New(slog.DiscardHandler))
	f.svc = casework.NewService(f.store, f.clock, casework.Config{NewID: uuid.NewString, Mail: outbox})
	accounts := sqlstore.NewAccountStore(db)
	actor := func(name string, platform waymark.Role, roles ...waymark.Role) context.Context {
		u := &account.User{ID: uuid.NewString(), Email: name + "@example.org", Name: strings.ToUpper(name[:1]) + name[1:], PasswordHash: "x",
			PlatformRole: platform, CreatedAt: testNow}
		if err := accounts.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		f.ids[name] = u.ID
		return waymark.WithActor(ctx, u.Actor())
	}
	f.admin = actor("admin", waymark.RoleAdmin)
	f.moderator = actor("moderator", waymark.RoleModerator)
	f.lead, f.worker, f.other = actor("lead", ""), actor("worker", ""), actor("other", "")
	var err error
	if f.teamA, err = f.svc.CreateTeam(f.admin, "Amber Valley PCN social prescribing team"); err != nil {
		t.Fatal(err)
	}
	if f.teamB, err = f.svc.CreateTeam(f.admin, "Erewash PCN social prescribing team"); err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct {
		team  string
		email string
		lead  bool
	}{{f.teamA.ID, "lead@example.org", true}, {f.teamA.ID, "worker@example.org", false}, {f.teamB.ID, "other@example.org", false}} {
		if err := f.svc.AddMember(f.admin, m.team, m.email, m.lead); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// sampleClientOf adds sampleClient to team A as the link worker and
// returns its ID.
func (f *caseFixture) sampleClientOf(t *testing.T) string {
	t.Helper()
	nc, err := f.svc.CreateClient(f.worker, f.teamA.ID, sampleClient(), false)
	if err != nil {
		t.Fatal(err)
	}
	return nc.Client.ID
}

func sampleClient() casework.Client {
	return casework.Client{GivenName: "Margaret", FamilyName: "Oakes", PreferredName: "Peggy", DateOfBirth: time.Date(1948, 3, 15, 0, 0, 0, 0, time.UTC),
		NHSNumber: "943 476 5919", Address: "4 Bank Road, Matlock", Postcode: "de4 3ag", Phone: "01629 580000", Email: "peggy@example.org",
		PreferredContact: "email", GPPractice: "c81001", Ethnicity: "A", Gender: "female"}
}

func TestTeamsAreManagedByAdministratorsWithPracticesByODSCode(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newCaseFixture(t, db)
		if _, err := f.svc.CreateTeam(f.worker, "Mine"); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Errorf("a link worker made a team: %v", err)
		}
		if err := f.svc.AddPractice(f.admin, f.teamA.ID, casework.Practice{ODSCode: "C8100", Name: "Short"}); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("a five-character ODS code: %v", err)
		}
		if err := f.svc.AddPractice(f.admin, f.teamA.ID, casework.Practice{ODSCode: "c81001", Name: "Lime Grove Medical Centre"}); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.AddPractice(f.admin, f.teamB.ID, casework.Practice{ODSCode: "C81001", Name: "Again"}); waymark.ErrorCode(err) != waymark.ECONFLICT {
			t.Errorf("two teams serve one practice: %v", err)
		}
		if err := f.svc.AddMember(f.admin, f.teamA.ID, "nobody@example.org", false); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("an unknown email was added: %v", err)
		}
		team, err := f.svc.Team(f.worker, f.teamA.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(team.Members) != 2 || len(team.Practices) != 1 || team.Practices[0].ODSCode != "C81001" {
			t.Errorf("team %+v", team)
		}
		if _, err := f.svc.Team(f.other, f.teamA.ID); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("another team's worker read the team: %v", err)
		}
	})
}

func TestClientRecordChecksDuplicatesAndOnlyTheTeamMayOpenIt(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newCaseFixture(t, db)
		bad := sampleClient()
		bad.NHSNumber = "9434765918"
		if _, err := f.svc.CreateClient(f.worker, f.teamA.ID, bad, false); waymark.ErrorCode(err) != waymark.EINVALID || !strings.Contains(err.Error(), "NHS number") {
			t.Errorf("a bad check digit: %v", err)
		}
		bad = sampleClient()
		bad.Postcode = "ZZ9 9ZZ"
		if _, err := f.svc.CreateClient(f.worker, f.teamB.ID, bad, false); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("a worker added a client to another team: %v", err)
		}
		nc, err := f.svc.CreateClient(f.worker, f.teamA.ID, sampleClient(), false)
		if err != nil {
			t.Fatal(err)
		}
		c := nc.Client
		if c.Status != casework.StatusWaiting || c.LinkWorkerID != f.ids["worker"] || c.Postcode != "DE4 3AG" || c.NHSNumber != "9434765919" || c.Phone != "01629 580000" {
			t.Errorf("created %+v", c)
		}
		// The same NHS number in any team is refused.
		again := sampleClient()
		again.GivenName = "Someone"
		if _, err := f.svc.CreateClient(f.other, f.teamB.ID, again, true); waymark.ErrorCode(err) != waymark.ECONFLICT {
			t.Errorf("a duplicate NHS number: %v", err)
		}
		// The same name and date of birth warns until confirmed.
		twin := sampleClient()
		twin.NHSNumber = ""
		res, err := f.svc.CreateClient(f.worker, f.teamA.ID, twin, false)
		if waymark.ErrorCode(err) != waymark.ECONFLICT || res == nil || len(res.Duplicates) != 1 || res.Duplicates[0] != c.ID {
			t.Fatalf("same name and birth: %v %+v", err, res)
		}
		if _, err := f.svc.CreateClient(f.worker, f.teamA.ID, twin, true); err != nil {
			t.Errorf("confirmed twin: %v", err)
		}

		// Who may open the record.
		if _, err := f.svc.Client(f.lead, c.ID); err != nil {
			t.Errorf("the team lead: %v", err)
		}
		for name, ctx := range map[string]context.Context{"another team's worker": f.other, "a moderator": f.moderator} {
			if _, err := f.svc.Client(ctx, c.ID); waymark.ErrorCode(err) != waymark.ENOTFOUND {
				t.Errorf("%s opened the record: %v", name, err)
			}
			if _, err := f.svc.AddContact(ctx, c.ID, casework.Contact{Type: "phone", At: f.now, Note: "x"}); waymark.ErrorCode(err) != waymark.ENOTFOUND {
				t.Errorf("%s wrote to the record: %v", name, err)
			}
		}
		if _, err := f.svc.Client(context.Background(), c.ID); waymark.ErrorCode(err) != waymark.EUNAUTHORIZED {
			t.Errorf("anonymous: %v", err)
		}
		// Administrators break the glass with a reason.
		if _, err := f.svc.Client(f.admin, c.ID); !casework.NeedsBreakGlass(err) {
			t.Errorf("an administrator without breaking the glass: %v", err)
		}
		if err := f.svc.BreakGlass(f.admin, c.ID, " "); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("break glass without a reason: %v", err)
		}
		if err := f.svc.BreakGlass(f.worker, c.ID, "curious"); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Errorf("a worker broke the glass: %v", err)
		}
		if err := f.svc.BreakGlass(f.admin, c.ID, "Safeguarding concern raised by the GP"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Client(f.admin, c.ID); err != nil {
			t.Errorf("after breaking the glass: %v", err)
		}
		f.advance(2 * time.Hour)
		if _, err := f.svc.Client(f.admin, c.ID); !casework.NeedsBreakGlass(err) {
			t.Errorf("break glass did not expire: %v", err)
		}

		// Every read and write was audited; the lead sees the log, the worker does not.
		if _, err := f.svc.AccessLog(f.worker, c.ID); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Errorf("a link worker read the access log: %v", err)
		}
		log, err := f.svc.AccessLog(f.lead, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range log {
			got = append(got, e.ActorName+" "+e.Action+" "+e.Detail)
			if e.ClientID != c.ID || e.At.IsZero() {
				t.Errorf("event %+v", e)
			}
		}
		want := []string{"Lead client.access_log ", "Admin client.view break glass", "Admin client.break_glass Safeguarding concern raised by the GP",
			"Lead client.view ", "Worker client.create "}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("access log\n got %q\nwant %q", got, want)
		}
		// Administrators search the audit log by user and by client.
		if _, err := f.svc.SearchAudit(f.lead, casework.AuditFilter{ClientID: c.ID}); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Errorf("a lead searched the audit log: %v", err)
		}
		byUser, err := f.svc.SearchAudit(f.admin, casework.AuditFilter{ActorEmail: "Worker@example.org"})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range byUser {
			if e.ActorID != f.ids["worker"] {
				t.Errorf("search by user found %+v", e)
			}
		}
		if len(byUser) < 2 {
			t.Errorf("search by user found %d events", len(byUser))
		}
		byClient, err := f.svc.SearchAudit(f.admin, casework.AuditFilter{ClientID: c.ID})
		if err != nil || len(byClient) != len(log)+1 {
			t.Errorf("search by client: %d events, %v", len(byClient), err)
		}
	})
}

func TestTimelineIsNewestFirstFilteredAndNotesChangeOnlyByAmendment(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newCaseFixture(t, db)
		id := f.sampleClientOf(t)
		f.advance(time.Hour)
		if _, err := f.svc.AddContact(f.worker, id, casework.Contact{Type: "carrier_pigeon", At: f.now, Note: "x"}); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("an unknown contact type: %v", err)
		}
		if _, err := f.svc.AddContact(f.worker, id, casework.Contact{Type: "phone", At: f.now.Add(48 * time.Hour), Note: "x"}); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("a contact in the future: %v", err)
		}
		note, err := f.svc.AddContact(f.worker, id, casework.Contact{Type: "home_visit", At: f.now, Minutes: 45, Note: "Met Peggy at home; she feels lonely since her husband died."})
		if err != nil {
			t.Fatal(err)
		}
		f.advance(time.Hour)
		if err := f.svc.SetStatus(f.worker, id, casework.StatusActive, "First contact made"); err != nil {
			t.Fatal(err)
		}
		f.advance(time.Hour)
		if err := f.svc.AmendNote(f.worker, id, note.ID, note.Note, "no change"); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("an amendment that changes nothing: %v", err)
		}
		if err := f.svc.AmendNote(f.worker, id, note.ID, "Met Peggy at home; she feels lonely since her husband died in May.", ""); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("an amendment without a reason: %v", err)
		}
		if err := f.svc.AmendNote(f.worker, id, note.ID, "Met Peggy at home; she feels lonely since her husband died in May.", "Added when"); err != nil {
			t.Fatal(err)
		}
		rec, err := f.svc.Record(f.worker, id, "")
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, e := range rec.Timeline {
			kinds = append(kinds, e.Kind)
		}
		if got, want := strings.Join(kinds, ","), "status,contact,status"; got != want {
			t.Errorf("timeline kinds %s, want %s (newest first)", got, want)
		}
		contact := rec.Timeline[1]
		if !strings.HasSuffix(contact.Note, "in May.") || contact.AmendedAt == nil || contact.Minutes != 45 || contact.AuthorName != "Worker" || contact.Summary != "Home visit contact, 45 minutes" {
			t.Errorf("contact %+v", contact)
		}
		am := rec.Amendments[note.ID]
		if len(am) != 1 || am[0].OldNote != note.Note || am[0].Reason != "Added when" || am[0].AuthorName != "Worker" {
			t.Errorf("amendments %+v", am)
		}
		if rec.Client.LastContactAt == nil || !rec.Client.LastContactAt.Equal(testNow.Add(time.Hour)) {
			t.Errorf("last contact %v", rec.Client.LastContactAt)
		}
		only, err := f.svc.Record(f.worker, id, casework.KindStatus)
		if err != nil || len(only.Timeline) != 2 || only.Timeline[0].Summary != "Status: waiting to active" {
			t.Errorf("status filter: %v %+v", err, only.Timeline)
		}
	})
}

func TestStatusesDischargeAndReopeningKeepHistory(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newCaseFixture(t, db)
		nc, err := f.svc.CreateClient(f.lead, f.teamA.ID, sampleClient(), false)
		if err != nil {
			t.Fatal(err)
		}
		id := nc.Client.ID
		if nc.Client.LinkWorkerID != "" {
			t.Errorf("a lead's new client was allocated to %q", nc.Client.LinkWorkerID)
		}
		if err := f.svc.SetStatus(f.lead, id, casework.StatusWaiting, ""); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("waiting to waiting: %v", err)
		}
		if err := f.svc.Transfer(f.worker, id, f.ids["worker"]); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Errorf("a worker transferred: %v", err)
		}
		if err := f.svc.Transfer(f.lead, id, f.ids["other"]); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("transfer out of the team: %v", err)
		}
		if err := f.svc.Transfer(f.lead, id, f.ids["worker"]); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Discharge(f.worker, id, "bored", "x"); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("an unknown reason: %v", err)
		}
		if err := f.svc.Discharge(f.worker, id, "goals_met", ""); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("no summary: %v", err)
		}
		if err := f.svc.Discharge(f.worker, id, "goals_met", "Peggy goes to the walking group every week."); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.SetStatus(f.worker, id, casework.StatusOnHold, ""); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("discharged to on hold: %v", err)
		}
		if err := f.svc.SetStatus(f.worker, id, casework.StatusActive, "Asked for help again"); err != nil {
			t.Fatal(err)
		}
		rec, err := f.svc.Record(f.worker, id, casework.KindStatus)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range rec.Timeline {
			got = append(got, e.Summary)
		}
		want := []string{"Reopened", "Discharged: Goals met", "Allocated to Worker", "Record created: waiting"}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("history %q, want %q", got, want)
		}
		if rec.Client.Status != casework.StatusActive || rec.Client.DischargeReason != "goals_met" || rec.Client.DischargedAt != nil {
			t.Errorf("reopened client %+v", rec.Client)
		}
	})
}

func TestPlanGoalsMeasuresAndCaseload(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newCaseFixture(t, db)
		nc, err := f.svc.CreateClient(f.worker, f.teamA.ID, sampleClient(), false)
		if err != nil {
			t.Fatal(err)
		}
		id := nc.Client.ID
		second := sampleClient()
		second.GivenName, second.PreferredName, second.FamilyName, second.NHSNumber = "Arthur", "", "Bennett", "4010232137"
		nc2, err := f.svc.CreateClient(f.worker, f.teamA.ID, second, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.SetWhatMatters(f.worker, id, "Getting out of the house and seeing people", []string{"loneliness", "physical_activity", "gardening"}); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("an unknown need: %v", err)
		}
		if err := f.svc.SetWhatMatters(f.worker, id, "Getting out of the house and seeing people", []string{"physical_activity", "loneliness"}); err != nil {
			t.Fatal(err)
		}
		g, err := f.svc.AddGoal(f.worker, id, "I want to walk to the shops on my own", 3)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.ScoreGoal(f.worker, id, g.ID, 11); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("a score of 11: %v", err)
		}
		f.advance(14 * 24 * time.Hour)
		if err := f.svc.ScoreGoal(f.worker, id, g.ID, 6); err != nil {
			t.Fatal(err)
		}
		due := time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
		if err := f.svc.AddAction(f.worker, id, casework.Action{Text: "Try the Thursday walking group", Who: "Peggy", Due: due}); err != nil {
			t.Fatal(err)
		}
		for i, scores := range [][]int{{3, 4, 3, 7}, {6, 7, 6, 3}} {
			f.advance(24 * time.Hour)
			if _, err := f.svc.AddMeasure(f.worker, id, casework.Measure{Instrument: casework.ONS4, Stage: []string{"first", "review"}[i], Scores: scores}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.svc.AddMeasure(f.worker, id, casework.Measure{Instrument: casework.SWEMWBS, Stage: "first", Scores: []int{2, 3, 2, 3, 2, 3, 2}}); err != nil {
			t.Fatal(err)
		}
		rec, err := f.svc.Record(f.worker, id, "")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(rec.Needs, ",") != "loneliness,physical_activity" || rec.Client.WhatMatters != "Getting out of the house and seeing people" {
			t.Errorf("needs %v, what matters %q", rec.Needs, rec.Client.WhatMatters)
		}
		if len(rec.Goals) != 1 || len(rec.Goals[0].Scores) != 2 || rec.Goals[0].Latest() != 6 {
			t.Errorf("goals %+v", rec.Goals)
		}
		ch := casework.Changes(rec.Measures)
		if len(ch) != 5 || ch[0].First != 3 || ch[0].Latest != 6 || ch[4].Latest != 16.88 {
			t.Errorf("changes %+v", ch)
		}
		if rec.Client.NextActionDue == nil || !rec.Client.NextActionDue.Equal(due) || rec.Client.NextAction != "Try the Thursday walking group" {
			t.Errorf("next action %v %q", rec.Client.NextActionDue, rec.Client.NextAction)
		}
		// An appointment before the action becomes the next action.
		apptAt := f.now.Add(3 * 24 * time.Hour)
		if _, err := f.svc.AddAppointment(f.worker, id, casework.Appointment{StartsAt: apptAt, Mode: "in_person", Place: "Matlock library"}); err != nil {
			t.Fatal(err)
		}
		rows, err := f.svc.Caseload(f.worker, casework.CaseloadFilter{TeamID: f.teamA.ID}, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[0].ID != id || rows[0].NextAction != "Appointment" || rows[1].ID != nc2.Client.ID || rows[1].NextActionDue != nil {
			t.Errorf("caseload by next action %+v", rows)
		}
		rows, _ = f.svc.Caseload(f.worker, casework.CaseloadFilter{TeamID: f.teamA.ID, Sort: casework.SortName}, true)
		if len(rows) != 2 || rows[0].Name != "Arthur Bennett" {
			t.Errorf("caseload by name %+v", rows)
		}
		if _, err := f.svc.Caseload(f.worker, casework.CaseloadFilter{TeamID: f.teamA.ID}, false); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Errorf("a worker saw the team caseload: %v", err)
		}
		if _, err := f.svc.Caseload(f.other, casework.CaseloadFilter{TeamID: f.teamA.ID}, true); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("another team's caseload: %v", err)
		}
		team, err := f.svc.Caseload(f.lead, casework.CaseloadFilter{TeamID: f.teamA.ID, Statuses: []casework.Status{casework.StatusWaiting}}, false)
		if err != nil || len(team) != 2 {
			t.Errorf("team caseload: %v %d", err, len(team))
		}
		// Search by name, NHS number and date of birth; other teams find nothing.
		for q, want := range map[string]int{"peg": 1, "oakes": 1, "BENN": 1, "401 023 2137": 1, "margaret oak": 1, "zed": 0} {
			got, err := f.svc.Search(f.worker, casework.SearchQuery{Text: q})
			if err != nil || len(got) != want {
				t.Errorf("search %q: %d results, %v; want %d", q, len(got), err, want)
			}
		}
		dob := time.Date(1948, 3, 15, 0, 0, 0, 0, time.UTC)
		if got, _ := f.svc.Search(f.worker, casework.SearchQuery{DateOfBirth: &dob}); len(got) != 2 {
			t.Errorf("search by date of birth: %d", len(got))
		}
		if got, _ := f.svc.Search(f.other, casework.SearchQuery{Text: "oakes"}); len(got) != 0 {
			t.Errorf("another team found %d", len(got))
		}
	})
}

func TestAppointmentRemindersAreEmailedOnceTheDayBefore(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newCaseFixture(t, db)
		ctx := context.Background()
		nc, err := f.svc.CreateClient(f.worker, f.teamA.ID, sampleClient(), false)
		if err != nil {
			t.Fatal(err)
		}
		id := nc.Client.ID
		// testNow is Monday 2 November 2026, 09:30 UTC; the appointment is Wednesday.
		wed := time.Date(f.now.Year(), f.now.Month(), f.now.Day()+2, 10, 30, 0, 0, time.UTC)
		appt, err := f.svc.AddAppointment(f.worker, id, casework.Appointment{StartsAt: wed, Mode: "in_person", Place: "Matlock library"})
		if err != nil {
			t.Fatal(err)
		}
		count := func() int {
			list, err := f.emails.RecentEmails(ctx, 10)
			if err != nil {
				t.Fatal(err)
			}
			return len(list)
		}
		if err := f.svc.SendReminders(ctx, f.now); err != nil || count() != 0 {
			t.Fatalf("two days before: %v, %d emails", err, count())
		}
		f.advance(24 * time.Hour)
		// Without consent to email, no reminder.
		if err := f.svc.SendReminders(ctx, f.now); err != nil || count() != 0 {
			t.Fatalf("without consent: %v, %d emails", err, count())
		}
		if err := f.svc.AddConsent(f.worker, id, casework.ConsentContactEmail, ""); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := f.svc.SendReminders(ctx, f.now); err != nil {
				t.Fatal(err)
			}
		}
		list, _ := f.emails.RecentEmails(ctx, 10)
		if len(list) != 1 || list[0].To != "peggy@example.org" || list[0].Subject != "Your appointment tomorrow" || !strings.Contains(list[0].Text, "at Matlock library") {
			t.Fatalf("reminders %+v", list)
		}
		if err := f.svc.RecordAttendance(f.worker, id, appt.ID, "maybe"); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("an unknown outcome: %v", err)
		}
		if err := f.svc.RecordAttendance(f.worker, id, appt.ID, casework.DidNotAttend); err != nil {
			t.Fatal(err)
		}
		rec, _ := f.svc.Record(f.worker, id, casework.KindAppointment)
		if len(rec.Timeline) != 3 || !strings.HasPrefix(rec.Timeline[0].Summary, "Did not attend") || rec.Timeline[1].Summary != "Reminder emailed for tomorrow's appointment" {
			t.Errorf("appointment timeline %+v", rec.Timeline)
		}
		if rec.Appointments[0].Outcome != casework.DidNotAttend || rec.Appointments[0].ReminderSentAt == nil {
			t.Errorf("appointment %+v", rec.Appointments[0])
		}
		// Consent withdrawn is kept, marked withdrawn.
		if err := f.svc.WithdrawConsent(f.worker, id, rec.Consents[0].ID); err != nil {
			t.Fatal(err)
		}
		rec, _ = f.svc.Record(f.worker, id, "")
		if len(rec.Consents) != 1 || rec.Consents[0].Current() || rec.HasConsent(casework.ConsentContactEmail, "") {
			t.Errorf("consents after withdrawal %+v", rec.Consents)
		}
	})
}

// TestFindingAClientAndSeeingACaseloadAreAudited: each client a search
// finds has the search in their access log; another team's search finds
// nothing and says so; a caseload view is one event for the list.
func TestFindingAClientAndSeeingACaseloadAreAudited(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newCaseFixture(t, db)
		id := f.sampleClientOf(t)
		if rows, err := f.svc.Search(f.worker, casework.SearchQuery{Text: "oakes"}); err != nil || len(rows) != 1 {
			t.Fatalf("search: %v, %d rows", err, len(rows))
		}
		if rows, err := f.svc.Search(f.other, casework.SearchQuery{Text: "oakes"}); err != nil || len(rows) != 0 {
			t.Fatalf("another team's search: %v, %d rows", err, len(rows))
		}
		if _, err := f.svc.Caseload(f.lead, casework.CaseloadFilter{TeamID: f.teamA.ID}, false); err != nil {
			t.Fatal(err)
		}
		log, err := f.svc.AccessLog(f.lead, id)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range log {
			got = append(got, e.ActorName+" "+e.Action+" "+e.Detail)
		}
		want := []string{"Lead client.access_log ", "Worker client.search found by a search (1 result)", "Worker client.create "}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("access log\n got %q\nwant %q", got, want)
		}
		byUser := func(who string) []string {
			events, err := f.svc.SearchAudit(f.admin, casework.AuditFilter{ActorEmail: who + "@example.org"})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, e := range events {
				out = append(out, e.Action+" "+e.Detail)
			}
			return out
		}
		if got := byUser("other"); strings.Join(got, "|") != "client.search no results" {
			t.Errorf("another team's search: %q", got)
		}
		if got := byUser("lead"); len(got) == 0 || !strings.Contains(strings.Join(got, "|"), "caseload.view team caseload of team "+f.teamA.ID+" (1 client)") {
			t.Errorf("the lead's caseload view: %q", got)
		}
	})
}
