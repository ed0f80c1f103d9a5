package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/sqlstore"
)

func TestAPendingEntryOpensForModeratorsAsThePublicWillSeeItWithApproveAndDecline(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newListingSite(t, db)
		provider := s.browser(t)
		s.signUp(t, provider, "Pat", "pat@example.org", "pat's long password")
		form := url.Values{"organisation": {"Pat's Walkers"}, "title": {"Riverside rambles"}, "email": {"rambles@example.org"},
			"description": {"Slow walks along the Derwent for people getting back on their feet."}, "phone": {"01629 555999"},
			"address": {"Hall Leys Park"}, "town": {"Matlock"}, "postcode": {"DE4 3AG"}, "kind": {"signposting"}, "visibility": {"listed"},
			"cost": {"paid"}, "cost_description": {"£2 a walk"}, "waiting_weeks": {"2"}, "access_criteria": {"Adults of any fitness"},
			"days": {"TU"}, "opens_at": {"10:00"}, "closes_at": {"11:30"}, "action": {"post"}}
		if status, _, _ := provider.post("/provider/services/new", form); status != http.StatusSeeOther {
			t.Fatalf("post: %d", status)
		}
		mod := s.signInAs(t, "mo@waymark.example", waymark.RoleModerator, "")
		_, queue, _ := mod.get("/moderation")
		id := queuedID(t, queue, "Riverside rambles")
		status, page, _ := mod.get("/moderation/services/" + id)
		if status != 200 {
			t.Fatalf("review page: %d", status)
		}
		for _, want := range []string{"Riverside rambles", "Pat&#39;s Walkers", "Slow walks along the Derwent", "01629 555999", "tel:01629555999",
			"Hall Leys Park", "DE4 3AG", "Tuesdays, 10:00 to 11:30", "£2 a walk", "About 2 weeks", "Adults of any fitness",
			"How to get help", "Contact the service directly", "Waiting for review", `action="/moderation/services/` + id + `/approve"`,
			`action="/moderation/services/` + id + `/decline"`, "Sent for review"} {
			if !strings.Contains(page, want) {
				t.Errorf("the review page lacks %q", want)
			}
		}
		// A decline without a reason: the page again, the message next to the field.
		status, page, _ = mod.post("/moderation/services/"+id+"/decline", url.Values{"note": {"  "}})
		if status != http.StatusBadRequest || !strings.Contains(page, `id="decline-note-`+id+`-error"`) || !strings.Contains(page, "Enter why it is declined") ||
			!strings.Contains(page, "Slow walks along the Derwent") || !strings.Contains(page, `href="#decline-note-`+id+`"`) {
			t.Errorf("decline without a reason: %d, want the page with the message by the field", status)
		}
		status, _, h := mod.post("/moderation/services/"+id+"/decline", url.Values{"note": {"Please add a contact name."}})
		if status != http.StatusSeeOther {
			t.Fatalf("decline: %d", status)
		}
		if _, body, _ := mod.get(h.Get("Location")); !strings.Contains(body, "is declined") {
			t.Error("the moderator is not told what happened")
		}
	})
}

func TestActionFormsShowTheirErrorNextToTheField(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newListingSite(t, db)
		walks := s.service(t, "Matlock health walks")
		provider := s.signInAs(t, "walks@example.org", waymark.RoleProvider, walks.OrganizationID)
		for _, action := range []string{"freeze", "suspend"} {
			status, page, _ := provider.post("/provider/services/"+walks.ID+"/"+action, url.Values{"note": {""}})
			field := action + "-note-" + walks.ID
			if status != http.StatusBadRequest || !strings.Contains(page, `id="`+field+`-error"`) || !strings.Contains(page, `href="#`+field+`"`) ||
				!strings.Contains(page, "Your listings") {
				t.Errorf("provider %s without a note: %d, want the listings page with the message by the field", action, status)
			}
		}
		mod := s.signInAs(t, "mo@waymark.example", waymark.RoleModerator, "")
		status, page, _ := mod.post("/moderation/services/"+walks.ID+"/suspend", url.Values{"note": {""}})
		if status != http.StatusBadRequest || !strings.Contains(page, `id="suspend-note-`+walks.ID+`-error"`) || !strings.Contains(page, "For moderators") {
			t.Errorf("moderator suspend without a reason: %d", status)
		}
		// A change declined without a reason.
		edit := url.Values{"email": {walks.Email}, "postcode": {"DE4 3AG"}, "title": {"Matlock health walks"}, "description": {"New words."}}
		if status, _, _ := provider.post("/provider/services/"+walks.ID+"/edit", edit); status != http.StatusSeeOther {
			t.Fatalf("edit: %d", status)
		}
		revs, _ := sqlstore.NewDirectoryStore(db).PendingRevisions(context.Background())
		if len(revs) != 1 {
			t.Fatalf("%d revisions", len(revs))
		}
		status, page, _ = mod.post("/moderation/revisions/"+revs[0].ID+"/decline", url.Values{"note": {""}})
		if status != http.StatusBadRequest || !strings.Contains(page, `id="note-error"`) || !strings.Contains(page, "What would change") {
			t.Errorf("declining changes without a reason: %d", status)
		}
	})
}

func TestDeletingAListingAsksOnAPageOfItsOwnAndSaysWhatHappened(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newListingSite(t, db)
		walks := s.service(t, "Matlock health walks")
		store := sqlstore.NewDirectoryStore(db)
		provider := s.signInAs(t, "walks@example.org", waymark.RoleProvider, walks.OrganizationID)
		_, list, _ := provider.get("/provider")
		if strings.Contains(list, `action="/provider/services/`+walks.ID+`/delete"`) || !strings.Contains(list, `href="/provider/services/`+walks.ID+`/delete"`) {
			t.Error("the listings page deletes in one click instead of asking first")
		}
		// A post that did not come from the confirmation page asks first.
		status, _, h := provider.post("/provider/services/"+walks.ID+"/delete", nil)
		if status != http.StatusSeeOther || h.Get("Location") != "/provider/services/"+walks.ID+"/delete" {
			t.Errorf("unconfirmed delete: %d to %q", status, h.Get("Location"))
		}
		if got, _ := store.FindServiceByID(context.Background(), walks.ID); got.Status == directory.StatusDeleted {
			t.Fatal("deleted without confirmation")
		}
		status, page, _ := provider.get("/provider/services/" + walks.ID + "/delete")
		if status != 200 || !strings.Contains(page, "Delete “Matlock health walks”?") || !strings.Contains(page, `name="confirm" value="yes"`) || !strings.Contains(page, "No, keep it") {
			t.Fatalf("confirmation page: %d", status)
		}
		status, _, h = provider.post("/provider/services/"+walks.ID+"/delete", url.Values{"confirm": {"yes"}})
		if status != http.StatusSeeOther {
			t.Fatalf("confirmed delete: %d", status)
		}
		_, done, _ := provider.get(h.Get("Location"))
		if !strings.Contains(done, "Your listing is deleted") && !strings.Contains(done, "is deleted") || strings.Contains(done, "has been updated") {
			t.Error("after deleting, the page does not say the listing was deleted")
		}
		if got, _ := store.FindServiceByID(context.Background(), walks.ID); got.Status != directory.StatusDeleted {
			t.Errorf("after confirming: %s", got.Status)
		}
	})
}

func TestTheRevisionPageShowsTheScheduleAndTheDroppedCountyWordByWord(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newListingSite(t, db)
		walks := s.service(t, "Matlock health walks")
		provider := s.signInAs(t, "walks@example.org", waymark.RoleProvider, walks.OrganizationID)
		_, form, _ := provider.get("/provider/services/" + walks.ID + "/edit")
		if !strings.Contains(form, "Matlock health walks") {
			t.Fatal("no edit form")
		}
		edit := url.Values{"email": {walks.Email}, "postcode": {"DE4 3AG"}, "title": {"Matlock health walks"}, "address": {walks.Locations[0].Address.Address1},
			"town": {walks.Locations[0].Address.City}, "description": {walks.Description + " A Wednesday group is added."},
			"days": {"TU", "WE", "FR"}, "opens_at": {"10:00"}, "closes_at": {"11:30"}, "cost": {"free"}, "kind": {"signposting"}, "visibility": {"listed"}}
		if status, _, _ := provider.post("/provider/services/"+walks.ID+"/edit", edit); status != http.StatusSeeOther {
			t.Fatalf("edit: %d", status)
		}
		revs, _ := sqlstore.NewDirectoryStore(db).PendingRevisions(context.Background())
		mod := s.signInAs(t, "mo@waymark.example", waymark.RoleModerator, "")
		_, page, _ := mod.get("/moderation/revisions/" + revs[0].ID)
		for _, want := range []string{"<ins>Tuesdays, Wednesdays</ins> and Fridays", "<del>Derbyshire,</del>", "<ins>A Wednesday group is added.</ins>", "Cost", "Free"} {
			if !strings.Contains(page, want) {
				t.Errorf("the comparison lacks %q", want)
			}
		}
		if strings.Contains(page, "signposting") || strings.Contains(page, ">listed<") {
			t.Error("the comparison shows internal codes")
		}
	})
}
