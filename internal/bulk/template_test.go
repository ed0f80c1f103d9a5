package bulk_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"waymark/internal/bulk"
	"waymark/internal/directory"
)

func TestTemplateXLSX(t *testing.T) {
	var buf bytes.Buffer
	if err := bulk.TemplateXLSX(&buf, categories()); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); strings.Join(got, ",") != "Services,Instructions,Categories" {
		t.Errorf("sheets = %v", got)
	}
	rows, err := f.GetRows("Services")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("Services has %d rows, want the header and the example", len(rows))
	}
	for i, name := range bulk.Columns() {
		if h := strings.TrimSuffix(rows[0][i], "*"); h != name {
			t.Errorf("header %d = %q, want %q", i, rows[0][i], name)
		}
	}
	if !strings.HasSuffix(rows[0][0], "*") || strings.HasSuffix(rows[0][2], "*") {
		t.Errorf("required columns are not the starred ones: %q", rows[0])
	}
	if w, _ := f.GetColWidth("Services", "E"); w < 40 {
		t.Errorf("description column width %v, want it wide", w)
	}
	dvs, err := f.GetDataValidations("Services")
	if err != nil {
		t.Fatal(err)
	}
	var lists []string
	for _, dv := range dvs {
		lists = append(lists, dv.Sqref+" "+dv.Formula1)
	}
	joined := strings.Join(lists, "\n")
	for _, want := range []string{"F2:F10001 Categories!$A$2:$A$17", `O2:O10001 "Yes,No"`, "P2:P10001 0"} {
		if !strings.Contains(joined, want) {
			t.Errorf("validations %q lack %q", joined, want)
		}
	}
	cats, err := f.GetRows("Categories")
	if err != nil {
		t.Fatal(err)
	}
	if len(cats) != 17 || cats[1][0] != "wellbeing" {
		t.Errorf("Categories sheet has %d rows, first %v", len(cats), cats[1])
	}
	instr, err := f.GetRows("Instructions")
	if err != nil {
		t.Fatal(err)
	}
	text := ""
	for _, r := range instr {
		text += strings.Join(r, " | ") + "\n"
	}
	for _, name := range bulk.Columns() {
		if !strings.Contains(text, name) {
			t.Errorf("Instructions do not explain %s", name)
		}
	}
	for _, want := range []string{"one service on each row", "Required", "claim", "10,000", "published in the directory as soon as it is imported"} {
		if !strings.Contains(text, want) {
			t.Errorf("Instructions do not say %q", want)
		}
	}
	// The import publishes at once: the instructions must not say entries
	// wait for the organisation to claim and publish them.
	if strings.Contains(text, "publish them") || strings.Contains(text, "publish it") {
		t.Error("Instructions say entries are published after a claim")
	}
}

// TestTemplateRoundTrip fills in the template as a user would, leaving the
// example row, and plans the import.
func TestTemplateRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := bulk.TemplateXLSX(&buf, categories()); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cols := bulk.Columns()
	for i, r := range []row{validRow(1), validRow(2).with("phone", "0161 49"), validRow(3).with("minimum_age", "")} {
		vals := make([]any, len(cols))
		for j, c := range cols {
			vals[j] = r[c]
		}
		if err := f.SetSheetRow("Services", "A"+string(rune('3'+i)), &vals); err != nil {
			t.Fatal(err)
		}
	}
	// A number typed into an age cell is stored as a number.
	if err := f.SetCellInt("Services", "Q5", 30); err != nil {
		t.Fatal(err)
	}
	filled, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	s := mustParse(t, filled.Bytes(), "filled.xlsx")
	if len(s.Rows) != 3 || s.Rows[0].Number != 3 {
		t.Fatalf("rows = %d, first numbered %d; want 3 from row 3", len(s.Rows), s.Rows[0].Number)
	}
	if len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], "Row 2 is the example") {
		t.Errorf("warnings = %q", s.Warnings)
	}
	res := mustPlan(t, s, options(t, nil))
	if got := []bulk.Action{res.Rows[0].Action, res.Rows[1].Action, res.Rows[2].Action}; got[0] != bulk.ActionCreate || got[1] != bulk.ActionError || got[2] != bulk.ActionCreate {
		t.Errorf("actions = %v (%v)", got, res.Errors())
	}
	if e := res.Errors(); len(e) != 1 || e[0].Row != 4 || e[0].Column != bulk.ColPhone {
		t.Errorf("errors = %v, want row 4, phone", e)
	}
	if m := res.Rows[2].Service.MaximumAge; m == nil || *m != 30 {
		t.Errorf("maximum age = %v, want 30", m)
	}
}

func TestTemplateExampleRowPlans(t *testing.T) {
	// The example row itself must be a valid row, or the template teaches
	// mistakes: swap its service name so Parse keeps it.
	var buf bytes.Buffer
	if err := bulk.TemplateCSV(&buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\ufefforganisation_name*,")) {
		t.Errorf("CSV template starts %q", buf.String()[:30])
	}
	if _, err := bulk.Parse(bytes.NewReader(buf.Bytes()), "template.csv"); err == nil {
		t.Error("the template alone parsed; want: no services (the example row is left out)")
	}
	data := strings.Replace(buf.String(), "Tuesday health walk", "Thursday health walk", 1)
	s := mustParse(t, []byte(data), "template.csv")
	res := mustPlan(t, s, options(t, nil))
	if rp := res.Rows[0]; rp.Row != 2 || rp.Action != bulk.ActionCreate {
		t.Errorf("example row: %d %q %v", rp.Row, rp.Action, rp.Errors)
	}
}

// startsFormula reports whether a spreadsheet would run s as a formula.
func startsFormula(s string) bool {
	return s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0]))
}

func TestTemplatesNeutraliseFormulasFromFeeds(t *testing.T) {
	cats := append(categories(), directory.TaxonomyTerm{Code: "=1+1", Name: `=HYPERLINK("https://evil.example","Click")`, Description: "@SUM(A1)"})
	var buf bytes.Buffer
	if err := bulk.TemplateXLSX(&buf, cats); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	found := false
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			for _, v := range row {
				if startsFormula(v) {
					t.Errorf("sheet %s has a cell that starts a formula: %q", sheet, v)
				}
				found = found || v == `'=HYPERLINK("https://evil.example","Click")`
			}
		}
	}
	if !found {
		t.Error("the feed's category name is not in the template, neutralised")
	}
	buf.Reset()
	if err := bulk.TemplateCSV(&buf); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		for _, v := range rec {
			if startsFormula(v) {
				t.Errorf("the CSV template has a cell that starts a formula: %q", v)
			}
		}
	}
}
