package sqlstore_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/gp"
	"waymark/internal/referral"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

// gpFixture is a social prescribing team serving practice C81001, a
// marketplace service, the GP practice service, and practice actors.
type gpFixture struct {
	cw    *caseFixture
	rf    *referralFixture
	store *sqlstore.GPStore
	svc   *gp.Service
	// gpA acts for C81001 (served by team A), gpB for C81002 (served by
	// no team), system for both as a connected system.
	gpA, gpB, system context.Context
}

func newGPFixture(t *testing.T, db *sqlstore.DB) *gpFixture {
	t.Helper()
	f := &gpFixture{cw: newCaseFixture(t, db), rf: newReferralFixture(t, db), store: sqlstore.NewGPStore(db)}
	f.svc = gp.NewService(gp.Config{Store: f.store, Team: f.cw.svc, Market: f.rf.refs, Services: f.rf.fixture.store,
		NewID: uuid.NewString, Now: f.cw.clock, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err := f.cw.svc.AddPractice(f.cw.admin, f.cw.teamA.ID, casework.Practice{ODSCode: "C81001", Name: "Lime Grove Medical Centre"}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SavePractice(f.cw.admin, gp.Practice{ODSCode: "c81002", Name: "Wirksworth Surgery", Postcode: "de4 4ex"}); err != nil {
		t.Fatal(err)
	}
	bg := context.Background()
	f.gpA = waymark.WithActor(bg, waymark.Actor{UserID: uuid.NewString(), Roles: []waymark.Role{waymark.RoleGP}, Practices: []string{"C81001"}})
	f.gpB = waymark.WithActor(bg, waymark.Actor{UserID: uuid.NewString(), Roles: []waymark.Role{waymark.RolePracticeStaff}, Practices: []string{"C81002"}})
	f.system = waymark.WithActor(bg, waymark.Actor{UserID: "system:emis-demo", Roles: []waymark.Role{waymark.RoleGPSystem}, Practices: []string{"C81001", "C81002"}})
	return f
}

func gpRequest(key, ods string) gp.Request {
	return gp.Request{Key: key, PracticeODS: ods, Channel: gp.ChannelWeb, Reason: "Lonely since her husband died; would like to get out more",
		Consent: true, RequesterName: "Dr Asha Patel", RequesterRole: "GP",
		Patient: gp.Patient{NHSNumber: "943 476 5919", GivenName: "Margaret", FamilyName: "Oakes",
			DateOfBirth: time.Date(1948, 3, 15, 0, 0, 0, 0, time.UTC), Postcode: "de4 3ag", Phone: "01629 580000"}}
}

func TestAPracticeReferralToItsTeamWaitsAndItsStatusFollowsTheRecordToTheLetter(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newGPFixture(t, db)
		r, err := f.svc.Refer(f.gpA, gpRequest("form-token-1", "c81001"))
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != gp.StatusRequested || r.TeamID != f.cw.teamA.ID || r.TeamName == "" || r.IncomingID == "" || r.Patient.NHSNumber != "9434765919" {
			t.Fatalf("referral %+v", r)
		}
		again, err := f.svc.Refer(f.gpA, gpRequest("form-token-1", "C81001"))
		if err != nil || again.ID != r.ID {
			t.Fatalf("sent twice: %v %+v", err, again)
		}
		waiting, err := f.cw.svc.WaitingList(f.cw.lead, f.cw.teamA.ID)
		if err != nil || len(waiting) != 1 || waiting[0].Source != casework.SourceGP || waiting[0].GPPractice != "C81001" {
			t.Fatalf("waiting list %v %+v", err, waiting)
		}
		// Another practice neither sees it nor reuses its key.
		if _, err := f.svc.Referral(f.gpB, r.ID); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("another practice read it: %v", err)
		}
		if _, err := f.svc.Refer(f.gpB, gpRequest("form-token-1", "C81002")); waymark.ErrorCode(err) != waymark.ECONFLICT {
			t.Errorf("another practice reused the key: %v", err)
		}
		if _, err := f.svc.Refer(f.gpA, gpRequest("form-token-x", "C81002")); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Errorf("referred for a practice it does not act for: %v", err)
		}
		if _, err := f.svc.Refer(f.gpB, gpRequest("form-token-2", "C81002")); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("a practice no team serves: %v", err)
		}
		if _, err := f.svc.Letter(f.gpA, r.ID); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("a letter before discharge: %v", err)
		}
		status := func(want gp.Status) *gp.Referral {
			t.Helper()
			got, err := f.svc.Referral(f.gpA, r.ID)
			if err != nil || got.Status != want {
				t.Fatalf("status: %v %+v, want %s", err, got, want)
			}
			if err := f.svc.RecordOutcomes(context.Background(), f.cw.clock()); err != nil {
				t.Fatal(err)
			}
			return got
		}
		status(gp.StatusRequested)
		if err := f.cw.svc.Allocate(f.cw.lead, r.IncomingID, f.cw.ids["worker"]); err != nil {
			t.Fatal(err)
		}
		f.cw.advance(time.Hour)
		clientID, err := f.cw.svc.AcceptReferral(f.cw.worker, r.IncomingID)
		if err != nil {
			t.Fatal(err)
		}
		status(gp.StatusAccepted)
		f.cw.advance(time.Hour)
		if err := f.cw.svc.SetStatus(f.cw.worker, clientID, casework.StatusActive, "First conversation booked"); err != nil {
			t.Fatal(err)
		}
		status(gp.StatusInProgress)
		f.cw.advance(time.Hour)
		if err := f.cw.svc.Discharge(f.cw.worker, clientID, "goals_met", "Goes to the walking group every week"); err != nil {
			t.Fatal(err)
		}
		done := status(gp.StatusCompleted)
		if !done.HasLetter || done.StatusReason != "Discharged: Goals met" {
			t.Errorf("completed %+v", done)
		}
		letter, err := f.svc.Letter(f.gpA, r.ID)
		if err != nil || letter.NHSNumber != "9434765919" || letter.DischargeSummary != "Goes to the walking group every week" {
			t.Fatalf("letter %v %+v", err, letter)
		}
		if _, err := f.svc.Letter(f.gpB, r.ID); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("another practice read the letter: %v", err)
		}
		// Every change was recorded once, for the web app (a web referral
		// has nothing to deliver).
		hist, err := f.svc.History(f.gpA, done)
		if err != nil {
			t.Fatal(err)
		}
		var got []gp.Status
		for _, o := range hist {
			got = append(got, o.Status)
		}
		if fmt.Sprint(got) != "[requested accepted in-progress completed]" {
			t.Errorf("history %v", got)
		}
		if pending, err := f.svc.PendingOutcomes(context.Background(), 10); err != nil || len(pending) != 0 {
			t.Errorf("pending outcomes of a web referral: %v %+v", err, pending)
		}
		list, err := f.svc.Referrals(f.gpA, gp.Filter{NHSNumber: "9434765919"})
		if err != nil || len(list) != 1 || list[0].Status != gp.StatusCompleted {
			t.Errorf("list %v %+v", err, list)
		}
		if list, err := f.svc.Referrals(f.gpB, gp.Filter{}); err != nil || len(list) != 0 {
			t.Errorf("another practice's list %v %+v", err, list)
		}
		// The views and the letter were audited.
		events, err := f.cw.store.AuditEvents(context.Background(), casework.AuditFilter{ClientID: clientID, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]int{}
		for _, e := range events {
			actions[e.Action]++
		}
		if actions["client.letter"] != 1 || actions["gp_referral.view"] == 0 {
			t.Errorf("audited %v", actions)
		}
	})
}

func TestAReferralToAServiceNeedsAGPPathwayForThePracticeAndReportsBackToTheSystem(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newGPFixture(t, db)
		req := gpRequest("bundle-1", "C81002")
		req.ServiceID, req.Channel = f.rf.svc.ID, gp.ChannelFHIR
		if _, err := f.svc.Refer(f.system, req); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Fatalf("no pathway: %v", err)
		}
		if _, err := f.svc.SavePathway(f.rf.other, f.rf.svc.ID, true, ""); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("another provider set the pathway: %v", err)
		}
		if _, err := f.svc.SavePathway(f.rf.provider, f.rf.svc.ID, true, "C81001, X1"); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("a malformed ODS code: %v", err)
		}
		if _, err := f.svc.SavePathway(f.rf.provider, f.rf.svc.ID, true, "c81001\nC81003"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Refer(f.system, req); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Fatalf("a practice the pathway does not list: %v", err)
		}
		if list, err := f.svc.PathwayServices(f.gpB, "C81002"); err != nil || len(list) != 0 {
			t.Errorf("services for an unlisted practice %v %+v", err, list)
		}
		p, err := f.svc.SavePathway(f.rf.provider, f.rf.svc.ID, true, "C81001 C81002")
		if err != nil || fmt.Sprint(p.Practices) != "[C81001 C81002]" {
			t.Fatalf("pathway %v %+v", err, p)
		}
		if list, err := f.svc.PathwayServices(f.gpB, "C81002"); err != nil || len(list) != 1 || list[0].ServiceID != f.rf.svc.ID {
			t.Errorf("services for a listed practice %v %+v", err, list)
		}
		r, err := f.svc.Refer(f.system, req)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != gp.StatusRequested || r.MarketReferralID == "" || r.SystemID != "emis-demo" || r.ServiceName != f.rf.svc.Name {
			t.Fatalf("referral %+v", r)
		}
		inbox, err := f.rf.store.ListReferrals(context.Background(), referral.Filter{OrganizationIDs: []string{f.rf.org.ID}})
		if err != nil || len(inbox) != 1 || inbox[0].ReferrerID != "system:emis-demo" {
			t.Fatalf("provider's inbox %v %+v", err, inbox)
		}
		if err := f.rf.refs.Decline(f.rf.provider, r.MarketReferralID, "full", ""); err != nil {
			t.Fatal(err)
		}
		got, err := f.svc.Referral(f.gpB, r.ID)
		if err != nil || got.Status != gp.StatusRejected || got.StatusReason != "The service is full at the moment" {
			t.Fatalf("declined: %v %+v", err, got)
		}
		// The outcome waits for delivery to the system, which retries after
		// a failure.
		if err := f.svc.RecordOutcomes(context.Background(), f.cw.clock()); err != nil {
			t.Fatal(err)
		}
		pending, err := f.svc.PendingOutcomes(context.Background(), 10)
		if err != nil || len(pending) != 1 || pending[0].Status != gp.StatusRejected || pending[0].SystemID != "emis-demo" || pending[0].PracticeODS != "C81002" {
			t.Fatalf("pending %v %+v", err, pending)
		}
		if err := f.svc.MarkOutcomeFailed(context.Background(), pending[0].ID, "connection refused", f.cw.clock().Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if again, _ := f.svc.PendingOutcomes(context.Background(), 10); len(again) != 0 {
			t.Errorf("pending before the retry is due: %+v", again)
		}
		f.cw.advance(2 * time.Minute)
		if again, _ := f.svc.PendingOutcomes(context.Background(), 10); len(again) != 1 {
			t.Errorf("not pending when the retry is due: %+v", again)
		}
		if err := f.svc.MarkOutcomeSent(context.Background(), pending[0].ID); err != nil {
			t.Fatal(err)
		}
		if again, _ := f.svc.PendingOutcomes(context.Background(), 10); len(again) != 0 {
			t.Errorf("pending after it was sent: %+v", again)
		}
		if err := f.svc.MarkOutcomeSent(context.Background(), "no-such-outcome"); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("marking an unknown outcome: %v", err)
		}
	})
}

func TestTheSameRequestSentTwiceAtOnceMakesOneReferral(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newGPFixture(t, db)
		const n = 6
		ids := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := f.svc.Refer(f.gpA, gpRequest("bundle-twice", "C81001"))
				errs[i] = err
				if err == nil {
					ids[i] = r.ID
				}
			}()
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil || ids[i] != ids[0] {
				t.Fatalf("send %d: %v, id %q want %q", i, errs[i], ids[i], ids[0])
			}
		}
		waiting, err := f.cw.svc.WaitingList(f.cw.lead, f.cw.teamA.ID)
		if err != nil || len(waiting) != 1 {
			t.Errorf("waiting list after %d sends: %v %d", n, err, len(waiting))
		}
	})
}

func TestAPracticeReferralNamesEveryProblemByField(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newGPFixture(t, db)
		req := gpRequest("bad-1", "C81001")
		req.Patient.NHSNumber, req.Patient.GivenName, req.Patient.DateOfBirth = "943 476 5918", " ", time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		req.Patient.Phone, req.Reason, req.Consent = "", "", false
		_, err := f.svc.Refer(f.gpA, req)
		p, ok := waymark.ProblemsOf(err)
		if !ok {
			t.Fatalf("not problems: %v", err)
		}
		for _, field := range []string{"nhs_number", "given_name", "birth_date", "phone", "reason", "consent"} {
			if !p.Has(field) {
				t.Errorf("no message about %s in %v", field, p.Map())
			}
		}
		if p.Has("family_name") {
			t.Errorf("a good family name was refused: %v", p.Get("family_name"))
		}
		if _, err := f.svc.Refer(context.Background(), gpRequest("anon", "C81001")); waymark.ErrorCode(err) != waymark.EUNAUTHORIZED {
			t.Errorf("anonymous: %v", err)
		}
		worker := waymark.WithActor(context.Background(), waymark.Actor{UserID: uuid.NewString(), Roles: []waymark.Role{waymark.RoleLinkWorker}, Practices: []string{"C81001"}})
		if _, err := f.svc.Refer(worker, gpRequest("worker", "C81001")); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Errorf("a link worker: %v", err)
		}
		req = gpRequest("unknown-service", "C81001")
		req.ServiceID = uuid.NewString()
		if _, err := f.svc.Refer(f.gpA, req); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("an unknown service: %v", err)
		}
		if list, _ := f.cw.svc.WaitingList(f.cw.lead, f.cw.teamA.ID); len(list) != 0 {
			t.Errorf("refused referrals reached the waiting list: %+v", list)
		}
	})
}

func TestPracticesAreKnownFromTeamsAndRecordedWithPostcodes(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newGPFixture(t, db)
		list, err := f.svc.Practices(f.gpA)
		if err != nil || len(list) != 2 {
			t.Fatalf("practices %v %+v", err, list)
		}
		a, err := f.svc.Practice(f.gpA, "c81001")
		if err != nil || a.TeamID != f.cw.teamA.ID || a.Name != "Lime Grove Medical Centre" {
			t.Errorf("a team's practice %v %+v", err, a)
		}
		if err := f.svc.SavePractice(f.cw.admin, gp.Practice{ODSCode: "C81001", Name: "Lime Grove Medical Centre", Postcode: "DE4 3AG"}); err != nil {
			t.Fatal(err)
		}
		a, err = f.svc.Practice(f.gpA, "C81001")
		if err != nil || a.TeamID != f.cw.teamA.ID || a.Postcode != "DE4 3AG" {
			t.Errorf("recorded practice %v %+v", err, a)
		}
		if list, _ := f.svc.Practices(f.gpA); len(list) != 2 {
			t.Errorf("a practice recorded and served is listed twice: %+v", list)
		}
		if err := f.svc.SavePractice(f.gpA, gp.Practice{ODSCode: "C81009", Name: "Mine"}); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Errorf("a GP recorded a practice: %v", err)
		}
		if _, err := f.svc.Practice(f.gpA, "C81099"); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("an unknown practice: %v", err)
		}
	})
}

func TestAPracticeReferralKeepsThePhoneNumberAsPeopleWriteIt(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newGPFixture(t, db)
		for key, phone := range map[string]string{"landline": "+44 1629 580000", "drama": "07700 900982"} {
			req := gpRequest(key, "C81001")
			req.Patient.Phone = phone
			r, err := f.svc.Refer(f.gpA, req)
			if err != nil || (r.Patient.Phone != "01629 580000" && r.Patient.Phone != "07700 900982") {
				t.Errorf("%s: %v %+v", phone, err, r)
			}
		}
	})
}

func TestATeamThatDeclinesAPracticeReferralRejectsItWithTheReason(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newGPFixture(t, db)
		r, err := f.svc.Refer(f.gpA, gpRequest("to-decline", "C81001"))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.cw.svc.DeclineReferral(f.cw.worker, r.IncomingID, "Moved away"); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Errorf("a link worker it is not allocated to declined: %v", err)
		}
		if err := f.cw.svc.DeclineReferral(f.cw.other, r.IncomingID, "Moved away"); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("another team declined: %v", err)
		}
		if err := f.cw.svc.DeclineReferral(f.cw.lead, r.IncomingID, " "); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("declined without a reason: %v", err)
		}
		for range 2 {
			if err := f.cw.svc.DeclineReferral(f.cw.lead, r.IncomingID, "She has moved to Leeds; her new practice can refer her there"); err != nil {
				t.Fatal(err)
			}
		}
		got, err := f.svc.Referral(f.gpA, r.ID)
		if err != nil || got.Status != gp.StatusRejected || got.StatusReason != "She has moved to Leeds; her new practice can refer her there" {
			t.Fatalf("declined: %v %+v", err, got)
		}
		if _, err := f.cw.svc.AcceptReferral(f.cw.lead, r.IncomingID); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("accepted after it was declined: %v", err)
		}
		if list, _ := f.cw.svc.WaitingList(f.cw.lead, f.cw.teamA.ID); len(list) != 0 {
			t.Errorf("still waiting: %+v", list)
		}
	})
}

// More referrals at once than the SQLite pool has connections, to the team
// and to a service: none waits for a connection its own transaction's
// waiters hold (every read inside the transaction uses it).
func TestManyReferralsAtOnceAllGoThrough(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newGPFixture(t, db)
		if _, err := f.svc.SavePathway(f.rf.provider, f.rf.svc.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		const clients, each = 12, 4
		var wg sync.WaitGroup
		errs := make(chan error, clients*each)
		for c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					req := gpRequest(fmt.Sprintf("many-%d-%d", c, i), "C81001")
					if i%2 == 1 {
						req.ServiceID = f.rf.svc.ID
					}
					_, err := f.svc.Refer(f.gpA, req)
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		list, err := f.svc.Referrals(f.gpA, gp.Filter{})
		if err != nil || len(list) != clients*each {
			t.Errorf("%v: %d referrals, want %d", err, len(list), clients*each)
		}
	})
}
