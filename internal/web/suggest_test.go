package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"waymark"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
	"waymark/internal/web"
)

func TestASearchThatFindsNothingSuggestsSpellingsRelatedWordsAndSaysWhenAPostcodeIsOutsideTheArea(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newSite(t, db, web.Config{})
		follow := func(page, text string) string {
			t.Helper()
			m := regexp.MustCompile(`<a href="([^"]+)">` + regexp.QuoteMeta(text) + `</a>`).FindStringSubmatch(page)
			if m == nil {
				t.Fatalf("no link %q", text)
			}
			_, body, _ := s.get(t, html.UnescapeString(m[1]))
			return body
		}
		_, page, _ := s.get(t, "/?q=walkng")
		if !strings.Contains(page, "No services found") || !strings.Contains(page, "Did you mean") {
			t.Fatal("no spelling suggestion for walkng")
		}
		if body := follow(page, "walking"); !strings.Contains(body, "Nordic walking for beginners") {
			t.Error("the suggested spelling finds nothing")
		}
		_, page, _ = s.get(t, "/?q=lonely")
		if body := follow(page, "befriending"); !strings.Contains(body, "Telephone befriending") {
			t.Error("the related search for lonely does not find befriending")
		}
		_, page, _ = s.get(t, "/?q=money")
		if !strings.Contains(page, ">debt advice</a>") {
			t.Error("no related search for money")
		}
		// Far from every service: say so. Near them: do not.
		if _, page, _ = s.get(t, "/?q=walking&postcode=TR18+4AA&radius=5"); !strings.Contains(page, "TR18 4AA is outside the area we cover") {
			t.Error("a Cornish postcode is not said to be outside the area")
		}
		if _, page, _ = s.get(t, "/?q=zzyzx&postcode=DE4+3AG&radius=5"); strings.Contains(page, "outside the area") || strings.Contains(page, "Did you mean") {
			t.Error("a nonsense word near Matlock gets the wrong help")
		}
	})
}

func TestADeclinedSelfReferralOffersSimilarServicesNearby(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newReferralSite(t, db)
		nordic := s.service(t, "Nordic walking for beginners")
		provider := s.member(t, nordic.OrganizationID, waymark.RoleProvider, "striders@example.org")
		person := s.browser(t)
		person.post("/services/"+nordic.ID+"/refer", url.Values{"name": {"Kim"}, "email": {"kim@example.org"}, "preferred_contact": {"email"}, "consent": {"yes"}})
		track := trackPath.FindString(s.mailTo(t, "kim@example.org"))
		if track == "" {
			t.Fatal("no private link emailed")
		}
		if _, page, _ := person.get(track); strings.Contains(page, "Similar services nearby") {
			t.Error("alternatives offered before the referral was declined")
		}
		id := strings.Split(track, "/")[2]
		if status, _, _ := provider.post("/referrals/"+id+"/decline", url.Values{"reason": {"full"}}); status != http.StatusSeeOther {
			t.Fatalf("decline: %d", status)
		}
		_, page, _ := person.get(track)
		if !strings.Contains(page, "Similar services nearby") || !strings.Contains(page, "Matlock health walks") {
			t.Error("a declined self-referral offers no similar services nearby")
		}
		if strings.Contains(page, `<a href="/services/`+nordic.ID+`">`) {
			t.Error("the alternatives include the service that declined")
		}
	})
}
