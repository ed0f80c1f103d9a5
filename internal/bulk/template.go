package bulk

import (
	"encoding/csv"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"waymark/internal/directory"
	"waymark/internal/input"
)

// Sheet names in the XLSX template.
const (
	templateSheet     = "Services"
	instructionsSheet = "Instructions"
	categoriesSheet   = "Categories"
)

// TemplateXLSX writes the XLSX template to w: a "Services" sheet with the
// header row, one example row, column widths and drop-down lists (category
// codes, Yes or No, ages); an "Instructions" sheet explaining every column;
// and a "Categories" sheet listing the category codes a row may use.
func TemplateXLSX(w io.Writer, categories []directory.TaxonomyTerm) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", templateSheet); err != nil {
		return fmt.Errorf("template: name sheet: %w", err)
	}
	if err := writeServicesSheet(f, len(categories)); err != nil {
		return fmt.Errorf("template: services sheet: %w", err)
	}
	if _, err := f.NewSheet(instructionsSheet); err != nil {
		return fmt.Errorf("template: add instructions sheet: %w", err)
	}
	if err := writeInstructionsSheet(f); err != nil {
		return fmt.Errorf("template: instructions sheet: %w", err)
	}
	if _, err := f.NewSheet(categoriesSheet); err != nil {
		return fmt.Errorf("template: add categories sheet: %w", err)
	}
	if err := writeCategoriesSheet(f, categories); err != nil {
		return fmt.Errorf("template: categories sheet: %w", err)
	}
	f.SetActiveSheet(0)
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("template: write: %w", err)
	}
	return nil
}

// TemplateCSV writes the CSV template to w: the header row and the example
// row, in UTF-8 with a byte-order mark so Excel shows any accents correctly.
func TemplateCSV(w io.Writer) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return fmt.Errorf("template: write: %w", err)
	}
	cw := csv.NewWriter(w)
	header := make([]string, len(columns))
	for i, c := range columns {
		header[i] = input.NeutraliseFormula(headerLabel(c))
	}
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("template: write header: %w", err)
	}
	example := exampleRow()
	for i := range example {
		example[i] = input.NeutraliseFormula(example[i])
	}
	if err := cw.Write(example); err != nil {
		return fmt.Errorf("template: write example: %w", err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("template: write: %w", err)
	}
	return nil
}

// cell returns the name of the cell at column index col (0 is A) and row.
func cell(col, row int) string { return fmt.Sprintf("%s%d", columnLetter(col), row) }

// colOf returns the index of the named column in columns.
func colOf(name string) int {
	for i, c := range columns {
		if c.name == name {
			return i
		}
	}
	panic("bulk: no column " + name)
}

func writeServicesSheet(f *excelize.File, nCategories int) error {
	s := templateSheet
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": keeps leading zeros in phone numbers
	if err != nil {
		return err
	}
	head, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"005EB8"}},
		Alignment: &excelize.Alignment{Vertical: "center"},
		NumFmt:    49,
	})
	if err != nil {
		return err
	}
	example, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Italic: true, Color: "4C6272"}, NumFmt: 49})
	if err != nil {
		return err
	}
	for i, c := range columns {
		letter := columnLetter(i)
		if err := f.SetColWidth(s, letter, letter, c.width); err != nil {
			return err
		}
		if c.name != ColMinimumAge && c.name != ColMaximumAge {
			if err := f.SetColStyle(s, letter, text); err != nil {
				return err
			}
		}
	}
	header := make([]any, len(columns))
	example2 := make([]any, len(columns))
	for i, c := range columns {
		header[i] = input.NeutraliseFormula(headerLabel(c))
		example2[i] = input.NeutraliseFormula(c.example)
	}
	if err := f.SetSheetRow(s, "A1", &header); err != nil {
		return err
	}
	if err := f.SetSheetRow(s, "A2", &example2); err != nil {
		return err
	}
	last := columnLetter(len(columns) - 1)
	if err := f.SetCellStyle(s, "A1", last+"1", head); err != nil {
		return err
	}
	if err := f.SetCellStyle(s, "A2", last+"2", example); err != nil {
		return err
	}
	if err := f.SetRowHeight(s, 1, 24); err != nil {
		return err
	}
	if err := f.SetPanes(s, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	return addValidations(f, nCategories)
}

// addValidations adds drop-down lists and number checks to the data rows.
func addValidations(f *excelize.File, nCategories int) error {
	rows := func(name string) string {
		col := columnLetter(colOf(name))
		return fmt.Sprintf("%s2:%s%d", col, col, MaxRows+1)
	}
	if nCategories > 0 {
		dv := excelize.NewDataValidation(true)
		dv.SetSqref(rows(ColCategory))
		dv.SetSqrefDropList(fmt.Sprintf("%s!$A$2:$A$%d", categoriesSheet, nCategories+1))
		dv.SetInput("Category", "Choose a category, or type several codes separated by ; (see the Categories sheet)")
		dv.SetError(excelize.DataValidationErrorStyleWarning, "Category",
			"That is not a single category code from the list. To give several, separate the codes with ;")
		if err := f.AddDataValidation(templateSheet, dv); err != nil {
			return fmt.Errorf("category list: %w", err)
		}
	}
	dv := excelize.NewDataValidation(true)
	dv.SetSqref(rows(ColFree))
	if err := dv.SetDropList([]string{"Yes", "No"}); err != nil {
		return fmt.Errorf("free list: %w", err)
	}
	dv.SetError(excelize.DataValidationErrorStyleStop, "Free", "Choose Yes or No, or leave it empty if you are not sure")
	if err := f.AddDataValidation(templateSheet, dv); err != nil {
		return fmt.Errorf("free list: %w", err)
	}
	for _, name := range []string{ColMinimumAge, ColMaximumAge} {
		dv := excelize.NewDataValidation(true)
		dv.SetSqref(rows(name))
		if err := dv.SetRange(0, maxAge, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween); err != nil {
			return fmt.Errorf("%s range: %w", name, err)
		}
		dv.SetError(excelize.DataValidationErrorStyleStop, "Age", fmt.Sprintf("Enter a whole number of years from 0 to %d", maxAge))
		if err := f.AddDataValidation(templateSheet, dv); err != nil {
			return fmt.Errorf("%s range: %w", name, err)
		}
	}
	return nil
}

// instructions is the opening text of the Instructions sheet, one paragraph
// a row.
var instructions = []string{
	"How to fill in the Services sheet",
	"Put one service on each row. A service is one activity or kind of help, such as a weekly walk or a debt advice session. If an organisation runs several services, give each its own row.",
	"Rows with the same organisation name and organisation email belong to one organisation. Each service is published in the directory as soon as it is imported. We email the organisation's address a link to claim its entries and keep them up to date, or to ask us to remove them.",
	"Columns marked * (and Yes in the Required column below) must be filled in. Leave other cells empty if you do not know. Keep the header row (row 1) as it is: we match the column names whatever their case, but we ignore columns we do not know.",
	"Row 2 is an example. You can type over it or delete it; if you leave it as it is, we ignore it.",
	fmt.Sprintf("Up to %s services in one file. Save it as an Excel Workbook (.xlsx) or as CSV UTF-8, no larger than %d MB.", thousands(MaxRows), MaxFileSize>>20),
	"Before anything is added you will see every row we would add and every row that needs fixing, with the row number and column. Uploading the same file again does not add the same services twice.",
	"",
}

func writeInstructionsSheet(f *excelize.File) error {
	s := instructionsSheet
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	title, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16}})
	if err != nil {
		return err
	}
	widths := []float64{24, 10, 60, 36, 34}
	for i, w := range widths {
		if err := f.SetColWidth(s, columnLetter(i), columnLetter(i), w); err != nil {
			return err
		}
	}
	row := 1
	for i, p := range instructions {
		if err := f.SetCellValue(s, cell(0, row), p); err != nil {
			return err
		}
		if i == 0 {
			if err := f.SetCellStyle(s, cell(0, row), cell(0, row), title); err != nil {
				return err
			}
		} else if p != "" {
			if err := f.MergeCell(s, cell(0, row), cell(len(widths)-1, row)); err != nil {
				return err
			}
			if err := f.SetCellStyle(s, cell(0, row), cell(0, row), wrap); err != nil {
				return err
			}
			if err := f.SetRowHeight(s, row, 32); err != nil {
				return err
			}
		}
		row++
	}
	head := []any{"Column", "Required", "What to enter", "Format", "Example"}
	if err := f.SetSheetRow(s, cell(0, row), &head); err != nil {
		return err
	}
	if err := f.SetCellStyle(s, cell(0, row), cell(len(head)-1, row), bold); err != nil {
		return err
	}
	row++
	first := row
	for _, c := range columns {
		req := "No"
		if c.required {
			req = "Yes"
		}
		vals := []any{headerLabel(c), req, c.help, c.format, c.example}
		if err := f.SetSheetRow(s, cell(0, row), &vals); err != nil {
			return err
		}
		row++
	}
	return f.SetCellStyle(s, cell(0, first), cell(len(head)-1, row-1), wrap)
}

func writeCategoriesSheet(f *excelize.File, categories []directory.TaxonomyTerm) error {
	s := categoriesSheet
	for i, w := range []float64{24, 28, 80} {
		if err := f.SetColWidth(s, columnLetter(i), columnLetter(i), w); err != nil {
			return err
		}
	}
	head := []any{"Code", "Name", "Description"}
	if err := f.SetSheetRow(s, "A1", &head); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	if err := f.SetCellStyle(s, "A1", "C1", bold); err != nil {
		return err
	}
	for i, t := range categories {
		// Names and descriptions may come from other directories' feeds.
		vals := []any{input.NeutraliseFormula(t.Code), input.NeutraliseFormula(t.Name), input.NeutraliseFormula(t.Description)}
		if err := f.SetSheetRow(s, cell(0, i+2), &vals); err != nil {
			return err
		}
	}
	return nil
}
