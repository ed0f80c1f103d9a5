package web_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"waymark"
	"waymark/internal/account"
	"waymark/internal/casework"
	"waymark/internal/email"
	"waymark/internal/fhir"
	"waymark/internal/gp"
	"waymark/internal/hostile"
	"waymark/internal/insights"
	"waymark/internal/notify"
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

var placeholder = regexp.MustCompile(`\{[a-z]+\}`)

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

// apiParams are the query parameters of the Open Referral UK and FHIR APIs,
// which have no form to read them from.
var apiParams = []string{"search", "day", "start_time", "end_time", "minimum_age", "maximum_age", "proximity", "taxonomy_id", "taxonomy_term_id",
	"_format", fhir.ParamPostcode, fhir.ParamDistance, fhir.ParamCount, "patient.identifier", "focus", "format", "table", "year", "interval", "team", "area"}

// route is one registered route made concrete: a method and a path.
type route struct{ method, path string }

func TestHostileInputNeverAnswers5xx(t *testing.T) {
	values := hostileCorpus(t)
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		logger := slog.New(slog.DiscardHandler)
		var gpSvc *gp.Service
		cw := casework.NewService(sqlstore.NewCaseworkStore(db), time.Now, casework.Config{NewID: uuid.NewString, Postcodes: postcodes(t)})
		systems := fhir.NewSystems(sqlstore.NewFHIRStore(db), time.Now, uuid.NewString)
		s := newFullSite(t, db, web.Config{Dev: true}, func(d *web.Deps) {
			// Importing feeds is another test's subject: here runs are
			// queued and never run.
			runs := oruk.NewRuns(sqlstore.NewDirectoryStore(db), nil, time.Now, uuid.NewString, logger)
			d.Feeds.Queue, d.Feeds.Run = runs.Queue, runs.Get
			// The routes added since the attack run: case management, the
			// practice app, insights, connected systems, the FHIR API and
			// Notify's callbacks.
			gpSvc = newGPService(db, d.Referrals)
			d.Casework, d.GP, d.Systems = cw, gpSvc, systems
			d.Insights = insights.NewInsights(sqlstore.NewInsightsStore(db), insights.Config{}, time.Now)
			api, err := fhir.NewAPI(fhir.Config{BaseURL: "http://waymark.test", Messages: 4, Logger: logger},
				fhir.Deps{Systems: systems, Directory: d.Directory, Referrals: gpSvc})
			if err != nil {
				t.Fatal(err)
			}
			d.API = map[string]http.HandlerFunc{}
			outbox := email.NewOutbox(sqlstore.NewEmailStore(db), email.DevTransport{}, time.Now, logger)
			for _, m := range []map[string]http.HandlerFunc{oruk.NewAPI(sqlstore.NewDirectoryStore(db), postcodes(t), logger, "http://waymark.test").Routes(),
				api.Routes(), notify.Callbacks("a callback token of Notify's", outbox, time.Now, logger)} {
				for pattern, h := range m {
					d.API[pattern] = h
				}
			}
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
		// Practice staff of a practice a team serves, with a referral.
		roles = append(roles, waymark.RolePracticeStaff)
		browsers[waymark.RolePracticeStaff] = s.accountSite.signInAsPracticeStaff(t, "practice@example.org", "C81001")
		practiceRef := mustPracticeReferral(t, db, gpSvc, "C81001")
		// The link worker leads a team with a client.
		admin := waymark.WithActor(ctx, waymark.Actor{UserID: uuid.NewString(), Roles: []waymark.Role{waymark.RoleAdmin}})
		team, err := cw.CreateTeam(admin, "Derbyshire Dales social prescribing")
		if err != nil {
			t.Fatal(err)
		}
		if err := cw.AddMember(admin, team.ID, string(waymark.RoleLinkWorker)+"@example.org", true); err != nil {
			t.Fatal(err)
		}
		worker, err := s.accountSite.store.FindUserByEmail(ctx, string(waymark.RoleLinkWorker)+"@example.org")
		if err != nil {
			t.Fatal(err)
		}
		client, err := cw.CreateClient(waymark.WithActor(ctx, worker.Actor()), team.ID, casework.Client{GivenName: "Nora", FamilyName: "Hale",
			DateOfBirth: time.Date(1950, 1, 2, 0, 0, 0, 0, time.UTC), Phone: "01629 580000", PreferredContact: "phone"}, true)
		if err != nil {
			t.Fatal(err)
		}
		// One system for the administrators' pages (which disable it), one
		// calling the FHIR API with an access token; and Notify's callbacks
		// with their token.
		system, caller := registerSystem(t, db), registerSystem(t, db)
		assertion, err := jwt.NewWithClaims(jwt.SigningMethodRS512, jwt.MapClaims{"iss": caller.ID, "sub": caller.ID,
			"aud": "http://waymark.test" + fhir.TokenPath, "exp": time.Now().Add(4 * time.Minute).Unix(), "jti": uuid.NewString()}).SignedString(testKey())
		if err != nil {
			t.Fatal(err)
		}
		access, _, err := systems.Exchange(ctx, assertion, caller.ID, "http://waymark.test"+fhir.TokenPath, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		preferred := map[string]*browser{"/casework/": browsers[waymark.RoleLinkWorker],
			fhir.Prefix + "/": s.accountSite.browserWith(t, "Authorization", "Bearer "+access.Token),
			"/notify/":        s.accountSite.browserWith(t, "Authorization", "Bearer a callback token of Notify's")}
		var routes []route
		for _, p := range s.srv.Patterns() {
			method, path, ok := strings.Cut(p, " ")
			if !ok || strings.HasPrefix(path, "/static/") || path == "/sign-out" {
				continue // the catch-all, static files, and signing out
			}
			id := svc.ID
			for prefix, other := range map[string]string{"/referrals/{id}": ref.ID, "/track/": ref.ID, "/casework/clients/{id}": client.Client.ID,
				"/admin/teams/{id}": team.ID, "/practice/referrals/{id}": practiceRef, "/admin/systems/{id}": system.ID} {
				if strings.HasPrefix(path, prefix) {
					id = other
				}
			}
			path = strings.NewReplacer("{id}", id, "{token}", token, "{path...}", "x", "{$}", "", "{dashboard}", insights.DashReferrals).Replace(path)
			action := map[bool]string{true: "message", false: "decline"}[strings.HasPrefix(path, "/referrals/") || strings.HasPrefix(path, "/track/")]
			switch {
			case strings.HasPrefix(path, "/provider/services/"):
				action = "freeze"
			case strings.HasPrefix(path, "/admin/systems/"):
				action = "disable"
			}
			path = strings.NewReplacer("{action}", action, "{decision}", "approve", "{what}", "practices").Replace(path)
			path = placeholder.ReplaceAllString(path, "5d6f0d8e-0000-4000-8000-000000000000") // a goal, entry, appointment: none
			routes = append(routes, route{method, path})
		}
		if len(routes) < 120 {
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
		// who picks, for each route, the first role (or anonymous) it lets in
		// and shows what the route names (others get 404: a casework
		// record outside the team, another practice's referral).
		who := func(rt route) *browser {
			for prefix, b := range preferred {
				if strings.HasPrefix(rt.path, prefix) {
					return b
				}
			}
			for _, r := range append(roles, "") {
				status := send(browsers[r], rt, benign)
				if status != http.StatusForbidden && status != http.StatusNotFound && status != http.StatusSeeOther || rt.method == http.MethodPost && status == http.StatusSeeOther {
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
			for _, f := range apiParams {
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

// signInAsPracticeStaff signs in a new member of staff of a GP practice.
func (s *accountSite) signInAsPracticeStaff(t *testing.T, addr, ods string) *browser {
	t.Helper()
	return s.signInNew(t, &account.User{ID: uuid.NewString(), Email: addr, Name: "Practice staff", CreatedAt: testNow,
		Practice: ods, PracticeRole: waymark.RolePracticeStaff})
}

// browserWith is a browser that sends a header with every request, such
// as an API's bearer token.
func (s *accountSite) browserWith(t *testing.T, name, value string) *browser {
	b := s.browser(t)
	b.c.Transport = headerTransport{name, value}
	return b
}

type headerTransport struct{ name, value string }

func (h headerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set(h.name, h.value)
	return http.DefaultTransport.RoundTrip(req)
}
