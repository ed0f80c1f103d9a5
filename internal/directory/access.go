package directory

import (
	"slices"

	"github.com/google/uuid"

	"waymark"
)

// Option is one choice from a fixed list: a short stable code (in URLs,
// the database and the API) and its words for people.
type Option struct {
	Code  string
	Label string
}

// AccessFeatures are the accessibility features a provider can say the
// place a service runs at has.
var AccessFeatures = []Option{
	{"step_free", "Step-free access"},
	{"hearing_loop", "Hearing loop"},
	{"accessible_toilet", "Accessible toilet"},
	{"accessible_parking", "Accessible parking"},
}

// DeliveryModes are the ways a service can be delivered.
var DeliveryModes = []Option{
	{"in_person", "In person"},
	{"online", "Online"},
	{"phone", "By phone"},
}

// Languages are the languages a provider can say a service is given in,
// by their ISO 639 code (ISO 639-3 where there is no two-letter code):
// English, British Sign Language, Welsh and the languages most spoken in
// England after English.
var Languages = []Option{
	{"en", "English"},
	{"ar", "Arabic"},
	{"bn", "Bengali"},
	{"bfi", "British Sign Language"},
	{"zh", "Chinese"},
	{"fr", "French"},
	{"gu", "Gujarati"},
	{"hi", "Hindi"},
	{"it", "Italian"},
	{"ku", "Kurdish"},
	{"lt", "Lithuanian"},
	{"fa", "Persian (Farsi)"},
	{"pl", "Polish"},
	{"pt", "Portuguese"},
	{"pa", "Punjabi"},
	{"ro", "Romanian"},
	{"so", "Somali"},
	{"es", "Spanish"},
	{"ta", "Tamil"},
	{"tr", "Turkish"},
	{"uk", "Ukrainian"},
	{"ur", "Urdu"},
	{"cy", "Welsh"},
}

// OptionLabel is the words for code in list, or "" when it is not there.
func OptionLabel(list []Option, code string) string {
	for _, o := range list {
		if o.Code == code {
			return o.Label
		}
	}
	return ""
}

// OptionLabels are the words for codes, in the list's order.
func OptionLabels(list []Option, codes []string) []string {
	var out []string
	for _, o := range list {
		if slices.Contains(codes, o.Code) {
			out = append(out, o.Label)
		}
	}
	return out
}

// cleanOptions checks that every code is in list and returns them once
// each, in the list's order. Errors: EINVALID with field.
func cleanOptions(list []Option, codes []string, field, message string) ([]string, error) {
	var out []string
	for _, c := range codes {
		if OptionLabel(list, c) == "" {
			return nil, waymark.FieldErrorf(waymark.EINVALID, field, "%s", message)
		}
	}
	for _, o := range list {
		if slices.Contains(codes, o.Code) {
			out = append(out, o.Code)
		}
	}
	return out, nil
}

// cleanAccess checks and orders the entry's accessibility features,
// delivery modes and languages. Errors: EINVALID with the field at fault.
func (svc *Service) cleanAccess() error {
	var err error
	if svc.Accessibility, err = cleanOptions(AccessFeatures, svc.Accessibility, "accessibility", "Choose accessibility features from the list"); err != nil {
		return err
	}
	if svc.Delivery, err = cleanOptions(DeliveryModes, svc.Delivery, "delivery", "Choose how the service is given from the list"); err != nil {
		return err
	}
	svc.Languages, err = cleanOptions(Languages, svc.Languages, "languages", "Choose languages from the list")
	return err
}

// DeliveryTaxonomyID is the id of the taxonomy of DeliveryModes, by which
// the Open Referral UK API gives how a service is delivered (as the
// service's attributes).
const DeliveryTaxonomyID = "8f3b2a61-7c4d-4e1a-9b6f-2d5e0c7a1f34"

// DeliveryTaxonomy returns the taxonomy of delivery modes and its terms,
// whose ids are derived from their codes.
func DeliveryTaxonomy() (Taxonomy, []TaxonomyTerm) {
	tax := Taxonomy{ID: DeliveryTaxonomyID, Name: "Waymark delivery methods",
		Description: "How a service is given: in person, online or by phone.",
		URI:         "https://waymark.example/taxonomy/delivery", Version: "1"}
	terms := make([]TaxonomyTerm, len(DeliveryModes))
	for i, m := range DeliveryModes {
		terms[i] = TaxonomyTerm{ID: DeliveryTermID(m.Code), TaxonomyID: tax.ID, Code: m.Code, Name: m.Label, Description: m.Label}
	}
	return tax, terms
}

// DeliveryTermID is the id of a delivery mode's taxonomy term.
func DeliveryTermID(code string) string {
	return uuid.NewSHA1(uuid.MustParse(DeliveryTaxonomyID), []byte(code)).String()
}
