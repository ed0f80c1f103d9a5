package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

func incoming() casework.Incoming {
	return casework.Incoming{GivenName: "Irene", FamilyName: "Walsh", DateOfBirth: time.Date(1939, 5, 30, 0, 0, 0, 0, time.UTC),
		Postcode: "DE4 3PT", Phone: "01629 580123", PreferredContact: "phone", Reason: "Lonely since moving into the flat", Consent: true}
}

func TestReferralsIntoATeamWaitAreAllocatedAndAccepted(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newCaseFixture(t, db)
		anon := context.Background()
		if err := f.svc.AddPractice(f.admin, f.teamA.ID, casework.Practice{ODSCode: "C81001", Name: "Lime Grove"}); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.AddArea(f.admin, f.teamB.ID, "de4 3ag"); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("a full postcode as a district: %v", err)
		}
		if err := f.svc.AddArea(f.admin, f.teamB.ID, "DE5"); err != nil {
			t.Fatal(err)
		}
		// No team serves DE4 without a practice.
		if _, err := f.svc.Refer(anon, incoming()); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("no team: %v", err)
		}
		noConsent := incoming()
		noConsent.GPPractice, noConsent.Consent = "C81001", false
		if _, err := f.svc.Refer(anon, noConsent); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("without consent: %v", err)
		}
		// By practice, from the public; sent twice with one form ID, kept once.
		in := incoming()
		in.GPPractice = "c81001"
		formCtx := casework.WithRequestID(anon, "7f1b3a52-8f0e-4a39-9a62-5a8b1e9d0c11")
		self, err := f.svc.Refer(formCtx, in)
		if err != nil {
			t.Fatal(err)
		}
		if again, err := f.svc.Refer(formCtx, in); err != nil || again.ID != self.ID {
			t.Errorf("sent twice: %v %v", err, again)
		}
		if self.TeamID != f.teamA.ID || self.Source != casework.SourceSelf {
			t.Errorf("self-referral %+v", self)
		}
		// By postcode district, from a professional.
		byArea := incoming()
		byArea.GivenName, byArea.Postcode, byArea.ReferrerName, byArea.ReferrerEmail = "Bob", "DE5 3AA", "Dr Patel, GP", "patel@example.org"
		prof, err := f.svc.Refer(f.moderator, byArea)
		if err != nil {
			t.Fatal(err)
		}
		if prof.TeamID != f.teamB.ID || prof.Source != casework.SourceProfessional || prof.ReferrerID != f.ids["moderator"] {
			t.Errorf("professional referral %+v", prof)
		}
		// The team sees it waiting; after 11 working days it is overdue.
		if _, err := f.svc.WaitingList(f.other, f.teamA.ID); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("another team's waiting list: %v", err)
		}
		list, err := f.svc.WaitingList(f.worker, f.teamA.ID)
		if err != nil || len(list) != 1 || list[0].Overdue || list[0].WaitedDays != 0 {
			t.Fatalf("waiting list %v %+v", err, list)
		}
		f.advance(15 * 24 * time.Hour)
		list, _ = f.svc.WaitingList(f.worker, f.teamA.ID)
		if list[0].WaitedDays != 11 || !list[0].Overdue {
			t.Errorf("after 15 days: waited %d, overdue %v", list[0].WaitedDays, list[0].Overdue)
		}
		// Only the lead allocates; only the allocated worker or a lead accepts.
		if err := f.svc.Allocate(f.worker, self.ID, f.ids["worker"]); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Errorf("a worker allocated: %v", err)
		}
		if err := f.svc.Allocate(f.lead, self.ID, f.ids["other"]); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("allocated outside the team: %v", err)
		}
		if err := f.svc.Allocate(f.lead, self.ID, f.ids["worker"]); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AcceptReferral(f.other, self.ID); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("another team accepted: %v", err)
		}
		clientID, err := f.svc.AcceptReferral(f.worker, self.ID)
		if err != nil {
			t.Fatal(err)
		}
		if again, err := f.svc.AcceptReferral(f.worker, self.ID); err != nil || again != clientID {
			t.Errorf("accepted twice: %v %q", err, again)
		}
		c, err := f.svc.Client(f.worker, clientID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != casework.StatusWaiting || c.LinkWorkerID != f.ids["worker"] || c.ReferralReason != "Lonely since moving into the flat" ||
			c.ReferredBy != "Self-referral" || c.Phone != "01629 580123" || c.Postcode != "DE4 3PT" {
			t.Errorf("client from the referral %+v", c)
		}
		if list, _ := f.svc.WaitingList(f.worker, f.teamA.ID); len(list) != 0 {
			t.Errorf("still waiting: %+v", list)
		}
		// A second referral for the same person matches the record.
		in.Reason = "Now also struggling with bills"
		second, err := f.svc.Refer(anon, in)
		if err != nil {
			t.Fatal(err)
		}
		matched, err := f.svc.AcceptReferral(f.lead, second.ID)
		if err != nil || matched != clientID {
			t.Errorf("second referral: %v, client %q want %q", err, matched, clientID)
		}
		if c, _ := f.svc.Client(f.worker, clientID); c.ReferralReason != "Now also struggling with bills" {
			t.Errorf("reason after the second referral %q", c.ReferralReason)
		}
	})
}

// acceptReferralInto has the client referred to social prescribing again
// by the GP practice's form and accepted from the waiting list, which
// matches the record by NHS number.
func acceptReferralInto(t *testing.T, f *caseFixture, clientID string) {
	t.Helper()
	c := sampleClient()
	in := casework.Incoming{GivenName: c.GivenName, FamilyName: c.FamilyName, DateOfBirth: c.DateOfBirth, NHSNumber: c.NHSNumber,
		Postcode: c.Postcode, Phone: c.Phone, Email: c.Email, PreferredContact: "phone", GPPractice: "C81001",
		Reason: "Low mood and isolated since her husband died", ReferrerName: "Dr Asha Patel, GP", ReferrerEmail: "patel@example.org", Consent: true}
	got, err := f.svc.Refer(f.moderator, in)
	if err != nil {
		t.Fatal(err)
	}
	if matched, err := f.svc.AcceptReferral(f.lead, got.ID); err != nil || matched != clientID {
		t.Fatalf("accept into %s: %q, %v", clientID, matched, err)
	}
}
