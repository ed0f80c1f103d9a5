package insights

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"

	"waymark/internal/input"
)

// WriteCSV writes a table as CSV: the column headings, then each row as
// the page shows it (so hidden figures stay hidden). Every cell is
// neutralised so a spreadsheet does not run it as a formula.
func WriteCSV(w io.Writer, t *Table) error {
	cw := csv.NewWriter(w)
	head := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		head[i] = input.NeutraliseFormula(c)
	}
	if err := cw.Write(head); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	for _, r := range t.Rows {
		rec := make([]string, len(r))
		for i, c := range r {
			rec[i] = input.NeutraliseFormula(c.Text)
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// WriteXLSX writes a table as an Excel workbook of one sheet: the title,
// the note, the headings and the rows. Counts are numbers; everything
// else, hidden figures included, is text as the page shows it,
// neutralised.
func WriteXLSX(w io.Writer, t *Table) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Sheet1"
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("xlsx style: %w", err)
	}
	set := func(col, row int, v any) error {
		ref, err := excelize.CoordinatesToCellName(col, row)
		if err != nil {
			return err
		}
		return f.SetCellValue(sheet, ref, v)
	}
	if err := set(1, 1, input.NeutraliseFormula(t.Title)); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := f.SetCellStyle(sheet, "A1", "A1", bold); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	row := 2
	if t.Note != "" {
		if err := set(1, row, input.NeutraliseFormula(t.Note)); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
		row++
	}
	row++ // a blank line before the table
	for i, c := range t.Columns {
		if err := set(i+1, row, input.NeutraliseFormula(c)); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
	}
	last, _ := excelize.CoordinatesToCellName(max(len(t.Columns), 1), row)
	if err := f.SetCellStyle(sheet, "A"+strconv.Itoa(row), last, bold); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	for _, r := range t.Rows {
		row++
		for i, c := range r {
			var v any = input.NeutraliseFormula(c.Text)
			if n, err := strconv.Atoi(c.Text); err == nil && c.Number {
				v = n
			}
			if err := set(i+1, row, v); err != nil {
				return fmt.Errorf("xlsx: %w", err)
			}
		}
	}
	if err := f.SetColWidth(sheet, "A", "A", 36); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return nil
}
