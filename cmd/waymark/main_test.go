package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// syncBuffer is a bytes.Buffer safe to write from the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// env returns a Getenv with the given variables and nothing else.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// running is a server started through Main, as `make run` starts it.
type running struct {
	URL    string
	Vars   map[string]string // the server's environment
	Stdout *syncBuffer
	Logs   *syncBuffer
	stop   context.CancelFunc
	done   chan error
}

// startServer seeds a new SQLite database with the demo data and serves it on
// a free loopback port until the test ends. extra adds settings.
func startServer(t *testing.T, extra ...map[string]string) *running {
	t.Helper()
	vars := map[string]string{
		"DATABASE_URL": filepath.Join(t.TempDir(), "waymark.db"),
		"ADDR":         "127.0.0.1:0",
	}
	for _, e := range extra {
		for k, v := range e {
			vars[k] = v
		}
	}
	out := &syncBuffer{}
	m := &Main{Stdout: out, Stderr: io.Discard, Getenv: env(vars)}
	if err := m.Run(context.Background(), []string{"seed", "--if-empty"}); err != nil {
		t.Fatalf("seed: %v", err)
	}
	ready := make(chan string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{Vars: vars, Stdout: out, Logs: &syncBuffer{}, stop: cancel, done: make(chan error, 1)}
	m = &Main{Stdout: out, Stderr: r.Logs, Getenv: env(vars), Ready: ready}
	go func() { r.done <- m.Run(ctx, []string{"serve"}) }()
	// No wall-clock limits: the test's own timeout bounds each wait.
	select {
	case addr := <-ready:
		r.URL = "http://" + addr
	case err := <-r.done:
		t.Fatalf("serve stopped: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		<-r.done
	})
	return r
}

func TestServeSeedsDemoDataPrintsAddressAndStopsGracefully(t *testing.T) {
	r := startServer(t)
	if !strings.Contains(r.Stdout.String(), "Loaded the Derbyshire demo data") {
		t.Errorf("seed output = %q", r.Stdout.String())
	}
	if !strings.Contains(r.Stdout.String(), "Waymark is running at http://") {
		t.Errorf("serve did not print the address: %q", r.Stdout.String())
	}
	for _, path := range []string{"/healthz", "/readyz", "/", "/help/offline", "/api/oruk/", "/api/oruk/services"} {
		resp, err := http.Get(r.URL + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", path, resp.StatusCode)
		}
	}
	r.stop()
	if err := <-r.done; err != nil {
		t.Errorf("serve returned %v after shutdown, want nil", err)
	}
	r.done <- nil // for the cleanup
	if !strings.Contains(r.Logs.String(), `"msg":"stopped"`) {
		t.Errorf("logs do not record the shutdown: %s", r.Logs.String())
	}
}

func TestSeedIfEmptyDoesNotDuplicate(t *testing.T) {
	vars := map[string]string{"DATABASE_URL": filepath.Join(t.TempDir(), "waymark.db")}
	var out bytes.Buffer
	m := &Main{Stdout: &out, Stderr: io.Discard, Getenv: env(vars)}
	for range 2 {
		if err := m.Run(context.Background(), []string{"seed", "--if-empty"}); err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
	if !strings.Contains(out.String(), "not seeding") {
		t.Errorf("second seed output = %q, want it to say it did not seed", out.String())
	}
}

func TestPostcodesImportInstallsATableTheServerUses(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "onspd.csv")
	data := "pcd,pcds,doterm,lat,long\n" +
		"DE4  3AG,DE4 3AG,,53.137800,-1.552400\n" +
		"ZZ1  1ZZ,ZZ1 1ZZ,,52.000000,-1.000000\n" +
		"DE4  9XX,DE4 9XX,202001,53.100000,-1.500000\n"
	if err := os.WriteFile(csv, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"DATABASE_URL": filepath.Join(dir, "waymark.db"), "POSTCODES_FILE": filepath.Join(dir, "pc.bin")}
	var out bytes.Buffer
	m := &Main{Stdout: &out, Stderr: io.Discard, Getenv: env(vars)}
	if err := m.Run(context.Background(), []string{"postcodes", "import", csv}); err != nil {
		t.Fatalf("postcodes import: %v", err)
	}
	if !strings.Contains(out.String(), "Imported 2 postcodes") {
		t.Errorf("output = %q, want 2 postcodes imported (the terminated one skipped)", out.String())
	}
	cfg, _ := LoadConfig(env(vars))
	table, err := loadPostcodes(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if table.Len() != 2 {
		t.Errorf("the server's table has %d postcodes, want the imported 2", table.Len())
	}
}

func TestUnknownCommandFails(t *testing.T) {
	m := &Main{Stdout: io.Discard, Stderr: io.Discard, Getenv: env(nil)}
	if err := m.Run(context.Background(), []string{"frobnicate"}); err == nil {
		t.Error("unknown command succeeded")
	}
}

func TestImportOrukCommandImportsAFeedAndServesIt(t *testing.T) {
	mocks := filepath.Join("..", "..", "..", "shared", "standards", "oruk", "validator", "mocks", "V3.0-UK-Default")
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := "service_list.json"
		if strings.HasPrefix(r.URL.Path, "/services/") {
			name = "service_full.json"
		}
		http.ServeFile(w, r, filepath.Join(mocks, name))
	}))
	defer feed.Close()
	vars := map[string]string{"DATABASE_URL": filepath.Join(t.TempDir(), "waymark.db")}
	var out bytes.Buffer
	m := &Main{Stdout: &out, Stderr: io.Discard, Getenv: env(vars)}
	if err := m.Run(context.Background(), []string{"import", "oruk", "--trusted", feed.URL}); err == nil || !strings.Contains(err.Error(), "address not allowed") {
		t.Fatalf("import from loopback without CHECKER_ALLOW_LOOPBACK: %v", err)
	}
	vars["CHECKER_ALLOW_LOOPBACK"] = "true"
	if err := m.Run(context.Background(), []string{"import", "oruk", "--trusted", feed.URL}); err != nil {
		t.Fatalf("import: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "1 created") {
		t.Errorf("output = %q", out.String())
	}
	if err := m.Run(context.Background(), []string{"import", "oruk", "--max-pages", "0", feed.URL}); err == nil {
		t.Error("--max-pages 0 accepted")
	}
	if err := m.Run(context.Background(), []string{"import", "csv", feed.URL}); err == nil {
		t.Error("unknown import kind accepted")
	}
}

func TestUserCreateMakesAVerifiedAdministrator(t *testing.T) {
	vars := map[string]string{"DATABASE_URL": filepath.Join(t.TempDir(), "waymark.db")}
	var out bytes.Buffer
	m := &Main{Stdin: strings.NewReader("a strong password\n"), Stdout: &out, Stderr: io.Discard, Getenv: env(vars)}
	if err := m.Run(context.Background(), []string{"user", "create", "--role", "admin", "--password-stdin", "Admin@Example.org"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Created admin@example.org (admin)") {
		t.Errorf("output %q", out.String())
	}
	out.Reset()
	if err := m.Run(context.Background(), []string{"user", "create", "mod@example.org"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "with the password") {
		t.Errorf("a generated password was not shown: %q", out.String())
	}
	if err := m.Run(context.Background(), []string{"user", "create", "--role", "king", "k@example.org"}); err == nil {
		t.Error("unknown role accepted")
	}
	if err := m.Run(context.Background(), []string{"user", "create", "mod@example.org"}); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("duplicate account: %v", err)
	}
}
