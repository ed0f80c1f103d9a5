package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/referral"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

// livedRecord is a client of team A with something in every part of the
// record: a reason for referral, consent, what matters and needs, a goal
// scored three times, an agreed action, an appointment, a contact with an
// amended note, ONS4 and SWEMWBS at first contact and at discharge, and a
// referral to the men's shed that the provider accepted with a message.
type livedRecord struct {
	client   *casework.Client
	referral *referral.Referral
}

// ONS4 and SWEMWBS answers of the lived record: first, then at discharge.
var (
	livedONS4First     = []int{3, 4, 2, 8}
	livedONS4Last      = []int{7, 8, 7, 2}
	livedSWEMWBSFirst  = []int{2, 2, 2, 2, 2, 2, 2} // raw 14: metric 15.32
	livedSWEMWBSLatest = []int{4, 4, 3, 4, 4, 4, 4} // raw 27: metric 24.11
)

func newLivedRecord(t *testing.T, f *caseFixture, rf *referralFixture, discharge bool) livedRecord {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	day := 24 * time.Hour
	must(f.svc.AddPractice(f.admin, f.teamA.ID, casework.Practice{ODSCode: "C81001", Name: "Lime Grove Medical Centre"}))
	nc, err := f.svc.CreateClient(f.worker, f.teamA.ID, sampleClient(), false)
	must(err)
	id := nc.Client.ID
	must(f.svc.SetReferral(f.worker, id, "Low mood and isolated since her husband died", "Dr Asha Patel, GP, Lime Grove Medical Centre"))
	must(f.svc.AddConsent(f.worker, id, casework.ConsentHoldRecord, ""))
	must(f.svc.AddConsent(f.worker, id, casework.ConsentShare, "Men's shed"))
	must(f.svc.SetStatus(f.worker, id, casework.StatusActive, "First conversation booked"))
	must(f.svc.SetWhatMatters(f.worker, id, "Getting out of the house and meeting people who like woodwork", []string{"mental_wellbeing", "loneliness"}))
	_, err = f.svc.AddMeasure(f.worker, id, casework.Measure{Instrument: casework.ONS4, Stage: "first", Scores: livedONS4First})
	must(err)
	_, err = f.svc.AddMeasure(f.worker, id, casework.Measure{Instrument: casework.SWEMWBS, Stage: "first", Scores: livedSWEMWBSFirst})
	must(err)
	g, err := f.svc.AddGoal(f.worker, id, "Go to a group once a week", 2)
	must(err)
	must(f.svc.AddAction(f.worker, id, casework.Action{Text: "Visit the men's shed open morning", Who: "Peggy", Due: f.clock().AddDate(0, 0, 14).Truncate(day)}))
	e, err := f.svc.AddContact(f.worker, id, casework.Contact{Type: "home_visit", At: f.clock(), Minutes: 45, Note: "Talked about her late husband's workshop"})
	must(err)
	must(f.svc.AmendNote(f.worker, id, e.ID, "Talked about her late husband's woodwork", "Wrong word"))
	_, err = f.svc.AddAppointment(f.worker, id, casework.Appointment{StartsAt: f.clock().Add(3 * day), Mode: "in_person", Place: "Matlock library"})
	must(err)

	// A referral made from the record; the provider accepts and writes.
	r, err := rf.refs.Refer(rf.worker, rf.svc.ID, referral.Request{Client: referral.Person{Name: "Peggy Oakes", Email: "peggy@example.org",
		PreferredContact: referral.ContactEmail}, Consent: true, Reason: "Lonely; loves woodwork", Answers: func(string) []string { return nil },
		ReferrerName: "Worker", ReferrerEmail: "worker@example.org"})
	must(err)
	must(f.store.AddEntry(context.Background(), casework.Entry{ID: uuid.NewString(), ClientID: id, Kind: casework.KindReferral, At: f.clock(),
		AuthorID: f.ids["worker"], Summary: "Referred to Men's shed", RefID: r.ID, CreatedAt: f.clock()}))
	must(rf.refs.Accept(rf.provider, r.ID))
	must(rf.refs.PostMessage(rf.provider, r.ID, "Peggy came on Tuesday and is making a bird box"))

	f.advance(30 * day)
	must(f.svc.ScoreGoal(f.worker, id, g.ID, 5))
	f.advance(30 * day)
	must(f.svc.ScoreGoal(f.worker, id, g.ID, 8))
	_, err = f.svc.AddMeasure(f.worker, id, casework.Measure{Instrument: casework.ONS4, Stage: "discharge", Scores: livedONS4Last})
	must(err)
	_, err = f.svc.AddMeasure(f.worker, id, casework.Measure{Instrument: casework.SWEMWBS, Stage: "discharge", Scores: livedSWEMWBSLatest})
	must(err)
	if discharge {
		must(f.svc.Discharge(f.worker, id, "goals_met", "Peggy goes to the men's shed every Tuesday and feels less alone"))
	}
	c, err := f.store.Client(context.Background(), id)
	must(err)
	return livedRecord{client: c, referral: r}
}

func section(t *testing.T, l *casework.Letter, code string) string {
	t.Helper()
	for _, s := range l.Sections() {
		if s.Code == code {
			return s.Title + "\n" + strings.Join(s.Lines, "\n")
		}
	}
	t.Fatalf("no section %s", code)
	return ""
}

func TestDischargeLetterHasThePRSBHeadingsWithFirstAndLatestScores(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newCaseFixture(t, db)
		rf := newReferralFixture(t, db)
		lived := newLivedRecord(t, f, rf, false)
		id := lived.client.ID
		if _, err := f.svc.DischargeLetter(f.worker, id); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("a letter before discharge: %v", err)
		}
		if err := f.svc.Discharge(f.worker, id, "goals_met", "Peggy goes to the men's shed every Tuesday and feels less alone"); err != nil {
			t.Fatal(err)
		}
		l, err := f.svc.DischargeLetter(f.worker, id)
		if err != nil {
			t.Fatal(err)
		}
		if l.Name != "Margaret Oakes" || l.NHSNumber != "9434765919" || l.Practice != (casework.Practice{ODSCode: "C81001", Name: "Lime Grove Medical Centre"}) ||
			l.ReferredBy != "Dr Asha Patel, GP, Lime Grove Medical Centre" || l.Team != f.teamA.Name || l.LinkWorker != "Worker" ||
			!l.DischargedAt.Equal(f.clock()) {
			t.Errorf("letter heading: %+v", l)
		}
		var titles []string
		for _, s := range l.Sections() {
			titles = append(titles, s.Title)
		}
		if got, want := strings.Join(titles, "|"), "Reason for referral|What matters to the person|Needs|Plan and goals|Referrals made and their outcomes|Outcome measures, first and latest|Discharge"; got != want {
			t.Errorf("headings\n got %s\nwant %s", got, want)
		}
		for code, wants := range map[string][]string{
			casework.SectionReason:      {"Low mood and isolated since her husband died"},
			casework.SectionWhatMatters: {"Getting out of the house and meeting people who like woodwork"},
			casework.SectionNeeds:       {"Loneliness and isolation, Mental wellbeing."},
			casework.SectionPlan: {"Goal: Go to a group once a week. Progress 2 out of 10 at first, 8 out of 10 at the latest (1 January 2027).",
				"Agreed action: Visit the men's shed open morning (Peggy, by 16 November 2026): open."},
			casework.SectionReferrals: {"Men's shed (", "referred 2 November 2026: Accepted."},
			casework.SectionMeasures: {"ONS4 personal wellbeing, first on 2 November 2026, latest on 1 January 2027 (2 taken):",
				"ONS4 life satisfaction: 3 (low) to 7 (high).", "ONS4 worthwhile: 4 (low) to 8 (high).", "ONS4 happiness: 2 (low) to 7 (high).",
				"ONS4 anxiety: 8 (high) to 2 (low).", "SWEMWBS metric score: 15.32 to 24.11."},
			casework.SectionDischarge: {"Reason: Goals met.", "Peggy goes to the men's shed every Tuesday and feels less alone"},
		} {
			got := section(t, l, code)
			for _, w := range wants {
				if !strings.Contains(got, w) {
					t.Errorf("section %s lacks %q:\n%s", code, w, got)
				}
			}
		}
		if len(l.Referrals) != 1 || l.Referrals[0].Reference != lived.referral.Reference || l.Referrals[0].Outcome() != "Accepted" {
			t.Errorf("referrals %+v", l.Referrals)
		}

		// Only the team (and administrators who broke the glass) read it, and every read is audited.
		if _, err := f.svc.DischargeLetter(f.other, id); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("another team's worker read the letter: %v", err)
		}
		if _, err := f.svc.DischargeLetter(f.admin, id); !casework.NeedsBreakGlass(err) {
			t.Errorf("an administrator without breaking the glass: %v", err)
		}
		if _, err := f.svc.DischargeLetter(f.lead, id); err != nil {
			t.Errorf("the team lead: %v", err)
		}
		log, err := f.svc.AccessLog(f.lead, id)
		if err != nil {
			t.Fatal(err)
		}
		var reads []string
		for _, e := range log {
			if e.Action == "client.letter" {
				reads = append(reads, e.ActorID)
			}
		}
		if len(reads) != 2 || reads[0] != f.ids["lead"] || reads[1] != f.ids["worker"] {
			t.Errorf("letter reads audited: %v", reads)
		}

		// Reopened, there is no letter until the next discharge.
		if err := f.svc.SetStatus(f.worker, id, casework.StatusActive, "Back in touch"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.DischargeLetter(f.worker, id); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("a letter after reopening: %v", err)
		}
	})
}

func TestDischargeLetterSaysWhenNothingWasRecorded(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newCaseFixture(t, db)
		c := sampleClient()
		c.GPPractice = "C99999"
		nc, err := f.svc.CreateClient(f.worker, f.teamA.ID, c, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Discharge(f.worker, nc.Client.ID, "not_contactable", "Three calls and a letter, no answer"); err != nil {
			t.Fatal(err)
		}
		l, err := f.svc.DischargeLetter(f.worker, nc.Client.ID)
		if err != nil {
			t.Fatal(err)
		}
		if l.Practice.Name != "" || l.Practice.ODSCode != "C99999" {
			t.Errorf("practice %+v", l.Practice)
		}
		for _, s := range l.Sections() {
			if s.Code == casework.SectionDischarge {
				if s.Lines[0] != "Reason: Not contactable." {
					t.Errorf("discharge %q", s.Lines)
				}
				continue
			}
			if len(s.Lines) != 1 || s.Lines[0] != "None recorded." {
				t.Errorf("%s: %q", s.Title, s.Lines)
			}
		}
	})
}
