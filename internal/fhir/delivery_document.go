package fhir

import (
	"encoding/json"
	"html"
	"strings"
	"time"

	models "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"waymark/internal/casework"
	"waymark/internal/gp"
)

// Codes of the discharge letter document.
const (
	snomed = "http://snomed.info/sct"
	loinc  = "http://loinc.org"
	// letterSectionsPath is Waymark's code system of the letter's headings
	// (the casework.Section* codes), under the site's address.
	letterSectionsPath = "/fhir/CodeSystem/letter-section"
	nhsNumberSystem    = "https://fhir.nhs.uk/Id/nhs-number"
)

// sectionCodes are standard codes of letter headings where one exists.
var sectionCodes = map[string]models.Coding{
	casework.SectionReason: {System: ptr(loinc), Code: ptr("42349-1"), Display: ptr("Reason for referral (narrative)")},
}

// LetterDocument is a discharge letter as a FHIR document: a Bundle of
// type document whose Composition (SNOMED CT 373942005 discharge summary,
// the event a referral to social prescribing service 871731000000106) has
// the letter's sections in the PRSB order, with the Patient and the team
// (Organization) it is about and from.
func LetterDocument(base string, ref *gp.Referral, l *casework.Letter, now time.Time) (models.Bundle, error) {
	id := newUUID()
	patientURL, teamURL, compURL := "urn:uuid:"+newUUID(), "urn:uuid:"+newUUID(), "urn:uuid:"+newUUID()
	patient := models.Patient{Id: ptr(strings.TrimPrefix(patientURL, "urn:uuid:")),
		Name: []models.HumanName{{Text: ptr(l.Name)}}}
	if nhs := l.NHSNumber; nhs != "" {
		patient.Identifier = []models.Identifier{{System: ptr(nhsNumberSystem), Value: ptr(nhs)}}
	}
	if !l.DateOfBirth.IsZero() {
		patient.BirthDate = ptr(l.DateOfBirth.Format("2006-01-02"))
	}
	if l.Address != "" || l.Postcode != "" {
		ad := models.Address{}
		if l.Address != "" {
			ad.Text = ptr(l.Address)
		}
		if l.Postcode != "" {
			ad.PostalCode = ptr(l.Postcode)
		}
		patient.Address = []models.Address{ad}
	}
	team := models.Organization{Id: ptr(strings.TrimPrefix(teamURL, "urn:uuid:")), Name: ptr(l.Team)}
	comp := models.Composition{
		Id:         ptr(strings.TrimPrefix(compURL, "urn:uuid:")),
		Identifier: &models.Identifier{System: ptr(base + "/fhir/Id/discharge-letter"), Value: ptr(ref.ID)},
		Status:     code[models.CompositionStatus]("final"),
		Type: models.CodeableConcept{Coding: []models.Coding{{System: ptr(snomed), Code: ptr("373942005"), Display: ptr("Discharge summary")}},
			Text: ptr("Social prescribing discharge letter")},
		Subject:   &models.Reference{Reference: ptr(patientURL), Display: ptr(l.Name)},
		Date:      l.Written.UTC().Format(time.RFC3339),
		Author:    []models.Reference{{Reference: ptr(teamURL), Display: ptr(l.Team)}},
		Title:     "Social prescribing discharge letter",
		Custodian: &models.Reference{Reference: ptr(teamURL), Display: ptr(l.Team)},
		Event: []models.CompositionEvent{{Code: []models.CodeableConcept{{Coding: []models.Coding{{System: ptr(snomed),
			Code: ptr("871731000000106"), Display: ptr("Referral to social prescribing service")}}}}}},
	}
	if l.LinkWorker != "" {
		comp.Author = append(comp.Author, models.Reference{Display: ptr(l.LinkWorker + " (link worker)")})
	}
	if !l.DischargedAt.IsZero() {
		comp.Event[0].Period = &models.Period{End: ptr(l.DischargedAt.UTC().Format(time.RFC3339))}
	}
	for _, sec := range l.Sections() {
		coding := []models.Coding{{System: ptr(base + letterSectionsPath), Code: ptr(sec.Code), Display: ptr(sec.Title)}}
		if std, ok := sectionCodes[sec.Code]; ok {
			coding = append([]models.Coding{std}, coding...)
		}
		comp.Section = append(comp.Section, models.CompositionSection{Title: ptr(sec.Title),
			Code: &models.CodeableConcept{Coding: coding, Text: ptr(sec.Title)}, Text: narrative(sec.Lines)})
	}
	var entries []models.BundleEntry
	for _, e := range []struct {
		url string
		res any
	}{{compURL, comp}, {patientURL, patient}, {teamURL, team}} {
		raw, err := json.Marshal(e.res)
		if err != nil {
			return models.Bundle{}, err
		}
		entries = append(entries, models.BundleEntry{FullUrl: ptr(e.url), Resource: raw})
	}
	return models.Bundle{Id: ptr(id), Type: code[models.BundleType]("document"), Timestamp: ptr(now.UTC().Format(time.RFC3339)),
		Identifier: &models.Identifier{System: ptr("urn:ietf:rfc:3986"), Value: ptr("urn:uuid:" + id)}, Entry: entries}, nil
}

// narrative is lines as generated XHTML narrative, a paragraph each.
func narrative(lines []string) *models.Narrative {
	var b strings.Builder
	b.WriteString(`<div xmlns="http://www.w3.org/1999/xhtml">`)
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		b.WriteString("<p>" + html.EscapeString(l) + "</p>")
	}
	b.WriteString("</div>")
	return &models.Narrative{Status: code[models.NarrativeStatus]("generated"), Div: b.String()}
}
