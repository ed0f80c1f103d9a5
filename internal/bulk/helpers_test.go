package bulk_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/xuri/excelize/v2"

	"waymark"
	"waymark/internal/bulk"
	"waymark/internal/directory"
	"waymark/internal/postcode"
	"waymark/internal/seed"
)

// table decodes the national postcode table once for all tests.
var table = sync.OnceValues(postcode.Embedded)

func mustTable(tb testing.TB) *postcode.Table {
	tb.Helper()
	t, err := table()
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func categories() []directory.TaxonomyTerm {
	_, terms := seed.Categories()
	return terms
}

func options(tb testing.TB, existing bulk.Existing) bulk.Options {
	return bulk.Options{Geocoder: mustTable(tb), Categories: categories(), Existing: existing}
}

// realPostcodes are in the national table.
var realPostcodes = []string{"DE4 3AG", "DE45 1AH", "S40 1PA", "SK17 6EQ", "NG10 4HD", "DE1 2AW", "SK13 8BW"}

// header is the template's header row as a user might type it.
var header = []string{"organisation_name", "organisation_email", "organisation_website", "service_name", "description",
	"category", "address_line", "town", "postcode", "phone", "email", "website", "opening_times", "who_it_is_for",
	"free", "minimum_age", "maximum_age"}

// row is one service, by column name; fields not set are empty.
type row map[string]string

// validRow returns a row that plans to "create", numbered n to keep names
// and websites apart.
func validRow(n int) row {
	return row{
		"organisation_name":    fmt.Sprintf("Friends of Park %d", n%50),
		"organisation_email":   fmt.Sprintf("park%d@example.org", n%50),
		"organisation_website": fmt.Sprintf("https://park%d.example.org", n%50),
		"service_name":         fmt.Sprintf("Health walk %d", n),
		"description":          "A gentle walk with tea afterwards.",
		"category":             "physical-activity; loneliness",
		"address_line":         "1 Park Road",
		"town":                 "Matlock",
		"postcode":             realPostcodes[n%len(realPostcodes)],
		"phone":                "01629 580000",
		"email":                fmt.Sprintf("walk%d@example.org", n),
		"website":              fmt.Sprintf("https://park%d.example.org/walks/%d", n%50, n),
		"opening_times":        "Tuesdays 10am",
		"who_it_is_for":        "Adults",
		"free":                 "Yes",
		"minimum_age":          "18",
		"maximum_age":          "",
	}
}

func (r row) with(kv ...string) row {
	c := row{}
	for k, v := range r {
		c[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		c[kv[i]] = kv[i+1]
	}
	return c
}

func records(hdr []string, rows []row) [][]string {
	recs := [][]string{hdr}
	for _, r := range rows {
		rec := make([]string, len(hdr))
		for i, h := range hdr {
			rec[i] = r[strings.Trim(strings.ToLower(h), " *")]
		}
		recs = append(recs, rec)
	}
	return recs
}

// makeCSV writes rows under the header as CSV.
func makeCSV(tb testing.TB, hdr []string, rows []row) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(records(hdr, rows)); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// makeXLSX writes rows under the header as a workbook with one sheet.
func makeXLSX(tb testing.TB, sheet string, hdr []string, rows []row) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		tb.Fatal(err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		tb.Fatal(err)
	}
	for i, rec := range records(hdr, rows) {
		vals := make([]any, len(rec))
		for j, v := range rec {
			vals[j] = v
		}
		if err := sw.SetRow(fmt.Sprintf("A%d", i+1), vals); err != nil {
			tb.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		tb.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func validRows(n int) []row {
	rows := make([]row, n)
	for i := range rows {
		rows[i] = validRow(i)
	}
	return rows
}

func mustParse(tb testing.TB, data []byte, name string) *bulk.Sheet {
	tb.Helper()
	s, err := bulk.Parse(bytes.NewReader(data), name)
	if err != nil {
		tb.Fatalf("Parse(%s): %v", name, err)
	}
	return s
}

func mustPlan(tb testing.TB, s *bulk.Sheet, opts bulk.Options) *bulk.Result {
	tb.Helper()
	res, err := bulk.Plan(context.Background(), s, opts)
	if err != nil {
		tb.Fatalf("Plan: %v", err)
	}
	return res
}

// wantInvalid checks that err is an EINVALID waymark error whose message
// contains every part.
func wantInvalid(t *testing.T, err error, parts ...string) {
	t.Helper()
	if got := waymark.ErrorCode(err); got != waymark.EINVALID {
		t.Fatalf("error code = %q (%v), want %q", got, err, waymark.EINVALID)
	}
	msg := waymark.ErrorMessage(err)
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("message %q does not contain %q", msg, p)
		}
	}
}

// memExisting is an in-memory directory for duplicate checks, as a database
// would answer them.
type memExisting struct {
	byName    map[string]string // service name (lower case) + postcode to id
	byWebsite map[string]string
	byKey     map[string]string
	calls     int
	fail      error
}

func newMemExisting() *memExisting {
	return &memExisting{byName: map[string]string{}, byWebsite: map[string]string{}, byKey: map[string]string{}}
}

func (m *memExisting) add(id, name, pc, website string) {
	m.byName[strings.ToLower(name)+"|"+pc] = id
	if website != "" {
		m.byWebsite[website] = id
	}
}

func (m *memExisting) FindDuplicate(ctx context.Context, name, pc, website string) (string, bool, error) {
	m.calls++
	if m.fail != nil {
		return "", false, m.fail
	}
	if id, ok := m.byName[strings.ToLower(name)+"|"+pc]; ok {
		return id, true, nil
	}
	if id, ok := m.byWebsite[website]; ok && website != "" {
		return id, true, nil
	}
	return "", false, nil
}

// memKeyed is a memExisting that also remembers import keys.
type memKeyed struct{ *memExisting }

func (m memKeyed) FindKey(ctx context.Context, key string) (string, bool, error) {
	id, ok := m.byKey[key]
	return id, ok, nil
}

var errDatabase = errors.New("database is down")
