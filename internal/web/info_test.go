package web_test

import (
	"net/http"
	"strings"
	"testing"

	"waymark/internal/sqlstore"
	"waymark/internal/web"
)

func TestPrivacyAccessibilityCookiesAndContactPagesNameTheOperator(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		op := web.Operator{Name: "Derbyshire Wellbeing", Email: "help@wellbeing.example", Phone: "01629 580000", Address: "County Hall\nMatlock"}
		s := newAccountSite(t, db, web.Config{Operator: op})
		pages := map[string][]string{
			"/privacy":       {"Privacy notice", "Derbyshire Wellbeing", "help@wellbeing.example", "Information Commissioner"},
			"/accessibility": {"Accessibility statement", "Derbyshire Wellbeing", "help@wellbeing.example", "Enforcement procedure"},
			"/cookies":       {"Cookies", "waymark_session", "strictly necessary"},
			"/contact":       {"Contact us", "Derbyshire Wellbeing", "mailto:help@wellbeing.example", "tel:01629580000", "County Hall<br>Matlock"},
		}
		for path, wants := range pages {
			status, body, _ := s.get(t, path)
			if status != http.StatusOK {
				t.Errorf("GET %s = %d", path, status)
				continue
			}
			checkStructure(t, path, body)
			for _, w := range wants {
				if !strings.Contains(body, w) {
					t.Errorf("%s lacks %q", path, w)
				}
			}
		}
		// Every page's footer has the standard links and the support address.
		_, home, _ := s.get(t, "/")
		_, footer, _ := strings.Cut(home, "<footer")
		for _, w := range []string{`href="/accessibility"`, `href="/contact"`, `href="/cookies"`, `href="/privacy"`, `href="mailto:help@wellbeing.example"`} {
			if !strings.Contains(footer, w) {
				t.Errorf("the footer lacks %s", w)
			}
		}
	})
}

func TestTheSupportAddressHasADefault(t *testing.T) {
	s := newSite(t, demo.OpenSQLite(t), web.Config{})
	_, body, _ := s.get(t, "/contact")
	if !strings.Contains(body, "support@waymark.example") {
		t.Error("the contact page has no support address without settings")
	}
}
