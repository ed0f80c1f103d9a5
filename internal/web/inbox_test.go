package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"waymark"
	"waymark/internal/sqlstore"
)

// inboxRow returns the provider inbox's table row for a referral.
func inboxRow(t *testing.T, page, id string) string {
	t.Helper()
	for _, row := range strings.Split(page, "<tr") {
		if strings.Contains(row, "/referrals/"+id+`"`) {
			return row
		}
	}
	t.Fatalf("no row for referral %s", id)
	return ""
}

var referralID = regexp.MustCompile(`/referrals/([0-9a-f-]{36})`)

func TestTheInboxSaysAwaitingResponseOnceOpenedAndMarksUnreadMessages(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newReferralSite(t, db)
		horti := s.service(t, "Therapeutic horticulture")
		worker := s.member(t, s.service(t, "Telephone befriending").OrganizationID, waymark.RoleLinkWorker, "lw@surgery.example")
		provider := s.member(t, horti.OrganizationID, waymark.RoleProvider, "garden@example.org")
		status, _, h := worker.post("/services/"+horti.ID+"/refer-client", url.Values{"name": {"Sam Client"}, "phone": {"07700 900123"},
			"preferred_contact": {"text"}, "reason": {"Would enjoy being outdoors with others"}, "consent": {"yes"}})
		if status != http.StatusSeeOther {
			t.Fatalf("refer: %d", status)
		}
		id := referralID.FindStringSubmatch(h.Get("Location"))[1]
		_, inbox, _ := provider.get("/referrals")
		if row := inboxRow(t, inbox, id); !strings.Contains(row, ">Sent<") {
			t.Errorf("a new referral's status: %s", row)
		}
		provider.get("/referrals/" + id)
		_, inbox, _ = provider.get("/referrals?tab=awaiting")
		if row := inboxRow(t, inbox, id); !strings.Contains(row, "Awaiting response") || strings.Contains(row, ">Sent<") {
			t.Errorf("an opened referral in the Awaiting response tab reads: %s", row)
		}
		if strings.Contains(inboxRow(t, inbox, id), "New message") {
			t.Error("marked unread before any message")
		}
		// The worker writes: the provider's inbox marks it until they open it.
		if status, _, _ := worker.post("/referrals/"+id+"/message", url.Values{"body": {"Sam prefers mornings."}}); status != http.StatusSeeOther {
			t.Fatalf("message: %d", status)
		}
		_, inbox, _ = provider.get("/referrals?tab=awaiting")
		if !strings.Contains(inboxRow(t, inbox, id), "New message") {
			t.Error("the inbox does not mark the unread message")
		}
		provider.get("/referrals/" + id)
		_, inbox, _ = provider.get("/referrals?tab=awaiting")
		if strings.Contains(inboxRow(t, inbox, id), "New message") {
			t.Error("still marked unread after the provider opened it")
		}
		// And the other way: the provider replies, the worker's list marks it.
		provider.post("/referrals/"+id+"/message", url.Values{"body": {"Mornings are fine."}})
		_, sent, _ := worker.get("/referrals")
		if !strings.Contains(inboxRow(t, sent, id), "New message") {
			t.Error("the referrer's list does not mark the provider's reply")
		}
		worker.get("/referrals/" + id)
		if _, sent, _ = worker.get("/referrals"); strings.Contains(inboxRow(t, sent, id), "New message") {
			t.Error("the referrer's list still marks a read reply")
		}
	})
}

func TestTheInboxTableStacksOnSmallScreens(t *testing.T) {
	s := newReferralSite(t, demo.OpenSQLite(t))
	horti := s.service(t, "Therapeutic horticulture")
	worker := s.member(t, s.service(t, "Telephone befriending").OrganizationID, waymark.RoleLinkWorker, "lw@surgery.example")
	provider := s.member(t, horti.OrganizationID, waymark.RoleProvider, "garden@example.org")
	worker.post("/services/"+horti.ID+"/refer-client", url.Values{"name": {"Sam Client"}, "phone": {"07700 900123"},
		"preferred_contact": {"text"}, "reason": {"Outdoors"}, "consent": {"yes"}})
	for _, b := range []*browser{provider, worker} {
		_, page, _ := b.get("/referrals")
		if !strings.Contains(page, `nhsuk-table--responsive`) || !strings.Contains(page, `<span class="nhsuk-table__heading" aria-hidden="true">Status </span>`) {
			t.Error("the referrals table is not the design system's responsive table")
		}
	}
}

func TestAChangeWaitingForReviewIsShownOnTheCardAndInTheForm(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newListingSite(t, db)
		walks := s.service(t, "Matlock health walks")
		provider := s.signInAs(t, "striders@example.org", waymark.RoleProvider, walks.OrganizationID)
		_, edit, _ := provider.get("/provider/services/" + walks.ID + "/edit")
		if strings.Contains(edit, "waiting for review") {
			t.Fatal("the form says a change is waiting before any was sent")
		}
		form := url.Values{"email": {"walks@example.org"}, "postcode": {"DE4 3AG"}, "title": {"Matlock health walks"}, "description": {"Now also on Wednesdays."}}
		if status, _, h := provider.post("/provider/services/"+walks.ID+"/edit", form); status != http.StatusSeeOther || h.Get("Location") != "/provider?done=revision" {
			t.Fatalf("edit: %d %s", status, h.Get("Location"))
		}
		_, cards, _ := provider.get("/provider")
		i := strings.Index(cards, ">Matlock health walks<")
		if i < 0 {
			t.Fatal("no card for the listing")
		}
		card, _, _ := strings.Cut(cards[i:], `<div class="nhsuk-card">`)
		if !strings.Contains(card, "Change waiting for review") {
			t.Error("the provider's card does not say a change is waiting for review")
		}
		_, edit, _ = provider.get("/provider/services/" + walks.ID + "/edit")
		if !strings.Contains(edit, "A change is waiting for review") || !strings.Contains(edit, "Now also on Wednesdays.") {
			t.Error("the edit form does not show the change waiting for review")
		}
		if _, public, _ := s.get(t, "/services/"+walks.ID); strings.Contains(public, "Now also on Wednesdays.") {
			t.Error("the change is public before review")
		}
	})
}

func TestTheClientOfAProfessionalsReferralDoesNotSeeTheDeclineNoteForTheProfessional(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newReferralSite(t, db)
		horti := s.service(t, "Therapeutic horticulture")
		worker := s.member(t, s.service(t, "Telephone befriending").OrganizationID, waymark.RoleLinkWorker, "lw@surgery.example")
		provider := s.member(t, horti.OrganizationID, waymark.RoleProvider, "garden@example.org")
		_, _, h := worker.post("/services/"+horti.ID+"/refer-client", url.Values{"name": {"Sam Client"}, "email": {"sam@example.org"},
			"preferred_contact": {"email"}, "reason": {"Outdoors"}, "consent": {"yes"}})
		id := referralID.FindStringSubmatch(h.Get("Location"))[1]
		const note = "Sam's mobility needs are beyond what our volunteers can support"
		if status, _, _ := provider.post("/referrals/"+id+"/decline", url.Values{"reason": {"other"}, "note": {note}}); status != http.StatusSeeOther {
			t.Fatalf("decline: %d", status)
		}
		if _, page, _ := worker.get("/referrals/" + id); !strings.Contains(page, "mobility needs") {
			t.Error("the professional does not see the provider's note")
		}
		client := s.browser(t)
		status, page, _ := client.get(s.refs.TrackPath(id))
		if status != http.StatusOK {
			t.Fatalf("client's private link: %d", status)
		}
		if strings.Contains(page, "mobility needs") || strings.Contains(page, "Another reason") {
			t.Error("the client reads the note written for the professional")
		}
		if !strings.Contains(page, "Declined") || !strings.Contains(page, "The person who referred you has been told why") {
			t.Error("the client is not told where the referral stands")
		}
	})
}

func TestTheProfessionalIsToldOfAttendanceAndSeesItInTheirList(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newReferralSite(t, db)
		horti := s.service(t, "Therapeutic horticulture")
		worker := s.member(t, s.service(t, "Telephone befriending").OrganizationID, waymark.RoleLinkWorker, "lw@surgery.example")
		provider := s.member(t, horti.OrganizationID, waymark.RoleProvider, "garden@example.org")
		_, _, h := worker.post("/services/"+horti.ID+"/refer-client", url.Values{"name": {"Sam Client"}, "phone": {"07700 900123"},
			"preferred_contact": {"text"}, "reason": {"Outdoors"}, "consent": {"yes"}})
		id := referralID.FindStringSubmatch(h.Get("Location"))[1]
		_, list, _ := worker.get("/referrals")
		if row := inboxRow(t, list, id); !strings.Contains(row, "Not known yet") {
			t.Errorf("attendance before it is known: %s", row)
		}
		provider.post("/referrals/"+id+"/accept", nil)
		if status, _, _ := provider.post("/referrals/"+id+"/attended", nil); status != http.StatusSeeOther {
			t.Fatalf("record attendance: %d", status)
		}
		if mail := s.mailTo(t, "lw@surgery.example"); !strings.Contains(mail, "Sam Client attended") {
			t.Errorf("the professional was not told of the attendance: %q", mail)
		}
		_, list, _ = worker.get("/referrals")
		if row := inboxRow(t, list, id); !strings.Contains(row, `aria-hidden="true">Attended </span><span>Yes</span>`) {
			t.Errorf("the referrer's list does not show the attendance: %s", row)
		}
	})
}

func TestAProviderRecordsAttendanceAfterClosingAndTheProfessionalIsTold(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newReferralSite(t, db)
		horti := s.service(t, "Therapeutic horticulture")
		worker := s.member(t, s.service(t, "Telephone befriending").OrganizationID, waymark.RoleLinkWorker, "lw@surgery.example")
		provider := s.member(t, horti.OrganizationID, waymark.RoleProvider, "garden@example.org")
		_, _, h := worker.post("/services/"+horti.ID+"/refer-client", url.Values{"name": {"Cy Client"}, "phone": {"07700 900123"},
			"preferred_contact": {"text"}, "reason": {"Outdoors"}, "consent": {"yes"}})
		id := referralID.FindStringSubmatch(h.Get("Location"))[1]
		provider.post("/referrals/"+id+"/accept", nil)
		if status, _, _ := provider.post("/referrals/"+id+"/close", nil); status != http.StatusSeeOther {
			t.Fatalf("close: %d", status)
		}
		_, page, _ := provider.get("/referrals/" + id)
		if !strings.Contains(page, "Did they attend?") {
			t.Fatal("a referral closed without attendance does not ask the provider whether they attended")
		}
		if status, _, _ := provider.post("/referrals/"+id+"/did-not-attend", nil); status != http.StatusSeeOther {
			t.Fatalf("record attendance after closing: %d", status)
		}
		if _, page, _ = provider.get("/referrals/" + id); strings.Contains(page, "Did they attend?") {
			t.Error("the question stays after the answer")
		}
		if mail := s.mailTo(t, "lw@surgery.example"); !strings.Contains(mail, "Cy Client did not attend") {
			t.Errorf("the professional was not told of the attendance: %q", mail)
		}
		_, list, _ := worker.get("/referrals")
		if row := inboxRow(t, list, id); !strings.Contains(row, `aria-hidden="true">Attended </span><span>No</span>`) || !strings.Contains(row, "Closed") {
			t.Errorf("the referrer's list does not show the closed referral's attendance: %s", row)
		}
	})
}

func TestSeeingAListOfReferralsIsAudited(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newReferralSite(t, db)
		horti := s.service(t, "Therapeutic horticulture")
		worker := s.member(t, s.service(t, "Telephone befriending").OrganizationID, waymark.RoleLinkWorker, "lw@surgery.example")
		provider := s.member(t, horti.OrganizationID, waymark.RoleProvider, "garden@example.org")
		_, _, h := worker.post("/services/"+horti.ID+"/refer-client", url.Values{"name": {"Sam Client"}, "phone": {"07700 900123"},
			"preferred_contact": {"text"}, "reason": {"Outdoors"}, "consent": {"yes"}})
		id := referralID.FindStringSubmatch(h.Get("Location"))[1]
		audited := func(what string) bool {
			log, err := s.store.AuditLog(context.Background(), 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range log {
				if e.Action == "list referrals" && strings.Contains(e.Subject, id) && strings.HasPrefix(e.Detail, what) {
					return true
				}
			}
			return false
		}
		if audited("provider inbox") || audited("referrals made") {
			t.Fatal("audited before anyone looked")
		}
		provider.get("/referrals?tab=awaiting")
		if audited("provider inbox") {
			t.Error("a tab without the referral recorded it as seen")
		}
		provider.get("/referrals")
		if !audited("provider inbox") {
			t.Error("the provider's inbox is not audited")
		}
		worker.get("/referrals")
		if !audited("referrals made") {
			t.Error("the professional's list is not audited")
		}
	})
}
