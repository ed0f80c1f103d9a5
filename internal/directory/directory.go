// Package directory is Waymark's community directory: organisations, the services
// they run, where and when, what they cost, how to get help from them, and the
// listing lifecycle (draft, review, published, frozen, suspended, deleted).
//
// The model follows HSDS 3 / Open Referral UK (organization, service, location,
// service_at_location, address, contact, phone, schedule, cost_option, taxonomy,
// taxonomy_term, all with UUID ids) plus Waymark's own listing fields.
package directory

import (
	"time"
)

// Kind says whether an entry only signposts or takes referrals.
type Kind string

// Entry kinds.
const (
	KindSignposting Kind = "signposting"
	KindReferral    Kind = "referral"
)

// Pathway says how someone is referred to a service.
type Pathway string

// Referral pathways.
const (
	PathwayNone             Pathway = "none"              // signposting only: contact the service directly
	PathwayWaymarkForm      Pathway = "waymark_form"      // a referral form built in Waymark
	PathwayExternalForm     Pathway = "external_form"     // the provider's own online form
	PathwayProfessionalOnly Pathway = "professional_only" // only link workers and GPs may refer
)

// Visibility says whether an entry appears in search.
type Visibility string

// Visibilities.
const (
	VisibilityListed   Visibility = "listed"   // appears in search
	VisibilityUnlisted Visibility = "unlisted" // reachable by direct link only
)

// Status is where an entry is in its lifecycle.
type Status string

// Statuses.
const (
	StatusDraft         Status = "draft"
	StatusPendingReview Status = "pending_review"
	StatusPublished     Status = "published"
	StatusDeclined      Status = "declined"
	StatusFrozen        Status = "frozen" // at capacity; StatusNote says about waiting times
	StatusSuspended     Status = "suspended"
	StatusDeleted       Status = "deleted"
)

// SuspendedBy says who or what suspended an entry. It decides who may
// reopen it: an entry a moderator suspended only a moderator reopens; one
// its provider or an automatic rule suspended its provider may reopen too
// (docs/decisions.md has the whole table).
type SuspendedBy string

// Who or what suspends entries.
const (
	ByProvider     SuspendedBy = "provider"      // the entry's own provider paused it
	ByModerator    SuspendedBy = "moderator"     // a moderator's decision, such as after reports
	ByWebsiteCheck SuspendedBy = "website_check" // the website checker found the site gone or changed
	ByReferralRule SuspendedBy = "referral_rule" // referrals went unanswered
	ByManualCheck  SuspendedBy = "manual_check"  // a moderator's check could not confirm it still runs
	ByFeed         SuspendedBy = "feed"          // the feed it was imported from no longer lists it
	BySystem       SuspendedBy = "system"        // another automatic rule (and entries suspended before this was recorded)
)

// Automatic reports whether a rule, not a person's decision, suspended the
// entry: an approved edit reinstates such an entry.
func (b SuspendedBy) Automatic() bool {
	switch b {
	case ByWebsiteCheck, ByReferralRule, ByManualCheck, ByFeed, BySystem:
		return true
	}
	return false
}

// ProviderMayReopen reports whether the entry's provider may reopen an
// entry suspended this way.
func (b SuspendedBy) ProviderMayReopen() bool { return b != ByModerator }

// PublicReason says, in words for the public, why an entry suspended this
// way is paused; its provider's own note is shown instead when they paused
// it.
func (b SuspendedBy) PublicReason() string {
	switch b {
	case ByModerator:
		return "Our moderators have paused this listing while they check some details with the provider."
	case ByWebsiteCheck:
		return "The service's website has changed or could not be reached, so we are checking with the provider that the details are still right."
	case ByReferralRule:
		return "The service has not answered recent referrals, so we are checking with the provider that it is still taking people."
	case ByManualCheck:
		return "We could not confirm that the service is still running, so we are checking with the provider."
	case ByFeed:
		return "The directory this listing came from no longer lists it, so we are checking with the provider."
	}
	return "We are checking with the provider that the details are still right."
}

// Public reports whether an entry in this status can be seen by the public.
// Frozen entries stay visible so people can see the waiting-time note.
func (s Status) Public() bool { return s == StatusPublished || s == StatusFrozen }

// Organization runs services.
type Organization struct {
	ID          string
	Name        string
	Description string
	Email       string
	Website     string
	Phone       string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Service is one entry in the directory: an activity or service a person can be
// signposted or referred to.
type Service struct {
	ID             string
	OrganizationID string
	Organization   *Organization

	Name           string
	Description    string
	Website        string
	Email          string
	AccessCriteria string // who the service is for (HSDS eligibility_description)
	MinimumAge     *int
	MaximumAge     *int

	Kind            Kind
	Pathway         Pathway
	ExternalFormURL string
	Visibility      Visibility
	Status          Status
	StatusNote      string
	SuspendedBy     SuspendedBy // who or what suspended it; "" unless suspended
	WaitingWeeks    *int
	Free            bool
	Keywords        []string

	// Accessibility are AccessFeatures codes of the place it runs at, and
	// AccessibilityNote anything else about getting in and around.
	Accessibility     []string
	AccessibilityNote string
	Languages         []string // Languages codes: the languages it is given in
	Delivery          []string // DeliveryModes codes: in person, online, by phone

	Locations   []Location
	Contacts    []Contact
	Schedules   []Schedule
	CostOptions []CostOption
	Categories  []TaxonomyTerm
	Images      []Image

	CreatedAt time.Time
	UpdatedAt time.Time
	AssuredAt *time.Time // last confirmed as still running
}

// Location is a place a service is delivered, joined to the service by a
// service_at_location row.
type Location struct {
	ID                  string
	ServiceAtLocationID string
	Name                string
	Description         string
	Latitude            float64
	Longitude           float64
	Address             Address
}

// Address is a postal address of a location.
type Address struct {
	ID            string
	Address1      string
	City          string
	StateProvince string
	PostalCode    string
	Country       string
}

// Contact is a named person or role to contact about a service.
type Contact struct {
	ID     string
	Name   string
	Title  string
	Email  string
	Phones []Phone
}

// Phone is a telephone number.
type Phone struct {
	ID          string
	Number      string
	Description string
}

// Schedule says when a service runs, in the HSDS RRULE-like form.
type Schedule struct {
	ID          string
	Freq        string // WEEKLY or MONTHLY
	ByDay       string // e.g. "MO,WE" or, monthly, "1TU"
	OpensAt     string // HH:MM
	ClosesAt    string // HH:MM
	Description string
}

// CostOption is a price for using a service.
type CostOption struct {
	ID                string
	Option            string
	Amount            *float64
	AmountDescription string
}

// Taxonomy is a vocabulary of terms, such as Waymark's categories.
type Taxonomy struct {
	ID          string
	Name        string
	Description string
	URI         string
	Version     string
}

// TaxonomyTerm is a term within a taxonomy. Code is a short stable slug used in URLs.
type TaxonomyTerm struct {
	ID          string
	TaxonomyID  string
	Code        string
	Name        string
	Description string
	ParentID    string
}

// Image is a picture of a service.
type Image struct {
	ID          string
	URL         string
	Alt         string
	ContentType string
}
