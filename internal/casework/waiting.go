package casework

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"waymark"
	"waymark/internal/input"
	"waymark/internal/postcode"
)

// Incoming sources: who referred the person into social prescribing.
const (
	SourceSelf         = "self"
	SourceProfessional = "professional"
	SourceGP           = "gp"
)

// Incoming statuses.
const (
	IncomingWaiting  = "waiting"
	IncomingAccepted = "accepted"
	IncomingDeclined = "declined"
)

// DefaultFirstContactDays is the first-contact target in working days.
const DefaultFirstContactDays = 10

// Incoming is a referral into a team's social prescribing service: an
// entry on its waiting list until a link worker accepts it, which creates
// or matches the client record.
type Incoming struct {
	ID               string
	TeamID           string
	Source           string
	Status           string
	GivenName        string
	FamilyName       string
	DateOfBirth      time.Time
	NHSNumber        string
	Postcode         string
	Phone            string
	Email            string
	PreferredContact string
	GPPractice       string
	Reason           string
	ReferrerID       string
	ReferrerName     string
	ReferrerEmail    string
	Consent          bool // the person agreed to be referred and contacted
	AllocatedTo      string
	AllocatedName    string // filled when read
	ClientID         string // once accepted
	DeclineReason    string
	ReceivedAt       time.Time
	DecidedAt        *time.Time

	// Filled by WaitingList.
	WaitedDays int  // working days since it arrived
	Overdue    bool // waited past the first-contact target
}

// Name is the person's name.
func (in Incoming) Name() string { return in.GivenName + " " + in.FamilyName }

// WorkingDays counts the working days (Monday to Friday, not a bank
// holiday in England and Wales) after from's day up to and including to's
// day, in London.
func WorkingDays(from, to time.Time) int {
	f, t := from.In(london), to.In(london)
	d := time.Date(f.Year(), f.Month(), f.Day(), 12, 0, 0, 0, time.UTC)
	end := time.Date(t.Year(), t.Month(), t.Day(), 12, 0, 0, 0, time.UTC)
	n := 0
	for d = d.AddDate(0, 0, 1); !d.After(end); d = d.AddDate(0, 0, 1) {
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday && !BankHoliday(d.Year(), d.Month(), d.Day()) {
			n++
		}
	}
	return n
}

// Validate checks and normalises a referral in. Errors: EINVALID naming
// the field.
func (in *Incoming) Validate(today time.Time) error {
	c := Client{GivenName: in.GivenName, FamilyName: in.FamilyName, DateOfBirth: in.DateOfBirth, NHSNumber: in.NHSNumber,
		Postcode: in.Postcode, Phone: in.Phone, Email: in.Email, PreferredContact: in.PreferredContact, GPPractice: in.GPPractice}
	if c.PreferredContact == "post" {
		c.PreferredContact = "" // the form does not ask for an address
	}
	if err := c.Validate(today, nil); err != nil {
		return err
	}
	in.GivenName, in.FamilyName, in.NHSNumber, in.Postcode, in.Phone, in.Email, in.GPPractice =
		c.GivenName, c.FamilyName, c.NHSNumber, c.Postcode, c.Phone, c.Email, c.GPPractice
	reason, err := input.Lines("The support they would like", in.Reason, 0)
	if err != nil {
		return waymark.FieldErrorf(waymark.EINVALID, "reason", "%s", waymark.ErrorMessage(err))
	}
	if in.Reason = reason; in.Reason == "" || utf8.RuneCountInString(in.Reason) > 2000 {
		return waymark.FieldErrorf(waymark.EINVALID, "reason", "Say what support they would like, in 2000 characters or fewer")
	}
	if !in.Consent {
		return waymark.FieldErrorf(waymark.EINVALID, "consent", "The person must agree to be referred and contacted")
	}
	return nil
}

// Refer receives a referral into social prescribing: from the public
// (anonymous, SourceSelf) or from a signed-in professional (their name and
// email are recorded). The team is the one serving the GP practice, else
// the one serving the postcode's district. Errors: EINVALID, including
// when no team serves the practice or postcode (Field "gp_practice").
func (s *Service) Refer(ctx context.Context, in Incoming) (*Incoming, error) {
	a := waymark.ActorFrom(ctx)
	in.Source = SourceSelf
	if !a.Anonymous() {
		in.Source = SourceProfessional
		if a.Has(waymark.RoleGP) {
			in.Source = SourceGP
		}
		in.ReferrerID = a.UserID
		in.ReferrerName = strings.TrimSpace(in.ReferrerName)
		if in.ReferrerName == "" {
			return nil, waymark.FieldErrorf(waymark.EINVALID, "referrer_name", "Enter your name and role")
		}
		addr, err := input.Email(in.ReferrerEmail)
		if err != nil {
			return nil, waymark.FieldErrorf(waymark.EINVALID, "referrer_email", "Enter your work email address")
		}
		in.ReferrerEmail = addr
	}
	if id := requestID(ctx); id != "" {
		if done, err := s.store.Incoming(ctx, id); err == nil {
			return done, nil // the same form sent again
		}
	}
	if err := in.Validate(s.today()); err != nil {
		return nil, err
	}
	team, err := s.findTeam(ctx, in.GPPractice, in.Postcode)
	if err != nil {
		return nil, err
	}
	in.ID, in.TeamID, in.Status, in.ReceivedAt = requestID(ctx), team, IncomingWaiting, s.now().UTC()
	if in.ID == "" {
		in.ID = s.cfg.NewID()
	}
	in.AllocatedTo, in.ClientID, in.DecidedAt = "", "", nil
	if err := s.store.CreateIncoming(ctx, &in); err != nil {
		return nil, fmt.Errorf("receive referral: %w", err)
	}
	return &in, s.audit(ctx, "incoming.create", "", "incoming "+in.ID+" team "+team)
}

func (s *Service) findTeam(ctx context.Context, practice, pc string) (string, error) {
	if practice != "" {
		id, err := s.store.TeamByPractice(ctx, practice)
		if err == nil {
			return id, nil
		} else if waymark.ErrorCode(err) != waymark.ENOTFOUND {
			return "", err
		}
	}
	if pc != "" {
		if p, err := postcode.Parse(pc); err == nil {
			id, err := s.store.TeamByArea(ctx, p.Outward)
			if err == nil {
				return id, nil
			} else if waymark.ErrorCode(err) != waymark.ENOTFOUND {
				return "", err
			}
		}
	}
	return "", waymark.FieldErrorf(waymark.EINVALID, "gp_practice",
		"We could not find a social prescribing team for this GP practice or postcode. Check them, or ask the GP practice about social prescribing")
}

// AddArea records that a team serves a postcode district (like DE4), for
// the public form. Errors: EFORBIDDEN; EINVALID; ECONFLICT when another
// team serves it.
func (s *Service) AddArea(ctx context.Context, teamID, district string) error {
	if err := requireAdmin(ctx); err != nil {
		return err
	}
	p, err := postcode.Parse(district)
	if err != nil || p.Full() {
		return waymark.FieldErrorf(waymark.EINVALID, "area", "Enter a postcode district, like DE4")
	}
	if err := s.store.AddArea(ctx, teamID, p.Outward); err != nil {
		if waymark.ErrorCode(err) == waymark.ECONFLICT {
			return waymark.FieldErrorf(waymark.ECONFLICT, "area", "A team already serves %s", p.Outward)
		}
		return err
	}
	return s.audit(ctx, "team.area", "", "team "+teamID+" area "+p.Outward)
}

// FirstContactDays is the first-contact target in working days.
func (s *Service) FirstContactDays() int {
	if s.cfg.FirstContactDays <= 0 {
		return DefaultFirstContactDays
	}
	return s.cfg.FirstContactDays
}

// WaitingList is a team's referrals waiting to be accepted, oldest first,
// with how many working days each has waited against the first-contact
// target (Config.FirstContactDays). Reading it is audited. Errors:
// ENOTFOUND when not in the team.
func (s *Service) WaitingList(ctx context.Context, teamID string) ([]Incoming, error) {
	if _, err := s.membership(ctx, teamID); err != nil {
		return nil, err
	}
	targetDays := s.FirstContactDays()
	list, err := s.store.WaitingList(ctx, teamID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	for i := range list {
		list[i].WaitedDays = WorkingDays(list[i].ReceivedAt, now)
		list[i].Overdue = list[i].WaitedDays > targetDays
	}
	return list, s.audit(ctx, "incoming.list", "", "team "+teamID)
}

// incoming loads a waiting referral of a team the actor is in.
func (s *Service) incoming(ctx context.Context, id string) (*Incoming, *Member, error) {
	in, err := s.store.Incoming(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	m, err := s.membership(ctx, in.TeamID)
	if err != nil {
		return nil, nil, waymark.Errorf(waymark.ENOTFOUND, "Referral not found")
	}
	return in, m, nil
}

// Allocate gives a waiting referral to a link worker of the team; team
// leads only. Errors: ENOTFOUND; EFORBIDDEN; EINVALID.
func (s *Service) Allocate(ctx context.Context, id, workerID string) error {
	in, m, err := s.incoming(ctx, id)
	if err != nil {
		return err
	}
	if !m.Lead {
		return waymark.Errorf(waymark.EFORBIDDEN, "Only team leads allocate referrals")
	}
	if in.Status != IncomingWaiting {
		return waymark.Errorf(waymark.EINVALID, "This referral has already been dealt with")
	}
	t, err := s.store.Team(ctx, in.TeamID)
	if err != nil {
		return err
	}
	if workerID != "" && !slices.ContainsFunc(t.Members, func(mm Member) bool { return mm.UserID == workerID }) {
		return waymark.FieldErrorf(waymark.EINVALID, "worker", "Choose a member of the team")
	}
	in.AllocatedTo = workerID
	if err := s.store.UpdateIncoming(ctx, in); err != nil {
		return fmt.Errorf("allocate: %w", err)
	}
	return s.audit(ctx, "incoming.allocate", "", "incoming "+id+" to "+workerID)
}

// AcceptReferral accepts a waiting referral: it matches an existing client
// of the team by NHS number, or by name and date of birth, or creates one
// (waiting, allocated as the referral was), records the reason for
// referral and who referred, and returns the client's ID. The allocated
// link worker or a lead may accept. Errors: ENOTFOUND; EFORBIDDEN; EINVALID.
func (s *Service) AcceptReferral(ctx context.Context, id string) (string, error) {
	in, m, err := s.incoming(ctx, id)
	if err != nil {
		return "", err
	}
	actor := waymark.ActorFrom(ctx).UserID
	if !m.Lead && in.AllocatedTo != actor {
		return "", waymark.Errorf(waymark.EFORBIDDEN, "Only the allocated link worker or a team lead can accept this referral")
	}
	if in.Status == IncomingAccepted {
		return in.ClientID, nil // accepted already: sending the form twice changes nothing
	}
	if in.Status != IncomingWaiting {
		return "", waymark.Errorf(waymark.EINVALID, "This referral has already been dealt with")
	}
	clientID := ""
	if in.NHSNumber != "" {
		if c, err := s.store.ClientByNHSNumber(ctx, in.NHSNumber); err == nil && c.TeamID == in.TeamID {
			clientID = c.ID
		} else if err == nil {
			return "", waymark.Errorf(waymark.EINVALID, "Another team already holds a record for this NHS number; ask them about a transfer")
		} else if waymark.ErrorCode(err) != waymark.ENOTFOUND {
			return "", err
		}
	}
	if clientID == "" {
		ids, err := s.store.SameNameAndBirth(ctx, in.GivenName, in.FamilyName, in.DateOfBirth, "")
		if err != nil {
			return "", err
		}
		for _, cid := range ids {
			if c, err := s.store.Client(ctx, cid); err == nil && c.TeamID == in.TeamID {
				clientID = c.ID
				break
			}
		}
	}
	referredBy := "Self-referral"
	if in.ReferrerName != "" {
		referredBy = in.ReferrerName
		if in.ReferrerEmail != "" {
			referredBy += " (" + in.ReferrerEmail + ")"
		}
	}
	if clientID == "" {
		now := s.now().UTC()
		c := Client{ID: s.cfg.NewID(), TeamID: in.TeamID, LinkWorkerID: in.AllocatedTo, Status: StatusWaiting, GivenName: in.GivenName,
			FamilyName: in.FamilyName, DateOfBirth: in.DateOfBirth, NHSNumber: in.NHSNumber, Postcode: in.Postcode, Phone: in.Phone,
			Email: in.Email, PreferredContact: in.PreferredContact, GPPractice: in.GPPractice, ReferralReason: in.Reason,
			ReferredBy: referredBy, CreatedAt: now, UpdatedAt: now}
		if c.LinkWorkerID == "" && !m.Lead {
			c.LinkWorkerID = actor
		}
		e := s.entry(ctx, c.ID, KindStatus, "Referral accepted from the waiting list: waiting")
		e.Note = in.Reason
		if err := s.store.CreateClient(ctx, &c, e); err != nil {
			return "", fmt.Errorf("accept referral: %w", err)
		}
		clientID = c.ID
		if err := s.audit(ctx, "client.create", clientID, "from incoming "+id); err != nil {
			return "", err
		}
	} else if err := s.SetReferral(ctx, clientID, in.Reason, referredBy); err != nil {
		return "", err
	}
	now := s.now().UTC()
	in.Status, in.ClientID, in.DecidedAt = IncomingAccepted, clientID, &now
	if err := s.store.UpdateIncoming(ctx, in); err != nil {
		return "", fmt.Errorf("accept referral: %w", err)
	}
	return clientID, s.audit(ctx, "incoming.accept", clientID, "incoming "+id)
}

// Practices lists every GP practice a team serves, by name, for the
// referral forms. Anyone may read it.
func (s *Service) Practices(ctx context.Context) ([]Practice, error) {
	teams, err := s.store.Teams(ctx)
	if err != nil {
		return nil, err
	}
	var out []Practice
	for _, t := range teams {
		full, err := s.store.Team(ctx, t.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, full.Practices...)
	}
	slices.SortFunc(out, func(a, b Practice) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}
