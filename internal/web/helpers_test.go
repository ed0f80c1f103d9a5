package web

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"waymark/internal/directory"
)

func intp(n int) *int           { return &n }
func floatp(f float64) *float64 { return &f }

func TestDescribeSchedule(t *testing.T) {
	tests := []struct {
		in   directory.Schedule
		want string
	}{
		{directory.Schedule{Freq: "WEEKLY", ByDay: "TU", OpensAt: "10:00", ClosesAt: "12:00"}, "Tuesdays, 10:00 to 12:00"},
		{directory.Schedule{Freq: "WEEKLY", ByDay: "TU,FR", OpensAt: "10:00", ClosesAt: "11:30"}, "Tuesdays and Fridays, 10:00 to 11:30"},
		{directory.Schedule{Freq: "WEEKLY", ByDay: "MO,WE,FR"}, "Mondays, Wednesdays and Fridays"},
		{directory.Schedule{Freq: "WEEKLY", ByDay: "MO,TU,WE,TH,FR", OpensAt: "09:00", ClosesAt: "17:00"}, "Monday to Friday, 09:00 to 17:00"},
		{directory.Schedule{Freq: "WEEKLY", ByDay: "MO,TU,WE,TH,FR,SA,SU"}, "Every day"},
		{directory.Schedule{Freq: "MONTHLY", ByDay: "1WE", OpensAt: "14:00", ClosesAt: "16:00"}, "First Wednesday of the month, 14:00 to 16:00"},
		{directory.Schedule{Freq: "MONTHLY", ByDay: "3SU"}, "Third Sunday of the month"},
		{directory.Schedule{Description: "Term time only"}, "Term time only"},
		{directory.Schedule{Freq: "WEEKLY", ByDay: "SA", Description: "Not on bank holidays"}, "Saturdays. Not on bank holidays"},
	}
	for _, tt := range tests {
		if got := describeSchedule(tt.in); got != tt.want {
			t.Errorf("describeSchedule(%+v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDescribeCostAgesAndAddress(t *testing.T) {
	costs := []struct {
		in   directory.CostOption
		want string
	}{
		{directory.CostOption{Option: "Cost", AmountDescription: "£3 per session", Amount: floatp(3)}, "£3 per session"},
		{directory.CostOption{Option: "Per session", Amount: floatp(2.5)}, "Per session: £2.50"},
		{directory.CostOption{Option: "Concessions", Amount: floatp(0)}, "Concessions: Free"},
		{directory.CostOption{Option: "Donation welcome"}, "Donation welcome"},
	}
	for _, tt := range costs {
		if got := describeCost(tt.in); got != tt.want {
			t.Errorf("describeCost(%+v) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got, want := describeAges(intp(18), nil), "Ages 18 and over"; got != want {
		t.Errorf("describeAges(18, nil) = %q, want %q", got, want)
	}
	if got, want := describeAges(intp(11), intp(18)), "Ages 11 to 18"; got != want {
		t.Errorf("describeAges(11, 18) = %q, want %q", got, want)
	}
	if got := describeAges(nil, nil); got != "" {
		t.Errorf("describeAges(nil, nil) = %q, want nothing", got)
	}
	addr := directory.Address{Address1: "Bank Road", City: "Matlock", StateProvince: "Derbyshire", PostalCode: "DE4 3AG"}
	for _, tt := range []struct {
		name string
		want string
	}{
		{"Bank Road, Matlock", "Bank Road|Matlock|Derbyshire|DE4 3AG"},
		{"Bank Road", "Bank Road|Matlock|Derbyshire|DE4 3AG"},
		{"Hall Leys Park bandstand", "Hall Leys Park bandstand|Bank Road|Matlock|Derbyshire|DE4 3AG"},
		{"", "Bank Road|Matlock|Derbyshire|DE4 3AG"},
	} {
		got := strings.Join(addressLines(directory.Location{Name: tt.name, Address: addr}), "|")
		if got != tt.want {
			t.Errorf("addressLines(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	if got := truncate("short", 10); got != "short" {
		t.Errorf("truncate(short) = %q", got)
	}
	if got, want := truncate("Gentle, led walks of about an hour along the river", 24), "Gentle, led walks of…"; got != want {
		t.Errorf("truncate = %q, want %q", got, want)
	}
	if got := truncate(strings.Repeat("é", 30), 10); got != strings.Repeat("é", 10)+"…" {
		t.Errorf("truncate cut a multibyte string badly: %q", got)
	}
}

func TestPagination(t *testing.T) {
	form := url.Values{"q": {"walk"}, "postcode": {"DE4 3AG"}, "free": {"1"}, "page": {"5"}}
	links, prev, next := pagination(form, 5, 12)
	var got []string
	for _, l := range links {
		switch {
		case l.Gap:
			got = append(got, "…")
		case l.Current:
			got = append(got, "["+strconv.Itoa(l.Number)+"]")
		default:
			got = append(got, strconv.Itoa(l.Number))
		}
	}
	if want := "1 … 3 4 [5] 6 7 … 12"; strings.Join(got, " ") != want {
		t.Errorf("pages = %s, want %s", strings.Join(got, " "), want)
	}
	for _, u := range []string{prev, next, links[0].URL} {
		v, err := url.ParseQuery(strings.TrimPrefix(u, "/?"))
		if err != nil || v.Get("q") != "walk" || v.Get("postcode") != "DE4 3AG" || v.Get("free") != "1" {
			t.Errorf("link %s lost the search", u)
		}
	}
	if strings.Contains(links[0].URL, "page=") {
		t.Errorf("the link to page 1 has a page parameter: %s", links[0].URL)
	}
	if !strings.Contains(prev, "page=4") || !strings.Contains(next, "page=6") {
		t.Errorf("prev %s, next %s", prev, next)
	}
	if links, prev, next := pagination(form, 1, 1); links != nil || prev != "" || next != "" {
		t.Error("a single page of results has pagination")
	}
	if _, prev, next := pagination(form, 12, 12); prev == "" || next != "" {
		t.Errorf("last page: prev %q, next %q", prev, next)
	}
}

func TestTileSource(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"", "", true},
		{"https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org", true},
		{"https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org", true},
		{"https://tiles.example:8443/{z}/{x}/{y}.png", "https://tiles.example:8443", true},
		{"http://tile.example/{z}/{x}/{y}.png", "", false},
		{"https://{s}.example/{z}/{x}/{y}.png", "", false}, // would allow every host under a public suffix
		{"//tile.example/{z}/{x}/{y}.png", "", false},
		{"https://user:pw@tile.example/{z}/{x}/{y}.png", "", false},
		{"not a url", "", false},
	}
	for _, tt := range tests {
		got, err := tileSource(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("tileSource(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// testServer is a Server whose directory has no store: enough for the
// middleware, which these tests drive through extra routes.
func testServer(t *testing.T, logs io.Writer) *Server {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(logs, nil))
	s, err := NewServer(Config{}, Deps{
		Directory: directory.NewDirectory(nil, nil, time.Now, logger),
		Ready:     func(context.Context) error { return nil },
		Logger:    logger,
		Registry:  prometheus.NewRegistry(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPanicBecomesALoggedErrorPage(t *testing.T) {
	var logs bytes.Buffer
	s := testServer(t, &logs)
	s.handle("GET /boom", func(w http.ResponseWriter, r *http.Request) { panic("kaboom") })
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/boom?postcode=DE4+3AG&q=debt", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", rec.Code)
	}
	if body := rec.Body.String(); !strings.Contains(body, "Sorry, there is a problem with the service") || strings.Contains(body, "kaboom") {
		t.Errorf("the error page is wrong or shows the panic: %s", body)
	}
	if rec.Header().Get("Content-Security-Policy") == "" {
		t.Error("the error page has no security headers")
	}
	out := logs.String()
	if !strings.Contains(out, "kaboom") || !strings.Contains(out, `route="GET /boom"`) || !strings.Contains(out, "status=500") {
		t.Errorf("the panic was not logged with its route and status:\n%s", out)
	}
	if strings.Contains(out, "DE4") || strings.Contains(out, "debt") {
		t.Errorf("the log holds the query string:\n%s", out)
	}
	if !metricsHave(s, `waymark_http_requests_total{code="500",route="GET /boom"} 1`) {
		t.Error("the panic is not counted as a 500")
	}
}

// metricsHave reports whether the server's /metrics output holds a line.
func metricsHave(s *Server, line string) bool {
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return strings.Contains(rec.Body.String(), line)
}

func TestRequestLogHasTheRouteNotThePath(t *testing.T) {
	var logs bytes.Buffer
	s := testServer(t, &logs)
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/people/jane-smith?postcode=DE4+3AG", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("status %d, want 404", rec.Code)
	}
	out := logs.String()
	if !strings.Contains(out, `route=/`) || !strings.Contains(out, "status=404") || !strings.Contains(out, "duration_ms=") || !strings.Contains(out, "method=GET") {
		t.Errorf("request log lacks method, route, status or duration:\n%s", out)
	}
	if strings.Contains(out, "jane") || strings.Contains(out, "DE4") {
		t.Errorf("request log holds the path or query:\n%s", out)
	}
}

func TestRequestBodiesAreLimited(t *testing.T) {
	s := testServer(t, io.Discard)
	var read int64
	var readErr error
	s.handle("POST /upload", func(w http.ResponseWriter, r *http.Request) {
		read, readErr = io.Copy(io.Discard, r.Body)
	})
	req := httptest.NewRequest("POST", "/upload", strings.NewReader(strings.Repeat("x", maxBody+10)))
	s.Handler().ServeHTTP(httptest.NewRecorder(), req)
	if readErr == nil || read > maxBody {
		t.Errorf("read %d bytes, error %v: want the body cut at %d", read, readErr, maxBody)
	}
}
