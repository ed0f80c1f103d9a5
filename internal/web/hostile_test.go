package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/hostile"
	"waymark/internal/oruk"
	"waymark/internal/referral"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
	"waymark/internal/web"
)

// hostileCorpus is the hostile input corpus (internal/hostile).
func hostileCorpus(t *testing.T) []string {
	t.Helper()
	values, err := hostile.Values()
	if err != nil {
		t.Fatal(err)
	}
	return values
}

var fieldName = regexp.MustCompile(`name="([a-z][a-z0-9_]*)"`)

// benign are ordinary values for form fields, so that a hostile value in
// one field reaches the code that stores it.
var benign = url.Values{
	"name": {"Ann Example"}, "email": {"ann@example.org"}, "password": {"a long password 1"}, "confirm_password": {"a long password 1"},
	"current_password": {"a long password"}, "preferred_contact": {"email"}, "consent": {"yes"}, "reason": {"It has closed down"},
	"title": {"Walks"}, "description": {"Gentle walks"}, "postcode": {"DE4 3AG"}, "body": {"Hello"}, "note": {"A note"},
	"kind": {"signposting"}, "visibility": {"listed"}, "cost": {"free"}, "label": {"A question"}, "type": {"short_text"},
	"op": {"save"}, "role": {"provider"}, "score": {"4"}, "met_needs": {"yes"}, "url": {"https://directory.example.org"},
}

// textFields are the fields people type text into, which are stored.
var textFields = []string{"name", "reason", "title", "description", "body", "note", "keywords", "address", "town", "phone",
	"website", "access_criteria", "cost_description", "label", "help", "options", "email", "organisation"}

// route is one registered route made concrete: a method and a path.
type route struct{ method, path string }

func TestHostileInputNeverAnswers5xx(t *testing.T) {
	values := hostileCorpus(t)
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newFullSite(t, db, web.Config{Dev: true}, func(d *web.Deps) {
			// Importing feeds is another test's subject: here runs are
			// queued and never run.
			runs := oruk.NewRuns(sqlstore.NewDirectoryStore(db), nil, time.Now, uuid.NewString, slog.New(slog.DiscardHandler))
			d.Feeds.Queue, d.Feeds.Run = runs.Queue, runs.Get
			d.API = oruk.NewAPI(sqlstore.NewDirectoryStore(db), postcodes(t), slog.New(slog.NewTextHandler(io.Discard, nil)), "http://waymark.test").Routes()
		})
		ctx := context.Background()
		svc := s.service(t, "Nordic walking for beginners")
		ref, track, err := s.refs.SelfRefer(ctx, svc.ID, referral.Request{Client: referral.Person{Name: "Ann", Email: "ann@example.org", PreferredContact: "email"},
			Consent: true, Answers: func(string) []string { return nil }})
		if err != nil {
			t.Fatal(err)
		}
		token := track[strings.LastIndex(track, "/")+1:]
		roles := []waymark.Role{waymark.RoleAdmin, waymark.RoleModerator, waymark.RoleProvider, waymark.RoleLinkWorker, waymark.RoleGP, waymark.RoleCommissioner}
		browsers := map[waymark.Role]*browser{"": s.browser(t)}
		for _, r := range roles {
			org := ""
			if r == waymark.RoleProvider || r == waymark.RoleLinkWorker || r == waymark.RoleGP {
				org = svc.OrganizationID
			}
			browsers[r] = s.signInAs(t, string(r)+"@example.org", r, org)
		}
		var routes []route
		for _, p := range s.srv.Patterns() {
			method, path, ok := strings.Cut(p, " ")
			if !ok || strings.HasPrefix(path, "/static/") || path == "/sign-out" {
				continue // the catch-all, static files, and signing out
			}
			id := svc.ID
			if strings.HasPrefix(path, "/referrals/{id}") || strings.HasPrefix(path, "/track/") {
				id = ref.ID
			}
			path = strings.NewReplacer("{id}", id, "{token}", token, "{path...}", "x", "{$}", "").Replace(path)
			action := map[bool]string{true: "message", false: "decline"}[strings.HasPrefix(path, "/referrals/") || strings.HasPrefix(path, "/track/")]
			if strings.HasPrefix(path, "/provider/services/") {
				action = "freeze"
			}
			path = strings.NewReplacer("{action}", action, "{decision}", "approve").Replace(path)
			routes = append(routes, route{method, path})
		}
		if len(routes) < 40 {
			t.Fatalf("only %d routes", len(routes))
		}
		send := func(b *browser, rt route, form url.Values) int {
			if rt.method == http.MethodPost {
				status, _, _ := b.post(rt.path, form)
				return status
			}
			status, _, _ := b.get(rt.path + "?" + form.Encode())
			return status
		}
		// who picks, for each route, the first role (or anonymous) it lets in.
		who := func(rt route) *browser {
			for _, r := range append(roles, "") {
				status := send(browsers[r], rt, benign)
				if status != http.StatusForbidden && status != http.StatusSeeOther || rt.method == http.MethodPost && status == http.StatusSeeOther {
					return browsers[r]
				}
			}
			return browsers[waymark.RoleAdmin]
		}
		var requests atomic.Int64
		// check sends each form to a route, four at a time.
		check := func(b *browser, rt route, forms []url.Values, what func(url.Values) string) {
			var wg sync.WaitGroup
			next := make(chan url.Values)
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for form := range next {
						requests.Add(1)
						if status := send(b, rt, form); status >= 500 {
							t.Errorf("%s %s with %s = %d", rt.method, rt.path, what(form), status)
						}
					}
				}()
			}
			for _, f := range forms {
				next <- f
			}
			close(next)
			wg.Wait()
		}
		for _, rt := range routes {
			b := who(rt)
			// The fields of the route's own page, and the usual ones.
			names := map[string]bool{}
			for _, f := range []string{"q", "name", "email", "reason", "body", "note", "title", "description", "postcode", "page", "token", "text", "per_page"} {
				names[f] = true
			}
			if _, page, _ := b.get(rt.path); page != "" {
				for _, m := range fieldName.FindAllStringSubmatch(page, -1) {
					names[m[1]] = true
				}
			}
			var forms []url.Values
			for _, v := range values {
				form := url.Values{}
				for f := range names {
					form.Set(f, v)
				}
				forms = append(forms, form)
			}
			check(b, rt, forms, func(f url.Values) string { return fmt.Sprintf("every field %.40q", f.Get("q")) })
			if rt.method != http.MethodPost {
				continue
			}
			// Ordinary values, with one typed field hostile at a time.
			forms = nil
			for i, v := range values {
				if i%16 != 0 {
					continue
				}
				for _, f := range textFields {
					if !names[f] {
						continue
					}
					form := url.Values{"hostile": {f}}
					for k, vs := range benign {
						form[k] = vs
					}
					form.Set(f, v)
					forms = append(forms, form)
				}
			}
			check(b, rt, forms, func(f url.Values) string { return fmt.Sprintf("%s=%.40q", f.Get("hostile"), f.Get(f.Get("hostile"))) })
		}
		t.Logf("%d routes, %d requests", len(routes), requests.Load())
	})
}
