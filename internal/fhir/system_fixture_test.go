package fhir_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/fhir"
	"waymark/internal/postcode"
	"waymark/internal/seed"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

// Test keys, made once per test process (RSA key generation is slow).
var testKeys struct {
	once        sync.Once
	good, other *rsa.PrivateKey
}

func keys(t testing.TB) (good, other *rsa.PrivateKey) {
	testKeys.once.Do(func() {
		testKeys.good, _ = rsa.GenerateKey(rand.Reader, 2048)
		testKeys.other, _ = rsa.GenerateKey(rand.Reader, 2048)
	})
	if testKeys.good == nil || testKeys.other == nil {
		t.Fatal("no test keys")
	}
	return testKeys.good, testKeys.other
}

// publicPEM is a key's public half as an administrator pastes it.
func publicPEM(t testing.TB, k *rsa.PrivateKey) string {
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

var postcodeTable = sync.OnceValues(postcode.Embedded)

// directoryDB is a migrated database with the Derbyshire demo directory,
// built once per dialect; each test gets a copy.
var directoryDB = sqlstoretest.NewTemplate("fhir demo directory", func(ctx context.Context, db *sqlstore.DB) error {
	table, err := postcodeTable()
	if err != nil {
		return err
	}
	store := sqlstore.NewDirectoryStore(db)
	tax, terms := seed.Categories()
	if err := store.CreateTaxonomy(ctx, &tax, terms); err != nil {
		return err
	}
	orgs, services := seed.Derbyshire()
	return seed.Load(ctx, directory.NewDirectory(store, table, time.Now, slog.New(slog.DiscardHandler)), orgs, services, 100)
})

// adminCtx is a context acting as an administrator.
var adminCtx = waymark.WithActor(context.Background(), waymark.Actor{UserID: "admin-1", Roles: []waymark.Role{waymark.RoleAdmin}})

// fixture serves the FHIR API over a test database, with a registered
// system holding the good test key and a clock the test moves.
type fixture struct {
	t       testing.TB
	db      *sqlstore.DB
	store   *sqlstore.FHIRStore
	systems *fhir.Systems
	dir     *directory.Directory
	api     *fhir.API
	srv     *httptest.Server
	sys     *fhir.System
	key     *rsa.PrivateKey

	mu  sync.Mutex
	now time.Time
}

var testStart = time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)

func newFixture(t testing.TB, db *sqlstore.DB, cfg fhir.Config) *fixture {
	t.Helper()
	f := &fixture{t: t, db: db, store: sqlstore.NewFHIRStore(db), now: testStart}
	f.key, _ = keys(t)
	f.systems = fhir.NewSystems(f.store, f.clock, uuid.NewString)
	table, err := postcodeTable()
	if err != nil {
		t.Fatal(err)
	}
	f.dir = directory.NewDirectory(sqlstore.NewDirectoryStore(db), table, f.clock, slog.New(slog.DiscardHandler))
	cfg.Now = f.clock
	if cfg.TokenBurst == 0 {
		cfg.TokenBurst = 1000 // the clock stands still: only the token-limit test counts
	}
	f.api, err = fhir.NewAPI(cfg, fhir.Deps{Systems: f.systems, Directory: f.dir})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	for pattern, h := range f.api.Routes() {
		mux.HandleFunc(pattern, h)
	}
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	f.sys = f.register("EMIS Web at Matlock", publicPEM(t, f.key), "C81001, C81002")
	return f
}

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

func (f *fixture) register(name, key, practices string) *fhir.System {
	f.t.Helper()
	sys, err := f.systems.Register(adminCtx, fhir.NewSystem{Name: name, PublicKey: key, Practices: practices})
	if err != nil {
		f.t.Fatal(err)
	}
	return sys
}

// claims are a valid assertion's claims for the system, changed by edit.
func (f *fixture) claims(sys *fhir.System, edit func(jwt.MapClaims)) jwt.MapClaims {
	c := jwt.MapClaims{"iss": sys.ID, "sub": sys.ID, "aud": f.srv.URL + fhir.TokenPath,
		"exp": f.clock().Add(4 * time.Minute).Unix(), "iat": f.clock().Unix(), "jti": uuid.NewString()}
	if edit != nil {
		edit(c)
	}
	return c
}

// sign signs claims RS512 with key.
func sign(t testing.TB, key *rsa.PrivateKey, c jwt.MapClaims) string {
	s, err := jwt.NewWithClaims(jwt.SigningMethodRS512, c).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// postToken posts a token request and returns the status and JSON body.
func (f *fixture) postToken(form url.Values) (int, map[string]any) {
	f.t.Helper()
	resp, err := http.PostForm(f.srv.URL+fhir.TokenPath, form)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		f.t.Fatalf("token answer is not JSON: %v", err)
	}
	return resp.StatusCode, body
}

func tokenForm(assertion string) url.Values {
	return url.Values{"grant_type": {fhir.GrantType}, "client_assertion_type": {fhir.AssertionType}, "client_assertion": {assertion}}
}

// token gets an access token for the fixture's system.
func (f *fixture) token() string {
	f.t.Helper()
	return f.tokenFor(f.sys, f.key)
}

func (f *fixture) tokenFor(sys *fhir.System, key *rsa.PrivateKey) string {
	f.t.Helper()
	status, body := f.postToken(tokenForm(sign(f.t, key, f.claims(sys, nil))))
	tok, _ := body["access_token"].(string)
	if status != http.StatusOK || tok == "" {
		f.t.Fatalf("token: %d %v", status, body)
	}
	return tok
}

// get calls the API with a bearer token ("" for none).
func (f *fixture) get(path, token string) (int, http.Header, []byte) {
	f.t.Helper()
	req, _ := http.NewRequest("GET", f.srv.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// auditRows returns the audit log's rows of the system's calls, oldest
// first: "fhir.call route status".
func (f *fixture) auditRows(systemID string) []string {
	f.t.Helper()
	calls, err := f.store.Calls(context.Background(), systemID, 1000)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for i := len(calls) - 1; i >= 0; i-- {
		out = append(out, fmt.Sprintf("fhir.call %s %d", calls[i].Route, calls[i].Status))
	}
	return out
}

// outcomeIssue decodes an OperationOutcome and returns its first issue's
// code and BaRS error code.
func outcomeIssue(t testing.TB, body []byte) (code, barsCode string) {
	t.Helper()
	var oo struct {
		ResourceType string `json:"resourceType"`
		Issue        []struct {
			Code    string `json:"code"`
			Details struct {
				Coding []struct{ Code string } `json:"coding"`
			} `json:"details"`
		} `json:"issue"`
	}
	if err := json.Unmarshal(body, &oo); err != nil || oo.ResourceType != "OperationOutcome" || len(oo.Issue) == 0 {
		t.Fatalf("not an OperationOutcome: %s", body)
	}
	validate(t, "OperationOutcome", body)
	if len(oo.Issue[0].Details.Coding) > 0 {
		barsCode = oo.Issue[0].Details.Coding[0].Code
	}
	return oo.Issue[0].Code, barsCode
}

// The R4 JSON schema, compiled once per test process.
var r4 struct {
	once    sync.Once
	err     error
	schemas map[string]*jsonschema.Schema
	mu      sync.Mutex
	c       *jsonschema.Compiler
}

const r4SchemaID = "http://hl7.org/fhir/json-schema/4.0"

// validate checks body against the R4 JSON schema's definition of a
// resource type.
func validate(t testing.TB, resourceType string, body []byte) {
	t.Helper()
	r4.once.Do(func() {
		path, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "standards", "fhir", "r4", "fhir.schema.json"))
		if err != nil {
			r4.err = err
			return
		}
		file, err := os.Open(path)
		if err != nil {
			r4.err = err
			return
		}
		defer file.Close()
		doc, err := jsonschema.UnmarshalJSON(file)
		if err != nil {
			r4.err = err
			return
		}
		r4.c = jsonschema.NewCompiler()
		r4.c.DefaultDraft(jsonschema.Draft6)
		r4.err = r4.c.AddResource(r4SchemaID, doc)
		r4.schemas = map[string]*jsonschema.Schema{}
	})
	if r4.err != nil {
		t.Fatalf("R4 schema: %v", r4.err)
	}
	r4.mu.Lock()
	s, ok := r4.schemas[resourceType]
	if !ok {
		var err error
		if s, err = r4.c.Compile(r4SchemaID + "#/definitions/" + resourceType); err != nil {
			r4.mu.Unlock()
			t.Fatalf("compile %s: %v", resourceType, err)
		}
		r4.schemas[resourceType] = s
	}
	r4.mu.Unlock()
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("%s is not JSON: %v", resourceType, err)
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("%s does not validate against the R4 schema: %v\n%s", resourceType, err, body)
	}
}
