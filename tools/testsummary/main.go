// Command testsummary reads `go test -json` on standard input and writes
// what a person needs: one line per package as it finishes, the full output
// of every failing test, and at the end the slowest tests. It exits 1 when
// any test or package failed, so `go test -json ./... 2>&1 | testsummary`
// fails as `go test` would.
//
//	go test -json ./... 2>&1 | go run ./tools/testsummary -slowest 10
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

// event is one line of `go test -json` (see `go doc test2json`).
type event struct {
	Time    time.Time
	Action  string
	Package string
	Test    string
	Elapsed float64
	Output  string
}

// result is a finished test.
type result struct {
	pkg, test string
	elapsed   float64
}

func main() {
	slowest := flag.Int("slowest", 10, "how many of the slowest tests to list")
	flag.Parse()
	if !summarise(os.Stdin, os.Stdout, *slowest) {
		os.Exit(1)
	}
}

// summarise reports the run read from in on out and says whether it passed.
func summarise(in io.Reader, out io.Writer, slowest int) bool {
	var (
		outputs  = map[string]*strings.Builder{} // package + test -> its output so far
		results  []result
		failed   []string
		ok       = true
		first    time.Time
		last     time.Time
		packages int
	)
	key := func(e event) string { return e.Package + " " + e.Test }
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			fmt.Fprintf(out, "%s\n", line) // build errors and anything else not from test2json
			continue
		}
		if !e.Time.IsZero() {
			if first.IsZero() {
				first = e.Time
			}
			last = e.Time
		}
		switch e.Action {
		case "build-output":
			fmt.Fprint(out, e.Output)
		case "output":
			if e.Test == "" {
				// Package-level output: the ok/FAIL line is printed on its own below.
				if t := strings.TrimSpace(e.Output); t == "PASS" || t == "FAIL" || strings.HasPrefix(t, "ok ") ||
					strings.HasPrefix(t, "FAIL\t") || strings.HasPrefix(t, "?") || strings.HasPrefix(t, "ok\t") {
					continue
				}
			}
			b := outputs[key(e)]
			if b == nil {
				b = &strings.Builder{}
				outputs[key(e)] = b
			}
			b.WriteString(e.Output)
		case "pass", "fail", "skip":
			k := key(e)
			if e.Test == "" {
				packages++
				status := "ok  "
				if e.Action == "fail" {
					status, ok = "FAIL", false
					if b := outputs[k]; b != nil && b.Len() > 0 {
						fmt.Fprint(out, b.String())
					}
				}
				fmt.Fprintf(out, "%s %-45s %7.1fs\n", status, e.Package, e.Elapsed)
				continue
			}
			if e.Action == "fail" {
				ok = false
				if !failedChild(failed, e.Package+" "+e.Test+"/") {
					failed = append(failed, e.Package+" "+e.Test)
				}
				if b := outputs[k]; b != nil {
					fmt.Fprintf(out, "--- FAIL: %s (%s)\n%s", e.Test, e.Package, b)
				}
			}
			if e.Action != "skip" {
				results = append(results, result{pkg: e.Package, test: e.Test, elapsed: e.Elapsed})
			}
			delete(outputs, k)
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(out, "testsummary: reading go test output: %v\n", err)
		ok = false
	}
	fmt.Fprint(out, report(results, slowest))
	fmt.Fprintf(out, "%d packages, %d tests, %s from first to last event\n", packages, len(results), last.Sub(first).Round(time.Second))
	if len(failed) > 0 {
		fmt.Fprintf(out, "\n%d failed:\n  %s\n", len(failed), strings.Join(failed, "\n  "))
	}
	return ok
}

// failedChild reports whether a subtest under prefix has failed already:
// then its parent's failure adds nothing to the list.
func failedChild(failed []string, prefix string) bool {
	for _, f := range failed {
		if strings.HasPrefix(f, prefix) {
			return true
		}
	}
	return false
}

// report lists the slowest tests that have no subtests of their own (a
// parent's time is the sum of its children's, so listing both repeats it).
func report(results []result, n int) string {
	parents := map[string]bool{}
	for _, r := range results {
		if i := strings.LastIndexByte(r.test, '/'); i >= 0 {
			parents[r.pkg+" "+r.test[:i]] = true
		}
	}
	var leaves []result
	for _, r := range results {
		if !parents[r.pkg+" "+r.test] {
			leaves = append(leaves, r)
		}
	}
	sort.SliceStable(leaves, func(i, j int) bool { return leaves[i].elapsed > leaves[j].elapsed })
	if len(leaves) > n {
		leaves = leaves[:n]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nSlowest %d tests:\n", len(leaves))
	for _, r := range leaves {
		fmt.Fprintf(&b, "  %7.1fs  %s %s\n", r.elapsed, r.pkg, r.test)
	}
	return b.String()
}
