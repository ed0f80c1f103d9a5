package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/account"
)

func TestAdministratorsMakeNetworksAndAPCNCommissionerSeesOnlyTheirs(t *testing.T) {
	cs := newCaseSite(t, demo.OpenSQLite(t))
	admin := cs.browsers["admin"]
	// Team B's id, from the administrators' list of teams.
	_, teams, _ := admin.get("/admin/teams")
	var teamB string
	for _, m := range regexp.MustCompile(`href="/admin/teams/([0-9a-f-]{36})"`).FindAllStringSubmatch(teams, -1) {
		if m[1] != cs.teamA {
			teamB = m[1]
		}
	}
	if teamB == "" {
		t.Fatal("no second team")
	}

	// Adding a network: bad input by its field, then safe to send twice.
	if status, page, _ := admin.post("/admin/pcns", url.Values{"name": {""}, "ods": {"C81001"}}); status != http.StatusBadRequest ||
		!strings.Contains(page, `id="name-error"`) || !strings.Contains(page, `id="ods-error"`) || !strings.Contains(page, "There is a problem") {
		t.Errorf("bad network: %d", status)
	}
	_, page, _ := admin.get("/admin/pcns")
	token := regexp.MustCompile(`name="form_token" value="([0-9a-f]{32})"`).FindStringSubmatch(page)
	if token == nil {
		t.Fatal("the form has no token")
	}
	form := url.Values{"name": {"Erewash PCN"}, "ods": {"u00001"}, "form_token": {token[1]}}
	status, _, h := admin.post("/admin/pcns", form)
	if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/admin/pcns/") {
		t.Fatalf("add network: %d %q", status, h.Get("Location"))
	}
	north := h.Get("Location")
	if status, _, h := admin.post("/admin/pcns", form); status != http.StatusSeeOther || h.Get("Location") != north {
		t.Errorf("the same form again: %d %q, want %s", status, h.Get("Location"), north)
	}
	if status, page, _ := admin.post("/admin/pcns", url.Values{"name": {"Another"}, "ods": {"U00001"}}); status != http.StatusConflict || !strings.Contains(page, `id="ods-error"`) {
		t.Errorf("another network with the code: %d", status)
	}
	if status, _, _ := admin.post("/admin/pcns", url.Values{"name": {"Amber Valley PCN"}, "ods": {"U00002"}}); status != http.StatusSeeOther {
		t.Errorf("second network: %d", status)
	}

	// A commissioner limited to the network, invited by the administrator.
	_, adminPage, _ := admin.get("/admin")
	northID := strings.TrimPrefix(north, "/admin/pcns/")
	if !strings.Contains(adminPage, `<option value="`+northID+`">Erewash PCN (U00001)</option>`) {
		t.Error("the invitation form offers the networks")
	}
	if status, page, _ := admin.post("/admin/invite", url.Values{"name": {"Pat"}, "email": {"pat@example.org"}, "role": {"moderator"}, "pcn": {northID}}); status != http.StatusBadRequest || !strings.Contains(page, `id="pcn-error"`) {
		t.Errorf("a moderator in a network: %d", status)
	}
	if status, page, _ := admin.post("/admin/invite", url.Values{"name": {"Pat"}, "email": {"pat@example.org"}, "role": {"commissioner"}, "pcn": {uuid.NewString()}}); status != http.StatusBadRequest || !strings.Contains(page, `id="pcn-error"`) {
		t.Errorf("an unknown network: %d", status)
	}
	if status, _, _ := admin.post("/admin/invite", url.Values{"name": {"Pat"}, "email": {"pat@example.org"}, "role": {"commissioner"}, "pcn": {northID}}); status != http.StatusSeeOther {
		t.Errorf("invite a network's commissioner: %d", status)
	}
	_, users, _ := admin.get("/admin/users")
	if !strings.Contains(users, "Commissioner for Erewash PCN") || !strings.Contains(users, "Commissioner for the whole area") {
		t.Error("the people page says which area each commissioner sees")
	}

	// The network's members: only those listed; saved twice, the same.
	if status, page, _ := admin.post(north, url.Values{"name": {"Erewash PCN"}, "ods": {"U00001"}, "practices": {"Z99999"}}); status != http.StatusBadRequest || !strings.Contains(page, `id="practices-error"`) {
		t.Errorf("an unknown practice: %d", status)
	}
	if status, page, _ := admin.post(north, url.Values{"name": {"Erewash PCN"}, "ods": {"U00001"}, "teams": {"nope"}}); status != http.StatusBadRequest || !strings.Contains(page, `id="teams-error"`) {
		t.Errorf("an unknown team: %d", status)
	}
	if status, page, _ := admin.post(north, url.Values{"name": {"Erewash PCN"}, "ods": {"U00001"}, "commissioners": {cs.ids["worker"]}}); status != http.StatusBadRequest || !strings.Contains(page, `id="commissioners-error"`) {
		t.Errorf("a link worker as commissioner: %d", status)
	}
	// The form comes with Pat, invited to the network, already chosen.
	_, page, _ = admin.get(north)
	pat := regexp.MustCompile(`name="commissioners" type="checkbox" value="([0-9a-f-]{36})" checked`).FindStringSubmatch(page)
	if pat == nil {
		t.Fatal("the invited commissioner is not in the network")
	}
	members := url.Values{"name": {"Erewash PCN"}, "ods": {"U00001"}, "teams": {teamB}, "commissioners": {pat[1]}}
	for range 2 {
		if status, _, h := admin.post(north, members); status != http.StatusSeeOther || h.Get("Location") != north+"?saved=1" {
			t.Errorf("save members: %d %q", status, h.Get("Location"))
		}
	}
	_, page, _ = admin.get(north)
	if !regexp.MustCompile(`value="`+teamB+`" checked`).MatchString(page) || regexp.MustCompile(`value="`+cs.teamA+`" checked`).MatchString(page) {
		t.Error("the network's page shows its team checked, and only it")
	}
	_, list, _ := admin.get("/admin/pcns")
	if !strings.Contains(list, "Erewash PCN social prescribing team") || !strings.Contains(list, "Pat (pat@example.org)") {
		t.Error("the list names each network's teams and commissioners")
	}

	// The network's commissioner sees its team and not another's.
	ctx := context.Background()
	u := &account.User{ID: uuid.NewString(), Email: "nell@example.org", Name: "Nell", PlatformRole: waymark.RoleCommissioner, PCN: northID, CreatedAt: testNow}
	u.PasswordHash, _ = account.TestPasswordCost().Hash("a long password")
	if err := cs.store.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	cs.store.MarkEmailVerified(ctx, u.ID, testNow)
	nell := cs.browser(t)
	if status, _, _ := nell.post("/sign-in", url.Values{"email": {"nell@example.org"}, "password": {"a long password"}}); status != http.StatusSeeOther {
		t.Fatalf("sign in: %d", status)
	}
	if _, page, _ := nell.get("/insights"); !strings.Contains(page, "Erewash PCN (U00001)") {
		t.Error("the index says which network is shown")
	}
	status, page, _ = nell.get("/insights/teams")
	if status != http.StatusOK || !strings.Contains(page, "Showing Erewash PCN (U00001)") || !strings.Contains(page, `<option value="`+teamB+`"`) || strings.Contains(page, cs.teamA) {
		t.Errorf("the network's teams dashboard: %d", status)
	}
	for _, path := range []string{"/insights/teams?team=" + cs.teamA, "/insights/referrals?team=" + cs.teamA, "/insights/referrals/download?format=csv&table=sources&team=" + cs.teamA} {
		if status, _, _ := nell.get(path); status != http.StatusBadRequest {
			t.Errorf("another network's team by the address, %s = %d", path, status)
		}
	}
	if status, _, _ := nell.get("/insights/teams?team=" + teamB); status != http.StatusOK {
		t.Errorf("the network's own team = %d", status)
	}
	if _, page, _ := nell.get("/insights/unmet-need"); !strings.Contains(page, "not kept by primary care network") {
		t.Error("unmet need says it is the whole area's")
	}
	if _, page, _ := cs.browsers["commissioner"].get("/insights/referrals"); !strings.Contains(page, "Showing the whole area.") {
		t.Error("the whole area's commissioner is told so")
	}
}
