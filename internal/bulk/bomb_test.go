package bulk_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"waymark"
	"waymark/internal/bulk"
)

// workbook writes a minimal XLSX file whose one sheet's rows are written by
// rows, so tests can make a small file that expands to a huge one.
func workbook(t *testing.T, rows func(w io.Writer)) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Services" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
	}
	for _, p := range parts {
		w, err := zw.Create(p.name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, p.body)
	}
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	rows(w)
	io.WriteString(w, `</sheetData></worksheet>`)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func inlineRow(w io.Writer, n int, cells ...string) {
	fmt.Fprintf(w, `<row r="%d">`, n)
	for _, c := range cells {
		fmt.Fprintf(w, `<c t="inlineStr"><is><t>%s</t></is></c>`, c)
	}
	io.WriteString(w, `</row>`)
}

func TestAWorkbookThatExpandsHugelyIsRefusedBeforeItIsRead(t *testing.T) {
	// About 70 MB of sheet in a zip of well under 1 MB.
	var chunk bytes.Buffer
	for range 100 {
		inlineRow(&chunk, 2, strings.Repeat("x", 10_000))
	}
	data := workbook(t, func(w io.Writer) {
		inlineRow(w, 1, bulk.Columns()...)
		for range 70 {
			w.Write(chunk.Bytes())
		}
	})
	if len(data) > 2<<20 {
		t.Fatalf("the test workbook is %d bytes, want a small zip", len(data))
	}
	_, err := bulk.Parse(bytes.NewReader(data), "bomb.xlsx")
	if waymark.ErrorCode(err) != waymark.EINVALID || !strings.Contains(waymark.ErrorMessage(err), "MB of data once opened") {
		t.Fatalf("Parse(bomb) = %v, want EINVALID about its size", err)
	}
}

func TestWorkbookRowsAndColumnsAreCapped(t *testing.T) {
	wide := workbook(t, func(w io.Writer) {
		inlineRow(w, 1, bulk.Columns()...)
		io.WriteString(w, `<row r="2"><c r="A2" t="inlineStr"><is><t>Org</t></is></c><c r="XFD2" t="inlineStr"><is><t>far away</t></is></c></row>`)
	})
	if _, err := bulk.Parse(bytes.NewReader(wide), "wide.xlsx"); waymark.ErrorCode(err) != waymark.EINVALID || !strings.Contains(waymark.ErrorMessage(err), "columns we read") {
		t.Errorf("a cell in column XFD: %v", err)
	}
	long := workbook(t, func(w io.Writer) {
		inlineRow(w, 1, bulk.Columns()...)
		for n := 2; n < 12_000; n++ {
			fmt.Fprintf(w, `<row r="%d"><c r="A%d"/></row>`, n, n)
		}
	})
	if _, err := bulk.Parse(bytes.NewReader(long), "long.xlsx"); waymark.ErrorCode(err) != waymark.EINVALID || !strings.Contains(waymark.ErrorMessage(err), "more than 11,000 rows") {
		t.Errorf("12,000 rows: %v", err)
	}
}
