package fhir

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	models "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"waymark/internal/casework"
)

// Identifier systems and codes a BaRS referral message uses.
const (
	// NHSNumberSystem identifies a Patient's NHS number.
	NHSNumberSystem = "https://fhir.nhs.uk/Id/nhs-number"
	// ODSSystem identifies an Organization by its ODS code.
	ODSSystem = "https://fhir.nhs.uk/Id/ods-organization-code"
	// SNOMEDSystem is SNOMED CT.
	SNOMEDSystem = "http://snomed.info/sct"
	// SocialPrescribingReferral is SNOMED CT 871731000000106, "Referral to
	// social prescribing service": a ServiceRequest with this code goes to
	// the social prescribing team that serves the practice.
	SocialPrescribingReferral = "871731000000106"
	// ServiceIDSystemPath ends the identifier system of a Waymark service
	// ({PUBLIC_URL}/fhir/Id/service), as HealthcareService answers give it.
	ServiceIDSystemPath = "/fhir/Id/service"
	// EventServiceRequest is the MessageHeader event of a referral request.
	EventServiceRequest = "servicerequest-request"
)

// Message is the referral a BaRS servicerequest-request message Bundle
// carries, in Waymark's terms.
type Message struct {
	// BundleID is the Bundle's id: the sender's key for the message, so a
	// message sent again is recognised.
	BundleID string
	// PracticeODS is the ODS code of the referring practice: the
	// Organization of the requesting PractitionerRole, or else the
	// MessageHeader's sender.
	PracticeODS string
	// ServiceID is the Waymark service the ServiceRequest names as performer
	// (a HealthcareService); "" sends the referral to the practice's social
	// prescribing team (ServiceRequest.code SNOMED CT 871731000000106).
	ServiceID string
	// The Patient.
	NHSNumber             string
	GivenName, FamilyName string
	DateOfBirth           time.Time
	Postcode, Phone       string
	Email                 string
	// Reason is the ServiceRequest's reasonCode and notes in words.
	Reason string
	// Consent is an active Consent for the Patient in the Bundle.
	Consent bool
	// RequesterName and RequesterRole describe the requesting practitioner.
	RequesterName, RequesterRole string

	// doc is the Bundle as decoded (numbers kept as written), to answer with.
	doc map[string]any
	// focus is the index of the ServiceRequest's entry.
	focus int
}

// MessageError is why a message Bundle is refused: the HTTP status and the
// OperationOutcome issues to answer with.
type MessageError struct {
	Status int
	Issues []Issue
}

func (e *MessageError) Error() string {
	msgs := make([]string, 0, len(e.Issues))
	for _, is := range e.Issues {
		msgs = append(msgs, is.Diagnostics)
	}
	return fmt.Sprintf("message refused (%d): %s", e.Status, strings.Join(msgs, "; "))
}

// refuse is a 400 REC_BAD_REQUEST with one issue of FHIR issue type code.
func refuse(code, expression, format string, args ...any) *MessageError {
	is := Issue{Code: code, Error: "REC_BAD_REQUEST", Diagnostics: fmt.Sprintf(format, args...)}
	if expression != "" {
		is.Expression = []string{expression}
	}
	return &MessageError{Status: http.StatusBadRequest, Issues: []Issue{is}}
}

// ParseMessage reads a BaRS referral message: a FHIR R4 Bundle of type
// message, valid against the R4 JSON Schema, whose MessageHeader's event is
// servicerequest-request and whose focus is a ServiceRequest for a Patient
// with a valid NHS number, requested by a practitioner of a practice with an
// ODS code, with a reason and the patient's consent. It refuses anything
// else with a *MessageError saying what is wrong and where.
func ParseMessage(body []byte) (*Message, error) {
	if !utf8.Valid(body) {
		return nil, refuse("structure", "", "The body is not UTF-8 text.")
	}
	doc, err := decodeDoc(body)
	if err != nil {
		return nil, refuse("structure", "", "The body is not valid JSON: %s.", err)
	}
	root, ok := doc.(map[string]any)
	if !ok {
		return nil, refuse("structure", "", "The body must be a FHIR resource (a JSON object).")
	}
	if rt, _ := root["resourceType"].(string); rt != "Bundle" {
		return nil, refuse("invalid", "Bundle", "$process-message takes a Bundle; the body's resourceType is %q.", rt)
	}
	if err := ValidateResource(root); err != nil {
		var se *SchemaError
		if !errors.As(err, &se) {
			return nil, err
		}
		return nil, &MessageError{Status: http.StatusBadRequest, Issues: []Issue{{Code: "structure", Error: "REC_BAD_REQUEST",
			Diagnostics: "The Bundle is not valid FHIR R4: " + strings.Join(se.Problems, "; "), Expression: se.Locations()}}}
	}
	var bundle models.Bundle
	if err := json.Unmarshal(body, &bundle); err != nil {
		return nil, refuse("structure", "Bundle", "The Bundle could not be read: %s.", err)
	}
	p := &parser{bundle: &bundle, byURL: map[string]int{}, msg: &Message{doc: root}}
	return p.parse()
}

// parser resolves the references between a message's entries.
type parser struct {
	bundle *models.Bundle
	// types are the entries' resourceTypes.
	types []string
	// byURL finds an entry by its fullUrl or by Type/id.
	byURL map[string]int
	msg   *Message
}

func (p *parser) parse() (*Message, error) {
	b := p.bundle
	if b.Type != models.BundleTypeMessage {
		return nil, refuse("invalid", "Bundle.type", "The Bundle's type must be message, not %s.", b.Type.Code())
	}
	if b.Id == nil || strings.TrimSpace(*b.Id) == "" {
		return nil, refuse("required", "Bundle.id", "The Bundle needs an id: it identifies the message, so that a message sent twice is processed once.")
	}
	p.msg.BundleID = *b.Id
	p.types = make([]string, len(b.Entry))
	for i, e := range b.Entry {
		var head struct {
			ResourceType string  `json:"resourceType"`
			ID           *string `json:"id"`
		}
		if len(e.Resource) == 0 || json.Unmarshal(e.Resource, &head) != nil {
			return nil, refuse("required", fmt.Sprintf("Bundle.entry[%d].resource", i), "Every entry of a message needs a resource.")
		}
		p.types[i] = head.ResourceType
		if e.FullUrl != nil && *e.FullUrl != "" {
			p.byURL[*e.FullUrl] = i
		}
		if head.ID != nil {
			p.byURL[head.ResourceType+"/"+*head.ID] = i
		}
	}
	if len(b.Entry) == 0 || p.types[0] != "MessageHeader" {
		return nil, refuse("invalid", "Bundle.entry[0]", "The first entry of a message Bundle must be its MessageHeader.")
	}
	var header models.MessageHeader
	if err := p.resource(0, &header); err != nil {
		return nil, err
	}
	if code := header.EventCoding.Code; code == nil || *code != EventServiceRequest {
		event := "none"
		if code != nil {
			event = *code
		} else if header.EventUri != "" {
			event = header.EventUri
		}
		return nil, refuse("not-supported", "Bundle.entry[0].resource.eventCoding",
			"Waymark takes referral requests only: the MessageHeader event must be %s, not %s.", EventServiceRequest, event)
	}
	if header.Reason != nil {
		for _, c := range header.Reason.Coding {
			if c.Code != nil && *c.Code != "new" {
				return nil, refuse("not-supported", "Bundle.entry[0].resource.reason",
					"Waymark takes new referrals only (MessageHeader reason new), not %s: to change or cancel a referral, contact the service.", *c.Code)
			}
		}
	}
	var sr models.ServiceRequest
	if err := p.focus(&header, &sr); err != nil {
		return nil, err
	}
	srPath := fmt.Sprintf("Bundle.entry[%d].resource", p.msg.focus)
	if sr.Status != models.RequestStatusActive {
		return nil, refuse("value", srPath+".status", "The ServiceRequest's status must be active for a new referral, not %s.", sr.Status.Code())
	}
	if err := p.destination(&sr, srPath); err != nil {
		return nil, err
	}
	patientAt, err := p.patient(&sr, srPath)
	if err != nil {
		return nil, err
	}
	if err := p.requester(&sr, &header, srPath); err != nil {
		return nil, err
	}
	p.msg.Reason = reasonOf(&sr)
	if p.msg.Reason == "" {
		return nil, refuse("required", srPath+".reasonCode", "The ServiceRequest needs a reason for the referral (reasonCode text or display, or a note).")
	}
	p.msg.Consent = p.consent(patientAt)
	if !p.msg.Consent {
		return nil, refuse("required", "Consent", "The referral needs the patient's consent: include an active Consent whose patient is the ServiceRequest's subject.")
	}
	return p.msg, nil
}

// resource decodes entry i's resource.
func (p *parser) resource(i int, v any) error {
	if err := json.Unmarshal(p.bundle.Entry[i].Resource, v); err != nil {
		return refuse("structure", fmt.Sprintf("Bundle.entry[%d].resource", i), "The %s could not be read: %s.", p.types[i], err)
	}
	return nil
}

// resolve finds the entry a reference points to within the Bundle: by
// fullUrl (urn:uuid:...), by Type/id, or by an absolute URL ending in
// Type/id. It returns -1 when the reference is not in the Bundle.
func (p *parser) resolve(ref *models.Reference) int {
	if ref == nil || ref.Reference == nil {
		return -1
	}
	r := *ref.Reference
	if i, ok := p.byURL[r]; ok {
		return i
	}
	if parts := strings.Split(r, "/"); len(parts) >= 2 {
		if i, ok := p.byURL[parts[len(parts)-2]+"/"+parts[len(parts)-1]]; ok {
			return i
		}
	}
	return -1
}

// focus finds the message's ServiceRequest: the MessageHeader's focus, or
// the Bundle's only ServiceRequest when the header names none.
func (p *parser) focus(header *models.MessageHeader, sr *models.ServiceRequest) error {
	at := -1
	for _, f := range header.Focus {
		if i := p.resolve(&f); i >= 0 && p.types[i] == "ServiceRequest" {
			at = i
			break
		}
	}
	if at < 0 && len(header.Focus) == 0 {
		for i, t := range p.types {
			if t == "ServiceRequest" {
				at = i
				break
			}
		}
	}
	if at < 0 {
		return refuse("required", "Bundle.entry[0].resource.focus", "The MessageHeader's focus must be a ServiceRequest in the Bundle.")
	}
	p.msg.focus = at
	return p.resource(at, sr)
}

// destination decides where the referral goes: a Waymark service named as
// the ServiceRequest's performer (a HealthcareService), else the practice's
// social prescribing team when the code is SNOMED CT 871731000000106.
func (p *parser) destination(sr *models.ServiceRequest, srPath string) error {
	for j, perf := range sr.Performer {
		id, named := p.serviceID(&perf)
		if !named {
			continue
		}
		if id == "" {
			return refuse("value", fmt.Sprintf("%s.performer[%d]", srPath, j),
				"The performer HealthcareService must be a Waymark service: give its id (HealthcareService/{id}, as GET /fhir/R4/HealthcareService lists them).")
		}
		p.msg.ServiceID = id
		return nil
	}
	if sr.Code != nil {
		for _, c := range sr.Code.Coding {
			if c.System != nil && *c.System == SNOMEDSystem && c.Code != nil && *c.Code == SocialPrescribingReferral {
				return nil
			}
		}
	}
	got := "none"
	if sr.Code != nil && len(sr.Code.Coding) > 0 && sr.Code.Coding[0].Code != nil {
		got = *sr.Code.Coding[0].Code
		if s := sr.Code.Coding[0].System; s != nil {
			got = *s + "|" + got
		}
	}
	return refuse("value", srPath+".code",
		"The ServiceRequest must be coded SNOMED CT %s (referral to social prescribing service), or name a Waymark HealthcareService as performer; its code is %s.",
		SocialPrescribingReferral, got)
}

// serviceID reads a performer: named reports whether it is a
// HealthcareService (by reference type or the entry it resolves to), and id
// is the Waymark service id it gives: its identifier of system
// {PUBLIC_URL}/fhir/Id/service, else its id, else "" (a HealthcareService of
// another directory, such as the NHS Directory of Services).
func (p *parser) serviceID(ref *models.Reference) (id string, named bool) {
	if i := p.resolve(ref); i >= 0 {
		if p.types[i] != "HealthcareService" {
			return "", false
		}
		var hs models.HealthcareService
		if json.Unmarshal(p.bundle.Entry[i].Resource, &hs) != nil {
			return "", true
		}
		for _, id := range hs.Identifier {
			if id.System != nil && strings.HasSuffix(*id.System, ServiceIDSystemPath) && id.Value != nil {
				return *id.Value, true
			}
		}
		if hs.Id == nil {
			return "", true
		}
		return *hs.Id, true
	}
	if ref.Reference != nil {
		if before, after, ok := strings.Cut(*ref.Reference, "HealthcareService/"); ok && !strings.Contains(after, "/") &&
			(before == "" || strings.HasSuffix(before, "/")) {
			return after, true
		}
	}
	return "", ref.Type != nil && *ref.Type == "HealthcareService"
}

// patient reads the ServiceRequest's subject.
func (p *parser) patient(sr *models.ServiceRequest, srPath string) (int, error) {
	at := p.resolve(&sr.Subject)
	if at < 0 || p.types[at] != "Patient" {
		return -1, refuse("required", srPath+".subject", "The ServiceRequest's subject must be a Patient in the Bundle.")
	}
	where := fmt.Sprintf("Bundle.entry[%d].resource", at)
	var pat models.Patient
	if err := p.resource(at, &pat); err != nil {
		return -1, err
	}
	m := p.msg
	for _, id := range pat.Identifier {
		if id.System != nil && strings.EqualFold(*id.System, NHSNumberSystem) && id.Value != nil {
			m.NHSNumber = casework.NormaliseNHSNumber(*id.Value)
			break
		}
	}
	if m.NHSNumber == "" {
		return -1, refuse("required", where+".identifier", "The Patient needs an NHS number (identifier system %s).", NHSNumberSystem)
	}
	if !casework.ValidNHSNumber(m.NHSNumber) {
		return -1, refuse("value", where+".identifier", "The Patient's NHS number %s is not valid: its check digit is wrong.", m.NHSNumber)
	}
	name := officialName(pat.Name)
	if name == nil || name.Family == nil || len(name.Given) == 0 {
		return -1, refuse("required", where+".name", "The Patient needs a name with a given and a family name.")
	}
	m.GivenName, m.FamilyName = strings.TrimSpace(name.Given[0]), strings.TrimSpace(*name.Family)
	if pat.BirthDate == nil {
		return -1, refuse("required", where+".birthDate", "The Patient needs a date of birth.")
	}
	dob, err := time.Parse(time.DateOnly, *pat.BirthDate)
	if err != nil {
		return -1, refuse("value", where+".birthDate", "The Patient's date of birth must be a full date (YYYY-MM-DD), not %s.", *pat.BirthDate)
	}
	m.DateOfBirth = dob
	for _, a := range pat.Address {
		if a.PostalCode != nil && (a.Use == nil || a.Use.Code() == "home") {
			m.Postcode = *a.PostalCode
			break
		}
	}
	telecom := pat.Telecom
	for _, c := range pat.Contact {
		for _, rel := range c.Relationship {
			for _, code := range rel.Coding {
				if code.Code != nil && *code.Code == "ONESELF" {
					telecom = append(telecom, c.Telecom...)
				}
			}
		}
	}
	for _, t := range telecom {
		if t.System == nil || t.Value == nil {
			continue
		}
		switch t.System.Code() {
		case "phone", "sms":
			if m.Phone == "" {
				m.Phone = *t.Value
			}
		case "email":
			if m.Email == "" {
				m.Email = *t.Value
			}
		}
	}
	return at, nil
}

// officialName is the official name, else the usual one, else the first.
func officialName(names []models.HumanName) *models.HumanName {
	for _, use := range []string{"official", "usual"} {
		for i := range names {
			if names[i].Use != nil && names[i].Use.Code() == use {
				return &names[i]
			}
		}
	}
	if len(names) > 0 {
		return &names[0]
	}
	return nil
}

// requester reads the requesting practitioner, their role and their
// organisation's ODS code (falling back to the MessageHeader's sender).
func (p *parser) requester(sr *models.ServiceRequest, header *models.MessageHeader, srPath string) error {
	at := p.resolve(sr.Requester)
	if at < 0 {
		return refuse("required", srPath+".requester", "The ServiceRequest's requester must be a Practitioner or PractitionerRole in the Bundle.")
	}
	var role *models.PractitionerRole
	practitioner, org := -1, -1
	switch p.types[at] {
	case "PractitionerRole":
		role = &models.PractitionerRole{}
		if err := p.resource(at, role); err != nil {
			return err
		}
		practitioner = p.resolve(role.Practitioner)
	case "Practitioner":
		practitioner = at
		role = p.roleOf(at)
	case "Organization":
		org = at
	default:
		return refuse("invalid", srPath+".requester", "The ServiceRequest's requester must be a Practitioner or PractitionerRole, not a %s.", p.types[at])
	}
	if role != nil {
		org = p.resolve(role.Organization)
		for _, c := range role.Code {
			if s := conceptText(c); s != "" {
				p.msg.RequesterRole = s
				break
			}
		}
	}
	if practitioner >= 0 && p.types[practitioner] == "Practitioner" {
		var pr models.Practitioner
		if err := p.resource(practitioner, &pr); err != nil {
			return err
		}
		if n := officialName(pr.Name); n != nil {
			p.msg.RequesterName = personName(n)
		}
	}
	ods := p.odsCode(org)
	if ods == "" && header.Sender != nil {
		ods = p.odsCode(p.resolve(header.Sender))
	}
	if ods == "" {
		return refuse("required", srPath+".requester",
			"The requesting practice needs an ODS code: the requester's PractitionerRole.organization (or the MessageHeader's sender) must be an Organization with an identifier of system %s.", ODSSystem)
	}
	p.msg.PracticeODS = ods
	return nil
}

// roleOf finds a PractitionerRole of the practitioner at entry i.
func (p *parser) roleOf(i int) *models.PractitionerRole {
	for j, t := range p.types {
		if t != "PractitionerRole" {
			continue
		}
		var role models.PractitionerRole
		if json.Unmarshal(p.bundle.Entry[j].Resource, &role) == nil && p.resolve(role.Practitioner) == i {
			return &role
		}
	}
	return nil
}

// odsCode is the ODS code of the Organization at entry i, "" if none. The
// system is compared without regard to case: BaRS's own examples write
// .../id/ods-organization-code.
func (p *parser) odsCode(i int) string {
	if i < 0 || p.types[i] != "Organization" {
		return ""
	}
	var org models.Organization
	if json.Unmarshal(p.bundle.Entry[i].Resource, &org) != nil {
		return ""
	}
	for _, id := range org.Identifier {
		if id.System != nil && strings.EqualFold(*id.System, ODSSystem) && id.Value != nil && strings.TrimSpace(*id.Value) != "" {
			return strings.ToUpper(strings.TrimSpace(*id.Value))
		}
	}
	return ""
}

// consent reports whether an active Consent for the patient at entry
// patientAt is in the Bundle.
func (p *parser) consent(patientAt int) bool {
	for i, t := range p.types {
		if t != "Consent" {
			continue
		}
		var c models.Consent
		if json.Unmarshal(p.bundle.Entry[i].Resource, &c) == nil && c.Status == models.ConsentStateActive && p.resolve(c.Patient) == patientAt {
			return true
		}
	}
	return false
}

// reasonOf joins the ServiceRequest's reason codes and notes in words.
func reasonOf(sr *models.ServiceRequest) string {
	var parts []string
	for _, c := range sr.ReasonCode {
		if s := conceptText(c); s != "" {
			parts = append(parts, s)
		}
	}
	for _, n := range sr.Note {
		if s := strings.TrimSpace(n.Text); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n")
}

// conceptText is a CodeableConcept in words: its text, else its first
// coding's display.
func conceptText(c models.CodeableConcept) string {
	if c.Text != nil && strings.TrimSpace(*c.Text) != "" {
		return strings.TrimSpace(*c.Text)
	}
	for _, code := range c.Coding {
		if code.Display != nil && strings.TrimSpace(*code.Display) != "" {
			return strings.TrimSpace(*code.Display)
		}
	}
	return ""
}

// personName writes a name as "Dr Alex Smith".
func personName(n *models.HumanName) string {
	if n.Text != nil && strings.TrimSpace(*n.Text) != "" {
		return strings.TrimSpace(*n.Text)
	}
	var parts []string
	parts = append(parts, n.Prefix...)
	parts = append(parts, n.Given...)
	if n.Family != nil {
		parts = append(parts, *n.Family)
	}
	return strings.Join(strings.Fields(strings.Join(parts, " ")), " ")
}
