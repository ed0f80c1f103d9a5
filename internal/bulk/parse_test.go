package bulk_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"waymark/internal/bulk"
)

func TestParseCSVWithBOMSemicolonsAndQuotes(t *testing.T) {
	in := "\ufeffOrganisation Name *;Organisation email*;Service name*;Description*;Postcode*;Phone\r\n" +
		"\"Smith; Sons\";a@example.org;Walk;\"Two lines,\nwith \"\"quotes\"\"\";DE4 3AG;01629 580000\r\n" +
		"Other;b@example.org;Talk;Chat;S40 1PA;\r\n"
	s := mustParse(t, []byte(in), "services.csv")
	if s.Format != bulk.FormatCSV {
		t.Errorf("format = %q, want csv", s.Format)
	}
	if len(s.Rows) != 2 {
		t.Fatalf("got %d rows, want 2", len(s.Rows))
	}
	r := s.Rows[0]
	if got, want := r.Get(bulk.ColOrganisationName), "Smith; Sons"; got != want {
		t.Errorf("organisation = %q, want %q", got, want)
	}
	if got, want := r.Get(bulk.ColDescription), "Two lines,\nwith \"quotes\""; got != want {
		t.Errorf("description = %q, want %q", got, want)
	}
	// A value over two lines is still one spreadsheet row.
	if got := []int{s.Rows[0].Number, s.Rows[1].Number}; !slices.Equal(got, []int{2, 3}) {
		t.Errorf("row numbers = %v, want [2 3]", got)
	}
	if got, want := s.Columns, []string{"organisation_name", "organisation_email", "service_name", "description", "postcode", "phone"}; !slices.Equal(got, want) {
		t.Errorf("columns = %v, want %v", got, want)
	}
}

func TestParseDelimiters(t *testing.T) {
	for name, sep := range map[string]string{"comma": ",", "semicolon": ";", "tab": "\t"} {
		t.Run(name, func(t *testing.T) {
			in := strings.Join([]string{"organisation_name", "organisation_email", "service_name", "description", "postcode"}, sep) + "\n" +
				strings.Join([]string{"Org", "a@example.org", "Walk", "A walk, with tea", "DE4 3AG"}, sep) + "\n"
			if sep == "," {
				in = strings.Replace(in, "A walk, with tea", `"A walk, with tea"`, 1)
			}
			s := mustParse(t, []byte(in), "x.csv")
			if got := s.Rows[0].Get(bulk.ColDescription); got != "A walk, with tea" {
				t.Errorf("description = %q", got)
			}
		})
	}
	t.Run("sep line", func(t *testing.T) {
		in := "sep=;\norganisation_name;organisation_email;service_name;description;postcode\nOrg;a@example.org;Walk;W;DE4 3AG\n"
		s := mustParse(t, []byte(in), "x.csv")
		if got := s.Rows[0].Number; got != 2 {
			t.Errorf("row number = %d, want 2 (Excel hides the sep line)", got)
		}
	})
}

func TestParseHeaderTolerance(t *testing.T) {
	for _, h := range [][]string{
		{"organisation_name*", "organisation_email*", "service_name*", "description*", "postcode*"},
		{"Organisation Name", "ORGANISATION EMAIL", " service name ", "Description *", "Post code"},
		{"organisation-name (required)", "Organization Email", "Service Name*", "description", "Postcode"},
		{"Organisation", "Claim email", "Name", "About", "Postal code"},
	} {
		t.Run(strings.Join(h, "|"), func(t *testing.T) {
			in := strings.Join(h, ",") + "\nOrg,a@example.org,Walk,W,DE4 3AG\n"
			s := mustParse(t, []byte(in), "x.csv")
			if len(s.Warnings) != 0 {
				t.Errorf("warnings: %v", s.Warnings)
			}
			if got := s.Rows[0].Get(bulk.ColPostcode); got != "DE4 3AG" {
				t.Errorf("postcode = %q", got)
			}
		})
	}
}

func TestParseWarnsOfUnknownColumns(t *testing.T) {
	in := "organisation_name,organisation_email,Notes,service_name,description,postcode\nOrg,a@example.org,ring first,Walk,W,DE4 3AG\n"
	s := mustParse(t, []byte(in), "x.csv")
	if len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], `column C, "Notes"`) {
		t.Errorf("warnings = %q, want one about column C, Notes", s.Warnings)
	}
	if _, ok := s.Rows[0].Values["notes"]; ok {
		t.Error("unknown column kept")
	}
}

func TestParseRejects(t *testing.T) {
	hdr := "organisation_name,organisation_email,service_name,description,postcode\n"
	for _, tc := range []struct {
		name, file, in string
		want           []string
	}{
		{"missing columns", "x.csv", "organisation_name,service_name,description\nOrg,Walk,W\n",
			[]string{"no organisation_email and postcode columns"}},
		{"one missing column", "x.csv", "organisation_name,organisation_email,service_name,description\nOrg,a@b.org,Walk,W\n",
			[]string{"no postcode column"}},
		{"column twice", "x.csv", "organisation_name,organisation_email,service_name,description,postcode,Post code\nO,a@b.org,W,D,DE4 3AG,DE4 3AG\n",
			[]string{"Columns E and F are both postcode"}},
		{"empty", "x.csv", " \r\n ", []string{"The file is empty"}},
		{"header only", "x.csv", hdr, []string{"no services below the header row"}},
		{"bad quotes", "x.csv", hdr + "Org,a@b.org,\"Walk\" here,W,DE4 3AG\n", []string{"Line 2", "quote mark"}},
		{"old excel", "x.xls", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", []string{".xls", "save it as an Excel Workbook"}},
		{"binary named xlsx", "x.xlsx", "\x00\x01\x02binary", []string{"named .xlsx but is not an Excel workbook"}},
		{"binary", "x.csv", "\x00\x01\x02binary", []string{"not a CSV or Excel file"}},
		{"broken zip", "x.xlsx", "PK\x03\x04broken", []string{"could not open this file as an Excel workbook"}},
		{"utf-16", "x.csv", "\xff\xfeo\x00r\x00g\x00", []string{"Unicode text"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := bulk.Parse(strings.NewReader(tc.in), tc.file)
			wantInvalid(t, err, tc.want...)
		})
	}
}

func TestParseLimits(t *testing.T) {
	t.Run("too many rows", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("organisation_name,organisation_email,service_name,description,postcode\n")
		for i := 0; i <= bulk.MaxRows; i++ {
			fmt.Fprintf(&b, "Org,a@example.org,Walk %d,W,DE4 3AG\n", i)
		}
		_, err := bulk.Parse(strings.NewReader(b.String()), "x.csv")
		wantInvalid(t, err, "more than 10,000 services")
	})
	t.Run("just enough rows, with empty rows between", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("organisation_name,organisation_email,service_name,description,postcode\n")
		for i := 0; i < bulk.MaxRows; i++ {
			fmt.Fprintf(&b, "Org,a@example.org,Walk %d,W,DE4 3AG\n,,,,\n", i)
		}
		s := mustParse(t, []byte(b.String()), "x.csv")
		if got := len(s.Rows); got != bulk.MaxRows {
			t.Errorf("got %d rows, want %d", got, bulk.MaxRows)
		}
		if got, want := s.Rows[len(s.Rows)-1].Number, 2*bulk.MaxRows; got != want {
			t.Errorf("last row number = %d, want %d", got, want)
		}
	})
	t.Run("too large", func(t *testing.T) {
		big := bytes.Repeat([]byte("a"), bulk.MaxFileSize+1)
		_, err := bulk.Parse(bytes.NewReader(big), "x.csv")
		wantInvalid(t, err, "larger than 20 MB")
	})
}

func TestParseDetectsFormatByContent(t *testing.T) {
	xlsx := makeXLSX(t, "Services", header, validRows(3))
	s := mustParse(t, xlsx, "services.csv")
	if s.Format != bulk.FormatXLSX || len(s.Rows) != 3 {
		t.Errorf("workbook named .csv: format %q, %d rows", s.Format, len(s.Rows))
	}
	csvData := makeCSV(t, header, validRows(3))
	s = mustParse(t, csvData, "services.xlsx")
	if s.Format != bulk.FormatCSV || len(s.Rows) != 3 {
		t.Errorf("CSV named .xlsx: format %q, %d rows", s.Format, len(s.Rows))
	}
}

func TestParseXLSXReadsServicesSheetOrFirst(t *testing.T) {
	data := makeXLSX(t, "My providers", header, validRows(2))
	s := mustParse(t, data, "x.xlsx")
	if len(s.Rows) != 2 || s.Rows[0].Number != 2 {
		t.Fatalf("rows = %+v", s.Rows)
	}
	if got := s.Rows[1].Get(bulk.ColServiceName); got != "Health walk 1" {
		t.Errorf("service name = %q", got)
	}
}

func TestParseWindows1252(t *testing.T) {
	in := []byte("organisation_name,organisation_email,service_name,description,postcode\nCaf\xe9 Club,a@example.org,Lunch,\xa33 a meal,DE4 3AG\n")
	s := mustParse(t, in, "x.csv")
	if got, want := s.Rows[0].Get(bulk.ColDescription), "£3 a meal"; got != want {
		t.Errorf("description = %q, want %q", got, want)
	}
	if got, want := s.Rows[0].Get(bulk.ColOrganisationName), "Café Club"; got != want {
		t.Errorf("organisation = %q, want %q", got, want)
	}
	if len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], "UTF-8") {
		t.Errorf("warnings = %q, want one about UTF-8", s.Warnings)
	}
}
