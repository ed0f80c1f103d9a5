package directory

import (
	"waymark"
	"waymark/internal/input"
)

// textField is one text value of an entry with its rules: the field a form
// shows it in, its name in messages, the most characters it may hold, and
// whether it may span lines.
type textField struct {
	v         *string
	field     string
	label     string
	max       int
	multiline bool
}

// cleanText trims every text value of the entry and checks it with the
// input package: no control characters or invalid UTF-8 (which PostgreSQL
// would refuse and SQLite store), one line where a form has one, and within
// its length. Errors: EINVALID with the field at fault.
func (svc *Service) cleanText() error {
	fields := []textField{
		{&svc.Name, "title", "Title", 150, false},
		{&svc.Description, "description", "Description", 10000, true},
		{&svc.Email, "email", "Email address", input.MaxEmailLength, false},
		{&svc.Website, "website", "Website", input.MaxWebsiteLength, false},
		{&svc.ExternalFormURL, "external_form_url", "The referral form's web address", input.MaxWebsiteLength, false},
		{&svc.AccessCriteria, "access_criteria", "Who it is for", 2000, true},
		{&svc.StatusNote, "note", "The note", 2000, true},
		{&svc.AccessibilityNote, "accessibility_note", "More about access", 2000, true},
	}
	for i := range svc.Keywords {
		fields = append(fields, textField{&svc.Keywords[i], "keywords", "Each keyword", 100, false})
	}
	for i := range svc.Locations {
		l := &svc.Locations[i]
		fields = append(fields, textField{&l.Name, "address", "The place's name", 200, false},
			textField{&l.Description, "address", "The place's description", 2000, true},
			textField{&l.Address.Address1, "address", "Address", 200, false},
			textField{&l.Address.City, "town", "Town", 100, false},
			textField{&l.Address.StateProvince, "address", "County", 100, false},
			textField{&l.Address.PostalCode, "postcode", "Postcode", 16, false})
	}
	for i := range svc.Contacts {
		c := &svc.Contacts[i]
		fields = append(fields, textField{&c.Name, "contact", "The contact's name", 200, false},
			textField{&c.Title, "contact", "The contact's role", 200, false},
			textField{&c.Email, "email", "The contact's email address", input.MaxEmailLength, false})
		for j := range c.Phones {
			fields = append(fields, textField{&c.Phones[j].Number, "phone", "Phone number", 40, false})
		}
	}
	for i := range svc.Schedules {
		fields = append(fields, textField{&svc.Schedules[i].Description, "opening_times", "Opening times", 1000, true})
	}
	for i := range svc.CostOptions {
		c := &svc.CostOptions[i]
		fields = append(fields, textField{&c.Option, "cost_description", "Cost", 200, false},
			textField{&c.AmountDescription, "cost_description", "Cost", 500, true})
	}
	for i := range svc.Images {
		fields = append(fields, textField{&svc.Images[i].Alt, "image_alt", "The image's description", 300, false})
	}
	for _, f := range fields {
		clean := input.Line
		if f.multiline {
			clean = input.Lines
		}
		v, err := clean(f.label, *f.v, f.max)
		if err != nil {
			return waymark.FieldErrorf(waymark.EINVALID, f.field, "%s", waymark.ErrorMessage(err))
		}
		*f.v = v
	}
	return nil
}
