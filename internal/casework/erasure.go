package casework

import (
	"context"
	"fmt"
	"time"
)

// DefaultRetentionYears is how long a discharged client's record is kept
// before it is anonymised: 8 years, as NHS records guidance expects for
// adults.
const DefaultRetentionYears = 8

// anonymiseBatch is how many records one pass of AnonymiseDue takes at a time.
const anonymiseBatch = 200

// The name an anonymised record shows: "Anonymised client".
const (
	AnonymisedGivenName  = "Anonymised"
	AnonymisedFamilyName = "client"
)

// AnonymiseDue anonymises every client discharged more than the retention
// period (Config.RetentionYears) before now and not reopened since. What
// identifies the person goes: names, date of birth, NHS number, address,
// contact details, next of kin, demographics, every free text (what
// matters, case notes and their amendments, goals' words, actions,
// appointment places, discharge summary, the reason for referral), the
// details the record's referrals shared with providers and their messages,
// and emails sent to the client. What insights count stays: team, GP
// practice, status, needs domains, discharge reason, measure scores, goal
// progress scores, the kinds of timeline entries and contacts with their
// minutes, every date truncated to its month. Each anonymisation is
// audited. It is a scheduled job, safe to run on several instances.
func (s *Service) AnonymiseDue(ctx context.Context, now time.Time) error {
	cutoff := now.UTC().AddDate(-s.cfg.RetentionYears, 0, 0)
	for {
		ids, err := s.store.DischargedBefore(ctx, cutoff, anonymiseBatch)
		if err != nil {
			return fmt.Errorf("clients due anonymisation: %w", err)
		}
		for _, id := range ids {
			at := now.UTC()
			e := Entry{ID: s.cfg.NewID(), ClientID: id, Kind: KindRecord, At: at, Summary: "Record anonymised", CreatedAt: at}
			ev := AuditEvent{Action: "client.anonymise", Subject: "client " + id, ClientID: id, At: at,
				Detail: fmt.Sprintf("%d years after discharge", s.cfg.RetentionYears)}
			if _, err := s.store.AnonymiseClient(ctx, id, cutoff, e, ev); err != nil {
				return fmt.Errorf("anonymise client %s: %w", id, err)
			}
		}
		if len(ids) < anonymiseBatch {
			return nil
		}
	}
}
