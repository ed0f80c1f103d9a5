package main

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"waymark/internal/seed"
)

func TestTheDemoHasAnAccountForEachKindOfUserAndAReferralFormToTry(t *testing.T) {
	// (and demo clients with referrals made from their records, moved on
	// by the demo provider: see the end)
	r := startServer(t)
	if !strings.Contains(r.Stdout.String(), "Demo accounts") {
		t.Fatalf("seed did not list the demo accounts: %s", r.Stdout.String())
	}
	var nordic string
	_, services := seed.Derbyshire()
	for _, s := range services {
		if s.Name == "Nordic walking for beginners" {
			nordic = s.ID
		}
	}
	get := func(c *http.Client, path string) (int, string) {
		resp, err := c.Get(r.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	// as signs in as a demo account.
	as := func(who string) *http.Client {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		resp, err := c.PostForm(r.URL+"/sign-in", url.Values{"email": {who + "@demo.waymark.example"}, "password": {DemoPassword}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return c
	}
	for _, tc := range []struct{ who, path, want string }{
		{"linkworker", "/services/" + nordic + "/refer-client", "Do you have your own walking poles?"},
		{"gp", "/services/" + nordic + "/refer-client", "Which group would suit you?"},
		{"provider", "/provider/services/" + nordic + "/form", "Do you have your own walking poles?"},
		{"moderator", "/moderation", "Listings to review"},
		{"admin", "/admin", "Invite"},
		{"gp", "/practice", "Lime Grove Medical Centre, Matlock (demo)"},
		{"practice", "/practice/refer", "Nordic walking for beginners (Matlock Striders), by the GP pathway"},
		{"practice", "/practice/refer", "Matlock health walks (Matlock Striders), by the GP pathway"},
		{"provider", "/provider/services/" + nordic + "/gp-pathway", "Accept direct referrals from GP practices"},
		{"commissioner", "/insights/teams", "Showing the whole area."},
		{"pcncommissioner", "/insights/teams", "Showing Derbyshire Dales PCN (demo) (U81001)"},
		{"admin", "/admin/pcns", "Matlock South PCN (demo)"},
	} {
		c := as(tc.who)
		if status, body := get(c, tc.path); status != 200 || !strings.Contains(body, tc.want) {
			t.Errorf("%s at %s: %d, want a page with %q", tc.who, tc.path, status, tc.want)
		}
	}
	// Demo clients have referrals made from their records: each change the
	// demo provider made is on the client's timeline, with who made it.
	for _, tc := range []struct {
		who, client string
		want        []string
	}{
		{"linkworker", "Peggy Oakes", []string{"Referred to Nordic walking for beginners", "Referral to Nordic walking for beginners: Accepted",
			"Referral to Nordic walking for beginners: Attended", "by Pat Provider, Matlock Striders", "Peggy came on Saturday"}},
		{"linkworker", "Arthur Bennett", []string{"Referred to Debt and benefits advice", "Sent"}},
		{"linkworker", "Eileen Foster", []string{"Referral to Nordic walking for beginners: Closed"}},
		{"teamlead", "Tommy Hardy", []string{"Referral to Nordic walking for beginners: Declined", "The service is full at the moment. The Saturday group is full until March."}},
		{"teamlead", "Kevin Doyle", []string{"Referral to Nordic walking for beginners: Did not attend"}},
	} {
		c := as(tc.who)
		_, open := get(c, "/casework")
		_, discharged := get(c, "/casework?status=discharged")
		caseload := open + discharged
		m := regexp.MustCompile(`<a href="(/casework/clients/[0-9a-f-]{36})">` + tc.client + `</a>`).FindStringSubmatch(caseload)
		if m == nil {
			t.Errorf("%s's caseload has no %s", tc.who, tc.client)
			continue
		}
		status, page := get(c, m[1])
		for _, w := range tc.want {
			if status != 200 || !strings.Contains(page, html.EscapeString(w)) {
				t.Errorf("%s's record: %d, want %q", tc.client, status, w)
			}
		}
	}
}
