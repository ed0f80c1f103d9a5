// Package gp is Waymark's door for GP practices: referrals from a practice
// (through the practice web app or a connected clinical system speaking
// FHIR) to the social prescribing team serving the practice or, where the
// provider agreed a GP pathway, straight to a marketplace service; the
// referral's status as the practice sees it (FHIR Task statuses); the
// outcomes to report back; and the discharge letter.
//
// Only GPs, practice staff and connected systems acting for a practice
// refer for it and see its referrals. The same request (Request.Key) sent
// twice makes one referral.
package gp

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/directory"
	"waymark/internal/referral"
)

// Patient is the person referred.
type Patient struct {
	NHSNumber, GivenName, FamilyName string
	DateOfBirth                      time.Time // a date, UTC midnight
	Postcode, Phone, Email           string
}

// Name is the patient's full name.
func (p Patient) Name() string { return p.GivenName + " " + p.FamilyName }

// Channels: how a referral came in.
const (
	ChannelWeb  = "web"
	ChannelFHIR = "fhir"
)

// Request is a referral being made by a practice.
type Request struct {
	// Key makes sending twice safe: the FHIR Bundle id or the web form's
	// token. The same Key again returns the first Referral and creates
	// nothing.
	Key         string
	PracticeODS string // the referring practice (ODS code)
	// ServiceID is "" for the social prescribing team serving the practice
	// (its waiting list); else a marketplace service with a GP pathway
	// agreed for the practice.
	ServiceID                    string
	Patient                      Patient
	Reason                       string
	Consent                      bool
	RequesterName, RequesterRole string
	Channel                      string // ChannelWeb or ChannelFHIR
}

// Status is where a referral is, as a FHIR Task status.
type Status string

// Statuses.
const (
	StatusRequested  Status = "requested"
	StatusAccepted   Status = "accepted"
	StatusRejected   Status = "rejected"
	StatusInProgress Status = "in-progress"
	StatusCompleted  Status = "completed"
	StatusCancelled  Status = "cancelled"
)

// Terminal reports whether nothing more happens after the status.
func (s Status) Terminal() bool {
	return s == StatusRejected || s == StatusCompleted || s == StatusCancelled
}

// Label is the status for people.
func (s Status) Label() string {
	switch s {
	case StatusRequested:
		return "Requested"
	case StatusAccepted:
		return "Accepted"
	case StatusRejected:
		return "Rejected"
	case StatusInProgress:
		return "In progress"
	case StatusCompleted:
		return "Completed"
	case StatusCancelled:
		return "Cancelled"
	}
	return string(s)
}

// Referral is a referral from a practice with its status.
type Referral struct {
	ID, Key, PracticeODS, ServiceID, ServiceName, TeamID, TeamName string
	Patient                                                        Patient
	Reason, Channel, SystemID, RequesterName, RequesterRole        string
	RequesterID                                                    string // the user or system ("system:<id>")
	Status                                                         Status
	StatusReason                                                   string // why rejected / how completed
	Created, Updated                                               time.Time
	HasLetter                                                      bool // a discharge letter is available

	// Where the referral is held: a team's waiting list, or a marketplace
	// referral (whose ID lets the referrer open it in /referrals).
	IncomingID, MarketReferralID string
	Progress                     Progress // what the status is derived from; filled by the store
}

// ToTeam reports whether the referral went to the social prescribing team.
func (r *Referral) ToTeam() bool { return r.ServiceID == "" }

// Progress is what the store reads of where the referral is held, from
// which its Status is derived.
type Progress struct {
	// A team referral: the waiting list entry and the client record.
	IncomingStatus        string
	IncomingDeclineReason string
	IncomingDecidedAt     *time.Time
	ClientID              string
	ClientStatus          string
	ClientDischargedAt    *time.Time
	ClientDischargeReason string
	ClientAnonymised      bool
	// A marketplace referral.
	MarketStatus        string
	MarketDeclineReason string
	MarketAttendance    string
	MarketUpdatedAt     time.Time
}

// Filter selects referrals: of one practice (all the actor acts for when
// ""), of one patient by NHS number.
type Filter struct{ PracticeODS, NHSNumber string }

// Outcome is one status change to report back to the practice.
type Outcome struct {
	ID, ReferralID, PracticeODS, SystemID string
	Status                                Status
	Reason                                string
	Created                               time.Time
}

// Practice is a GP practice, by its ODS code, with the social prescribing
// team that serves it ("" when none) and the name of its primary care
// network ("" when none; filled by the store).
type Practice struct {
	ODSCode, Name, Postcode string
	TeamID, TeamName        string
	PCNName                 string
}

// Pathway is a service's GP pathway: whether its provider accepts direct
// referrals from GP practices, and from which (none listed: every
// practice).
type Pathway struct {
	ServiceID string
	// ServiceName is filled by Service.Pathway, for the settings page.
	ServiceName string
	Enabled     bool
	Practices   []string // ODS codes
	UpdatedBy   string
	UpdatedAt   time.Time
}

// Allows reports whether the pathway takes referrals from the practice.
func (p *Pathway) Allows(ods string) bool {
	if p == nil || !p.Enabled {
		return false
	}
	if len(p.Practices) == 0 {
		return true
	}
	return waymark.Actor{Practices: p.Practices}.ActsFor(ods)
}

// PathwayService is a listed service with its GP pathway switched on.
type PathwayService struct {
	ServiceID, Name, Organisation string
	Pathway                       Pathway
}

// Store keeps practices, pathways, GP referrals and outcomes.
type Store interface {
	// InTx runs fn in one transaction: the calls fn makes with its context
	// (to this store and the casework and referral stores of the same
	// database) commit together or not at all.
	InTx(ctx context.Context, fn func(ctx context.Context) error) error

	// Practice finds a practice: one recorded here, else one a team serves.
	// Errors: ENOTFOUND.
	Practice(ctx context.Context, ods string) (*Practice, error)
	// Practices lists every known practice by name.
	Practices(ctx context.Context) ([]Practice, error)
	SavePractice(ctx context.Context, p Practice, at time.Time) error

	// Pathway returns a service's GP pathway; a disabled one when none.
	Pathway(ctx context.Context, serviceID string) (*Pathway, error)
	SavePathway(ctx context.Context, p Pathway) error
	// PathwayServices lists the public services whose GP pathway is on, by
	// name.
	PathwayServices(ctx context.Context) ([]PathwayService, error)

	// CreateReferral stores a new referral. Errors: ECONFLICT when its Key
	// was used.
	CreateReferral(ctx context.Context, r *Referral) error
	// SetTarget records where the referral is held.
	SetTarget(ctx context.Context, id, teamID, incomingID, marketReferralID string) error
	// Referral and ReferralByKey return a referral with its Progress.
	// Errors: ENOTFOUND.
	Referral(ctx context.Context, id string) (*Referral, error)
	ReferralByKey(ctx context.Context, key string) (*Referral, error)
	// Referrals lists the referrals of the practices, newest first.
	Referrals(ctx context.Context, practices []string, nhsNumber string, limit int) ([]Referral, error)
	// OpenReferrals lists up to limit referrals whose reported status is
	// not terminal, with their Progress and reported status, by id after
	// afterID (pages).
	OpenReferrals(ctx context.Context, afterID string, limit int) ([]Reported, error)
	// RecordOutcome stores an outcome and moves the referral's reported
	// status from `from` to o.Status, in one transaction; false when the
	// reported status was no longer `from` (another instance recorded it).
	RecordOutcome(ctx context.Context, o Outcome, from Status, delivery string) (bool, error)
	// History lists a referral's outcomes, oldest first.
	History(ctx context.Context, referralID string) ([]Outcome, error)
	PendingOutcomes(ctx context.Context, now time.Time, limit int) ([]Outcome, error)
	MarkOutcomeSent(ctx context.Context, id string, at time.Time) error
	MarkOutcomeFailed(ctx context.Context, id, why string, retryAt time.Time) error

	Audit(ctx context.Context, e casework.AuditEvent) error
}

// Reported is an open referral with the status last reported.
type Reported struct {
	Referral
	Reported Status
}

// Team is the social prescribing team side (casework.Service).
type Team interface {
	ReferFromPractice(ctx context.Context, in casework.Incoming) (*casework.Incoming, error)
	PracticeLetter(ctx context.Context, incomingID string) (*casework.Letter, error)
}

// Market is the marketplace referral side (referral.Referrals).
type Market interface {
	ReferFromPractice(ctx context.Context, svc *directory.Service, req referral.Request) (*referral.Referral, error)
}

// Services finds marketplace services (directory).
type Services interface {
	FindServiceByID(ctx context.Context, id string) (*directory.Service, error)
}

// Config configures a Service.
type Config struct {
	Store    Store
	Team     Team
	Market   Market
	Services Services
	NewID    func() string
	Now      func() time.Time
	Logger   *slog.Logger
}

// Service is the GP practice door with its rules and permission checks.
type Service struct {
	store    Store
	team     Team
	market   Market
	services Services
	newID    func() string
	now      func() time.Time
	log      *slog.Logger
}

// NewService returns a Service.
func NewService(cfg Config) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{store: cfg.Store, team: cfg.Team, market: cfg.Market, services: cfg.Services, newID: cfg.NewID,
		now: cfg.Now, log: cfg.Logger}
}

// practiceActor reports whether the actor is a GP, practice staff or a
// connected system.
func practiceActor(a waymark.Actor) bool {
	return a.Has(waymark.RoleGP) || a.Has(waymark.RolePracticeStaff) || a.Has(waymark.RoleGPSystem)
}

// mayActFor checks the actor may act for the practice. Errors:
// EUNAUTHORIZED, EFORBIDDEN.
func mayActFor(ctx context.Context, ods string) error {
	a := waymark.ActorFrom(ctx)
	switch {
	case a.Anonymous():
		return waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in")
	case !practiceActor(a):
		return waymark.Errorf(waymark.EFORBIDDEN, "Only GP practices refer through the practice app")
	case !a.ActsFor(ods):
		return waymark.Errorf(waymark.EFORBIDDEN, "You do not act for GP practice %s", ods)
	}
	return nil
}

func (s *Service) audit(ctx context.Context, action, referralID, clientID, detail string) error {
	err := s.store.Audit(ctx, casework.AuditEvent{ActorID: waymark.ActorFrom(ctx).UserID, Action: action,
		Subject: "gp_referral " + referralID, ClientID: clientID, Detail: detail, At: s.now().UTC()})
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}
