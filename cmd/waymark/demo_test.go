package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"waymark/internal/seed"
)

func TestTheDemoHasAnAccountForEachKindOfUserAndAReferralFormToTry(t *testing.T) {
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
	for _, tc := range []struct{ who, path, want string }{
		{"linkworker", "/services/" + nordic + "/refer-client", "Do you have your own walking poles?"},
		{"gp", "/services/" + nordic + "/refer-client", "Which group would suit you?"},
		{"provider", "/provider/services/" + nordic + "/form", "Do you have your own walking poles?"},
		{"moderator", "/moderation", "Listings to review"},
		{"admin", "/admin", "Invite"},
	} {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		resp, err := c.PostForm(r.URL+"/sign-in", url.Values{"email": {tc.who + "@demo.waymark.example"}, "password": {DemoPassword}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if status, body := get(c, tc.path); status != 200 || !strings.Contains(body, tc.want) {
			t.Errorf("%s at %s: %d, want a page with %q", tc.who, tc.path, status, tc.want)
		}
	}
}
