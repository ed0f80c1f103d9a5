package sqlstore_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"waymark/internal/directory"
	"waymark/internal/postcode"
	"waymark/internal/seed"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

// searchClass is one kind of public search, as the search page's
// addresses.
type searchClass struct {
	name string
	urls []string // query strings of /
}

// searchClasses are the four kinds of search BenchmarkSearchHTTP runs:
// twelve towns and cities across England (dense central London among
// them), six words from common to rare, a 10-mile radius, best match.
func searchClasses() []searchClass {
	places := []string{"DE4 3AG", "S1 2HE", "M1 1AE", "LS1 4DY", "B1 1BB", "NE1 7RU", "BS1 5TR", "NG1 5FS", "SW1A 2AA", "PL1 1EA", "NR2 1NH", "LE1 5FQ"}
	words := []string{"walking", "advice", "art", "support", "garden", "group"}
	_, terms := seed.Categories()
	classes := []searchClass{{name: "postcode + keyword + category"}, {name: "postcode + keyword"}, {name: "keyword only"}, {name: "postcode only"}}
	for i, pl := range places {
		v := url.Values{"postcode": {pl}, "radius": {"10"}}
		classes[3].urls = append(classes[3].urls, v.Encode())
		v.Set("q", words[(i+1)%len(words)])
		classes[1].urls = append(classes[1].urls, v.Encode())
		v.Set("q", words[i%len(words)])
		v.Set("category", terms[i%len(terms)].Code)
		classes[0].urls = append(classes[0].urls, v.Encode())
	}
	for _, w := range words {
		classes[2].urls = append(classes[2].urls, url.Values{"q": {w}}.Encode())
	}
	return classes
}

// BenchmarkSearchHTTP is the load script of make bench-http: for each
// database in BENCH_HTTP ("sqlite:100000,postgres:100000" by default; add
// sqlite:1000000 for a million) it builds the synthetic directory if it is
// not kept already, starts the real binary on it, runs the four classes of
// search in turn, one request at a time, through HTTP, and prints each
// class's p50, p95 and p99. It then runs the same SQL bare, through the
// same driver (every query the search sends, read to the last row), and
// prints how many times longer the application takes; and measures the
// search page's requests a second with 8 connections at once
// (BENCH_HTTP_SECONDS, 10 by default).
func BenchmarkSearchHTTP(b *testing.B) {
	targets := os.Getenv("BENCH_HTTP")
	if targets == "" {
		targets = "sqlite:100000,postgres:100000"
	}
	rounds := envInt(b, "BENCH_HTTP_ROUNDS", 20)
	seconds := envInt(b, "BENCH_HTTP_SECONDS", 10)
	bin := buildWaymark(b)
	for _, target := range strings.Split(targets, ",") {
		d, size, ok := strings.Cut(strings.TrimSpace(target), ":")
		n, err := strconv.Atoi(size)
		if !ok || err != nil || (d != string(sqlstore.SQLite) && d != string(sqlstore.Postgres)) {
			b.Fatalf("BENCH_HTTP: %q is not dialect:services, like sqlite:100000", target)
		}
		b.Run(fmt.Sprintf("%s-%d", d, n), func(b *testing.B) {
			db, dsn := sqlstoretest.BenchSize(b, sqlstore.Dialect(d), n)
			benchSearchHTTP(b, db, dsn, bin, rounds, seconds)
		})
	}
}

func envInt(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		b.Fatalf("%s=%q: want a whole number, 1 or more", name, v)
	}
	return n
}

// buildWaymark builds the waymark binary into a temporary directory.
func buildWaymark(b *testing.B) string {
	b.Helper()
	mod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		b.Fatalf("go env GOMOD: %v", err)
	}
	bin := filepath.Join(b.TempDir(), "waymark")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/waymark")
	cmd.Dir = filepath.Dir(strings.TrimSpace(string(mod)))
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// serve starts the binary on dsn and returns its base URL; it stops when
// the benchmark ends.
func serve(b *testing.B, bin, dsn string) string {
	b.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dsn, "ADDR="+addr, "LOG_LEVEL=warn", "TILE_URL=")
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	base := "http://" + addr
	for i := 0; ; i++ {
		if res, err := http.Get(base + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return base
			}
		}
		if i == 600 {
			b.Fatalf("the server on %s did not start", addr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func benchSearchHTTP(b *testing.B, db *sqlstore.DB, dsn, bin string, rounds, seconds int) {
	ctx := context.Background()
	classes := searchClasses()
	base := serve(b, bin, dsn)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}, Timeout: 30 * time.Second}
	get := func(q string) error {
		res, err := client.Get(base + "/?" + q)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		if _, err := io.Copy(io.Discard, res.Body); err != nil {
			return err
		}
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("GET /?%s: %s", q, res.Status)
		}
		return nil
	}

	// The same searches in-process, their SQL traced, to run bare.
	table, err := postcode.Embedded()
	if err != nil {
		b.Fatal(err)
	}
	dir := directory.NewDirectory(sqlstore.NewDirectoryStore(db), table, time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	type traced struct {
		query string
		args  []any
	}
	bare := make([][][]traced, len(classes))
	var tracing []traced
	sqlstore.TraceReads(db, func(q string, args []any) { tracing = append(tracing, traced{sqlstore.Rebind(db, q), args}) })
	hits := make([]int, len(classes))
	for i, c := range classes {
		for _, u := range c.urls {
			v, _ := url.ParseQuery(u)
			q, problems := directory.ParseSearch(v)
			if problems.Len() > 0 {
				b.Fatalf("%s: %v", u, problems)
			}
			tracing = nil
			res, err := dir.Search(ctx, q)
			if err != nil {
				b.Fatalf("%s: %v", u, err)
			}
			hits[i] += len(res.Hits)
			bare[i] = append(bare[i], tracing)
		}
	}
	sqlstore.TraceReads(db, nil)
	runBare := func(qs []traced) error {
		for _, t := range qs {
			rows, err := db.SQL().QueryContext(ctx, t.query, t.args...)
			if err != nil {
				return err
			}
			cols, _ := rows.Columns()
			dest := make([]any, len(cols))
			for i := range dest {
				dest[i] = new(any)
			}
			for rows.Next() {
				if err := rows.Scan(dest...); err != nil {
					rows.Close()
					return err
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	}

	// Two rounds to warm the caches, then the measured ones: each class in
	// turn, its searches one after another.
	appLat := make([][]time.Duration, len(classes))
	bareLat := make([][]time.Duration, len(classes))
	for round := -2; round < rounds; round++ {
		for i, c := range classes {
			for j, u := range c.urls {
				start := time.Now()
				if err := get(u); err != nil {
					b.Fatal(err)
				}
				took := time.Since(start)
				start = time.Now()
				if err := runBare(bare[i][j]); err != nil {
					b.Fatal(err)
				}
				bareTook := time.Since(start)
				if round >= 0 {
					appLat[i] = append(appLat[i], took)
					bareLat[i] = append(bareLat[i], bareTook)
				}
			}
		}
	}
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("\n%s, %s (load average %s)\n", b.Name(), time.Now().UTC().Format("2006-01-02 15:04 UTC"), strings.Join(strings.Fields(string(load))[:3], " "))
	fmt.Printf("%-30s %8s %8s %8s %8s %10s %10s %6s %6s\n", "class (ms)", "requests", "p50", "p95", "p99", "bare p50", "bare p99", "ratio", "hits")
	for i, c := range classes {
		a, s := percentiles(appLat[i]), percentiles(bareLat[i])
		fmt.Printf("%-30s %8d %8.1f %8.1f %8.1f %10.1f %10.1f %6.2f %6.1f\n", c.name, len(appLat[i]), a[0], a[1], a[2], s[0], s[2],
			a[0]/s[0], float64(hits[i])/float64(len(c.urls)))
		b.ReportMetric(a[2], fmt.Sprintf("p99-ms-class%d", i+1))
	}

	// Throughput: 8 clients at once on the first class for a while.
	var done, failed atomic.Int64
	stop := time.Now().Add(time.Duration(seconds) * time.Second)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			urls := classes[0].urls
			for k := w; time.Now().Before(stop); k++ {
				if err := get(urls[k%len(urls)]); err != nil {
					failed.Add(1)
				} else {
					done.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	rps := float64(done.Load()) / float64(seconds)
	fmt.Printf("search page, 8 connections, %d s: %.0f requests/s, %d errors\n", seconds, rps, failed.Load())
	b.ReportMetric(rps, "req/s")
}

// percentiles returns the 50th, 95th and 99th percentiles in milliseconds.
func percentiles(lat []time.Duration) [3]float64 {
	s := slices.Clone(lat)
	slices.Sort(s)
	at := func(p float64) float64 {
		return float64(s[int(float64(len(s)-1)*p)].Microseconds()) / 1000
	}
	return [3]float64{at(0.50), at(0.95), at(0.99)}
}
