package fhir_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/fhir"
	"waymark/internal/sqlstore"
)

func TestASignedAssertionGetsAShortLivedTokenThatOpensTheAPIAndEveryCallIsAudited(t *testing.T) {
	directoryDB.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db, fhir.Config{})
		status, body := f.postToken(tokenForm(sign(t, f.key, f.claims(f.sys, nil))))
		if status != http.StatusOK || body["token_type"] != "Bearer" || body["expires_in"] != float64(600) {
			t.Fatalf("token answer: %d %v", status, body)
		}
		token := body["access_token"].(string)
		status, h, b := f.get("/fhir/R4/HealthcareService?name=walking&location.address-postalcode=DE4+3AG", token)
		if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "application/fhir+json") {
			t.Fatalf("search with the token: %d %s", status, b)
		}
		want := []string{"fhir.call POST /oauth2/token 200", "fhir.call GET /fhir/R4/HealthcareService 200"}
		if got := f.auditRows(f.sys.ID); !slices.Equal(got, want) {
			t.Errorf("audit rows = %q, want %q (the route and status only, never the query)", got, want)
		}
		// Tokens last ten minutes.
		f.advance(10*time.Minute + time.Second)
		if status, _, b := f.get("/fhir/R4/HealthcareService?name=walking", token); status != http.StatusUnauthorized {
			t.Errorf("an expired token: %d %s", status, b)
		} else if code, bars := outcomeIssue(t, b); code != "expired" || bars != "SEND_UNAUTHORIZED" {
			t.Errorf("an expired token's outcome: %s %s", code, bars)
		}
	})
}

func TestTheTokenEndpointRefusesEveryBadAssertion(t *testing.T) {
	directoryDB.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db, fhir.Config{})
		good, other := keys(t)
		disabled := f.register("Disabled system", publicPEM(t, good), "C81003")
		if err := f.systems.SetEnabled(adminCtx, disabled.ID, false); err != nil {
			t.Fatal(err)
		}
		used := sign(t, good, f.claims(f.sys, nil))
		if status, _ := f.postToken(tokenForm(used)); status != http.StatusOK {
			t.Fatalf("first use of an assertion: %d", status)
		}
		edit := func(fn func(jwt.MapClaims)) string { return sign(t, good, f.claims(f.sys, fn)) }
		hs256, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, f.claims(f.sys, nil)).SignedString([]byte(publicPEM(t, good)))
		rs256, _ := jwt.NewWithClaims(jwt.SigningMethodRS256, f.claims(f.sys, nil)).SignedString(good)
		unsigned, _ := jwt.NewWithClaims(jwt.SigningMethodNone, f.claims(f.sys, nil)).SignedString(jwt.UnsafeAllowNoneSignatureType)
		for _, tc := range []struct {
			name   string
			form   map[string][]string
			status int
			code   string
		}{
			{"forged: signed with another key", tokenForm(sign(t, other, f.claims(f.sys, nil))), 401, "invalid_client"},
			{"expired", tokenForm(edit(func(c jwt.MapClaims) { c["exp"] = f.clock().Add(-time.Minute).Unix() })), 401, "invalid_client"},
			{"exp more than five minutes ahead", tokenForm(edit(func(c jwt.MapClaims) { c["exp"] = f.clock().Add(10 * time.Minute).Unix() })), 401, "invalid_client"},
			{"no exp", tokenForm(edit(func(c jwt.MapClaims) { delete(c, "exp") })), 401, "invalid_client"},
			{"wrong audience", tokenForm(edit(func(c jwt.MapClaims) { c["aud"] = "https://elsewhere.example/oauth2/token" })), 401, "invalid_client"},
			{"reused jti", tokenForm(used), 401, "invalid_client"},
			{"no jti", tokenForm(edit(func(c jwt.MapClaims) { delete(c, "jti") })), 401, "invalid_client"},
			{"a NUL in the jti", tokenForm(edit(func(c jwt.MapClaims) { c["jti"] = "a\x00b" })), 401, "invalid_client"},
			{"a NUL in the iss", tokenForm(edit(func(c jwt.MapClaims) { c["iss"], c["sub"] = "a\x00b", "a\x00b" })), 401, "invalid_client"},
			{"invalid UTF-8 in the iss", tokenForm(edit(func(c jwt.MapClaims) { c["iss"], c["sub"] = "a\xffb", "a\xffb" })), 401, "invalid_client"},
			{"sub is not iss", tokenForm(edit(func(c jwt.MapClaims) { c["sub"] = "someone-else" })), 401, "invalid_client"},
			{"unknown client", tokenForm(edit(func(c jwt.MapClaims) { c["iss"], c["sub"] = "no-such-system", "no-such-system" })), 401, "invalid_client"},
			{"disabled system", tokenForm(sign(t, good, f.claims(disabled, nil))), 401, "invalid_client"},
			{"HS256 with the public key as secret", tokenForm(hs256), 401, "invalid_client"},
			{"RS256", tokenForm(rs256), 401, "invalid_client"},
			{"alg none", tokenForm(unsigned), 401, "invalid_client"},
			{"not a JWT", tokenForm("not.a.jwt"), 400, "invalid_request"},
			{"client_id differs from iss", func() map[string][]string {
				v := tokenForm(sign(t, good, f.claims(f.sys, nil)))
				v.Set("client_id", disabled.ID)
				return v
			}(), 401, "invalid_client"},
			{"wrong grant type", func() map[string][]string {
				v := tokenForm(sign(t, good, f.claims(f.sys, nil)))
				v.Set("grant_type", "password")
				return v
			}(), 400, "unsupported_grant_type"},
			{"wrong assertion type", func() map[string][]string {
				v := tokenForm(sign(t, good, f.claims(f.sys, nil)))
				v.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer")
				return v
			}(), 400, "invalid_request"},
			{"no assertion", tokenForm(""), 400, "invalid_request"},
		} {
			status, body := f.postToken(tc.form)
			if status != tc.status || body["error"] != tc.code || body["error_description"] == "" || body["access_token"] != nil {
				t.Errorf("%s: %d %v, want %d %s with a description", tc.name, status, body, tc.status, tc.code)
			}
		}
		rows := f.auditRows(f.sys.ID)
		if len(rows) < 2 || rows[0] != "fhir.call POST /oauth2/token 200" || !slices.Contains(rows, "fhir.call POST /oauth2/token 401") {
			t.Errorf("the system's token requests, refused ones too, are audited: %q", rows)
		}
		resp, err := http.Get(f.srv.URL + fhir.TokenPath)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("GET of the token endpoint: %d", resp.StatusCode)
		}
	})
}

func TestTheAPIRefusesMissingForgedAndRevokedTokensWithAnOperationOutcome(t *testing.T) {
	directoryDB.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db, fhir.Config{})
		token := f.token()
		for _, tc := range []struct{ name, token, code string }{
			{"no token", "", "login"},
			{"a made-up token", "bm90IGEgdG9rZW4gd2UgaXNzdWVk", "expired"},
			{"the token with a character changed", token[:len(token)-1] + "x", "expired"},
		} {
			status, h, body := f.get("/fhir/R4/HealthcareService?name=walking", tc.token)
			if status != http.StatusUnauthorized || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%s: %d", tc.name, status)
				continue
			}
			if code, bars := outcomeIssue(t, body); code != tc.code || bars != "SEND_UNAUTHORIZED" {
				t.Errorf("%s: outcome %s %s, want %s SEND_UNAUTHORIZED", tc.name, code, bars, tc.code)
			}
		}
		if status, _, _ := f.get("/fhir/R4/HealthcareService?name=walking", token); status != http.StatusOK {
			t.Fatalf("the real token: %d", status)
		}
		if err := f.systems.SetEnabled(adminCtx, f.sys.ID, false); err != nil {
			t.Fatal(err)
		}
		if status, _, _ := f.get("/fhir/R4/HealthcareService?name=walking", token); status != http.StatusUnauthorized {
			t.Errorf("a disabled system's token still works: %d", status)
		}
		if err := f.systems.SetEnabled(adminCtx, f.sys.ID, true); err != nil {
			t.Fatal(err)
		}
		if status, _, _ := f.get("/fhir/R4/HealthcareService?name=walking", token); status != http.StatusUnauthorized {
			t.Errorf("enabling a system again brings back its old tokens: %d", status)
		}
	})
}

func TestEachSystemIsRateLimitedOnItsOwn(t *testing.T) {
	directoryDB.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db, fhir.Config{Rate: 1, Burst: 3})
		good, _ := keys(t)
		second := f.register("SystmOne at Wirksworth", publicPEM(t, good), "C81004")
		busy, calm := f.token(), f.tokenFor(second, good)
		for i := range 3 {
			if status, _, _ := f.get("/fhir/R4/HealthcareService?name=walking", busy); status != http.StatusOK {
				t.Fatalf("call %d: %d", i, status)
			}
		}
		status, h, body := f.get("/fhir/R4/HealthcareService/"+"00000000-0000-0000-0000-000000000000", busy)
		if status != http.StatusTooManyRequests || h.Get("Retry-After") == "" {
			t.Fatalf("a call over the limit: %d, Retry-After %q", status, h.Get("Retry-After"))
		}
		if code, bars := outcomeIssue(t, body); code != "throttled" || bars != "SEND_TOO_MANY_REQUESTS" {
			t.Errorf("over the limit: %s %s", code, bars)
		}
		if status, _, _ := f.get("/fhir/R4/HealthcareService?name=walking", calm); status != http.StatusOK {
			t.Errorf("another system is held back by the busy one: %d", status)
		}
		f.advance(time.Second)
		if status, _, _ := f.get("/fhir/R4/HealthcareService?name=walking", busy); status != http.StatusOK {
			t.Errorf("a second later the busy system may call again: %d", status)
		}
		if rows := f.auditRows(f.sys.ID); !slices.Contains(rows, "fhir.call GET /fhir/R4/HealthcareService/{id} 429") {
			t.Errorf("the refused call is not audited: %q", rows)
		}
	})
}

func TestAuthPutsTheSystemIntoTheRequestAsAnActorForItsPractices(t *testing.T) {
	directoryDB.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db, fhir.Config{})
		var got waymark.Actor
		var gotID string
		h := f.api.Auth(func(w http.ResponseWriter, r *http.Request) {
			got = waymark.ActorFrom(r.Context())
			gotID, _ = fhir.SystemFrom(r.Context())
			w.WriteHeader(http.StatusNoContent)
		})
		mux := http.NewServeMux()
		mux.HandleFunc("GET /probe", h)
		token := f.token()
		probe := func() {
			req, _ := http.NewRequest("GET", "/probe", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			rec := &recorder{header: http.Header{}}
			mux.ServeHTTP(rec, req)
			if rec.status != http.StatusNoContent {
				t.Fatalf("probe: %d", rec.status)
			}
		}
		probe()
		if got.UserID != "system:"+f.sys.ID || !got.Has(waymark.RoleGPSystem) || !got.ActsFor("c81001") || !got.ActsFor("C81002") || got.ActsFor("C81003") || gotID != f.sys.ID {
			t.Errorf("actor = %+v, system %q", got, gotID)
		}
		// Practices an administrator changes apply to the next call.
		if _, err := f.systems.Change(adminCtx, f.sys.ID, fhir.NewSystem{Name: f.sys.Name, PublicKey: f.sys.PublicKey, Practices: "C81003"}); err != nil {
			t.Fatal(err)
		}
		probe()
		if got.ActsFor("C81001") || !got.ActsFor("C81003") {
			t.Errorf("after the change the system acts for %v", got.Practices)
		}
		if rows := f.auditRows(f.sys.ID); !slices.Contains(rows, "fhir.call GET /probe 204") {
			t.Errorf("audit: %q", rows)
		}
	})
}

// recorder is a minimal ResponseWriter.
type recorder struct {
	header http.Header
	status int
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(s int) {
	if r.status == 0 {
		r.status = s
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = 200
	}
	return len(b), nil
}

func TestTokenRequestsAreLimitedPerClientAddress(t *testing.T) {
	f := newFixture(t, directoryDB.OpenSQLite(t), fhir.Config{TokenRate: 1, TokenBurst: 2})
	for i := range 2 {
		if status, body := f.postToken(tokenForm(sign(t, f.key, f.claims(f.sys, nil)))); status != http.StatusOK {
			t.Fatalf("token %d: %d %v", i, status, body)
		}
	}
	// Forged assertions count too: the limit is on the address, before any check.
	status, body := f.postToken(tokenForm("not.a.jwt"))
	if status != http.StatusTooManyRequests || body["error"] != "invalid_request" {
		t.Errorf("a third request at once: %d %v", status, body)
	}
	f.advance(time.Second)
	if status, body := f.postToken(tokenForm(sign(t, f.key, f.claims(f.sys, nil)))); status != http.StatusOK {
		t.Errorf("a second later: %d %v", status, body)
	}
}

func TestEveryFHIRRouteButTheTokenEndpointAndTheCapabilityStatementNeedsAToken(t *testing.T) {
	db := directoryDB.OpenSQLite(t)
	msg := newMsgFixture(t, db) // the referral side, so every route is mounted
	api, err := fhir.NewAPI(fhir.Config{}, fhir.Deps{Systems: fhir.NewSystems(sqlstore.NewFHIRStore(db), time.Now, uuid.NewString),
		Directory: directory.NewDirectory(sqlstore.NewDirectoryStore(db), nil, time.Now, slog.New(slog.DiscardHandler)), Referrals: msg.svc})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	for pattern, h := range api.Routes() {
		mux.HandleFunc(pattern, h)
	}
	srv := httptest.NewServer(mux)
	defer srv.Close()
	open := map[string]bool{"POST " + fhir.TokenPath: true, fhir.TokenPath: true, "GET " + fhir.Prefix + "/metadata": true, fhir.Prefix + "/": true}
	routes := api.Routes()
	if len(routes) < 9 {
		t.Fatalf("only %d routes", len(routes))
	}
	for pattern := range routes {
		if open[pattern] {
			continue
		}
		method, path, ok := strings.Cut(pattern, " ")
		if !ok {
			t.Errorf("route %q has no method: it would answer any method without a token check of its own", pattern)
			continue
		}
		path = strings.NewReplacer("{id}", "00000000-0000-4000-8000-000000000000", "{$}", "").Replace(path)
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/fhir+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s without a token: %d, want 401", pattern, resp.StatusCode)
		}
	}
}
