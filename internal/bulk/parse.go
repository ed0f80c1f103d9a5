package bulk

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"waymark"
)

// Limits on what Parse reads.
const (
	// MaxRows is the most services one file may hold, not counting the
	// header row and empty rows.
	MaxRows = 10000
	// MaxFileSize is the largest file Parse reads, in bytes.
	MaxFileSize = 20 << 20
	// maxUnzipped bounds how much an XLSX file may expand to when unzipped,
	// so a small zip cannot fill memory or disk. A full file of MaxRows
	// services unzips to about 20 MB.
	maxUnzipped = 64 << 20
	// maxUnzippedInMemory is the largest sheet or shared strings part
	// excelize keeps in memory; bigger ones go to a temporary file and are
	// read as a stream.
	maxUnzippedInMemory = 4 << 20
	// maxSheetRows is the most spreadsheet rows read, blank ones included,
	// and maxColumns the most columns a row may have.
	maxSheetRows = MaxRows + 1000
	maxColumns   = 100
)

// Formats of file Parse reads.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

// Sheet is a spreadsheet of services as read by Parse, before any checks on
// the values in it.
type Sheet struct {
	// Format is FormatCSV or FormatXLSX.
	Format string
	// Columns are the names of the columns the header row matched, in the
	// order they appear in the file.
	Columns []string
	// Rows are the rows below the header that have anything in them, in file
	// order. Empty rows and the template's example row are left out.
	Rows []Row
	// Warnings are things the user should know that do not stop the import,
	// such as columns we do not recognise and so ignore.
	Warnings []string
}

// Row is one row of a Sheet.
type Row struct {
	// Number is the row number the user sees in their spreadsheet: the
	// header is usually row 1, so the first service is row 2.
	Number int
	// Values holds the trimmed cell of each recognised column by column name
	// (ColPostcode and so on). A column the file lacks reads as "".
	Values map[string]string
}

// Get returns the value in the row's cell for a column, or "".
func (r Row) Get(col string) string { return r.Values[col] }

// Parse reads a CSV or XLSX file of services. It decides the format from the
// content (an XLSX file is a zip), using filename only to word messages, so a
// CSV named .xlsx or a workbook named .csv still reads. A CSV file may start
// with a byte-order mark, be separated by commas, semicolons or tabs, and be
// in UTF-8 or Windows-1252; an XLSX file is read from its "Services" sheet, or
// its first sheet when it has none.
//
// The header row matches column names whatever their case, spacing and
// asterisks; columns we do not recognise are ignored with a warning.
//
// Errors: EINVALID when the file is empty, larger than MaxFileSize, not a
// spreadsheet, has more than MaxRows services, lacks a required column or
// has a column twice; other errors when reading r fails.
func Parse(r io.Reader, filename string) (*Sheet, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read spreadsheet: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, waymark.Errorf(waymark.EINVALID,
			"The file is larger than %d MB. Split it into smaller files and upload each one.", MaxFileSize>>20)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, waymark.Errorf(waymark.EINVALID, "The file is empty. Fill in the template and upload it again.")
	}
	ext := strings.ToLower(filepath.Ext(filename))
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return parseXLSX(data)
	case bytes.HasPrefix(data, []byte("\xd0\xcf\x11\xe0")):
		return nil, waymark.Errorf(waymark.EINVALID,
			"This looks like an older Excel file (.xls). Open it in Excel and save it as an Excel Workbook (.xlsx) or as CSV UTF-8, then upload it again.")
	case bytes.HasPrefix(data, []byte("\xff\xfe")), bytes.HasPrefix(data, []byte("\xfe\xff")):
		return nil, waymark.Errorf(waymark.EINVALID,
			"This file is saved as Unicode text. Save it as CSV UTF-8 (comma delimited) or as an Excel Workbook (.xlsx), then upload it again.")
	case bytes.IndexByte(data, 0) >= 0:
		if ext == ".xlsx" || ext == ".xls" {
			return nil, waymark.Errorf(waymark.EINVALID,
				"The file is named %s but is not an Excel workbook. Save it as an Excel Workbook (.xlsx) or as CSV, then upload it again.", ext)
		}
		return nil, waymark.Errorf(waymark.EINVALID,
			"This is not a CSV or Excel file. Save the spreadsheet as CSV or as an Excel Workbook (.xlsx), then upload it again.")
	}
	return parseCSV(data)
}

// parseCSV reads CSV text: data is not empty and has no NUL bytes.
func parseCSV(data []byte) (*Sheet, error) {
	b := newBuilder(FormatCSV)
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		decoded, err := charmap.Windows1252.NewDecoder().Bytes(data)
		if err != nil {
			return nil, fmt.Errorf("decode Windows-1252 CSV: %w", err)
		}
		data = decoded
		b.warn("The file is not saved as UTF-8, so we read it as Windows text. Check that £ signs and accented letters look right below, or save it as CSV UTF-8.")
	}
	comma, rest, ok := sepLine(data)
	if !ok {
		comma, rest = sniffDelimiter(data), data
	}
	cr := csv.NewReader(bytes.NewReader(rest))
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	for n := 1; ; n++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		if err := b.add(n, rec); err != nil {
			return nil, err
		}
	}
	return b.finish()
}

// sepLine reads Excel's optional first line "sep=;", which names the
// delimiter. It returns the delimiter and the data after that line.
func sepLine(data []byte) (rune, []byte, bool) {
	line, rest, _ := bytes.Cut(data, []byte("\n"))
	line = bytes.TrimRight(line, "\r")
	s := string(line)
	if !strings.HasPrefix(strings.ToLower(s), "sep=") {
		return 0, nil, false
	}
	r, size := utf8.DecodeRuneInString(s[4:])
	if size == 0 || 4+size != len(s) || r == '"' || r == '\r' || r == '\n' || r == utf8.RuneError {
		return 0, nil, false
	}
	return r, rest, true
}

// sniffDelimiter picks the delimiter of CSV data from its first line:
// whichever of comma, semicolon and tab appears most often outside quotes.
// Spreadsheets in much of Europe save "CSV" with semicolons.
func sniffDelimiter(data []byte) rune {
	counts := map[byte]int{}
	quoted := false
	for _, c := range data {
		if c == '"' {
			quoted = !quoted
			continue
		}
		if quoted {
			continue
		}
		if c == '\n' {
			break
		}
		if c == ',' || c == ';' || c == '\t' {
			counts[c]++
		}
	}
	best := byte(',')
	for _, c := range []byte{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return rune(best)
}

// csvError turns a CSV syntax error into a message for the user.
func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote) {
			return waymark.Errorf(waymark.EINVALID,
				"Line %d of the file has a quote mark (\") in the wrong place. Put quote marks only around a whole value, and write a quote mark inside a value as two (\"\").", pe.Line)
		}
		return waymark.Errorf(waymark.EINVALID, "Line %d of the file could not be read as CSV: %v.", pe.Line, pe.Err)
	}
	return fmt.Errorf("read CSV: %w", err)
}

// parseXLSX reads an XLSX workbook.
func parseXLSX(data []byte) (s *Sheet, err error) {
	tooBig := waymark.Errorf(waymark.EINVALID,
		"The workbook holds more than %d MB of data once opened. Delete unused rows, columns and sheets, or split it into smaller files, and upload each one.", maxUnzipped>>20)
	if zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data))); err == nil {
		var size uint64
		for _, zf := range zr.File {
			size += zf.UncompressedSize64
		}
		if size > maxUnzipped {
			return nil, tooBig
		}
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    maxUnzipped,
		UnzipXMLSizeLimit: maxUnzippedInMemory,
	})
	if err != nil {
		return nil, waymark.Errorf(waymark.EINVALID,
			"We could not open this file as an Excel workbook. Save it as an Excel Workbook (.xlsx) or as CSV, then upload it again.")
	}
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close workbook: %w", cerr)
		}
	}()
	b := newBuilder(FormatXLSX)
	name := ""
	list := f.GetSheetList()
	for _, sh := range list {
		if strings.EqualFold(strings.TrimSpace(sh), templateSheet) {
			name = sh
			break
		}
	}
	if name == "" {
		if len(list) == 0 {
			return nil, waymark.Errorf(waymark.EINVALID, "The workbook has no sheets.")
		}
		name = list[0]
		if len(list) > 1 {
			b.warn(fmt.Sprintf("The workbook has no sheet called %q, so we read the first sheet, %q.", templateSheet, name))
		}
	}
	rows, err := f.Rows(name)
	if err != nil {
		return nil, fmt.Errorf("read sheet %q: %w", name, err)
	}
	defer rows.Close()
	for n := 1; rows.Next(); n++ {
		if n > maxSheetRows {
			return nil, waymark.Errorf(waymark.EINVALID,
				"Sheet %q has more than %s rows. Delete the empty rows at the end, or split it into files of %s services or fewer, and upload each one.",
				name, thousands(maxSheetRows), thousands(MaxRows))
		}
		cells, err := rows.Columns()
		if err != nil {
			return nil, waymark.Errorf(waymark.EINVALID, "Row %d of sheet %q could not be read. Save the workbook again in Excel and upload it again.", n, name)
		}
		if len(cells) > maxColumns {
			return nil, waymark.Errorf(waymark.EINVALID,
				"Row %d of sheet %q has something in column %s, beyond the %d columns we read. Delete the columns after the template's and upload the file again.",
				n, name, columnLetter(len(cells)-1), maxColumns)
		}
		if err := b.add(n, cells); err != nil {
			return nil, err
		}
	}
	if err := rows.Error(); err != nil {
		return nil, waymark.Errorf(waymark.EINVALID, "Sheet %q could not be read. Save the workbook again in Excel and upload it again.", name)
	}
	return b.finish()
}

// builder turns records into a Sheet: the first non-empty record is the
// header, the rest are rows.
type builder struct {
	sheet   Sheet
	index   map[string]string // header key to column name
	cols    []string          // column name by position; "" for ignored
	header  bool
	example []string
}

func newBuilder(format string) *builder {
	return &builder{sheet: Sheet{Format: format}, index: columnIndex(), example: exampleRow()}
}

func (b *builder) warn(msg string) { b.sheet.Warnings = append(b.sheet.Warnings, msg) }

// add takes the record on spreadsheet row n. The record may be reused by the
// caller afterwards.
func (b *builder) add(n int, rec []string) error {
	if blank(rec) {
		return nil
	}
	if !b.header {
		b.header = true
		return b.readHeader(rec)
	}
	row := Row{Number: n, Values: make(map[string]string, len(b.sheet.Columns))}
	for i, cell := range rec {
		if i < len(b.cols) && b.cols[i] != "" {
			if v := clean(cell); v != "" {
				row.Values[b.cols[i]] = v
			}
		}
	}
	if len(row.Values) == 0 {
		return nil // anything in the row is in columns we ignore
	}
	if b.isExample(row) {
		b.warn(fmt.Sprintf("Row %d is the example from the template, so we left it out.", n))
		return nil
	}
	if len(b.sheet.Rows) >= MaxRows {
		return waymark.Errorf(waymark.EINVALID,
			"The file has more than %s services. Split it into files of %s rows or fewer and upload each one.",
			thousands(MaxRows), thousands(MaxRows))
	}
	b.sheet.Rows = append(b.sheet.Rows, row)
	return nil
}

// readHeader matches the header row's cells to columns.
func (b *builder) readHeader(rec []string) error {
	b.cols = make([]string, len(rec))
	seen := map[string]int{}
	for i, cell := range rec {
		key := headerKey(cell)
		if key == "" {
			if strings.TrimSpace(cell) != "" {
				b.warn(fmt.Sprintf("We do not recognise column %s, %q, so we will ignore it.", columnLetter(i), clean(cell)))
			}
			continue
		}
		name, ok := b.index[key]
		if !ok {
			b.warn(fmt.Sprintf("We do not recognise column %s, %q, so we will ignore it.", columnLetter(i), clean(cell)))
			continue
		}
		if j, dup := seen[name]; dup {
			return waymark.Errorf(waymark.EINVALID,
				"Columns %s and %s are both %s. Delete one of them and upload the file again.", columnLetter(j), columnLetter(i), name)
		}
		seen[name] = i
		b.cols[i] = name
		b.sheet.Columns = append(b.sheet.Columns, name)
	}
	var missing []string
	for _, c := range columns {
		if _, ok := seen[c.name]; c.required && !ok {
			missing = append(missing, c.name)
		}
	}
	if len(missing) > 0 {
		noun := "column"
		if len(missing) > 1 {
			noun = "columns"
		}
		return waymark.Errorf(waymark.EINVALID,
			"The header row (the first row) has no %s %s. Copy the header row from the template.", joinAnd(missing), noun)
	}
	return nil
}

// isExample reports whether row is the template's example row, left in.
func (b *builder) isExample(row Row) bool {
	for i, c := range columns {
		if c.required && row.Get(c.name) != b.example[i] {
			return false
		}
	}
	return true
}

func (b *builder) finish() (*Sheet, error) {
	if !b.header {
		return nil, waymark.Errorf(waymark.EINVALID, "The file is empty. Fill in the template and upload it again.")
	}
	if len(b.sheet.Rows) == 0 {
		return nil, waymark.Errorf(waymark.EINVALID, "The file has no services below the header row. Add one row for each service and upload it again.")
	}
	return &b.sheet, nil
}

// blank reports whether every cell in rec is empty or spaces.
func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimFunc(c, unicode.IsSpace) != "" {
			return false
		}
	}
	return true
}

// clean trims spaces, including non-breaking ones, from a cell.
func clean(s string) string { return strings.TrimFunc(s, unicode.IsSpace) }

// columnLetter returns the spreadsheet letter of the column at index i (0 is A).
func columnLetter(i int) string {
	var b []byte
	for n := i + 1; n > 0; n = (n - 1) / 26 {
		b = append([]byte{byte('A' + (n-1)%26)}, b...)
	}
	return string(b)
}

// joinAnd lists words as "a", "a and b" or "a, b and c".
func joinAnd(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// thousands writes n with commas, like 10,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
