package fhir_test

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"waymark/internal/hostile"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

// stringPaths lists the path of every string in a decoded JSON document,
// each as its keys and indexes.
func stringPaths(v any, path []string, out *[][]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			stringPaths(c, append(append([]string(nil), path...), k), out)
		}
	case []any:
		for i, c := range x {
			stringPaths(c, append(append([]string(nil), path...), strconv.Itoa(i)), out)
		}
	case string:
		*out = append(*out, path)
	}
}

// setString replaces the string at path in a decoded JSON document.
func setString(doc any, path []string, value string) {
	cur := doc
	for i, key := range path {
		last := i == len(path)-1
		switch x := cur.(type) {
		case map[string]any:
			if last {
				x[key] = value
			}
			cur = x[key]
		case []any:
			n, _ := strconv.Atoi(key)
			if last {
				x[n] = value
			}
			cur = x[n]
		}
	}
}

// A connected system's message with a hostile value in any of its strings
// is refused with a 4xx OperationOutcome or makes a referral, never a 5xx,
// on both databases: control characters in the requester's name or role
// (a Practitioner's name, a PractitionerRole's display) answered 500 on
// PostgreSQL and were stored on SQLite. Every string of the documented
// example gets a few control values; the names and the reason get the
// whole hostile corpus.
func TestProcessMessageWithAHostileValueInAnyStringNeverAnswers5xx(t *testing.T) {
	corpus, err := hostile.Values()
	if err != nil {
		t.Fatal(err)
	}
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newMsgFixture(t, db)
		var paths [][]string
		stringPaths(readDoc(t, docsExample), nil, &paths)
		sort.Slice(paths, func(i, j int) bool { return strings.Join(paths[i], "/") < strings.Join(paths[j], "/") })
		type probe struct {
			path  []string
			value string
		}
		var probes []probe
		for _, p := range paths {
			for _, v := range []string{"a\x00b", "\x1b[31mred", "\u202eevil", strings.Repeat("a", 100_000)} {
				probes = append(probes, probe{p, v})
			}
		}
		full := map[string]bool{"entry/2/resource/name/0/given/0": true, "entry/3/resource/name/0/family": true,
			"entry/5/resource/code/0/coding/0/display": true, "entry/1/resource/reasonCode/0/text": true}
		found := 0
		for _, p := range paths {
			if full[strings.Join(p, "/")] {
				found++
				for _, v := range corpus {
					probes = append(probes, probe{p, v})
				}
			}
		}
		if found != len(full) {
			t.Fatalf("the example has %d of the %d strings given the whole corpus: has it changed?", found, len(full))
		}
		var wg sync.WaitGroup
		next := make(chan int)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					p := probes[i]
					body := referralBundle(t, fmt.Sprintf("hostile-%d", i), practiceA, testNHS, func(doc map[string]any) {
						setString(doc, p.path, p.value)
					})
					a := f.post(t, "systemA", body)
					if a.status >= 500 || a.status != http.StatusOK && a.doc["resourceType"] != "OperationOutcome" {
						t.Errorf("%s = %.40q: %d %.300s", strings.Join(p.path, "/"), p.value, a.status, a.body)
					}
				}
			}()
		}
		for i := range probes {
			next <- i
		}
		close(next)
		wg.Wait()
		// The requester's name with a NUL is refused, naming the field,
		// the same on both databases.
		a := f.post(t, "systemA", referralBundle(t, "hostile-requester", practiceA, testNHS, func(doc map[string]any) {
			setString(doc, []string{"entry", "3", "resource", "name", "0", "family"}, "Smith\x00")
		}))
		code, bars, says := a.outcome(t)
		if a.status != http.StatusBadRequest || code != "value" || bars != "REC_BAD_REQUEST" || !strings.Contains(says, "control characters") {
			t.Errorf("a NUL in the requester's name: %d %s %s %q", a.status, code, bars, says)
		}
		t.Logf("%d messages", len(probes))
	})
}
