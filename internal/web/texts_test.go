package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"waymark"
	"waymark/internal/email"
	"waymark/internal/referral"
	"waymark/internal/sqlstore"
	"waymark/internal/web"
)

// TestASelfReferrerWithOnlyAMobileIsTextedAndCanStopTexts: the form says a
// landline gets no texts; the confirmation says the link was texted; the
// development outbox shows the text; the private link page stops and
// restarts texts; a number Notify says does not exist is shown to the
// provider.
func TestASelfReferrerWithOnlyAMobileIsTextedAndCanStopTexts(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := newReferralSite(t, db, web.Config{Dev: true})
		nordic := s.service(t, "Nordic walking for beginners")
		if err := sqlstore.NewReferralStore(db).SaveForm(ctx, referral.Form{ServiceID: nordic.ID}); err != nil {
			t.Fatal(err)
		}
		person := s.browser(t)
		if _, body, _ := person.get("/services/" + nordic.ID + "/refer"); !strings.Contains(body, "A landline gets no texts") {
			t.Errorf("the referral form does not say a landline gets no texts")
		}
		status, _, h := person.post("/services/"+nordic.ID+"/refer", url.Values{"name": {"Irene Walsh"}, "phone": {"07700 900982"},
			"preferred_contact": {"text"}, "consent": {"yes"}})
		if status != http.StatusSeeOther {
			t.Fatalf("self-referral: %d", status)
		}
		_, body, _ := person.get(h.Get("Location"))
		if !strings.Contains(body, "We have texted you a private link") {
			t.Errorf("the confirmation does not say the link was texted")
		}
		track := trackPath.FindString(body)

		admin := s.signInAs(t, "admin@example.org", waymark.RoleAdmin, "")
		_, outbox, _ := admin.get("/dev/mail")
		if !strings.Contains(outbox, "text to 07700 900982") || !strings.Contains(outbox, "http://waymark.test"+track) {
			t.Errorf("the development outbox does not show the text")
		}

		_, page, _ := person.get(track)
		if !strings.Contains(page, "We send updates about this referral by text to 07700 900982") {
			t.Fatalf("the private link page does not offer to stop texts")
		}
		if status, _, _ := person.post(track+"/texts", url.Values{"texts": {"stop"}}); status != http.StatusSeeOther {
			t.Fatalf("stop texts: %d", status)
		}
		if _, page, _ = person.get(track); !strings.Contains(page, "You asked for no text messages") {
			t.Errorf("after stopping, the page does not say so")
		}
		if status, body, _ := person.post(track+"/texts", url.Values{"texts": {"maybe"}}); status != 400 || !strings.Contains(body, "stop or start") {
			t.Errorf("a made-up choice: %d", status)
		}
		person.post(track+"/texts", url.Values{"texts": {"start"}})
		if _, page, _ = person.get(track); !strings.Contains(page, "Stop text messages") {
			t.Errorf("texts did not start again")
		}

		// Notify reports the number does not exist: the provider sees it.
		provider := s.member(t, nordic.OrganizationID, waymark.RoleProvider, "striders@example.org")
		_, inbox, _ := provider.get("/referrals")
		id := regexp.MustCompile(`/referrals/([0-9a-f-]{36})`).FindStringSubmatch(inbox)[1]
		if _, page, _ := provider.get("/referrals/" + id); strings.Contains(page, "We cannot reach the person") {
			t.Errorf("a failure is shown before any")
		}
		s.outbox.SetTransport(email.ChannelSMS, trackedDev{})
		if _, _, err := s.outbox.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		if err := s.outbox.Receipt(ctx, "notify-1", email.ReceiptPermanentFailure, testNow); err != nil {
			t.Fatal(err)
		}
		if _, page, _ := provider.get("/referrals/" + id); !strings.Contains(page, "Text messages to 07700 900982 failed") {
			t.Errorf("the provider does not see that the number failed")
		}
		// Administrators see it among the messages that could not be
		// sent, without the whole number; a provider may not look.
		_, failed, _ := admin.get("/admin/messages")
		if !strings.Contains(failed, "text …982") || !strings.Contains(failed, "Notify reported permanent-failure") || strings.Contains(failed, "900982") {
			t.Errorf("the failed messages page does not show the failure, or shows the number")
		}
		if status, _, _ := provider.get("/admin/messages"); status != http.StatusForbidden {
			t.Errorf("a provider opened the failed messages: %d", status)
		}
	})
}

// trackedDev delivers nothing and names every message notify-1, as a
// provider whose receipts name its ids.
type trackedDev struct{ email.DevTransport }

func (trackedDev) DeliverTracked(context.Context, email.Message) (string, error) {
	return "notify-1", nil
}
