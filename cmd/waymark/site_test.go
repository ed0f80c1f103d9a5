package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"waymark/internal/sqlstore/sqlstoretest"
)

// TestProductionRefusesToStartWithoutPublicURLOrAWayToSendEmail: links in
// email are never built from a request, and mail is never marked sent
// without being delivered, so production needs both settings.
func TestProductionRefusesToStartWithoutPublicURLOrAWayToSendEmail(t *testing.T) {
	for _, tt := range []struct {
		vars map[string]string
		want string
	}{
		{map[string]string{}, "PUBLIC_URL"},
		{map[string]string{"PUBLIC_URL": "https://waymark.example.org"}, "SMTP_URL"},
	} {
		dbPath := filepath.Join(t.TempDir(), "waymark.db")
		tt.vars["WAYMARK_ENV"], tt.vars["DATABASE_URL"], tt.vars["ADDR"] = "production", dbPath, "127.0.0.1:0"
		m := &Main{Stdout: io.Discard, Stderr: io.Discard, Getenv: env(tt.vars)}
		err := m.Run(context.Background(), []string{"serve"})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: %v, want an error naming %s", tt.vars, err, tt.want)
		}
		if _, err := os.Stat(dbPath); err == nil {
			t.Errorf("%v: the database was opened before the settings were checked", tt.vars)
		}
	}
}

func TestSiteSettings(t *testing.T) {
	c, err := LoadConfig(env(map[string]string{"PUBLIC_URL": "https://waymark.example.org/"}))
	if err != nil || !c.HTTPS || c.PublicURL != "https://waymark.example.org" {
		t.Errorf("an https PUBLIC_URL: HTTPS %v, PUBLIC_URL %q, %v", c.HTTPS, c.PublicURL, err)
	}
	if c, _ := LoadConfig(env(map[string]string{"HTTPS": "true"})); !c.HTTPS {
		t.Error("HTTPS=true is not HTTPS")
	}
	if c, _ := LoadConfig(env(map[string]string{"PUBLIC_URL": "http://localhost:8080"})); c.HTTPS {
		t.Error("an http PUBLIC_URL is HTTPS")
	}
	for name, vars := range map[string]map[string]string{
		"PUBLIC_URL":    {"PUBLIC_URL": "waymark.example.org"},
		"PUBLIC_URL ":   {"PUBLIC_URL": "https://waymark.example.org/path"},
		"HTTPS":         {"HTTPS": "false", "PUBLIC_URL": "https://waymark.example.org"},
		"HTTPS ":        {"HTTPS": "perhaps"},
		"METRICS_TOKEN": {"METRICS_TOKEN": "short"},
	} {
		if _, err := LoadConfig(env(vars)); err == nil || !strings.Contains(err.Error(), strings.TrimSpace(name)) {
			t.Errorf("%v: %v, want an error naming %s", vars, err, name)
		}
	}
}

// TestHTTPSProductionServerHasSecureCookiesHSTSAndMetricsOnTheirOwnAddress
// runs a production server behind an https PUBLIC_URL: pages send HSTS,
// the session cookie is Secure, and /metrics is only on METRICS_ADDR.
func TestHTTPSProductionServerHasSecureCookiesHSTSAndMetricsOnTheirOwnAddress(t *testing.T) {
	smtp, err := net.Listen("tcp", "127.0.0.1:0") // takes connections, never delivers
	if err != nil {
		t.Fatal(err)
	}
	defer smtp.Close()
	vars := map[string]string{"WAYMARK_ENV": "production", "DATABASE_URL": filepath.Join(t.TempDir(), "waymark.db"), "ADDR": "127.0.0.1:0",
		"PUBLIC_URL": "https://waymark.example.org", "SMTP_URL": "smtp://" + smtp.Addr().String(), "METRICS_ADDR": "127.0.0.1:0"}
	out := &syncBuffer{}
	ready := make(chan string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	m := &Main{Stdout: out, Stderr: io.Discard, Getenv: env(vars), Ready: ready}
	go func() { done <- m.Run(ctx, []string{"serve"}) }()
	defer func() { cancel(); <-done }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	}
	resp, err := http.Get("http://" + addr + "/sign-in")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !strings.HasPrefix(resp.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Error("no HSTS behind an https PUBLIC_URL")
	}
	if status := statusOf(t, "http://"+addr+"/metrics"); status != http.StatusNotFound {
		t.Errorf("/metrics on the site's address: %d, want 404", status)
	}
	metrics := regexp.MustCompile(`Metrics are served at (http://\S+/metrics)\.`).FindStringSubmatch(out.String())
	if metrics == nil {
		t.Fatalf("no metrics address in %q", out.String())
	}
	if status := statusOf(t, metrics[1]); status != http.StatusOK {
		t.Errorf("GET %s: %d", metrics[1], status)
	}
	s := &services{}
	a, cfg := &app{db: sqlstoretest.OpenSQLite(t)}, mustConfig(t, vars)
	s.sessions = newSessions(a, cfg)
	if !s.sessions.Cookie.Secure {
		t.Error("the session cookie is not Secure behind an https PUBLIC_URL")
	}
}

func mustConfig(t *testing.T, vars map[string]string) Config {
	t.Helper()
	c, err := LoadConfig(env(vars))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func statusOf(t *testing.T, u string) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
