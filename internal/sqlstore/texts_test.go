package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"waymark/internal/casework"
	"waymark/internal/email"
	"waymark/internal/referral"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

// texts returns the queued messages with a text form to phone, oldest first.
func texts(t *testing.T, store *sqlstore.EmailStore, phone string) []email.Queued {
	t.Helper()
	all, err := store.RecentEmails(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []email.Queued
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Phone == phone {
			out = append(out, all[i])
		}
	}
	return out
}

// checkText checks what every text must be: from Waymark, at most a first
// name, no service name, how to reply, at most two parts.
func checkText(t *testing.T, q email.Queued, mustHave ...string) {
	t.Helper()
	for _, want := range append(mustHave, "Waymark: Hello ", "replies to this text are not read") {
		if !strings.Contains(q.SMS, want) {
			t.Errorf("text lacks %q: %s", want, q.SMS)
		}
	}
	for _, never := range []string{"Men's shed", "Walsh", "Matlock"} {
		if strings.Contains(q.SMS, never) {
			t.Errorf("text carries %q: %s", never, q.SMS)
		}
	}
	if n := email.SMSParts(q.SMS); n > 2 {
		t.Errorf("text is %d parts (%d characters): %s", n, len(q.SMS), q.SMS)
	}
}

func TestASelfReferrerWithOnlyAMobileGetsEveryUpdateByText(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newReferralFixture(t, db)
		ctx := context.Background()
		r, track, err := f.refs.SelfRefer(ctx, f.svc.ID, referral.Request{
			Client:  referral.Person{Name: "Irene Walsh", Phone: "07700 900982", PreferredContact: referral.ContactText},
			Consent: true, Answers: func(string) []string { return nil }})
		if err != nil {
			t.Fatal(err)
		}
		const mobile = "+447700900982"
		if r.Client.Phone != mobile {
			t.Errorf("mobile kept as %q, want E.164", r.Client.Phone)
		}
		link := "https://waymark.test" + track
		got := texts(t, f.emails, mobile)
		if len(got) != 1 || got[0].To != "" || got[0].Prefer != email.ChannelSMS || got[0].About != "referral:"+r.ID {
			t.Fatalf("after the referral: %+v", got)
		}
		checkText(t, got[0], "Hello Irene,", "we have sent your referral "+r.Reference, link)

		if err := f.refs.PostMessage(f.provider, r.ID, "Can you come on Tuesday at 10?"); err != nil {
			t.Fatal(err)
		}
		if err := f.refs.Accept(f.provider, r.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.refs.RecordAttendance(f.provider, r.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := f.refs.AskRating(ctx, f.clock()); err != nil {
			t.Fatal(err)
		}
		got = texts(t, f.emails, mobile)
		if len(got) != 4 {
			t.Fatalf("texts: %d, want confirmation, message, acceptance and rating", len(got))
		}
		checkText(t, got[1], "new message", link)
		if strings.Contains(got[1].SMS, "Tuesday") {
			t.Errorf("the message's words are in the text: %s", got[1].SMS)
		}
		checkText(t, got[2], "update on your referral", link)
		checkText(t, got[3], "score the service", link+"#rate")
	})
}

func TestALandlineGetsNoTextsAndEmailStaysPreferred(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newReferralFixture(t, db)
		ctx := context.Background()
		answers := func(string) []string { return nil }
		// Text preferred with a landline: refused, the form says why.
		_, _, err := f.refs.SelfRefer(ctx, f.svc.ID, referral.Request{
			Client: referral.Person{Name: "Irene Walsh", Phone: "01629 580000", PreferredContact: referral.ContactText}, Consent: true, Answers: answers})
		if err == nil || !strings.Contains(err.Error(), "mobile") {
			t.Fatalf("text to a landline: %v", err)
		}
		// A landline as the only contact: the referral is made, nothing is texted.
		r, _, err := f.refs.SelfRefer(ctx, f.svc.ID, referral.Request{
			Client: referral.Person{Name: "Irene Walsh", Phone: "01629 580000", PreferredContact: referral.ContactPhone}, Consent: true, Answers: answers})
		if err != nil {
			t.Fatal(err)
		}
		all, _ := f.emails.RecentEmails(ctx, 100)
		for _, q := range all {
			if q.About == "referral:"+r.ID && q.To == "" {
				t.Errorf("a message went to a person with only a landline: %+v", q)
			}
		}
		// Email and mobile, email preferred: one message with both forms,
		// email first.
		_, _, err = f.refs.SelfRefer(ctx, f.svc.ID, referral.Request{
			Client: referral.Person{Name: "Sam Hill", Email: "sam@example.org", Phone: "07700900123", PreferredContact: referral.ContactEmail}, Consent: true, Answers: answers})
		if err != nil {
			t.Fatal(err)
		}
		got := texts(t, f.emails, "+447700900123")
		if len(got) != 1 || got[0].To != "sam@example.org" || got[0].Prefer != email.ChannelEmail || got[0].SMS == "" {
			t.Errorf("email and mobile: %+v", got)
		}
	})
}

func TestAppointmentRemindersAreTextedToClientsWhoPreferTexts(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newCaseFixture(t, db)
		ctx := context.Background()
		c := sampleClient()
		c.Phone, c.PreferredContact = "07700 900982", "text"
		nc, err := f.svc.CreateClient(f.worker, f.teamA.ID, c, false)
		if err != nil {
			t.Fatal(err)
		}
		id := nc.Client.ID
		if nc.Client.Phone != "+447700900982" {
			t.Errorf("mobile kept as %q, want E.164", nc.Client.Phone)
		}
		tomorrow := time.Date(f.now.Year(), f.now.Month(), f.now.Day()+1, 14, 30, 0, 0, time.UTC)
		if _, err := f.svc.AddAppointment(f.worker, id, casework.Appointment{StartsAt: tomorrow, Mode: "in_person", Place: "Matlock library"}); err != nil {
			t.Fatal(err)
		}
		// Without consent to texts, nothing.
		if err := f.svc.SendReminders(ctx, f.now); err != nil || len(texts(t, f.emails, "+447700900982")) != 0 {
			t.Fatalf("without consent: %v", err)
		}
		for _, kind := range []string{casework.ConsentContactText, casework.ConsentContactEmail} {
			if err := f.svc.AddConsent(f.worker, id, kind, ""); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.svc.SendReminders(ctx, f.now); err != nil {
			t.Fatal(err)
		}
		got := texts(t, f.emails, "+447700900982")
		if len(got) != 1 || got[0].Prefer != email.ChannelSMS || got[0].To != "peggy@example.org" {
			t.Fatalf("reminder: %+v", got)
		}
		checkText(t, got[0], "Hello Peggy,", "tomorrow at 14:30")
		if email.SMSParts(got[0].SMS) != 1 {
			t.Errorf("a reminder without a link should fit one text: %d characters", len(got[0].SMS))
		}
		rec, _ := f.svc.Record(f.worker, id, casework.KindAppointment)
		if rec.Timeline[0].Summary != "Reminder texted for tomorrow's appointment" {
			t.Errorf("timeline: %+v", rec.Timeline[0])
		}
		// The subject access export lists the text with the emails.
		x, err := f.svc.Export(f.worker, id, "json")
		if err != nil {
			t.Fatal(err)
		}
		texted := false
		for _, m := range x.Emails {
			texted = texted || (m.Subject == "Text message" && m.To == "+447700900982" && strings.Contains(m.Text, "Hello Peggy"))
		}
		if !texted {
			t.Errorf("the export lacks the text: %+v", x.Emails)
		}
		// A landline with texts preferred is refused.
		c.Phone, c.GivenName = "01629 580000", "Other"
		if _, err := f.svc.CreateClient(f.worker, f.teamA.ID, c, true); err == nil || !strings.Contains(err.Error(), "landline") {
			t.Errorf("texts preferred with a landline: %v", err)
		}
	})
}
