package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"log/slog"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/insights"
	"waymark/internal/sqlstore"
	"waymark/internal/web"
)

// insightsSite is the demo directory with referrals to two services of
// different providers: six to the first (accepted after two hours,
// attended, scored 4) and three to the second.
func insightsSite(t *testing.T) (*accountSite, [2]string, [2]string) {
	t.Helper()
	db := demo.OpenSQLite(t)
	s := newAccountSiteWith(t, db, web.Config{}, func(d *web.Deps) {
		clock := func() time.Time { return testNow }
		d.Insights = insights.NewInsights(sqlstore.NewInsightsStore(db), insights.Config{}, clock)
		d.Directory = directory.NewDirectory(sqlstore.NewDirectoryStore(db), postcodes(t), clock, slog.New(slog.DiscardHandler))
	})
	a := s.services[0]
	var b = s.services[1]
	for _, svc := range s.services[1:] {
		if svc.OrganizationID != a.OrganizationID {
			b = svc
			break
		}
	}
	add := func(serviceID, orgID string, n int, accepted bool) {
		for i := 0; i < n; i++ {
			made := testNow.AddDate(0, -1, -i)
			var responded, attendance, status, score, met any = nil, "", "sent", 0, nil
			if accepted {
				responded, attendance, status, score, met = made.Add(2*time.Hour), "attended", "attended", 4, true
			}
			_, err := db.SQL().ExecContext(context.Background(), `INSERT INTO referral (id, reference, service_id, organization_id, source, status,
				client_name, preferred_contact, consent, attendance, created_at, updated_at, responded_at, score, met_needs)
				VALUES (?, ?, ?, ?, 'self', ?, 'A Person', 'email', TRUE, ?, ?, ?, ?, ?, ?)`,
				uuid.NewString(), fmt.Sprintf("R%s%d", serviceID[:4], i), serviceID, orgID, status, attendance, made, made, responded, score, met)
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	add(a.ID, a.OrganizationID, 6, true)
	add(b.ID, b.OrganizationID, 3, false)
	return s, [2]string{a.ID, a.Name}, [2]string{b.ID, b.Name}
}

func TestInsightsPagesShowEachProviderOnlyTheirOwnFigures(t *testing.T) {
	s, a, b := insightsSite(t)
	orgA := s.services[0].OrganizationID
	prov := s.signInAs(t, "provider@example.org", waymark.RoleProvider, orgA)
	admin := s.signInAs(t, "admin@example.org", waymark.RoleAdmin, "")

	status, body, _ := prov.get("/insights/providers")
	if status != http.StatusOK || !strings.Contains(body, a[1]) || strings.Contains(body, b[1]) {
		t.Errorf("provider's dashboard: %d, own service shown %v, other's shown %v", status, strings.Contains(body, a[1]), strings.Contains(body, b[1]))
	}
	if !strings.Contains(body, `/insights/providers/`+a[0]+`/report?year=2026`) || !strings.Contains(body, `data-chart=`) {
		t.Error("the service links to its report and the tables carry chart data")
	}
	status, body, _ = prov.get("/insights/referrals")
	if status != http.StatusOK || !strings.Contains(body, "Self-referral") || strings.Contains(body, b[1]) {
		t.Errorf("provider's referrals: %d", status)
	}
	status, body, h := prov.get("/insights/providers/download?table=services&format=csv")
	if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || !strings.Contains(h.Get("Content-Disposition"), "attachment") {
		t.Fatalf("csv: %d %v", status, h)
	}
	if !strings.Contains(body, a[1]+",6,2.0 hours,") || strings.Contains(body, b[1]) {
		t.Errorf("csv = %q", body)
	}
	if status, _, _ := prov.get("/insights/providers/" + b[0] + "/report?year=2026"); status != http.StatusNotFound {
		t.Errorf("another provider's report = %d", status)
	}
	status, body, _ = prov.get("/insights/providers/" + a[0] + "/report?year=2026")
	if status != http.StatusOK || !strings.Contains(body, "Referrals received") || !strings.Contains(body, "data-print") {
		t.Errorf("report: %d", status)
	}

	status, body, _ = admin.get("/insights/providers")
	if status != http.StatusOK || !strings.Contains(body, a[1]) || !strings.Contains(body, b[1]) || !strings.Contains(body, insights.FewerThan5) ||
		!strings.Contains(body, insights.Withheld) {
		t.Errorf("admin's providers dashboard: %d", status)
	}
	status, body, h = admin.get("/insights/providers/download?table=services&format=xlsx")
	if status != http.StatusOK || !strings.Contains(h.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("xlsx: %d", status)
	}
	f, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("Sheet1")
	// Beside the total, the other service's few would give the 6 away: withheld, as on the page.
	if got := fmt.Sprint(rows); !strings.Contains(got, b[1]+" "+insights.FewerThan5) || !strings.Contains(got, a[1]+" "+insights.Withheld+" 2.0 hours 100%") ||
		!strings.Contains(got, insights.WithheldNote) {
		t.Errorf("xlsx rows = %s", got)
	}
}

func TestInsightsFilterProblemsAreShownByTheField(t *testing.T) {
	s, _, _ := insightsSite(t)
	admin := s.signInAs(t, "admin@example.org", waymark.RoleAdmin, "")
	for path, msg := range map[string]string{
		"/insights/referrals?from=2026-13-01&to=2026-02-01": "The start date must be a date like 2026-01-31",
		"/insights/referrals?from=2026-03-01&to=2026-02-01": "The start date must be before the end date",
		"/insights/referrals?area=DE4+3AG":                  "Enter a postcode district, like DE4",
		"/insights/teams?team=nope":                         "Choose a team from the list",
		"/insights/referrals?interval=day":                  "Choose weeks or months",
	} {
		status, body, _ := admin.get(path)
		if status != http.StatusBadRequest || !strings.Contains(body, msg) || !strings.Contains(body, "There is a problem") {
			t.Errorf("%s = %d, want 400 with %q", path, status, msg)
		}
	}
	if status, _, _ := admin.get("/insights/referrals/download?table=nope&format=csv"); status != http.StatusNotFound {
		t.Errorf("unknown table = %d", status)
	}
	if status, _, _ := admin.get("/insights/referrals/download?table=sources&format=pdf"); status != http.StatusBadRequest {
		t.Errorf("unknown format = %d", status)
	}
	if status, _, _ := admin.get("/insights/nope"); status != http.StatusNotFound {
		t.Errorf("unknown dashboard = %d", status)
	}
	status, body, _ := admin.get("/insights/referrals?from=2026-10-01&to=2026-10-31&interval=week")
	if status != http.StatusOK || !strings.Contains(body, "Week starting") || !strings.Contains(body, `value="2026-10-31"`) {
		t.Errorf("weeks of October: %d", status)
	}
}

func TestSearchesThatFindNothingShowAsUnmetNeed(t *testing.T) {
	s, _, _ := insightsSite(t)
	for i := 0; i < 5; i++ {
		if status, _, _ := s.get(t, "/?q=zzxqv+walking+07700900123&postcode=DE4+3AG"); status != http.StatusOK {
			t.Fatalf("search: %d", status)
		}
	}
	s.get(t, "/?q=qqzzy") // once: its words stay hidden
	admin := s.signInAs(t, "admin@example.org", waymark.RoleAdmin, "")
	status, body, _ := admin.get("/insights/unmet-need?from=2026-11-01&to=2026-11-01")
	if status != http.StatusOK || !strings.Contains(body, "zzxqv walking") || !strings.Contains(body, "DE4") {
		t.Fatalf("unmet need: %d", status)
	}
	if strings.Contains(body, "3AG") || strings.Contains(body, "07700") || strings.Contains(body, "qqzzy") {
		t.Error("unmet need shows a full postcode, a number or a search made once")
	}
}

func TestTeamLeadsAndCommissionersAreLinkedToInsights(t *testing.T) {
	cs := newCaseSite(t, demo.OpenSQLite(t))
	lead, worker, comm := cs.browsers["lead"], cs.browsers["worker"], cs.browsers["commissioner"]
	if _, body, _ := lead.get("/account"); !strings.Contains(body, `href="/insights"`) {
		t.Error("a team lead's account page links to insights")
	}
	if _, body, _ := lead.get("/casework?team=" + cs.teamA); !strings.Contains(body, `href="/insights/teams?team=`+cs.teamA+`"`) {
		t.Error("a team lead's caseload links to the team's insights")
	}
	if _, body, _ := worker.get("/account"); strings.Contains(body, `href="/insights`) {
		t.Error("a link worker who leads no team is not linked to insights (it would refuse them)")
	}
	if _, body, _ := worker.get("/casework?team=" + cs.teamA); strings.Contains(body, `href="/insights`) {
		t.Error("a link worker's caseload has no insights link")
	}
	for _, path := range []string{"/account", "/"} {
		if _, body, _ := comm.get(path); !strings.Contains(body, `<a class="nhsuk-header__navigation-link" href="/insights"`) {
			t.Errorf("%s: the header links a commissioner to insights", path)
		}
	}
	if status, _, _ := lead.get("/insights/teams?team=" + cs.teamA); status != http.StatusOK {
		t.Errorf("the lead's team insights = %d", status)
	}
}
