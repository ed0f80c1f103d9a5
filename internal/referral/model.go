package referral

import (
	"context"
	"time"

	"waymark/internal/directory"
	"waymark/internal/email"
)

// Source says who made a referral.
type Source string

// Sources.
const (
	SourceSelf         Source = "self"         // a member of the public, for themselves
	SourceProfessional Source = "professional" // a link worker or GP, for a client
)

// Contact methods a person may prefer.
const (
	ContactEmail = "email"
	ContactPhone = "phone"
	ContactText  = "text"
)

// Person is who a referral is for.
type Person struct {
	Name             string
	Email            string
	Phone            string
	PreferredContact string // email, phone or text
}

// Referral is one person referred to one service.
type Referral struct {
	ID             string
	Reference      string // short, for people to quote
	ServiceID      string
	OrganizationID string
	ServiceName    string // filled when read, for lists
	Source         Source
	Status         Status

	ReferrerID    string // the professional's user ID; "" for self-referrals
	ReferrerName  string
	ReferrerEmail string

	Client  Person
	Consent bool   // the person agreed to share their details with the provider
	Reason  string // why a professional refers
	Answers []Answer

	DeclineReason     string // a DeclineReasons code
	Attendance        Status // attended or did_not_attend, once known
	CreatedAt         time.Time
	UpdatedAt         time.Time
	ViewedAt          *time.Time // first opened by the provider
	RespondedAt       *time.Time // accepted or declined by the provider
	RemindersSent     int
	AttendanceAskedAt *time.Time
	RatingAskedAt     *time.Time
	Score             int // 1–5, 0 until rated
	MetNeeds          *bool
	RatedAt           *time.Time
	// UnreadByProvider is true when the referrer wrote since a provider last
	// opened the referral; UnreadByReferrer the other way round.
	UnreadByProvider, UnreadByReferrer bool
}

// StatusLabel is the status for people.
// A sent referral the provider has opened is awaiting their response.
func (r *Referral) StatusLabel() string {
	if r.Status == StatusSent && r.ViewedAt != nil {
		return "Awaiting response"
	}
	return StatusLabel(r.Status)
}

// StatusLabel is a status for people.
func StatusLabel(s Status) string {
	switch s {
	case StatusSent:
		return "Sent"
	case StatusAccepted:
		return "Accepted"
	case StatusDeclined:
		return "Declined"
	case StatusAutoDeclined:
		return "Declined automatically"
	case StatusCancelled:
		return "Cancelled"
	case StatusAttended:
		return "Attended"
	case StatusDidNotAttend:
		return "Did not attend"
	case StatusClosed:
		return "Closed"
	}
	return string(s)
}

// DeclineReasonLabel is the label of the referral's decline reason.
func (r *Referral) DeclineReasonLabel() string {
	if r.DeclineReason == "" {
		return ""
	}
	return reasonLabel(r.DeclineReason)
}

// Event is one change of a referral's status: who, when and why.
type Event struct {
	ReferralID string
	From, To   Status
	By         Party
	ActorID    string // the user, "" for self-referrers and the system
	ActorName  string
	Note       string
	At         time.Time
}

// Message is one message in a referral's thread.
type Message struct {
	ID         string
	ReferralID string
	From       Party // provider or referrer
	AuthorID   string
	AuthorName string
	Body       string
	At         time.Time
}

// DeclineReason is one of the reasons a provider gives for declining.
type DeclineReason struct{ Code, Label string }

// DeclineReasons is the list providers choose from.
var DeclineReasons = []DeclineReason{
	{"full", "The service is full at the moment"},
	{"criteria", "The person does not meet who the service is for"},
	{"not_suitable", "The service is not suitable for the person's needs"},
	{"no_contact", "We could not contact the person"},
	{"person_declined", "The person decided not to take part"},
	{"other", "Another reason"},
}

// Change is a status change to store: the referral must still be in From.
type Change struct {
	Event
	DeclineReason string
	Emails        []email.Message // queued in the same transaction
}

// Filter selects referrals to list.
type Filter struct {
	OrganizationIDs []string // referrals to these organisations' services
	ReferrerID      string   // referrals made by this user
	Statuses        []Status // any status when empty
	Limit           int
}

// Streak is a service's run of declined or unanswered referrals.
type Streak struct {
	ServiceID string
	Declines  int // declined in a row
	Silent    int // declined automatically (no response) in a row
}

// Fact is what statistics need to know of one referral.
type Fact struct {
	Status      Status
	Attendance  Status
	CreatedAt   time.Time
	RespondedAt *time.Time
	Score       int
	MetNeeds    *bool
}

// View is a record of someone looking at a referral, for audit.
type View struct {
	ReferralID string
	ActorID    string // the user, or "self-referrer" for the private link
	What       string
	At         time.Time
}

// Store keeps referrals, their forms, events and messages. Every method that
// takes emails queues them in the same transaction as the change, so an
// email goes out exactly when its change is made.
type Store interface {
	Form(ctx context.Context, serviceID string) (*Form, error) // an empty form when none
	SaveForm(ctx context.Context, f Form) error

	CreateReferral(ctx context.Context, r *Referral, e Event, emails []email.Message) error
	FindReferral(ctx context.Context, id string) (*Referral, error) // ENOTFOUND
	ListReferrals(ctx context.Context, f Filter) ([]*Referral, error)
	// SaveChange moves a referral from c.From to c.To, recording the event,
	// the provider's first response and the service's streaks. ECONFLICT
	// when it is no longer in c.From.
	SaveChange(ctx context.Context, c Change) error
	MarkViewed(ctx context.Context, id string, at time.Time) error
	// AuditList records that someone saw a list of referrals (one record
	// naming every referral shown).
	AuditList(ctx context.Context, actorID, what string, ids []string, at time.Time) error
	// MarkRead records that the party has read every message so far.
	MarkRead(ctx context.Context, id string, party Party) error
	Events(ctx context.Context, id string) ([]Event, error)
	Messages(ctx context.Context, id string) ([]Message, error)
	AddMessage(ctx context.Context, m Message, emails []email.Message) error

	// The Claim methods make one automatic step happen once: each reports
	// whether this call made it (false when it was already made).
	// ClaimReminder moves a referral's count of reminders sent from from to
	// to, queueing the reminder at at.
	ClaimReminder(ctx context.Context, id string, from, to int, at time.Time, emails []email.Message) (bool, error)
	// ClaimAttendanceAsk records that the provider was asked whether the
	// person attended a referral that is accepted, or closed without the
	// answer.
	ClaimAttendanceAsk(ctx context.Context, id string, at time.Time, emails []email.Message) (bool, error)
	// SaveAttendance records c.To (attended or did not attend) as the
	// attendance of a closed referral that has none, with c's event and
	// emails, keeping its status. ECONFLICT when it is no longer closed or
	// its attendance was recorded meanwhile.
	SaveAttendance(ctx context.Context, c Change) error
	ClaimRatingAsk(ctx context.Context, id string, at time.Time, emails []email.Message) (bool, error)
	// ClaimStreak resets a service's streak of kind ("declines" or
	// "silent") if it has reached threshold.
	ClaimStreak(ctx context.Context, serviceID, kind string, threshold int) (bool, error)
	Streaks(ctx context.Context, declines, silent int) ([]Streak, error)
	SaveRating(ctx context.Context, id string, score int, metNeeds bool, at time.Time) (bool, error)

	// Notify queues, at at, an email that goes with no change of a referral.
	Notify(ctx context.Context, m email.Message, at time.Time) error

	Facts(ctx context.Context, serviceID string) ([]Fact, error)
	AuditView(ctx context.Context, v View) error
}

// Listings is what the rules do to listings, as Waymark itself.
type Listings interface {
	FindServiceByID(ctx context.Context, id string) (*directory.Service, error)
	// Suspend suspends a live listing with a reason, running then in the
	// suspension's transaction; false when it was not live.
	Suspend(ctx context.Context, serviceID, reason string, then func(ctx context.Context, svc *directory.Service) error) (bool, error)
	// ConfirmLink is the query string of the provider's signed link that
	// puts a suspended listing live again.
	ConfirmLink(serviceID string) string
}

// Stats are a service's referral statistics. A figure is nil when it rests
// on fewer referrals than the minimum, so no one can be identified.
type Stats struct {
	Received       int
	Enough         bool     // Received reaches the minimum
	AcceptanceRate *float64 // of referrals answered
	MedianResponse *time.Duration
	AttendanceRate *float64 // of accepted referrals whose attendance is known
	AverageScore   *float64
	MetNeedsRate   *float64
	Min            int
}
