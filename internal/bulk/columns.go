// Package bulk onboards many directory entries at once from a spreadsheet (CSV
// or XLSX) that a PCN or infrastructure organisation fills in: one row per
// service. It writes the blank template, reads a filled-in file, and plans the
// import as a dry run: which rows would create an entry, which repeat an entry
// that already exists and which must be fixed first, with messages that name
// the row and column a user sees in their spreadsheet.
//
// The package is a pure library. It reads no database and sends no email: the
// caller passes what it needs to know (postcode locations, category terms,
// existing entries) through Options, stores the planned entries as unclaimed,
// and emails each organisation's ClaimEmail a link to claim them.
package bulk

import "strings"

// Column names as they appear in the template's header row. A header cell
// matches a column whatever its case, spacing or asterisks, so
// "Organisation name *" reads as ColOrganisationName. The names are stable:
// files made from older templates keep working.
const (
	ColOrganisationName    = "organisation_name"
	ColOrganisationEmail   = "organisation_email"
	ColOrganisationWebsite = "organisation_website"
	ColServiceName         = "service_name"
	ColDescription         = "description"
	ColCategory            = "category"
	ColAddressLine         = "address_line"
	ColTown                = "town"
	ColPostcode            = "postcode"
	ColPhone               = "phone"
	ColEmail               = "email"
	ColWebsite             = "website"
	ColOpeningTimes        = "opening_times"
	ColWhoItIsFor          = "who_it_is_for"
	ColFree                = "free"
	ColMinimumAge          = "minimum_age"
	ColMaximumAge          = "maximum_age"
	ColHowItIsGiven        = "how_it_is_given"
	ColAccessibility       = "accessibility"
	ColLanguages           = "languages"
)

// column describes one column of the template: what goes in it, for the
// Instructions sheet, and an example value, for the example row.
type column struct {
	name     string
	required bool
	format   string
	help     string
	example  string
	width    float64
	aliases  []string
}

// columns lists the template's columns in order. Everything that knows about
// columns (the template, header matching, the instructions) reads this list.
var columns = []column{
	{name: ColOrganisationName, required: true, width: 30,
		format:  "Text, up to 150 characters",
		help:    "The organisation that runs the service. Rows with the same organisation name and organisation email belong to one organisation.",
		example: "Example Walking Friends", aliases: []string{"organization_name", "organisation", "organization", "org_name", "provider", "provider_name"}},
	{name: ColOrganisationEmail, required: true, width: 30,
		format:  "An email address, like name@example.org",
		help:    "The entry is published when it is imported; we email this address a link to claim it and keep it up to date, or to ask us to remove it. Leave it empty only when the organisation has no email: then put a UK mobile number in the phone column and we text the link to it.",
		example: "hello@example.org", aliases: []string{"organization_email", "org_email", "claim_email", "provider_email"}},
	{name: ColOrganisationWebsite, width: 30,
		format:  "A web address, like https://www.example.org",
		help:    "The organisation's own website, if it has one.",
		example: "https://www.example.org", aliases: []string{"organization_website", "org_website", "provider_website"}},
	{name: ColServiceName, required: true, width: 30,
		format:  "Text, up to 150 characters",
		help:    "The name people will see for the service or activity, like \"Tuesday health walk\".",
		example: "Tuesday health walk", aliases: []string{"service", "name", "title", "activity", "activity_name", "service_title"}},
	{name: ColDescription, required: true, width: 50,
		format:  "Text, up to 10,000 characters",
		help:    "What happens, what to expect and how to join, in plain English.",
		example: "A gentle hour's walk around the park with a cup of tea afterwards. Just turn up.", aliases: []string{"service_description", "about", "details"}},
	{name: ColCategory, width: 24,
		format:  "One or more category codes from the list below, separated by ;",
		help:    "What kind of support this is. Choose from the drop-down list, or type several codes separated by a semicolon, like physical-activity;loneliness.",
		example: "physical-activity", aliases: []string{"categories", "category_code", "category_codes"}},
	{name: ColAddressLine, width: 30,
		format:  "Text",
		help:    "The building and street where the service runs, like \"Markeaton Park Café, Markeaton Lane\".",
		example: "Markeaton Park, Markeaton Lane", aliases: []string{"address", "address_1", "address1", "street", "street_address"}},
	{name: ColTown, width: 18,
		format:  "Text",
		help:    "The town or city.",
		example: "Derby", aliases: []string{"city", "town_or_city"}},
	{name: ColPostcode, required: true, width: 12,
		format:  "A full UK postcode, like DE22 3BG",
		help:    "Where the service runs. We use it to show the service on the map and in searches near a place.",
		example: "DE22 3BG", aliases: []string{"post_code", "postal_code", "zip"}},
	{name: ColPhone, width: 18,
		format:  "A UK phone number, like 01332 123456 or 07912 345678",
		help:    "The number people call about the service.",
		example: "01332 123456", aliases: []string{"telephone", "phone_number", "tel", "telephone_number"}},
	{name: ColEmail, width: 30,
		format:  "An email address, like name@example.org",
		help:    "The address people email about the service. If you leave it empty we show the organisation email.",
		example: "walks@example.org", aliases: []string{"service_email", "contact_email", "email_address"}},
	{name: ColWebsite, width: 30,
		format:  "A web address, like https://www.example.org/walks",
		help:    "A page about this service, if there is one.",
		example: "https://www.example.org/walks", aliases: []string{"service_website", "web_address", "url", "web"}},
	{name: ColOpeningTimes, width: 30,
		format:  "Text",
		help:    "When the service runs, in words, like \"Tuesdays 10am to 11am\".",
		example: "Tuesdays 10am to 11am", aliases: []string{"opening_hours", "times", "when", "hours"}},
	{name: ColWhoItIsFor, width: 30,
		format:  "Text",
		help:    "Who can use the service, like \"Adults with a long-term health condition\".",
		example: "Anyone who wants to walk a little more", aliases: []string{"who_is_it_for", "eligibility", "access_criteria", "who_for"}},
	{name: ColFree, width: 8,
		format:  "Yes or No",
		help:    "Yes if the service costs nothing to use. Leave it empty if you are not sure.",
		example: "Yes", aliases: []string{"is_free", "free_of_charge", "cost_free"}},
	{name: ColMinimumAge, width: 12,
		format:  "A whole number of years, from 0 to 120",
		help:    "The youngest age the service is for. Leave it empty if there is no lower limit.",
		example: "18", aliases: []string{"min_age", "age_from", "minimum"}},
	{name: ColMaximumAge, width: 12,
		format:  "A whole number of years, from 0 to 120",
		help:    "The oldest age the service is for. Leave it empty if there is no upper limit.",
		example: "", aliases: []string{"max_age", "age_to", "maximum"}},
	{name: ColHowItIsGiven, width: 20,
		format:  "One or more of: In person; Online; By phone, separated by ;",
		help:    "How people take part. Leave it empty if you are not sure.",
		example: "In person", aliases: []string{"delivery", "delivery_method", "how_delivered", "attendance"}},
	{name: ColAccessibility, width: 30,
		format:  "Any of: Step-free access; Hearing loop; Accessible toilet; Accessible parking, separated by ;",
		help:    "What the place where it runs has for disabled people. Leave it empty if it has none of these or you are not sure.",
		example: "Step-free access; Accessible toilet", aliases: []string{"access", "accessibility_features", "disabled_access"}},
	{name: ColLanguages, width: 24,
		format:  "Languages, like English; Polish; British Sign Language, separated by ;",
		help:    "The languages the people who run it speak with those who come (not through an interpreter). Leave it empty for English only.",
		example: "English", aliases: []string{"language", "languages_spoken", "spoken_languages"}},
}

// Columns returns the template's column names in order.
func Columns() []string {
	names := make([]string, len(columns))
	for i, c := range columns {
		names[i] = c.name
	}
	return names
}

// headerLabel is the header cell the template writes for c: its name, with an
// asterisk when the column is required.
func headerLabel(c column) string {
	if c.required {
		return c.name + "*"
	}
	return c.name
}

// exampleRow is the template's example row, in column order.
func exampleRow() []string {
	row := make([]string, len(columns))
	for i, c := range columns {
		row[i] = c.example
	}
	return row
}

// headerKey reduces a header cell to the form column names and aliases are
// written in: lower case, words joined by underscores, without asterisks,
// brackets' contents or other punctuation. "Organisation Name *" and
// "organisation-name (required)" both become "organisation_name".
func headerKey(s string) string {
	var b strings.Builder
	depth := 0
	pendingSep := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r == '(' || r == '[':
			depth++
		case r == ')' || r == ']':
			if depth > 0 {
				depth--
			}
		case depth > 0:
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if pendingSep && b.Len() > 0 {
				b.WriteByte('_')
			}
			pendingSep = false
			b.WriteRune(r)
		case r == '\'' || r == '’':
			// "who it's for" reads as "who_its_for"
		default:
			pendingSep = true
		}
	}
	return b.String()
}

// columnIndex maps every header key a column answers to, its name and its
// aliases, to the column's name.
func columnIndex() map[string]string {
	idx := make(map[string]string, len(columns)*5)
	for _, c := range columns {
		idx[c.name] = c.name
		for _, a := range c.aliases {
			idx[a] = c.name
		}
	}
	return idx
}
