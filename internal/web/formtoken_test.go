package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"waymark"
	"waymark/internal/sqlstore"
)

var formTokenField = regexp.MustCompile(`name="form_token" value="([0-9a-f]{32})"`)

// tokenOf returns the form token the page at path issues.
func tokenOf(t *testing.T, b *browser, path string) string {
	t.Helper()
	status, body, _ := b.get(path)
	m := formTokenField.FindStringSubmatch(body)
	if status != 200 || m == nil {
		t.Fatalf("GET %s: %d, no form token", path, status)
	}
	return m[1]
}

func count(t *testing.T, db *sqlstore.DB, query string, args ...any) int {
	t.Helper()
	var n int
	q := query
	if db.Dialect() == sqlstore.Postgres {
		for i := 1; strings.Contains(q, "?"); i++ {
			q = strings.Replace(q, "?", "$"+string(rune('0'+i)), 1)
		}
	}
	if err := db.SQL().QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// sendTwice posts a form twice with the same token (a refresh, or a retry
// after a dropped connection) and checks both lead to the same place.
func sendTwice(t *testing.T, b *browser, path string, form url.Values) string {
	t.Helper()
	status, _, h := b.post(path, form)
	if status != http.StatusSeeOther {
		t.Fatalf("POST %s: %d, want a redirect (post/redirect/get)", path, status)
	}
	status2, _, h2 := b.post(path, form)
	if status2 != http.StatusSeeOther {
		t.Fatalf("POST %s again: %d, want a redirect to what the first made", path, status2)
	}
	return h.Get("Location") + " | " + h2.Get("Location")
}

func TestFormsThatCreateSomethingAreSafeToSendTwice(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newReferralSite(t, db)
		nordic := s.service(t, "Nordic walking for beginners")
		horti := s.service(t, "Therapeutic horticulture")

		// Self-referral: refreshing the confirmation, or sending again.
		person := s.browser(t)
		form := url.Values{"name": {"Pat Walker"}, "email": {"pat@example.org"}, "preferred_contact": {"email"}, "consent": {"yes"},
			"form_token": {tokenOf(t, person, "/services/"+nordic.ID+"/refer")}}
		both := sendTwice(t, person, "/services/"+nordic.ID+"/refer", form)
		first, second, _ := strings.Cut(both, " | ")
		if first != second || !strings.HasPrefix(first, "/track/") || !strings.HasSuffix(first, "?sent=1") {
			t.Errorf("self-referral sent twice went to %q and %q", first, second)
		}
		for i := 0; i < 2; i++ {
			if status, body, _ := person.get(first); status != 200 || !regexp.MustCompile(`Your reference<br><strong>WM-`).MatchString(body) {
				t.Fatalf("confirmation page: %d", status)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM referral WHERE client_email = ?`, "pat@example.org"); n != 1 {
			t.Errorf("%d self-referrals after sending twice and refreshing, want 1", n)
		}
		// Two at once with one token: one referral.
		form.Set("form_token", tokenOf(t, person, "/services/"+nordic.ID+"/refer"))
		form.Set("email", "sam@example.org")
		var wg sync.WaitGroup
		for i := 0; i < 2; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.browser(t).post("/services/"+nordic.ID+"/refer", form)
			}()
		}
		wg.Wait()
		if n := count(t, db, `SELECT COUNT(*) FROM referral WHERE client_email = ?`, "sam@example.org"); n != 1 {
			t.Errorf("%d self-referrals from one form sent twice at once, want 1", n)
		}

		// A professional's referral.
		worker := s.member(t, s.service(t, "Telephone befriending").OrganizationID, waymark.RoleLinkWorker, "lw@surgery.example")
		pro := url.Values{"name": {"Sam Client"}, "phone": {"07700 900123"}, "preferred_contact": {"text"},
			"reason": {"Would enjoy being outdoors"}, "consent": {"yes"}, "form_token": {tokenOf(t, worker, "/services/"+horti.ID+"/refer-client")}}
		both = sendTwice(t, worker, "/services/"+horti.ID+"/refer-client", pro)
		if first, second, _ := strings.Cut(both, " | "); first != second || !strings.HasPrefix(first, "/referrals/") {
			t.Errorf("professional referral sent twice went to %q and %q", first, second)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM referral WHERE client_name = ?`, "Sam Client"); n != 1 {
			t.Errorf("%d professional referrals after sending twice, want 1", n)
		}
		referralPath, _, _ := strings.Cut(both, "?")

		// A message on the referral.
		msg := url.Values{"body": {"Can they start next week?"}, "form_token": {tokenOf(t, worker, referralPath)}}
		sendTwice(t, worker, referralPath+"/message", msg)
		if n := count(t, db, `SELECT COUNT(*) FROM referral_message WHERE body = ?`, "Can they start next week?"); n != 1 {
			t.Errorf("%d messages after sending twice, want 1", n)
		}

		// A new listing.
		provider := s.browser(t)
		s.signUp(t, provider, "Alex", "alex@riverside.example", "riverside group password")
		listing := url.Values{"organisation": {"Riverside Knitters"}, "title": {"Riverside knitting circle"}, "email": {"knit@riverside.example"},
			"postcode": {"DE4 3AG"}, "kind": {"signposting"}, "visibility": {"listed"}, "cost": {"free"}, "action": {"post"},
			"form_token": {tokenOf(t, provider, "/provider/services/new")}}
		both = sendTwice(t, provider, "/provider/services/new", listing)
		if _, second, _ := strings.Cut(both, " | "); !strings.HasPrefix(second, "/provider?done=sent-before") {
			t.Errorf("a new listing sent twice went to %q", both)
		} else if _, body, _ := provider.get(second); !strings.Contains(body, "already sent") {
			t.Error("the second sending does not say the listing was already saved")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM service WHERE name = ?`, "Riverside knitting circle"); n != 1 {
			t.Errorf("%d listings after sending twice, want 1", n)
		}

		// A report.
		public := s.browser(t)
		rep := url.Values{"reason": {"The phone number is wrong."}, "form_token": {tokenOf(t, public, "/services/"+nordic.ID+"/report")}}
		both = sendTwice(t, public, "/services/"+nordic.ID+"/report", rep)
		if first, second, _ := strings.Cut(both, " | "); first != second {
			t.Errorf("a report sent twice went to %q and %q", first, second)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM service_report WHERE reason = ?`, "The phone number is wrong."); n != 1 {
			t.Errorf("%d reports after sending twice, want 1", n)
		}

		// A form without a token still works (and is not made safe).
		if status, _, _ := s.browser(t).post("/services/"+nordic.ID+"/report", url.Values{"reason": {"Another thing is wrong."}}); status != http.StatusSeeOther {
			t.Errorf("report without a token: %d", status)
		}
	})
}

func TestCancellingAndRemovingAskOnAPageOfTheirOwn(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newReferralSite(t, db)
		nordic := s.service(t, "Nordic walking for beginners")
		horti := s.service(t, "Therapeutic horticulture")
		// A professional cancels their referral.
		worker := s.member(t, s.service(t, "Telephone befriending").OrganizationID, waymark.RoleLinkWorker, "lw@surgery.example")
		_, _, h := worker.post("/services/"+horti.ID+"/refer-client", url.Values{"name": {"Sam Client"}, "phone": {"07700 900123"},
			"preferred_contact": {"text"}, "reason": {"Outdoors"}, "consent": {"yes"}})
		ref, _, _ := strings.Cut(h.Get("Location"), "?")
		status, page, _ := worker.post(ref+"/cancel", nil)
		if status != 200 || !strings.Contains(page, "Cancel this referral?") || !strings.Contains(page, `name="confirm" value="yes"`) || !strings.Contains(page, "No, keep it") {
			t.Fatalf("cancel without confirming: %d, want the confirmation page", status)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM referral WHERE status = 'cancelled'`); n != 0 {
			t.Fatal("cancelled before confirming")
		}
		status, _, h = worker.post(ref+"/cancel", url.Values{"confirm": {"yes"}})
		if status != http.StatusSeeOther {
			t.Fatalf("confirmed cancel: %d", status)
		}
		if _, page, _ := worker.get(h.Get("Location")); !strings.Contains(page, "The referral is cancelled") {
			t.Error("after cancelling, the page does not say so")
		}
		// The person withdraws their self-referral through the private link.
		person := s.browser(t)
		_, _, h = person.post("/services/"+nordic.ID+"/refer", url.Values{"name": {"Pat Walker"}, "email": {"pat@example.org"}, "preferred_contact": {"email"}, "consent": {"yes"}})
		track, _, _ := strings.Cut(h.Get("Location"), "?")
		if status, page, _ := person.post(track+"/cancel", nil); status != 200 || !strings.Contains(page, "Withdraw your referral?") {
			t.Fatalf("withdraw without confirming: %d", status)
		}
		status, _, h = person.post(track+"/cancel", url.Values{"confirm": {"yes"}})
		if status != http.StatusSeeOther {
			t.Fatalf("confirmed withdraw: %d", status)
		}
		if _, page, _ := person.get(h.Get("Location")); !strings.Contains(page, "Your referral is withdrawn") {
			t.Error("after withdrawing, the page does not say so")
		}
		// A provider removes a question from their form.
		provider := s.member(t, nordic.OrganizationID, waymark.RoleProvider, "striders@example.org")
		formURL := "/provider/services/" + nordic.ID + "/form"
		provider.post(formURL, url.Values{"op": {"save"}, "type": {"yes_no"}, "label": {"Do you have walking poles?"}})
		form, _ := s.refs.Form(t.Context(), nordic.ID)
		q := form.Questions[0].ID
		status, page, _ = provider.post(formURL, url.Values{"op": {"remove"}, "question": {q}})
		if status != 200 || !strings.Contains(page, "Remove this question?") || !strings.Contains(page, `name="question" value="`+q+`"`) {
			t.Fatalf("remove without confirming: %d", status)
		}
		if form, _ := s.refs.Form(t.Context(), nordic.ID); len(form.Questions) != 1 {
			t.Fatal("removed before confirming")
		}
		provider.post(formURL, url.Values{"op": {"remove"}, "question": {q}, "confirm": {"yes"}})
		if form, _ := s.refs.Form(t.Context(), nordic.ID); len(form.Questions) != 0 {
			t.Error("not removed after confirming")
		}
	})
}
