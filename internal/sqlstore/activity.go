package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"waymark/internal/casework"
	"waymark/internal/seed"
)

// ActivityStore writes synthetic activity for the demo and benchmarks
// straight into the referral, waiting-list and client tables, in one
// transaction. It implements seed.ActivityStore.
type ActivityStore struct {
	db *DB
}

// NewActivityStore returns an ActivityStore on db.
func NewActivityStore(db *DB) *ActivityStore { return &ActivityStore{db: db} }

var _ seed.ActivityStore = (*ActivityStore)(nil)

// AddActivity stores the activity.
func (s *ActivityStore) AddActivity(ctx context.Context, a *seed.Activity) error {
	return s.db.inTx(ctx, func(c conn) error {
		for _, r := range a.Referrals {
			var met any
			if r.MetNeeds != nil {
				met = *r.MetNeeds
			}
			var responded any
			if r.Responded != nil {
				responded = r.Responded.UTC()
			}
			err := c.exec(ctx, `INSERT INTO referral (id, reference, service_id, organization_id, source, status, referrer_id, referrer_name,
				client_name, preferred_contact, consent, reason, decline_reason, attendance, created_at, updated_at, responded_at, score, met_needs)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'phone', TRUE, ?, ?, ?, ?, ?, ?, ?, ?)`,
				r.ID, r.Reference, r.ServiceID, r.OrganizationID, string(r.Source), string(r.Status), r.ReferrerID, r.ReferrerName,
				r.ClientName, "Synthetic demo referral", r.DeclineReason, string(r.Attendance), r.Created.UTC(), r.Created.UTC(), responded, r.Score, met)
			if err != nil {
				return fmt.Errorf("insert referral: %w", err)
			}
		}
		for _, cl := range a.Clients {
			err := c.exec(ctx, `INSERT INTO cw_client (id, team_id, link_worker_id, status, given_name, family_name, search_name, date_of_birth,
				postcode, preferred_contact, discharge_reason, discharged_at, last_contact_at, created_at, updated_at, referral_reason, referred_by)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'phone', ?, ?, ?, ?, ?, ?, ?)`,
				cl.ID, cl.TeamID, cl.WorkerID, string(cl.Status), cl.GivenName, cl.FamilyName, strings.ToLower(cl.FamilyName+" "+cl.GivenName),
				dateString(cl.Born), cl.Postcode, cl.DischargeReason, nullTime(cl.Discharged), nullTime(cl.LastContact), cl.Created.UTC(), cl.Created.UTC(),
				cl.ReferralReason, cl.ReferredByWho)
			if err != nil {
				return fmt.Errorf("insert client: %w", err)
			}
			entry := func(id, kind, summary, contactType string, minutes int, at any) error {
				return c.exec(ctx, `INSERT INTO cw_entry (id, client_id, kind, at, summary, contact_type, minutes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
					id, cl.ID, kind, at, summary, contactType, minutes, at)
			}
			for _, ct := range cl.Contacts {
				if err := entry(ct.ID, casework.KindContact, casework.ContactTypeLabel(ct.Type), ct.Type, ct.Minutes, ct.At.UTC()); err != nil {
					return fmt.Errorf("insert contact: %w", err)
				}
			}
			for _, m := range cl.Measures {
				err := c.exec(ctx, `INSERT INTO cw_measure (id, client_id, instrument, stage, scores, taken_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?)`,
					m.ID, cl.ID, m.Instrument, m.Stage, casework.EncodeScores(m.Scores), m.TakenAt.UTC(), m.RecordedBy)
				if err == nil {
					err = entry(m.ID+"-e", casework.KindMeasure, m.Label(), "", 0, m.TakenAt.UTC())
				}
				if err != nil {
					return fmt.Errorf("insert measure: %w", err)
				}
			}
			if cl.Discharged != nil {
				if err := entry(cl.ID+"-d", casework.KindStatus, "Discharged: "+casework.DischargeReasonLabel(cl.DischargeReason), "", 0, cl.Discharged.UTC()); err != nil {
					return fmt.Errorf("insert discharge: %w", err)
				}
			}
		}
		for _, in := range a.Incoming {
			err := c.exec(ctx, `INSERT INTO sp_incoming (id, team_id, source, status, given_name, family_name, date_of_birth, postcode, preferred_contact,
				reason, consent, client_id, received_at, decided_at) VALUES (?, ?, ?, ?, ?, ?, '1950-01-01', ?, 'phone', 'Synthetic demo referral', TRUE, ?, ?, ?)`,
				in.ID, in.TeamID, in.Source, in.Status, in.GivenName, in.FamilyName, in.Postcode, in.ClientID, in.Received.UTC(), nullTime(in.Decided))
			if err != nil {
				return fmt.Errorf("insert waiting-list referral: %w", err)
			}
		}
		for _, g := range a.Gaps {
			if err := c.exec(ctx, `INSERT INTO search_gap (at, district, words, category, radius_miles) VALUES (?, ?, ?, ?, ?)`,
				g.At.UTC(), g.District, g.Words, g.Category, g.RadiusMiles); err != nil {
				return fmt.Errorf("insert search gap: %w", err)
			}
		}
		return nil
	})
}
