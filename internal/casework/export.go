package casework

import (
	"context"
	"time"
)

// BreakGlass is an administrator's emergency access to a client record.
type BreakGlass struct {
	UserID    string
	UserName  string // filled when read
	Reason    string
	At        time.Time
	ExpiresAt time.Time
}

// SentEmail is an email Waymark sent (or queued) to a client's address.
type SentEmail struct {
	To      string
	Subject string
	Text    string
	Status  string
	At      time.Time
}

// Export is everything Waymark holds about one client, for a subject access
// request: the record, its whole timeline with amendments, consents, needs,
// the plan, appointments, measures, the referrals made from the record with
// what they shared, every change of their status and their messages, emails sent to the client, and who
// opened the record (the audit log and break-glass reasons).
type Export struct {
	ExportedAt   time.Time         `json:"exported_at"`
	Client       *Client           `json:"client"`
	Team         string            `json:"team"`
	Consents     []Consent         `json:"consents"`
	Needs        []string          `json:"needs"`
	Goals        []Goal            `json:"goals"`
	Actions      []Action          `json:"agreed_actions"`
	Appointments []Appointment     `json:"appointments"`
	Measures     []ExportedMeasure `json:"outcome_measures"`
	Timeline     []Entry           `json:"timeline"`
	Amendments   []Amendment       `json:"amendments"`
	Referrals    []ReferralMade    `json:"referrals"`
	ReferralsIn  []Incoming        `json:"referrals_in"` // into social prescribing, accepted into this record
	Emails       []SentEmail       `json:"emails"`
	BreakGlass   []BreakGlass      `json:"break_glass"`
	AccessLog    []AuditEvent      `json:"access_log"`
}

// ExportedMeasure is a measure with its scores as people read them.
type ExportedMeasure struct {
	Measure
	Summary string
}

// exportLimit bounds the rows of one kind an export reads: far more than a
// record holds.
const exportLimit = 1_000_000

// Export gathers everything held about a client, for the client's team (and
// administrators who broke the glass), and audits it with the format asked
// for ("html" or "json"). Errors: as Client.
func (s *Service) Export(ctx context.Context, clientID, format string) (*Export, error) {
	ac, err := s.open(ctx, clientID)
	if err != nil {
		return nil, err
	}
	if err := s.auditAccess(ctx, ac, "client.export", format); err != nil {
		return nil, err
	}
	c := ac.client
	x := &Export{ExportedAt: s.now().UTC(), Client: c}
	team, err := s.store.Team(ctx, c.TeamID)
	if err != nil {
		return nil, err
	}
	x.Team = team.Name
	if x.Consents, err = s.store.Consents(ctx, c.ID); err != nil {
		return nil, err
	}
	if x.Needs, err = s.store.Needs(ctx, c.ID); err != nil {
		return nil, err
	}
	if x.Goals, err = s.store.Goals(ctx, c.ID); err != nil {
		return nil, err
	}
	if x.Actions, err = s.store.Actions(ctx, c.ID); err != nil {
		return nil, err
	}
	if x.Appointments, err = s.store.Appointments(ctx, c.ID); err != nil {
		return nil, err
	}
	ms, err := s.store.Measures(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		x.Measures = append(x.Measures, ExportedMeasure{Measure: m, Summary: m.Label()})
	}
	if x.Timeline, err = s.store.Timeline(ctx, c.ID, "", exportLimit); err != nil {
		return nil, err
	}
	if x.Amendments, err = s.store.Amendments(ctx, c.ID); err != nil {
		return nil, err
	}
	if x.Referrals, err = s.store.ReferralsMade(ctx, c.ID); err != nil {
		return nil, err
	}
	if x.ReferralsIn, err = s.store.IncomingOf(ctx, c.ID); err != nil {
		return nil, err
	}
	for _, addr := range []string{c.Email, c.Phone} {
		if addr == "" {
			continue
		}
		sent, err := s.store.EmailsTo(ctx, addr) // a phone number gives the texts to it
		if err != nil {
			return nil, err
		}
		x.Emails = append(x.Emails, sent...)
	}
	if x.BreakGlass, err = s.store.BreakGlassOf(ctx, c.ID); err != nil {
		return nil, err
	}
	if x.AccessLog, err = s.store.AuditEvents(ctx, AuditFilter{ClientID: c.ID, Limit: exportLimit}); err != nil {
		return nil, err
	}
	return x, nil
}
