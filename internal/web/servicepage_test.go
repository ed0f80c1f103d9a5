package web_test

import (
	"net/http"
	"strings"
	"testing"

	"waymark/internal/sqlstore"
	"waymark/internal/web"
)

func TestTheServicePageDoesNotShowSearchKeywords(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newSite(t, db, web.Config{})
		walks := s.service(t, "Matlock health walks")
		if len(walks.Keywords) == 0 {
			t.Fatal("the demo entry has no keywords to hide")
		}
		_, body, _ := s.get(t, "/services/"+walks.ID)
		if strings.Contains(body, ">Keywords<") || strings.Contains(body, "fresh air") {
			t.Error("the public service page shows the search keywords")
		}
		// They still find the service.
		if _, results, _ := s.get(t, "/?q=fresh+air"); !strings.Contains(results, "Matlock health walks") {
			t.Error("a keyword no longer finds the service")
		}
	})
}

func TestEveryServicePageHasDirectionsAndWhereItIsInWordsWithOrWithoutAMap(t *testing.T) {
	for _, cfg := range []web.Config{{}, {TileURL: "https://tiles.example/{z}/{x}/{y}.png"}} {
		demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
			s := newSite(t, db, cfg)
			walks := s.service(t, "Matlock health walks")
			pc := walks.Locations[0].Address.PostalCode
			status, body, _ := s.get(t, "/services/"+walks.ID)
			if status != http.StatusOK {
				t.Fatalf("status %d", status)
			}
			want := `href="https://www.google.com/maps/dir/?api=1&amp;destination=` + strings.ReplaceAll(pc, " ", "&#43;") + `"`
			if !strings.Contains(body, want) && !strings.Contains(body, strings.ReplaceAll(want, "&#43;", "+")) {
				t.Errorf("tiles %q: no directions link to %s", cfg.TileURL, pc)
			}
			if !strings.Contains(body, `class="waymark-location"`) || !strings.Contains(body, pc) {
				t.Errorf("tiles %q: no location in words", cfg.TileURL)
			}
			if hasMap := strings.Contains(body, `class="waymark-map`); hasMap != (cfg.TileURL != "") {
				t.Errorf("tiles %q: map shown = %v", cfg.TileURL, hasMap)
			}
		})
	}
}
