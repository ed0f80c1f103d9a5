package fhir_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"waymark"
	"waymark/internal/account"
	"waymark/internal/casework"
	"waymark/internal/directory"
	"waymark/internal/email"
	"waymark/internal/fhir"
	"waymark/internal/gp"
	"waymark/internal/referral"
	"waymark/internal/sqlstore"
)

// Practices of the tests: C81001 is served by the team, C81002 by none.
const (
	practiceA = "C81001"
	practiceB = "C81002"
)

// msgFixture is a database with a social prescribing team serving
// practiceA, a service with a GP pathway and one without, the GP service,
// and the FHIR API over HTTP with three connected systems: systemA acts for
// practiceA, systemB for practiceB, systemAll for both and Z99999 (a
// practice Waymark does not know). Requests carry a bearer token of the
// system they name.
type msgFixture struct {
	db        *sqlstore.DB
	team      *casework.Service
	refs      *referral.Referrals
	svc       *gp.Service
	teamID    string
	pathway   *directory.Service // GP pathway on, for every practice
	noPathway *directory.Service
	admin     context.Context
	lead      context.Context
	worker    context.Context
	workerID  string
	provider  context.Context
	srv       *httptest.Server
	systems   map[string]*fhir.System // by name: systemA, systemB, systemAll

	mu     sync.Mutex
	now    time.Time
	tokens map[string]msgToken
}

// msgToken is an access token and the time it was got.
type msgToken struct {
	token string
	at    time.Time
}

var msgStart = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

func (f *msgFixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *msgFixture) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

func newMsgFixture(t testing.TB, db *sqlstore.DB) *msgFixture {
	t.Helper()
	ctx := context.Background()
	f := &msgFixture{db: db, now: msgStart}
	logger := slog.New(slog.DiscardHandler)
	accounts := sqlstore.NewAccountStore(db)
	user := func(name string, platform waymark.Role) (context.Context, string) {
		u := &account.User{ID: uuid.NewString(), Email: name + "@example.org", Name: name, PasswordHash: "x", PlatformRole: platform, CreatedAt: msgStart}
		if err := accounts.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		return waymark.WithActor(ctx, u.Actor()), u.ID
	}
	f.admin, _ = user("admin", waymark.RoleAdmin)
	f.lead, _ = user("lead", "")
	f.worker, f.workerID = user("worker", "")

	outbox := email.NewOutbox(sqlstore.NewEmailStore(db), email.DevTransport{}, f.clock, logger)
	f.team = casework.NewService(sqlstore.NewCaseworkStore(db), f.clock, casework.Config{NewID: uuid.NewString, Mail: outbox})
	team, err := f.team.CreateTeam(f.admin, "Derbyshire Dales social prescribing team")
	if err != nil {
		t.Fatal(err)
	}
	f.teamID = team.ID
	for _, m := range []struct {
		email string
		lead  bool
	}{{"lead@example.org", true}, {"worker@example.org", false}} {
		if err := f.team.AddMember(f.admin, team.ID, m.email, m.lead); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.team.AddPractice(f.admin, team.ID, casework.Practice{ODSCode: practiceA, Name: "Lime Grove Medical Centre"}); err != nil {
		t.Fatal(err)
	}

	dirStore := sqlstore.NewDirectoryStore(db)
	dir := directory.NewDirectory(dirStore, nil, f.clock, logger)
	org := directory.Organization{Name: "Peak Walkers CIC", Description: "Walks in the Peak", Email: "hello@peakwalkers.example"}
	if err := dir.CreateOrganization(ctx, &org); err != nil {
		t.Fatal(err)
	}
	service := func(name string) *directory.Service {
		s := &directory.Service{OrganizationID: org.ID, Name: name, Description: "A friendly group for everyone.",
			Email: "hello@peakwalkers.example", Kind: directory.KindReferral, Pathway: directory.PathwayWaymarkForm,
			Status: directory.StatusPublished, Visibility: directory.VisibilityListed,
			Locations: []directory.Location{{Name: "Hall", Latitude: 53.1378, Longitude: -1.5524,
				Address: directory.Address{Address1: "1 Bank Road", City: "Matlock", StateProvince: "Derbyshire", PostalCode: "DE4 3AG"}}}}
		if err := dir.CreateService(ctx, s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	f.pathway, f.noPathway = service("Matlock walking group"), service("Wirksworth men's shed")
	f.provider = waymark.WithActor(ctx, waymark.Actor{UserID: uuid.NewString(), Roles: []waymark.Role{waymark.RoleProvider},
		Memberships: []waymark.Membership{{OrganizationID: org.ID, Role: waymark.RoleProvider}}})

	life := directory.NewLifecycle(dirStore, email.Mailer{}, f.clock, uuid.NewString)
	reports := directory.NewReports(dirStore, life, []byte("report secret"))
	f.refs = referral.NewReferrals(sqlstore.NewReferralStore(db), directory.NewSystem(life, reports),
		referral.Config{PublicURL: "https://waymark.test", Secret: []byte("referral secret")}, f.clock, logger)
	f.svc = gp.NewService(gp.Config{Store: sqlstore.NewGPStore(db), Team: f.team, Market: f.refs, Services: dirStore,
		NewID: uuid.NewString, Now: f.clock, Logger: logger})
	if _, err := f.svc.SavePathway(f.admin, f.pathway.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SavePractice(f.admin, gp.Practice{ODSCode: practiceB, Name: "Wirksworth Surgery", Postcode: "DE4 4EX"}); err != nil {
		t.Fatal(err)
	}

	systems := fhir.NewSystems(sqlstore.NewFHIRStore(db), f.clock, uuid.NewString)
	messages := 4 // as cmd/waymark sets it
	if db.Dialect() == sqlstore.Postgres {
		messages = 16
	}
	api, err := fhir.NewAPI(fhir.Config{Now: f.clock, Rate: 10000, Burst: 10000, Messages: messages}, fhir.Deps{Systems: systems, Referrals: f.svc})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	for pattern, h := range api.Routes() {
		mux.HandleFunc(pattern, h)
	}
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	key, _ := keys(t)
	f.systems, f.tokens = map[string]*fhir.System{}, map[string]msgToken{}
	for name, practices := range map[string]string{"systemA": practiceA, "systemB": practiceB, "systemAll": practiceA + " " + practiceB + " Z99999"} {
		sys, err := systems.Register(f.admin, fhir.NewSystem{Name: "EMIS Web " + name, PublicKey: publicPEM(t, key), Practices: practices})
		if err != nil {
			t.Fatal(err)
		}
		f.systems[name] = sys
	}
	return f
}

// token is an access token for the named system, got again once the clock
// moved; "" for a name that is no system.
func (f *msgFixture) token(t testing.TB, name string) string {
	t.Helper()
	sys := f.systems[name]
	if sys == nil {
		return ""
	}
	now := f.clock()
	f.mu.Lock()
	tok, ok := f.tokens[name]
	f.mu.Unlock()
	if ok && tok.at.Equal(now) {
		return tok.token
	}
	key, _ := keys(t)
	assertion := sign(t, key, jwt.MapClaims{"iss": sys.ID, "sub": sys.ID, "aud": f.srv.URL + fhir.TokenPath,
		"exp": now.Add(4 * time.Minute).Unix(), "iat": now.Unix(), "jti": uuid.NewString()})
	resp, err := http.PostForm(f.srv.URL+fhir.TokenPath, tokenForm(assertion))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.AccessToken == "" {
		t.Fatalf("token for %s: %d %v", name, resp.StatusCode, err)
	}
	f.mu.Lock()
	f.tokens[name] = msgToken{body.AccessToken, now}
	f.mu.Unlock()
	return body.AccessToken
}

// answer is an HTTP response of the FHIR endpoints.
type answer struct {
	status int
	header http.Header
	body   []byte
	doc    map[string]any
}

// outcome returns the first issue's code and BaRS error code.
func (a answer) outcome(t testing.TB) (code, barsCode, diagnostics string) {
	t.Helper()
	if a.doc["resourceType"] != "OperationOutcome" {
		t.Fatalf("status %d: not an OperationOutcome: %s", a.status, a.body)
	}
	issue := a.doc["issue"].([]any)[0].(map[string]any)
	code, _ = issue["code"].(string)
	diagnostics, _ = issue["diagnostics"].(string)
	if details, ok := issue["details"].(map[string]any); ok {
		barsCode, _ = details["coding"].([]any)[0].(map[string]any)["code"].(string)
	}
	return code, barsCode, diagnostics
}

func (f *msgFixture) do(t testing.TB, system, method, path, contentType string, body []byte) answer {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if tok := f.token(t, system); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	} else if system != "" {
		req.Header.Set("Authorization", "Bearer "+system) // a made-up token
	}
	req.Header.Set("X-Request-Id", "60f4c8c5-7f5f-4c43-9b59-1d6b3e1c0a11")
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	a := answer{status: resp.StatusCode, header: resp.Header, body: b}
	if err := json.Unmarshal(b, &a.doc); err != nil {
		t.Fatalf("%s %s: %d, not JSON: %q", method, path, resp.StatusCode, b)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/fhir+json") {
		t.Errorf("%s %s: Content-Type %q", method, path, ct)
	}
	return a
}

// post sends a message Bundle as system.
func (f *msgFixture) post(t testing.TB, system string, body []byte) answer {
	t.Helper()
	return f.do(t, system, "POST", "/fhir/R4/$process-message", "application/fhir+json", body)
}

func (f *msgFixture) get(t testing.TB, system, path string) answer {
	t.Helper()
	return f.do(t, system, "GET", path, "", nil)
}

// referralID is the id the answer gave the message's ServiceRequest.
func referralID(t testing.TB, a answer) string {
	t.Helper()
	if a.status != http.StatusOK {
		t.Fatalf("status %d: %s", a.status, a.body)
	}
	for _, e := range a.doc["entry"].([]any) {
		res := e.(map[string]any)["resource"].(map[string]any)
		if res["resourceType"] == "ServiceRequest" {
			id, _ := res["id"].(string)
			return id
		}
	}
	t.Fatalf("no ServiceRequest in the answer: %s", a.body)
	return ""
}

// mustValidate checks a FHIR answer against the R4 JSON Schema.
func mustValidate(t testing.TB, body []byte) {
	t.Helper()
	doc, err := fhir.DecodeDoc(body)
	if err != nil {
		t.Fatal(err)
	}
	if err := fhir.ValidateResource(doc); err != nil {
		t.Errorf("not valid R4: %v\n%s", err, body)
	}
}

// gpActor is a GP acting for the practices, to check what the API did.
func gpActor(practices ...string) context.Context {
	return waymark.WithActor(context.Background(), waymark.Actor{UserID: "gp-checker", Roles: []waymark.Role{waymark.RoleGP}, Practices: practices})
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
