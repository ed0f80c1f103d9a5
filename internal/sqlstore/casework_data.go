package sqlstore

import (
	"context"
	"fmt"

	"waymark/internal/casework"
	"waymark/internal/referral"
)

// ReferralsMade lists the referrals a client's timeline refers to (entries
// of kind referral), oldest first, with what was shared and the messages.
func (s *CaseworkStore) ReferralsMade(ctx context.Context, clientID string) ([]casework.ReferralMade, error) {
	r := s.db.reader()
	refs, err := referralIDs(ctx, r, clientID)
	if err != nil || len(refs) == 0 {
		return nil, err
	}
	var out []casework.ReferralMade
	idx := map[string]int{}
	// The IDs are parameters, not a subquery, so PostgreSQL compares them
	// as UUIDs and uses the primary key.
	err = eachRow(ctx, r, `SELECT CAST(r.id AS TEXT), r.reference, COALESCE(sv.name, ''), COALESCE(o.name, ''), r.status, r.decline_reason,
		r.created_at, r.updated_at, r.client_name, r.client_email, r.client_phone, r.reason
		FROM referral r LEFT JOIN service sv ON sv.id = r.service_id LEFT JOIN organization o ON CAST(o.id AS TEXT) = CAST(r.organization_id AS TEXT)
		WHERE r.id IN (`+placeholders(len(refs))+`) ORDER BY r.created_at, r.id`, anys(refs), func(row rowScanner) error {
		var m casework.ReferralMade
		var decline string
		if err := row.Scan(&m.ID, &m.Reference, &m.Service, &m.Organisation, &m.Status, &decline, &m.SentAt, &m.UpdatedAt,
			&m.SharedName, &m.SharedEmail, &m.SharedPhone, &m.Reason); err != nil {
			return err
		}
		ref := referral.Referral{Status: referral.Status(m.Status), DeclineReason: decline}
		m.StatusLabel, m.DeclineReason = ref.StatusLabel(), ref.DeclineReasonLabel()
		m.SentAt, m.UpdatedAt = m.SentAt.UTC(), m.UpdatedAt.UTC()
		idx[m.ID] = len(out)
		out = append(out, m)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("referrals made: %w", err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	ids := make([]string, 0, len(out))
	for _, m := range out {
		ids = append(ids, m.ID)
	}
	err = eachRow(ctx, r, `SELECT CAST(referral_id AS TEXT), from_party, author_name, body, at FROM referral_message
		WHERE referral_id IN (`+placeholders(len(ids))+`) ORDER BY seq`, anys(ids), func(row rowScanner) error {
		var id string
		var m casework.ReferralMessage
		if err := row.Scan(&id, &m.From, &m.Author, &m.Body, &m.At); err != nil {
			return err
		}
		m.At = m.At.UTC()
		i := idx[id]
		out[i].Messages = append(out[i].Messages, m)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("referral messages: %w", err)
	}
	return out, nil
}

// referralIDs lists the distinct referrals a client's timeline refers to.
func referralIDs(ctx context.Context, c conn, clientID string) ([]string, error) {
	var ids []string
	err := eachRow(ctx, c, `SELECT DISTINCT ref_id FROM cw_entry WHERE client_id = ? AND kind = ? AND ref_id <> ''`,
		[]any{clientID, casework.KindReferral}, func(row rowScanner) error {
			var id string
			err := row.Scan(&id)
			ids = append(ids, id)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("referral ids: %w", err)
	}
	return ids, nil
}
