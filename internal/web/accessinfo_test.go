package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"waymark/internal/sqlstore"
	"waymark/internal/web"
)

func TestProvidersSayHowAServiceIsGivenItsAccessAndLanguages(t *testing.T) {
	s := newListingSite(t, demo.OpenSQLite(t))
	provider := s.browser(t)
	s.signUp(t, provider, "Sol", "sol@example.org", "sol's long password")
	form := url.Values{"organisation": {"Sol's Tai Chi"}, "email": {"taichi@example.org"}, "postcode": {"SK17 6EQ"}, "title": {"Tai chi in the park"},
		"delivery": {"in_person", "online"}, "accessibility": {"step_free", "lift"}, "languages": {"en", "pl"},
		"accessibility_note": {"Seats along the path"}, "action": {"post"}}
	if status, body, _ := provider.post("/provider/services/new", form); status != 400 || !strings.Contains(body, `id="accessibility-error"`) ||
		!strings.Contains(body, "Choose accessibility features from the list") {
		t.Errorf("an unknown accessibility feature: %d", status)
	}
	form["accessibility"] = []string{"step_free", "accessible_toilet"}
	if status, _, _ := provider.post("/provider/services/new", form); status != http.StatusSeeOther {
		t.Fatalf("post: %d", status)
	}
	store := sqlstore.NewDirectoryStore(s.db)
	list, _ := store.ListServicesOfOrganizations(context.Background(), orgsOf(t, s, "sol@example.org"))
	full, _ := store.FindServiceByID(context.Background(), list[0].ID)
	if got := fmt.Sprint(full.Delivery, full.Accessibility, full.Languages, " ", full.AccessibilityNote); got != "[in_person online] [step_free accessible_toilet] [en pl] Seats along the path" {
		t.Errorf("stored: %s", got)
	}
	_, body, _ := provider.get("/provider/services/" + list[0].ID + "/edit")
	for _, want := range []string{`value="online" checked`, `value="accessible_toilet" checked`, `value="pl" checked`, "Seats along the path"} {
		if !strings.Contains(body, want) {
			t.Errorf("the edit form does not show %s", want)
		}
	}
}

func TestTheServicePageSaysHowItIsGivenItsAccessAndLanguages(t *testing.T) {
	s := newSite(t, demo.OpenSQLite(t), web.Config{})
	_, page, _ := s.get(t, "/services/"+s.service(t, "Drop-in art club").ID)
	for _, want := range []string{"How it is given", "In person", "Step-free access", "Hearing loop", "A ramp at the side door",
		"Languages", "English, British Sign Language"} {
		if !strings.Contains(page, want) {
			t.Errorf("the service page lacks %q", want)
		}
	}
}

func TestSearchFiltersByAccessLanguageAndHowItIsGivenWithoutJavaScript(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newSite(t, db, web.Config{})
		found := func(path string) (int, string) {
			t.Helper()
			status, body, _ := s.get(t, path)
			return status, body
		}
		status, page := found("/?access=step_free&access=hearing_loop&language=bfi")
		if status != 200 || !strings.Contains(page, ">Drop-in art club<") || strings.Contains(page, ">Matlock health walks<") {
			t.Errorf("step-free, hearing loop and BSL: %d", status)
		}
		// The form shows what was chosen, so the search can be changed.
		for _, want := range []string{`value="step_free" checked`, `value="hearing_loop" checked`, `<option value="bfi" selected>`, `<details class="nhsuk-details waymark-filters" open>`} {
			if !strings.Contains(page, want) {
				t.Errorf("the filtered search page lacks %s", want)
			}
		}
		if _, page = found("/?delivery=phone"); !strings.Contains(page, ">Telephone befriending<") || strings.Contains(page, ">Drop-in art club<") {
			t.Error("services by phone")
		}
		// Results say which services are online or by phone.
		if !strings.Contains(page, `<strong class="nhsuk-tag nhsuk-tag--purple">By phone</strong>`) {
			t.Error("a result given by phone has no By phone tag")
		}
		if _, page = found("/?q=digital&delivery=online&postcode=DE4+3AG&radius=25"); !strings.Contains(page, ">Digital help for over 50s<") {
			t.Error("online services with words, near a postcode")
		}
		if _, page = found("/?language=pl&access=step_free"); !strings.Contains(page, "No services found") || !strings.Contains(page, "remove some filters") {
			t.Error("a search that filters out everything does not suggest removing filters")
		}
		for path, message := range map[string]string{
			"/?access=lift":                    "Choose accessibility features from the list",
			"/?language=klingon":               "Choose a language from the list",
			"/?delivery=carrier":               "Choose how the service is given from the list",
			"/?access=%00":                     "",
			"/?delivery=in_person&language=xx": "Choose a language from the list",
		} {
			status, page := found(path)
			if status != http.StatusBadRequest || !strings.Contains(page, message) {
				t.Errorf("GET %s = %d, want 400 with %q", path, status, message)
			}
		}
	})
}

func TestAServicePageSharesAShortLinkThatLeadsBackToIt(t *testing.T) {
	s := newSite(t, demo.OpenSQLite(t), web.Config{PublicURL: "https://waymark.example.org"})
	walks := s.service(t, "Matlock health walks")
	_, page, _ := s.get(t, "/services/"+walks.ID)
	code := strings.ReplaceAll(walks.ID, "-", "")[:8]
	want := `<a href="https://waymark.example.org/s/` + code + `">waymark.example.org/s/` + code + `</a>`
	if !strings.Contains(page, "Share this service") || !strings.Contains(page, want) {
		t.Fatalf("the service page does not show its short link %s", want)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, c := range []string{code, strings.ToUpper(code)} {
		resp, err := client.Get(s.URL + "/s/" + c)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/services/"+walks.ID {
			t.Errorf("GET /s/%s = %d to %q, want 302 to the service", c, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	for _, bad := range []string{"00000000", "nothex!!", "abc"} {
		if status, _, _ := s.get(t, "/s/"+url.PathEscape(bad)); status != http.StatusNotFound {
			t.Errorf("GET /s/%s = %d, want 404", bad, status)
		}
	}
}
