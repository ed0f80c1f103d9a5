package main

import (
	"strings"
	"testing"
)

const run = `{"Time":"2026-12-01T10:00:00Z","Action":"start","Package":"waymark/a"}
{"Time":"2026-12-01T10:00:00Z","Action":"run","Package":"waymark/a","Test":"TestQuick"}
{"Time":"2026-12-01T10:00:00Z","Action":"output","Package":"waymark/a","Test":"TestQuick","Output":"=== RUN   TestQuick\n"}
{"Time":"2026-12-01T10:00:01Z","Action":"pass","Package":"waymark/a","Test":"TestQuick","Elapsed":0.5}
{"Time":"2026-12-01T10:00:01Z","Action":"output","Package":"waymark/a","Test":"TestBoth/sqlite","Output":"    a_test.go:9: the sqlite log line\n"}
{"Time":"2026-12-01T10:00:03Z","Action":"pass","Package":"waymark/a","Test":"TestBoth/sqlite","Elapsed":2}
{"Time":"2026-12-01T10:00:03Z","Action":"output","Package":"waymark/a","Test":"TestBoth/postgres","Output":"    a_test.go:12: want 2, got 3\n"}
{"Time":"2026-12-01T10:00:09Z","Action":"fail","Package":"waymark/a","Test":"TestBoth/postgres","Elapsed":6}
{"Time":"2026-12-01T10:00:09Z","Action":"fail","Package":"waymark/a","Test":"TestBoth","Elapsed":8}
{"Time":"2026-12-01T10:00:09Z","Action":"output","Package":"waymark/a","Output":"FAIL\n"}
{"Time":"2026-12-01T10:00:09Z","Action":"fail","Package":"waymark/a","Elapsed":9}
{"Time":"2026-12-01T10:00:10Z","Action":"pass","Package":"waymark/b","Test":"TestSlow","Elapsed":4}
{"Time":"2026-12-01T10:00:10Z","Action":"pass","Package":"waymark/b","Elapsed":4.2}
`

func TestTheSummaryShowsFailuresAndTheSlowestLeafTestsAndFails(t *testing.T) {
	var out strings.Builder
	if summarise(strings.NewReader(run), &out, 2) {
		t.Error("a run with a failing test passed")
	}
	got := out.String()
	for _, want := range []string{
		"--- FAIL: TestBoth/postgres (waymark/a)\n    a_test.go:12: want 2, got 3\n",
		"FAIL waymark/a",
		"ok   waymark/b",
		"Slowest 2 tests:\n      6.0s  waymark/a TestBoth/postgres\n      4.0s  waymark/b TestSlow\n",
		"2 packages, 5 tests, 10s from first to last event",
		"1 failed:", // the parent fails only because of its subtest, and lists as failed too
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the summary lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "the sqlite log line") {
		t.Errorf("the output of a passing test is shown:\n%s", got)
	}
}

func TestAPassingRunPassesAndPrintsBuildErrors(t *testing.T) {
	var out strings.Builder
	in := "# waymark/c\nc.go:3:1: syntax error\n" + `{"Action":"pass","Package":"waymark/c","Test":"TestX","Elapsed":0.1}` + "\n"
	if !summarise(strings.NewReader(in), &out, 10) {
		t.Errorf("a passing run failed:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "c.go:3:1: syntax error") {
		t.Errorf("a line that is not JSON is not shown:\n%s", out.String())
	}
}
