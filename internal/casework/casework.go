// Package casework is Waymark's case management for social prescribing link
// worker teams: teams and the GP practices they serve, client records with
// consent, one timeline per client (contacts, appointments, measures, goals,
// status changes), what matters to the person and their needs, the care and
// support plan, and the outcome measures ONS4 and SWEMWBS.
//
// Only members of a client's team may open the client's record;
// administrators may, after "breaking the glass" with a reason. Every read and
// write of a client record is audited. The rules live in Service; storage is
// behind the small Store interface.
package casework

import (
	"time"
)

// Team is a social prescribing team, such as a primary care network's link
// workers, serving a list of GP practices.
type Team struct {
	ID        string
	Name      string
	CreatedAt time.Time
	Members   []Member   // filled by Store.Team
	Practices []Practice // filled by Store.Team
	Areas     []string   // postcode districts served, filled by Store.Team
}

// Member is a person in a team. Leads allocate and transfer work and see
// each client's access log.
type Member struct {
	TeamID string
	UserID string
	Name   string // filled when read
	Email  string // filled when read
	Lead   bool
}

// Practice is a GP practice a team serves, by its ODS code.
type Practice struct {
	ODSCode string
	Name    string
}

// Status is where a client is with the service.
type Status string

// Client statuses.
const (
	StatusWaiting    Status = "waiting"
	StatusActive     Status = "active"
	StatusOnHold     Status = "on_hold"
	StatusDischarged Status = "discharged"
)

// Statuses lists every status in order.
var Statuses = []Status{StatusWaiting, StatusActive, StatusOnHold, StatusDischarged}

// Label is the status for people.
func (s Status) Label() string {
	switch s {
	case StatusWaiting:
		return "Waiting"
	case StatusActive:
		return "Active"
	case StatusOnHold:
		return "On hold"
	case StatusDischarged:
		return "Discharged"
	}
	return string(s)
}

// Client is a person a team supports.
type Client struct {
	ID           string
	TeamID       string
	LinkWorkerID string // the allocated link worker; "" when not allocated
	WorkerName   string // filled when read
	Status       Status

	GivenName     string
	FamilyName    string
	PreferredName string
	DateOfBirth   time.Time // a date, UTC midnight
	NHSNumber     string    // ten digits, or ""

	Address          string // lines, without the postcode
	Postcode         string // normalised, found in the postcode table
	Phone            string
	Email            string
	PreferredContact string // a ContactMethods key
	GPPractice       string // ODS code

	Interpreter       bool
	Language          string
	AccessibleFormats []string // AccessibleFormats keys
	NextOfKin         string   // name, relationship and how to reach them

	Ethnicity         string // NHS Data Dictionary ethnic category code
	Gender            string // Genders key
	SexualOrientation string // SexualOrientations key, optional
	Disability        string // Disabilities key, optional

	ReferralReason string // why they were referred to social prescribing
	ReferredBy     string // who referred them: name, role and organisation, or "self"

	WhatMatters     string // the "what matters to me" conversation, in the person's words
	DischargeReason string // DischargeReasons key, when discharged
	DischargeNote   string
	DischargedAt    *time.Time
	AnonymisedAt    *time.Time

	LastContactAt *time.Time // the newest contact, for caseloads
	NextActionDue *time.Time // the earliest open action or coming appointment
	NextAction    string     // what it is
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Name is how the client is shown: preferred name, then family name.
func (c *Client) Name() string {
	given := c.GivenName
	if c.PreferredName != "" {
		given = c.PreferredName
	}
	return given + " " + c.FamilyName
}

// Option is one choice of a fixed list: its stored key and its label.
type Option struct{ Key, Label string }

// label finds the label of key in options, or key itself.
func label(options []Option, key string) string {
	for _, o := range options {
		if o.Key == key {
			return o.Label
		}
	}
	return key
}

func known(options []Option, key string) bool {
	for _, o := range options {
		if o.Key == key {
			return true
		}
	}
	return false
}

// ContactMethods are the ways a person may prefer to be contacted.
var ContactMethods = []Option{
	{"phone", "Phone call"}, {"text", "Text message"}, {"email", "Email"}, {"post", "Letter"},
}

// AccessibleFormats are the formats a person may need information in.
var AccessibleFormats = []Option{
	{"large_print", "Large print"}, {"easy_read", "Easy read"}, {"braille", "Braille"},
	{"audio", "Audio"}, {"bsl", "British Sign Language"},
}

// Ethnicities are the NHS Data Dictionary ethnic category codes, as the PRSB
// social prescribing standard asks.
var Ethnicities = []Option{
	{"A", "White: British"}, {"B", "White: Irish"}, {"C", "White: any other White background"},
	{"D", "Mixed: White and Black Caribbean"}, {"E", "Mixed: White and Black African"},
	{"F", "Mixed: White and Asian"}, {"G", "Mixed: any other mixed background"},
	{"H", "Asian or Asian British: Indian"}, {"J", "Asian or Asian British: Pakistani"},
	{"K", "Asian or Asian British: Bangladeshi"}, {"L", "Asian or Asian British: any other Asian background"},
	{"M", "Black or Black British: Caribbean"}, {"N", "Black or Black British: African"},
	{"P", "Black or Black British: any other Black background"},
	{"R", "Other ethnic groups: Chinese"}, {"S", "Other ethnic groups: any other ethnic group"},
	{"Z", "Not stated"}, {"99", "Not known"},
}

// Genders are the answers to "what is your gender".
var Genders = []Option{
	{"female", "Female"}, {"male", "Male"}, {"non_binary", "Non-binary"},
	{"other", "Another gender"}, {"not_stated", "Prefer not to say"}, {"not_known", "Not known"},
}

// SexualOrientations follow the NHS sexual orientation monitoring standard.
var SexualOrientations = []Option{
	{"heterosexual", "Heterosexual or straight"}, {"gay_lesbian", "Gay or lesbian"},
	{"bisexual", "Bisexual"}, {"other", "Other sexual orientation"},
	{"not_stated", "Prefer not to say"}, {"not_known", "Not known"},
}

// Disabilities answers "do you consider yourself to have a disability".
var Disabilities = []Option{
	{"yes", "Yes"}, {"no", "No"}, {"not_stated", "Prefer not to say"},
}

// Needs are the domains of need a link worker records.
var Needs = []Option{
	{"loneliness", "Loneliness and isolation"}, {"mental_wellbeing", "Mental wellbeing"},
	{"physical_activity", "Physical activity"}, {"money", "Money and debt"},
	{"housing", "Housing"}, {"employment", "Employment and education"},
	{"carers", "Carers' support"}, {"long_term_conditions", "Long-term conditions"},
	{"food", "Food"}, {"other", "Other"},
}

// DischargeReasons is the fixed list of reasons for discharge.
var DischargeReasons = []Option{
	{"goals_met", "Goals met"}, {"declined", "Declined further support"},
	{"moved_away", "Moved away"}, {"not_contactable", "Not contactable"},
	{"referred_on", "Referred on"}, {"died", "Died"},
	{"no_longer_eligible", "No longer eligible"}, {"other", "Other"},
}

// ContactTypes are the kinds of contact with a client.
var ContactTypes = []Option{
	{"face_to_face", "Face to face"}, {"phone", "Phone"}, {"video", "Video"},
	{"home_visit", "Home visit"}, {"text", "Text message"}, {"email", "Email"},
}

// AppointmentModes are how an appointment happens.
var AppointmentModes = []Option{
	{"in_person", "In person"}, {"phone", "Phone"}, {"video", "Video"},
}

// Label helpers for templates.

// NeedLabel returns a need's label.
func NeedLabel(key string) string { return label(Needs, key) }

// ContactTypeLabel returns a contact type's label.
func ContactTypeLabel(key string) string { return label(ContactTypes, key) }

// DischargeReasonLabel returns a discharge reason's label.
func DischargeReasonLabel(key string) string { return label(DischargeReasons, key) }

// EthnicityLabel returns an ethnic category's label.
func EthnicityLabel(key string) string { return label(Ethnicities, key) }

// OptionLabel returns the label of key in any of the fixed lists.
func OptionLabel(options []Option, key string) string { return label(options, key) }

// Consent kinds.
const (
	ConsentHoldRecord   = "hold_record"   // to keep a record at all
	ConsentShare        = "share"         // to share details with a named provider
	ConsentContactPhone = "contact_phone" // to be contacted by phone
	ConsentContactText  = "contact_text"
	ConsentContactEmail = "contact_email"
	ConsentContactPost  = "contact_post"
)

// ConsentKinds lists the kinds of consent with their labels.
var ConsentKinds = []Option{
	{ConsentHoldRecord, "Hold a record"}, {ConsentShare, "Share details with a named provider"},
	{ConsentContactPhone, "Contact by phone"}, {ConsentContactText, "Contact by text message"},
	{ConsentContactEmail, "Contact by email"}, {ConsentContactPost, "Contact by letter"},
}

// Consent is one consent given by a client. Withdrawing it records when and
// by whom; it is never deleted.
type Consent struct {
	ID             string
	ClientID       string
	Kind           string // a ConsentKinds key
	Provider       string // for ConsentShare: who details may be shared with
	RecordedBy     string // user ID
	RecordedByName string // filled when read
	RecordedAt     time.Time
	WithdrawnAt    *time.Time
	WithdrawnBy    string
}

// Current reports whether the consent stands.
func (c Consent) Current() bool { return c.WithdrawnAt == nil }

// Entry kinds: what a timeline entry is about.
const (
	KindContact     = "contact"
	KindAppointment = "appointment"
	KindReferral    = "referral"
	KindMeasure     = "measure"
	KindGoal        = "goal"
	KindPlan        = "plan" // agreed actions and what matters
	KindStatus      = "status"
	KindRecord      = "record" // details and consent changed
)

// EntryKinds lists the kinds for the timeline filter.
var EntryKinds = []Option{
	{KindContact, "Contacts and notes"}, {KindAppointment, "Appointments"},
	{KindReferral, "Referrals"}, {KindMeasure, "Outcome measures"}, {KindGoal, "Goals"},
	{KindPlan, "Plan and what matters"}, {KindStatus, "Status changes"}, {KindRecord, "Record changes"},
}

// Entry is one item on a client's timeline.
type Entry struct {
	ID          string
	ClientID    string
	Kind        string
	At          time.Time // when it happened
	AuthorID    string
	AuthorName  string // filled when read
	Summary     string // one line
	Note        string // the case note, for contacts
	ContactType string // ContactTypes key, for contacts
	Minutes     int    // how long a contact took
	RefID       string // the goal, measure, appointment or referral it is about
	AmendedAt   *time.Time
	CreatedAt   time.Time
}

// Amendment is a recorded change to a case note: the old text is kept.
type Amendment struct {
	EntryID    string
	OldNote    string
	NewNote    string
	Reason     string
	AuthorID   string
	AuthorName string // filled when read
	At         time.Time
}

// Goal is a goal in the person's own words with its progress over time.
type Goal struct {
	ID        string
	ClientID  string
	Words     string
	CreatedAt time.Time
	Scores    []GoalScore // oldest first, filled when read
}

// Latest returns the newest progress score, or 0.
func (g Goal) Latest() int {
	if len(g.Scores) == 0 {
		return 0
	}
	return g.Scores[len(g.Scores)-1].Score
}

// GoalScore is a progress score from 1 to 10 on a goal.
type GoalScore struct {
	GoalID string
	Score  int
	At     time.Time
}

// Action is an agreed action in the care and support plan.
type Action struct {
	ID       string
	ClientID string
	Text     string
	Who      string    // who will do it, in words ("Jo", "link worker")
	Due      time.Time // a date
	DoneAt   *time.Time
}

// Appointment outcomes.
const (
	Attended     = "attended"
	DidNotAttend = "did_not_attend"
)

// Appointment is a meeting booked with a client.
type Appointment struct {
	ID             string
	ClientID       string
	StartsAt       time.Time
	Mode           string // AppointmentModes key
	Place          string // address, or the phone number or video link details
	Outcome        string // "", Attended or DidNotAttend
	ReminderSentAt *time.Time
	CreatedBy      string
}

// AuditEvent is one access to or change of a client record (or another
// audited action).
type AuditEvent struct {
	ActorID   string
	ActorName string // filled when read
	Action    string
	Subject   string
	ClientID  string
	Detail    string
	At        time.Time
}

// AuditFilter selects audit events: by the acting user's email, by client,
// or both; newest first.
type AuditFilter struct {
	ActorEmail string
	ClientID   string
	Limit      int
}

// CaseloadRow is one client in a caseload or search result.
type CaseloadRow struct {
	ID            string
	Name          string // shown name
	DateOfBirth   time.Time
	NHSNumber     string
	Status        Status
	WorkerID      string
	WorkerName    string
	LastContactAt *time.Time
	NextActionDue *time.Time
	NextAction    string
}

// Caseload sort orders.
const (
	SortNextAction  = "next_action"
	SortLastContact = "last_contact"
	SortName        = "name"
	SortStatus      = "status"
)

// CaseloadFilter selects clients of a team.
type CaseloadFilter struct {
	TeamID   string
	WorkerID string   // "" for the whole team
	Statuses []Status // none for all
	Sort     string
	Limit    int
}

// SearchQuery finds clients by name, NHS number or date of birth.
type SearchQuery struct {
	Text        string     // a name, or an NHS number
	DateOfBirth *time.Time // optional
}
