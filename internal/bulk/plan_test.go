package bulk_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"waymark/internal/bulk"
	"waymark/internal/directory"
)

func TestPlanFillsTheEntry(t *testing.T) {
	r := validRow(0).with("phone", "+44 1629 580000", "free", "no", "maximum_age", "65",
		"website", "www.park0.example.org/walks", "organisation_email", "Park0@EXAMPLE.org", "category", "Physical-Activity;loneliness;physical-activity")
	res := mustPlan(t, mustParse(t, makeCSV(t, header, []row{r}), "x.csv"), options(t, nil))
	rp := res.Rows[0]
	if rp.Action != bulk.ActionCreate || len(rp.Errors) != 0 {
		t.Fatalf("action %q, errors %v", rp.Action, rp.Errors)
	}
	svc := rp.Service
	if svc.Name != "Health walk 0" || svc.Description == "" || svc.Kind != directory.KindSignposting || svc.Pathway != directory.PathwayNone {
		t.Errorf("service = %+v", svc)
	}
	if svc.Status != "" || svc.ID != "" || svc.OrganizationID != "" {
		t.Errorf("status %q, id %q, organisation id %q: want them left to the caller", svc.Status, svc.ID, svc.OrganizationID)
	}
	if got, want := svc.Website, "https://www.park0.example.org/walks"; got != want {
		t.Errorf("website = %q, want %q", got, want)
	}
	if svc.Free || svc.MinimumAge == nil || *svc.MinimumAge != 18 || svc.MaximumAge == nil || *svc.MaximumAge != 65 {
		t.Errorf("free %v, ages %v %v", svc.Free, svc.MinimumAge, svc.MaximumAge)
	}
	if svc.AccessCriteria != "Adults" || len(svc.Schedules) != 1 || svc.Schedules[0].Description != "Tuesdays 10am" {
		t.Errorf("who %q, schedules %+v", svc.AccessCriteria, svc.Schedules)
	}
	var codes []string
	for _, c := range svc.Categories {
		if c.ID == "" || c.Name == "" {
			t.Errorf("category %+v not filled from the taxonomy", c)
		}
		codes = append(codes, c.Code)
	}
	if want := []string{"physical-activity", "loneliness"}; !slices.Equal(codes, want) {
		t.Errorf("categories = %v, want %v", codes, want)
	}
	if len(svc.Locations) != 1 {
		t.Fatalf("locations = %+v", svc.Locations)
	}
	loc := svc.Locations[0]
	if math.Abs(loc.Latitude-53.1378) > 0.01 || math.Abs(loc.Longitude+1.5524) > 0.01 {
		t.Errorf("DE4 3AG at %v,%v, want about 53.138,-1.552", loc.Latitude, loc.Longitude)
	}
	if want := (directory.Address{Address1: "1 Park Road", City: "Matlock", PostalCode: "DE4 3AG", Country: "GB"}); loc.Address != want {
		t.Errorf("address = %+v, want %+v", loc.Address, want)
	}
	if len(svc.Contacts) != 1 || len(svc.Contacts[0].Phones) != 1 || svc.Contacts[0].Phones[0].Number != "01629 580000" || svc.Contacts[0].Email != "walk0@example.org" {
		t.Errorf("contacts = %+v, want the phone in national format and the email", svc.Contacts)
	}
	if rp.ClaimEmail != "Park0@example.org" || rp.Organization.Name != "Friends of Park 0" || rp.Organization.Website != "https://park0.example.org" {
		t.Errorf("claim email %q, organisation %+v", rp.ClaimEmail, rp.Organization)
	}
	// What the plan makes passes the directory's own rules once the caller
	// gives it an organisation.
	svc.OrganizationID = "org"
	if err := svc.Validate(); err != nil {
		t.Errorf("directory rejects the planned service: %v", err)
	}
}

func TestPlanServiceEmailFallsBackToOrganisation(t *testing.T) {
	r := validRow(0).with("email", "", "phone", "")
	res := mustPlan(t, mustParse(t, makeCSV(t, header, []row{r}), "x.csv"), options(t, nil))
	if got := res.Rows[0].Service.Email; got != "park0@example.org" {
		t.Errorf("service email = %q, want the organisation's", got)
	}
	if len(res.Rows[0].Service.Contacts) != 0 {
		t.Errorf("contacts = %+v, want none", res.Rows[0].Service.Contacts)
	}
}

func TestPlanReportsEachErrorWithRowAndColumn(t *testing.T) {
	for _, tc := range []struct {
		name   string
		kv     []string
		column string
		want   string
	}{
		{"unknown postcode", []string{"postcode", "DE22 9ZZ"}, "postcode", `Row 2, postcode: "DE22 9ZZ" is not a postcode we know`},
		{"not a postcode", []string{"postcode", "Derby"}, "postcode", `"Derby" is not a postcode`},
		{"half a postcode", []string{"postcode", "DE4"}, "postcode", "only the first half of a postcode"},
		{"missing postcode", []string{"postcode", ""}, "postcode", "enter the postcode"},
		{"missing organisation", []string{"organisation_name", ""}, "organisation_name", "enter the name of the organisation"},
		{"missing claim email", []string{"organisation_email", " "}, "organisation_email", "enter the organisation's email address"},
		{"missing service name", []string{"service_name", ""}, "service_name", "enter the name of the service"},
		{"missing description", []string{"description", ""}, "description", "enter a description"},
		{"bad organisation email", []string{"organisation_email", "hello at example.org"}, "organisation_email", `"hello at example.org" is not an email address`},
		{"email with a name", []string{"email", "Jo <jo@example.org>"}, "email", "is not an email address"},
		{"email without a domain", []string{"email", "jo@localhost"}, "email", "is not an email address"},
		{"bad phone", []string{"phone", "01629 58"}, "phone", `"01629 58" is not a UK phone number`},
		{"foreign phone", []string{"phone", "+33 1 42 68 53 00"}, "phone", "is not a UK phone number"},
		{"letters for a phone", []string{"phone", "ring the office"}, "phone", "is not a UK phone number"},
		{"unknown category", []string{"category", "wellbeing;gardening"}, "category", `"gardening" is not a category code we know; use codes from the Categories sheet`},
		{"bad website", []string{"website", "http://"}, "website", "is not a web address"},
		{"bad organisation website", []string{"organisation_website", "not a site"}, "organisation_website", "is not a web address"},
		{"free not yes or no", []string{"free", "sometimes"}, "free", `"sometimes" is not Yes or No`},
		{"age not a number", []string{"minimum_age", "adults"}, "minimum_age", `"adults" is not an age`},
		{"age too old", []string{"maximum_age", "200"}, "maximum_age", "from 0 to 120"},
		{"negative age", []string{"minimum_age", "-1"}, "minimum_age", "is not an age"},
		{"ages crossed", []string{"minimum_age", "65", "maximum_age", "18"}, "minimum_age", "the minimum age (65) is more than the maximum age (18)"},
		{"name too long", []string{"service_name", strings.Repeat("a", 151)}, "service_name", "longer than 150 characters"},
		{"description too long", []string{"description", strings.Repeat("é", 10001)}, "description", "longer than 10,000 characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows := []row{validRow(1), validRow(2).with(tc.kv...), validRow(3)}
			res := mustPlan(t, mustParse(t, makeCSV(t, header, rows), "x.csv"), options(t, nil))
			if len(res.Rows) != 3 {
				t.Fatalf("got %d rows", len(res.Rows))
			}
			// Good rows stay good.
			for _, i := range []int{0, 2} {
				if res.Rows[i].Action != bulk.ActionCreate {
					t.Errorf("row %d: action %q, errors %v", res.Rows[i].Row, res.Rows[i].Action, res.Rows[i].Errors)
				}
			}
			bad := res.Rows[1]
			if bad.Action != bulk.ActionError || len(bad.Errors) != 1 {
				t.Fatalf("row 3: action %q, errors %v, want one error", bad.Action, bad.Errors)
			}
			e := bad.Errors[0]
			if e.Row != 3 || e.Column != tc.column {
				t.Errorf("error at row %d, %s; want row 3, %s", e.Row, e.Column, tc.column)
			}
			if !strings.Contains(strings.Replace(e.Error(), "Row 3", "Row 2", 1), tc.want) {
				t.Errorf("error %q does not contain %q", e.Error(), tc.want)
			}
			if got := res.Errors(); len(got) != 1 || got[0] != e {
				t.Errorf("Result.Errors() = %v", got)
			}
			if res.Count(bulk.ActionCreate) != 2 || res.Count(bulk.ActionError) != 1 {
				t.Errorf("counts: %d create, %d error", res.Count(bulk.ActionCreate), res.Count(bulk.ActionError))
			}
		})
	}
}

func TestPlanAcceptsUsualWaysOfWriting(t *testing.T) {
	for _, tc := range []struct {
		col, in, want string
		got           func(directory.Service) string
	}{
		{"phone", "01332123456", "01332 123456", func(s directory.Service) string { return s.Contacts[0].Phones[0].Number }},
		{"phone", "07912 345678", "07912 345678", func(s directory.Service) string { return s.Contacts[0].Phones[0].Number }},
		{"phone", "(0115) 946 6740", "0115 946 6740", func(s directory.Service) string { return s.Contacts[0].Phones[0].Number }},
		{"phone", "0800 123 4567", "0800 123 4567", func(s directory.Service) string { return s.Contacts[0].Phones[0].Number }},
		{"postcode", "de45 1ah", "DE45 1AH", func(s directory.Service) string { return s.Locations[0].Address.PostalCode }},
		{"postcode", "DE451AH", "DE45 1AH", func(s directory.Service) string { return s.Locations[0].Address.PostalCode }},
		{"email", "mailto:Jo@Example.ORG", "Jo@example.org", func(s directory.Service) string { return s.Email }},
		{"minimum_age", "18.0", "18", func(s directory.Service) string { return strings.Trim(strings.Repeat("x", *s.MinimumAge), "x") + "18" }},
		{"free", "Y", "true", func(s directory.Service) string {
			if s.Free {
				return "true"
			}
			return "false"
		}},
		{"category", "Mental health, food", "mental-health food", func(s directory.Service) string {
			return s.Categories[0].Code + " " + s.Categories[1].Code
		}},
	} {
		t.Run(tc.col+" "+tc.in, func(t *testing.T) {
			res := mustPlan(t, mustParse(t, makeCSV(t, header, []row{validRow(0).with(tc.col, tc.in)}), "x.csv"), options(t, nil))
			rp := res.Rows[0]
			if rp.Action != bulk.ActionCreate {
				t.Fatalf("action %q, errors %v", rp.Action, rp.Errors)
			}
			if got := tc.got(rp.Service); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPlanFindsDuplicatesWithinTheFile(t *testing.T) {
	rows := []row{
		validRow(0),
		validRow(1),
		validRow(2).with("service_name", "health  WALK 0", "postcode", "de43ag"), // same as row 2
		validRow(3).with("website", "http://www.park1.example.org/walks/1/"),     // same as row 3
		validRow(4).with("organisation_name", "Friends of Park 0", "organisation_email", "park0@example.org",
			"website", "https://park0.example.org", "organisation_website", "https://park0.example.org"),
		validRow(5).with("organisation_name", "Friends of Park 0", "organisation_email", "park0@example.org",
			"website", "https://park0.example.org", "organisation_website", "https://park0.example.org"),
	}
	res := mustPlan(t, mustParse(t, makeCSV(t, header, rows), "x.csv"), options(t, nil))
	got := map[int]string{}
	for _, e := range res.Errors() {
		got[e.Row] = e.Error()
	}
	want := map[int]string{
		4: "Row 4, service_name: row 2 has the same service name and postcode",
		5: "Row 5, website: row 3 has the same website",
	}
	if len(got) != len(want) {
		t.Errorf("errors = %v, want rows 4 and 5 only (an organisation's own website may be shared)", got)
	}
	for r, w := range want {
		if !strings.HasPrefix(got[r], w) {
			t.Errorf("row %d: %q, want %q", r, got[r], w)
		}
	}
}

func TestPlanSkipsEntriesThatExist(t *testing.T) {
	ex := newMemExisting()
	ex.add("id-1", "Health walk 0", "DE4 3AG", "")
	ex.add("id-2", "Something else", "SK17 6EQ", "https://park2.example.org/walks/2")
	rows := validRows(4)
	rows[3] = rows[3].with("postcode", "DE22 9ZZ") // an error: not asked about
	res := mustPlan(t, mustParse(t, makeCSV(t, header, rows), "x.csv"), options(t, ex))
	wantActions := []bulk.Action{bulk.ActionSkipDuplicate, bulk.ActionCreate, bulk.ActionSkipDuplicate, bulk.ActionError}
	for i, rp := range res.Rows {
		if rp.Action != wantActions[i] {
			t.Errorf("row %d: action %q, want %q (%v)", rp.Row, rp.Action, wantActions[i], rp.Errors)
		}
	}
	if res.Rows[0].DuplicateOf != "id-1" || res.Rows[2].DuplicateOf != "id-2" {
		t.Errorf("duplicate of %q and %q, want id-1 and id-2", res.Rows[0].DuplicateOf, res.Rows[2].DuplicateOf)
	}
	if e := res.Rows[0].Errors; len(e) != 1 || !strings.Contains(e[0].Error(), "Row 2, service_name: the directory already has") {
		t.Errorf("skip reason = %v", e)
	}
	if ex.calls != 3 {
		t.Errorf("FindDuplicate called %d times, want 3 (not for the row with an error)", ex.calls)
	}
	if n := len(res.Errors()); n != 1 {
		t.Errorf("Result.Errors() has %d, want only the real error", n)
	}

	ex.fail = errDatabase
	_, err := bulk.Plan(context.Background(), mustParse(t, makeCSV(t, header, rows), "x.csv"), options(t, ex))
	if !errors.Is(err, errDatabase) || !strings.Contains(err.Error(), "row 2") {
		t.Errorf("err = %v, want the database error, wrapped with the row", err)
	}
}

func TestPlanTwiceCreatesNothingTwice(t *testing.T) {
	ex := memKeyed{newMemExisting()}
	data := makeCSV(t, header, validRows(20))
	first := mustPlan(t, mustParse(t, data, "x.csv"), options(t, ex))
	if n := first.Count(bulk.ActionCreate); n != 20 {
		t.Fatalf("first import creates %d, want 20", n)
	}
	seen := map[string]bool{}
	for _, rp := range first.Rows {
		if len(rp.Key) != 32 || seen[rp.Key] {
			t.Errorf("row %d key %q: want 32 hex digits, unique", rp.Row, rp.Key)
		}
		seen[rp.Key] = true
		// The caller stores each entry with its key; here the entry is then
		// renamed, so only the key still matches.
		ex.byKey[rp.Key] = "id-" + rp.Key
	}
	second := mustPlan(t, mustParse(t, data, "again.csv"), options(t, ex))
	if n := second.Count(bulk.ActionSkipDuplicate); n != 20 {
		t.Errorf("second import skips %d, want 20", n)
	}
	if got := bulk.Key(" Friends of  PARK 0", "health walk 0", "de43ag"); got != first.Rows[0].Key {
		t.Errorf("Key ignores case and spacing: %q, want %q", got, first.Rows[0].Key)
	}
	if bulk.Key("a", "b", "DE4 3AG") == bulk.Key("a b", "", "DE4 3AG") {
		t.Error("Key runs names together")
	}
}

func TestPlanGroupsRowsByOrganisation(t *testing.T) {
	rows := []row{
		validRow(0).with("organisation_name", "Acme", "organisation_email", "hi@acme.example", "organisation_website", ""),
		validRow(1).with("organisation_name", "Other", "organisation_email", "x@other.example"),
		validRow(2).with("organisation_name", "ACME ", "organisation_email", "HI@acme.example", "organisation_website", "acme.example"),
		validRow(3).with("organisation_name", "Acme", "organisation_email", "other@acme.example"),
		validRow(4).with("organisation_name", "Acme", "organisation_email", "broken"),
	}
	res := mustPlan(t, mustParse(t, makeCSV(t, header, rows), "x.csv"), options(t, nil))
	if len(res.Organizations) != 3 {
		t.Fatalf("organisations = %+v, want 3", res.Organizations)
	}
	acme := res.Organizations[0]
	if !slices.Equal(acme.Rows, []int{2, 4}) || acme.ClaimEmail != "hi@acme.example" || acme.Organization.Website != "https://acme.example" {
		t.Errorf("Acme = %+v, want rows 2 and 4, claim email hi@acme.example and the website from row 4", acme)
	}
	if res.Rows[0].OrganizationKey != acme.Key || res.Rows[2].OrganizationKey != acme.Key || res.Rows[0].Organization != acme.Organization {
		t.Errorf("rows of Acme do not share its key and organisation")
	}
	if res.Rows[4].OrganizationKey != "" {
		t.Errorf("row with a broken email grouped as %q", res.Rows[4].OrganizationKey)
	}
}

func TestPlanStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := bulk.Plan(ctx, mustParse(t, makeCSV(t, header, validRows(2)), "x.csv"), options(t, nil))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if _, err := bulk.Plan(context.Background(), &bulk.Sheet{}, bulk.Options{}); err == nil {
		t.Error("no error without a geocoder")
	}
}

func TestPlan5000RowXLSX(t *testing.T) {
	data := makeXLSX(t, "Services", header, validRows(5000))
	s := mustParse(t, data, "big.xlsx")
	if len(s.Rows) != 5000 || s.Rows[4999].Number != 5001 {
		t.Fatalf("%d rows, last numbered %d", len(s.Rows), s.Rows[len(s.Rows)-1].Number)
	}
	res := mustPlan(t, s, options(t, newMemExisting()))
	if n := res.Count(bulk.ActionCreate); n != 5000 {
		t.Errorf("%d rows to create, want 5000; first errors: %v", n, first(res.Errors(), 3))
	}
	if len(res.Organizations) != 50 {
		t.Errorf("%d organisations, want 50", len(res.Organizations))
	}
}

func first[T any](s []T, n int) []T { return s[:min(n, len(s))] }

func BenchmarkPlan5000(b *testing.B) {
	opts := options(b, newMemExisting()) // decodes the postcode table once
	data := makeCSV(b, header, validRows(5000))
	b.ReportAllocs()
	for b.Loop() {
		s, err := bulk.Parse(strings.NewReader(string(data)), "x.csv")
		if err != nil {
			b.Fatal(err)
		}
		res, err := bulk.Plan(context.Background(), s, opts)
		if err != nil {
			b.Fatal(err)
		}
		if res.Count(bulk.ActionCreate) != 5000 {
			b.Fatalf("%d to create", res.Count(bulk.ActionCreate))
		}
	}
}

func TestPlanReadsHowItIsGivenAccessAndLanguagesInWordsOrCodes(t *testing.T) {
	r := validRow(0).with("how_it_is_given", "By phone; in person", "accessibility", "step-free, Hearing loop",
		"languages", "polish;EN; British Sign Language")
	res := mustPlan(t, mustParse(t, makeCSV(t, bulk.Columns(), []row{r}), "x.csv"), options(t, nil))
	rp := res.Rows[0]
	if rp.Action != bulk.ActionCreate {
		t.Fatalf("action %q, errors %v", rp.Action, rp.Errors)
	}
	svc := rp.Service
	if !slices.Equal(svc.Delivery, []string{"in_person", "phone"}) || !slices.Equal(svc.Accessibility, []string{"step_free", "hearing_loop"}) ||
		!slices.Equal(svc.Languages, []string{"en", "bfi", "pl"}) {
		t.Errorf("delivery %v, accessibility %v, languages %v", svc.Delivery, svc.Accessibility, svc.Languages)
	}
	bad := validRow(0).with("how_it_is_given", "by pigeon", "languages", "Klingon")
	res = mustPlan(t, mustParse(t, makeCSV(t, bulk.Columns(), []row{bad}), "x.csv"), options(t, nil))
	var cols []string
	for _, e := range res.Rows[0].Errors {
		cols = append(cols, e.Column)
		if !strings.Contains(e.Message, "we know; use") {
			t.Errorf("message %q does not list the choices", e.Message)
		}
	}
	if !slices.Equal(cols, []string{"how_it_is_given", "languages"}) {
		t.Errorf("errors in columns %v, want how_it_is_given and languages", cols)
	}
}
