package casework

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"waymark"
	"waymark/internal/email"
	"waymark/internal/jobs"
)

// Store keeps teams, clients, their timelines and the audit log. Methods
// that change a client take the timeline entry to append in the same
// transaction. Missing rows are ENOTFOUND; a duplicate NHS number ECONFLICT.
type Store interface {
	// InTx runs fn in one transaction: the store calls fn makes with its
	// context join it, the outbox's included, and commit together or not
	// at all.
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	CreateTeam(ctx context.Context, t *Team) error
	Team(ctx context.Context, id string) (*Team, error)
	Teams(ctx context.Context) ([]Team, error)
	// SaveMember adds a member or changes their lead flag.
	SaveMember(ctx context.Context, m Member) error
	RemoveMember(ctx context.Context, teamID, userID string) error
	// AddPractice adds a practice; ECONFLICT when another team serves it.
	AddPractice(ctx context.Context, teamID string, p Practice) error
	// MembershipsOf lists the user's teams.
	MembershipsOf(ctx context.Context, userID string) ([]Member, error)
	// UserIDByEmail finds a user. Errors: ENOTFOUND.
	UserIDByEmail(ctx context.Context, email string) (string, error)

	CreateClient(ctx context.Context, c *Client, e Entry) error
	UpdateClient(ctx context.Context, c *Client, e Entry) error
	Client(ctx context.Context, id string) (*Client, error)
	// ClientByNHSNumber finds a client in any team. Errors: ENOTFOUND.
	ClientByNHSNumber(ctx context.Context, nhs string) (*Client, error)
	// SameNameAndBirth lists the IDs of other clients with the name and date of birth.
	SameNameAndBirth(ctx context.Context, given, family string, dob time.Time, exceptID string) ([]string, error)
	Caseload(ctx context.Context, f CaseloadFilter) ([]CaseloadRow, error)
	SearchClients(ctx context.Context, teamIDs []string, q SearchQuery, limit int) ([]CaseloadRow, error)

	AddEntry(ctx context.Context, e Entry) error
	Entry(ctx context.Context, id string) (*Entry, error)
	// Timeline returns a client's entries newest first, of one kind or all
	// (""), older than beforeSeq when it is > 0.
	Timeline(ctx context.Context, clientID, kind string, limit int) ([]Entry, error)
	AmendEntry(ctx context.Context, a Amendment) error
	Amendments(ctx context.Context, clientID string) ([]Amendment, error)

	AddConsent(ctx context.Context, c Consent, e Entry) error
	WithdrawConsent(ctx context.Context, clientID, consentID, by string, at time.Time, e Entry) error
	Consents(ctx context.Context, clientID string) ([]Consent, error)

	SetNeeds(ctx context.Context, clientID, whatMatters string, needs []string, e Entry) error
	Needs(ctx context.Context, clientID string) ([]string, error)

	AddGoal(ctx context.Context, g Goal, e Entry) error
	ScoreGoal(ctx context.Context, clientID string, s GoalScore, e Entry) error
	Goals(ctx context.Context, clientID string) ([]Goal, error)
	AddAction(ctx context.Context, a Action, e Entry) error
	CompleteAction(ctx context.Context, clientID, actionID string, at time.Time, e Entry) error
	Actions(ctx context.Context, clientID string) ([]Action, error)

	AddAppointment(ctx context.Context, a Appointment, e Entry) error
	SetAttendance(ctx context.Context, clientID, appointmentID, outcome string, e Entry) error
	Appointments(ctx context.Context, clientID string) ([]Appointment, error)
	// AppointmentsStarting lists appointments starting in [from, to) that
	// have had no reminder, with their clients.
	AppointmentsStarting(ctx context.Context, from, to time.Time) ([]Appointment, error)
	// MarkReminded claims an appointment's reminder; false when already claimed.
	MarkReminded(ctx context.Context, appointmentID string, at time.Time) (bool, error)

	AddMeasure(ctx context.Context, m Measure, e Entry) error
	Measures(ctx context.Context, clientID string) ([]Measure, error)

	// EmailsTo lists the emails sent or queued to an address, oldest first.
	EmailsTo(ctx context.Context, address string) ([]SentEmail, error)
	// BreakGlassOf lists administrators' emergency accesses to a client.
	BreakGlassOf(ctx context.Context, clientID string) ([]BreakGlass, error)
	// DischargedBefore lists up to limit clients discharged before cutoff,
	// still discharged and not anonymised, oldest discharge first.
	DischargedBefore(ctx context.Context, cutoff time.Time, limit int) ([]string, error)
	// AnonymiseClient anonymises a client still discharged before cutoff (as
	// AnonymiseDue describes), appending the entry and recording the audit
	// event in the same transaction; false when there was nothing to do.
	AnonymiseClient(ctx context.Context, clientID string, cutoff time.Time, e Entry, ev AuditEvent) (bool, error)
	// ReferralsMade lists the referrals made from a client's record (its
	// KindReferral entries' RefIDs), oldest first, with their messages.
	ReferralsMade(ctx context.Context, clientID string) ([]ReferralMade, error)

	// The waiting list: referrals into a team.
	CreateIncoming(ctx context.Context, in *Incoming) error
	UpdateIncoming(ctx context.Context, in *Incoming) error
	Incoming(ctx context.Context, id string) (*Incoming, error)
	// WaitingList lists a team's waiting referrals, oldest first.
	WaitingList(ctx context.Context, teamID string) ([]Incoming, error)
	// IncomingOf lists the referrals accepted into a client's record.
	IncomingOf(ctx context.Context, clientID string) ([]Incoming, error)
	// TeamByPractice and TeamByArea find the team serving a GP practice or
	// a postcode district. Errors: ENOTFOUND.
	TeamByPractice(ctx context.Context, ods string) (string, error)
	TeamByArea(ctx context.Context, outward string) (string, error)
	AddArea(ctx context.Context, teamID, outward string) error

	Audit(ctx context.Context, e AuditEvent) error
	// AuditAll records several audit events at once.
	AuditAll(ctx context.Context, es []AuditEvent) error
	AuditEvents(ctx context.Context, f AuditFilter) ([]AuditEvent, error)
	BreakGlass(ctx context.Context, userID, clientID, reason string, at, until time.Time) error
	HasBrokenGlass(ctx context.Context, userID, clientID string, now time.Time) (bool, error)
}

// Mailer queues email (the outbox).
type Mailer interface {
	Send(ctx context.Context, m email.Message) error
}

// Config configures a Service.
type Config struct {
	NewID     func() string
	Postcodes Geocoder // nil to accept any well-formed postcode
	Mail      Mailer   // nil: no appointment reminders
	// BreakGlassFor is how long an administrator's break-glass access to a
	// record lasts; 1 hour by default.
	BreakGlassFor time.Duration
	// RetentionYears is how many years after discharge a record is
	// anonymised; DefaultRetentionYears when 0.
	RetentionYears int
	// FirstContactDays is the waiting list's first-contact target in
	// working days; DefaultFirstContactDays when 0.
	FirstContactDays int
	Logger           *slog.Logger
}

// Service is case management with its rules and permission checks.
type Service struct {
	store Store
	now   func() time.Time
	cfg   Config
}

// NewService returns a Service.
func NewService(store Store, now func() time.Time, cfg Config) *Service {
	if cfg.BreakGlassFor <= 0 {
		cfg.BreakGlassFor = time.Hour
	}
	if cfg.RetentionYears <= 0 {
		cfg.RetentionYears = DefaultRetentionYears
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, now: now, cfg: cfg}
}

// ErrBreakGlass is the error an administrator gets opening a record they
// have not broken the glass for; the web asks them for a reason.
const breakGlassField = "break_glass"

// NeedsBreakGlass reports whether err asks an administrator to break the glass.
func NeedsBreakGlass(err error) bool {
	e, ok := err.(*waymark.Error)
	return ok && e.Field == breakGlassField
}

func (s *Service) today() time.Time {
	n := s.now().In(london)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// ---- teams ----

func requireAdmin(ctx context.Context) error {
	a := waymark.ActorFrom(ctx)
	if a.Anonymous() {
		return waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in")
	}
	if !a.Has(waymark.RoleAdmin) {
		return waymark.Errorf(waymark.EFORBIDDEN, "Only administrators can manage teams")
	}
	return nil
}

// CreateTeam makes a team. Errors: EFORBIDDEN unless an administrator; EINVALID.
func (s *Service) CreateTeam(ctx context.Context, name string) (*Team, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	t := &Team{ID: s.cfg.NewID(), Name: name, CreatedAt: s.now().UTC()}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	if err := s.store.CreateTeam(ctx, t); err != nil {
		return nil, fmt.Errorf("create team: %w", err)
	}
	return t, s.audit(ctx, "team.create", "", "team "+t.ID)
}

// Teams lists every team, for administrators. Errors: EFORBIDDEN.
func (s *Service) Teams(ctx context.Context) ([]Team, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	return s.store.Teams(ctx)
}

// Team returns a team with members and practices, to administrators and
// its members. Errors: ENOTFOUND (also for non-members), EUNAUTHORIZED.
func (s *Service) Team(ctx context.Context, id string) (*Team, error) {
	a := waymark.ActorFrom(ctx)
	if a.Anonymous() {
		return nil, waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in")
	}
	if !a.Has(waymark.RoleAdmin) {
		if _, err := s.membership(ctx, id); err != nil {
			return nil, err
		}
	}
	return s.store.Team(ctx, id)
}

// AddMember adds the user with the email to a team, as a lead or not (or
// changes their lead flag). Errors: EFORBIDDEN, EINVALID for an unknown email.
func (s *Service) AddMember(ctx context.Context, teamID, userEmail string, lead bool) error {
	if err := requireAdmin(ctx); err != nil {
		return err
	}
	if _, err := s.store.Team(ctx, teamID); err != nil {
		return err
	}
	uid, err := s.store.UserIDByEmail(ctx, strings.ToLower(strings.TrimSpace(userEmail)))
	if waymark.ErrorCode(err) == waymark.ENOTFOUND {
		return waymark.FieldErrorf(waymark.EINVALID, "email", "There is no account with this email address; invite them first")
	} else if err != nil {
		return err
	}
	if err := s.store.SaveMember(ctx, Member{TeamID: teamID, UserID: uid, Lead: lead}); err != nil {
		return fmt.Errorf("add member: %w", err)
	}
	return s.audit(ctx, "team.member", "", fmt.Sprintf("team %s user %s lead %v", teamID, uid, lead))
}

// RemoveMember takes a user out of a team. Errors: EFORBIDDEN.
func (s *Service) RemoveMember(ctx context.Context, teamID, userID string) error {
	if err := requireAdmin(ctx); err != nil {
		return err
	}
	if err := s.store.RemoveMember(ctx, teamID, userID); err != nil {
		return err
	}
	return s.audit(ctx, "team.remove_member", "", "team "+teamID+" user "+userID)
}

// AddPractice adds a GP practice a team serves. Errors: EFORBIDDEN;
// EINVALID for a malformed ODS code; ECONFLICT when another team serves it.
func (s *Service) AddPractice(ctx context.Context, teamID string, p Practice) error {
	if err := requireAdmin(ctx); err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return err
	}
	if err := s.store.AddPractice(ctx, teamID, p); err != nil {
		if waymark.ErrorCode(err) == waymark.ECONFLICT {
			return waymark.FieldErrorf(waymark.ECONFLICT, "ods", "A team already serves practice %s", p.ODSCode)
		}
		return err
	}
	return s.audit(ctx, "team.practice", "", "team "+teamID+" practice "+p.ODSCode)
}

// MyTeams lists the signed-in user's teams.
func (s *Service) MyTeams(ctx context.Context) ([]Member, error) {
	a := waymark.ActorFrom(ctx)
	if a.Anonymous() {
		return nil, waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in")
	}
	return s.store.MembershipsOf(ctx, a.UserID)
}

// membership returns the actor's membership of a team. Errors: ENOTFOUND
// when they are not a member.
func (s *Service) membership(ctx context.Context, teamID string) (*Member, error) {
	ms, err := s.store.MembershipsOf(ctx, waymark.ActorFrom(ctx).UserID)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if m.TeamID == teamID {
			return &m, nil
		}
	}
	return nil, waymark.Errorf(waymark.ENOTFOUND, "Team not found")
}

// ---- access ----

// access is how the actor reached a client record.
type access struct {
	client *Client
	lead   bool // a lead of the client's team
	glass  bool // an administrator who broke the glass
}

// open loads a client the actor may see. Members of the client's team may;
// administrators may after breaking the glass (EFORBIDDEN with
// NeedsBreakGlass before); anyone else gets ENOTFOUND, so the record's
// existence is not revealed. The read is not audited here.
func (s *Service) open(ctx context.Context, clientID string) (*access, error) {
	a := waymark.ActorFrom(ctx)
	if a.Anonymous() {
		return nil, waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in")
	}
	c, err := s.store.Client(ctx, clientID)
	if err != nil {
		return nil, err
	}
	if m, err := s.membership(ctx, c.TeamID); err == nil {
		return &access{client: c, lead: m.Lead}, nil
	} else if waymark.ErrorCode(err) != waymark.ENOTFOUND {
		return nil, err
	}
	if a.Has(waymark.RoleAdmin) {
		ok, err := s.store.HasBrokenGlass(ctx, a.UserID, c.ID, s.now().UTC())
		if err != nil {
			return nil, err
		}
		if ok {
			return &access{client: c, glass: true}, nil
		}
		return nil, &waymark.Error{Code: waymark.EFORBIDDEN, Field: breakGlassField,
			Message: "You are not in this person's team. To open the record in an emergency, give a reason: it is recorded."}
	}
	return nil, waymark.Errorf(waymark.ENOTFOUND, "Client not found")
}

// openWrite is open for changes: anonymised records are read-only.
func (s *Service) openWrite(ctx context.Context, clientID string) (*access, error) {
	ac, err := s.open(ctx, clientID)
	if err != nil {
		return nil, err
	}
	if ac.client.AnonymisedAt != nil {
		return nil, waymark.Errorf(waymark.EINVALID, "This record has been anonymised and cannot change")
	}
	return ac, nil
}

// BreakGlass gives an administrator access to one client record for a
// while, with a reason that is audited. Errors: EFORBIDDEN unless an
// administrator; EINVALID without a reason; ENOTFOUND.
func (s *Service) BreakGlass(ctx context.Context, clientID, reason string) error {
	if err := requireAdmin(ctx); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 500 {
		return waymark.FieldErrorf(waymark.EINVALID, "reason", "Give the reason you need to open this record, in 500 characters or fewer")
	}
	if _, err := s.store.Client(ctx, clientID); err != nil {
		return err
	}
	now := s.now().UTC()
	if err := s.store.BreakGlass(ctx, waymark.ActorFrom(ctx).UserID, clientID, reason, now, now.Add(s.cfg.BreakGlassFor)); err != nil {
		return fmt.Errorf("break glass: %w", err)
	}
	return s.audit(ctx, "client.break_glass", clientID, reason)
}

// audit records an action by the actor, about a client or not.
func (s *Service) audit(ctx context.Context, action, clientID, detail string) error {
	subject := ""
	if clientID != "" {
		subject = "client " + clientID
	}
	err := s.store.Audit(ctx, AuditEvent{ActorID: waymark.ActorFrom(ctx).UserID, Action: action, Subject: subject,
		ClientID: clientID, Detail: detail, At: s.now().UTC()})
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

func (s *Service) auditAccess(ctx context.Context, ac *access, action, detail string) error {
	if ac.glass {
		detail = strings.TrimSpace("break glass " + detail)
	}
	return s.audit(ctx, action, ac.client.ID, detail)
}

type requestKey struct{}

// WithRequestID returns a copy of ctx in which the next change makes its
// timeline entry with this ID (a form's own ID), so the same form sent twice
// fails the second time with a conflict that DoneClient recognises.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestKey{}, id)
}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestKey{}).(string)
	return id
}

// DoneClient reports whether err is the conflict of a form sent again: the
// entry with the form's ID exists, about a client the actor may open, whose
// ID it returns.
func (s *Service) DoneClient(ctx context.Context, err error, formID string) (string, bool) {
	var we *waymark.Error
	if formID == "" || !errors.As(err, &we) || we.Code != waymark.ECONFLICT || we.Field != "" {
		return "", false
	}
	e, err := s.store.Entry(ctx, formID)
	if err != nil {
		return "", false
	}
	if _, err := s.open(ctx, e.ClientID); err != nil {
		return "", false
	}
	return e.ClientID, true
}

// AlreadyDone is DoneClient without the client.
func (s *Service) AlreadyDone(ctx context.Context, err error, formID string) bool {
	_, ok := s.DoneClient(ctx, err, formID)
	return ok
}

// entry starts a timeline entry by the actor, now, with the request's ID
// when there is one.
func (s *Service) entry(ctx context.Context, clientID, kind, summary string) Entry {
	now := s.now().UTC()
	id := requestID(ctx)
	if id == "" {
		id = s.cfg.NewID()
	}
	return Entry{ID: id, ClientID: clientID, Kind: kind, At: now, AuthorID: waymark.ActorFrom(ctx).UserID,
		Summary: summary, CreatedAt: now}
}

// AccessLog returns the audit events about a client, for the team's leads
// and administrators who broke the glass. Errors: EFORBIDDEN for other
// members; as Client.
func (s *Service) AccessLog(ctx context.Context, clientID string) ([]AuditEvent, error) {
	ac, err := s.open(ctx, clientID)
	if err != nil {
		return nil, err
	}
	if !ac.lead && !ac.glass {
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "Only team leads can see who opened a record")
	}
	if err := s.auditAccess(ctx, ac, "client.access_log", ""); err != nil {
		return nil, err
	}
	return s.store.AuditEvents(ctx, AuditFilter{ClientID: clientID, Limit: 500})
}

// SearchAudit searches the audit log by user email and by client, for
// administrators. Errors: EFORBIDDEN.
func (s *Service) SearchAudit(ctx context.Context, f AuditFilter) ([]AuditEvent, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "Only administrators can search the audit log")
	}
	f.ActorEmail = strings.ToLower(strings.TrimSpace(f.ActorEmail))
	f.ClientID = strings.TrimSpace(f.ClientID)
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 200
	}
	if err := s.audit(ctx, "audit.search", f.ClientID, "user "+f.ActorEmail); err != nil {
		return nil, err
	}
	return s.store.AuditEvents(ctx, f)
}

// Jobs are case management's scheduled jobs: appointment reminders every
// period, and anonymising records past their retention period hourly.
func (s *Service) Jobs(every time.Duration) []jobs.Job {
	return []jobs.Job{
		{Name: "casework-appointment-reminders", Every: every, Run: s.SendReminders},
		{Name: "casework-anonymise", Every: time.Hour, Lease: 30 * time.Minute, Run: s.AnonymiseDue},
	}
}
