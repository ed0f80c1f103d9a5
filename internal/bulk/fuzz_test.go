package bulk_test

import (
	"bytes"
	"context"
	"testing"

	"waymark"
	"waymark/internal/bulk"
)

// FuzzParseCSV checks that any input either parses into numbered rows that
// plan without failing, or is refused with a message for the user.
func FuzzParseCSV(f *testing.F) {
	hdr := "organisation_name,organisation_email,service_name,description,postcode,phone,email,website,category,free,minimum_age,maximum_age\n"
	for _, seed := range []string{
		hdr + "Org,a@example.org,Walk,W,DE4 3AG,01629 580000,b@example.org,example.org,food;arts,Yes,18,65\n",
		"\ufeff" + "organisation_name;organisation_email;service_name;description;postcode\n\"a;b\";a@b.org;\"x\ny\";d;de43ag\n",
		"sep=\t\norganisation_name\torganisation_email\tservice_name\tdescription\tpostcode\n",
		hdr + "\"unclosed,a,b\n",
		hdr + ",,,,,,,,,,,\n\n\n",
		hdr + "O,bad,W,W,ZZ9 9ZZ,12,@,http://,nope,maybe,-1,x\n",
		"Organisation Name *,ORGANISATION EMAIL,Service name (required),Description,Post code,Post code\n",
		"Caf\xe9,\xa3\n",
	} {
		f.Add([]byte(seed))
	}
	opts := bulk.Options{Geocoder: mustTable(f), Categories: categories()}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := bulk.Parse(bytes.NewReader(data), "fuzz.csv")
		if err != nil {
			if waymark.ErrorCode(err) != waymark.EINVALID || waymark.ErrorMessage(err) == "" {
				t.Fatalf("error %v is not a message for the user", err)
			}
			return
		}
		if len(s.Rows) == 0 || len(s.Rows) > bulk.MaxRows {
			t.Fatalf("%d rows", len(s.Rows))
		}
		last := 1
		for _, r := range s.Rows {
			if r.Number <= last {
				t.Fatalf("row %d after row %d", r.Number, last)
			}
			last = r.Number
		}
		res, err := bulk.Plan(context.Background(), s, opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, rp := range res.Rows {
			if (rp.Action == bulk.ActionError) != (len(rp.Errors) > 0) {
				t.Fatalf("row %d: action %q with errors %v", rp.Row, rp.Action, rp.Errors)
			}
		}
	})
}
