package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/gp"
)

// GPStore keeps GP practices, GP pathways, referrals from practices and
// their outcomes. It implements gp.Store.
type GPStore struct{ db *DB }

// NewGPStore returns a GPStore.
func NewGPStore(db *DB) *GPStore { return &GPStore{db: db} }

var _ gp.Store = (*GPStore)(nil)

// InTx runs fn in one transaction; see DB.InTx.
func (s *GPStore) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, fn)
}

// practiceQuery lists practices recorded here, with the team serving
// each, and the practices teams serve that are not recorded here, each
// with its primary care network's name.
const practiceQuery = `SELECT ods_code, name, postcode, team_id, team_name,
	COALESCE((SELECT n.name FROM pcn_practice pp JOIN pcn n ON n.id = pp.pcn_id WHERE pp.ods_code = practices.ods_code), '') FROM (
	SELECT p.ods_code, p.name, p.postcode, COALESCE(tp.team_id, '') AS team_id, COALESCE(t.name, '') AS team_name
	FROM gp_practice p LEFT JOIN sp_team_practice tp ON tp.ods_code = p.ods_code LEFT JOIN sp_team t ON t.id = tp.team_id
	UNION ALL
	SELECT tp.ods_code, tp.name, '', tp.team_id, t.name
	FROM sp_team_practice tp JOIN sp_team t ON t.id = tp.team_id
	WHERE NOT EXISTS (SELECT 1 FROM gp_practice p WHERE p.ods_code = tp.ods_code)) practices`

func scanPractice(r rowScanner) (gp.Practice, error) {
	var p gp.Practice
	err := r.Scan(&p.ODSCode, &p.Name, &p.Postcode, &p.TeamID, &p.TeamName, &p.PCNName)
	return p, err
}

// Practice finds a practice by ODS code. Errors: ENOTFOUND.
func (s *GPStore) Practice(ctx context.Context, ods string) (*gp.Practice, error) {
	p, err := scanPractice(s.db.reader().queryRow(ctx, practiceQuery+` WHERE ods_code = ?`, ods))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "There is no GP practice with ODS code %s", ods)
	} else if err != nil {
		return nil, fmt.Errorf("select practice: %w", err)
	}
	return &p, nil
}

// Practices lists every known practice by name.
func (s *GPStore) Practices(ctx context.Context) ([]gp.Practice, error) {
	var out []gp.Practice
	err := eachRow(ctx, s.db.reader(), practiceQuery+` ORDER BY name, ods_code`, nil, func(r rowScanner) error {
		p, err := scanPractice(r)
		out = append(out, p)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list practices: %w", err)
	}
	return out, nil
}

// SavePractice records or updates a practice's name and postcode.
func (s *GPStore) SavePractice(ctx context.Context, p gp.Practice, at time.Time) error {
	return s.db.inTx(ctx, func(c conn) error {
		return c.exec(ctx, `INSERT INTO gp_practice (ods_code, name, postcode, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (ods_code) DO UPDATE SET name = excluded.name, postcode = excluded.postcode`, p.ODSCode, p.Name, p.Postcode, at.UTC())
	})
}

// Pathway returns a service's GP pathway, disabled when none was saved.
func (s *GPStore) Pathway(ctx context.Context, serviceID string) (*gp.Pathway, error) {
	p := gp.Pathway{ServiceID: serviceID}
	var practices string
	err := s.db.reader().queryRow(ctx, `SELECT enabled, practices, updated_by, updated_at FROM gp_pathway WHERE `+
		s.db.dialect.idEquals("service_id", "?"), serviceID).Scan(&p.Enabled, &practices, &p.UpdatedBy, &p.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return &p, nil
	} else if err != nil {
		return nil, fmt.Errorf("select gp pathway: %w", err)
	}
	p.Practices, p.UpdatedAt = splitList(practices), p.UpdatedAt.UTC()
	return &p, nil
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// SavePathway stores a service's GP pathway, with the settings form's
// token when ctx carries one (ECONFLICT when that form was sent before).
func (s *GPStore) SavePathway(ctx context.Context, p gp.Pathway) error {
	return s.db.inTx(ctx, func(c conn) error {
		if err := claimFormToken(ctx, c, "gp_pathway", p.ServiceID, p.UpdatedAt); err != nil {
			return err
		}
		return c.exec(ctx, `INSERT INTO gp_pathway (service_id, enabled, practices, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (service_id) DO UPDATE SET enabled = excluded.enabled, practices = excluded.practices,
			updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			p.ServiceID, p.Enabled, strings.Join(p.Practices, ","), p.UpdatedBy, p.UpdatedAt.UTC())
	})
}

// PathwayServices lists the public services whose GP pathway is on, by name.
func (s *GPStore) PathwayServices(ctx context.Context) ([]gp.PathwayService, error) {
	var out []gp.PathwayService
	err := eachRow(ctx, s.db.reader(), `SELECT p.service_id, sv.name, o.name, p.enabled, p.practices, p.updated_by, p.updated_at
		FROM gp_pathway p JOIN service sv ON sv.id = p.service_id JOIN organization o ON o.id = sv.organization_id
		WHERE p.enabled AND sv.status IN ('published', 'frozen') ORDER BY sv.name, p.service_id`, nil, func(r rowScanner) error {
		var ps gp.PathwayService
		var practices string
		err := r.Scan(&ps.ServiceID, &ps.Name, &ps.Organisation, &ps.Pathway.Enabled, &practices, &ps.Pathway.UpdatedBy, &ps.Pathway.UpdatedAt)
		ps.Pathway.ServiceID, ps.Pathway.Practices = ps.ServiceID, splitList(practices)
		out = append(out, ps)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list gp pathway services: %w", err)
	}
	return out, nil
}

// CreateReferral stores a new referral. Errors: ECONFLICT when its key was
// used.
func (s *GPStore) CreateReferral(ctx context.Context, r *gp.Referral) error {
	return s.db.inTx(ctx, func(c conn) error {
		pt := r.Patient
		return c.exec(ctx, `INSERT INTO gp_referral (id, request_key, practice_ods, service_id, team_id, channel, system_id,
			requester_id, requester_name, requester_role, nhs_number, given_name, family_name, date_of_birth, postcode, phone, email,
			reason, reported_status, created_at) VALUES (`+placeholders(20)+`)`,
			r.ID, r.Key, r.PracticeODS, r.ServiceID, r.TeamID, r.Channel, r.SystemID, r.RequesterID, r.RequesterName, r.RequesterRole,
			pt.NHSNumber, pt.GivenName, pt.FamilyName, dateString(pt.DateOfBirth), pt.Postcode, pt.Phone, pt.Email, r.Reason,
			string(gp.StatusRequested), r.Created.UTC())
	})
}

// SetTarget records where a referral is held.
func (s *GPStore) SetTarget(ctx context.Context, id, teamID, incomingID, marketReferralID string) error {
	return s.db.inTx(ctx, func(c conn) error {
		return c.exec(ctx, `UPDATE gp_referral SET team_id = ?, incoming_id = ?, market_referral_id = ? WHERE id = ?`,
			teamID, incomingID, marketReferralID, id)
	})
}

// referralQuery reads referrals with what their status is derived from.
func (s *GPStore) referralQuery() string {
	d := s.db.dialect
	return `SELECT g.id, g.request_key, g.practice_ods, g.service_id, COALESCE(sv.name, ''), g.team_id, COALESCE(t.name, ''),
		g.channel, g.system_id, g.requester_id, g.requester_name, g.requester_role, g.nhs_number, g.given_name, g.family_name,
		g.date_of_birth, g.postcode, g.phone, g.email, g.reason, g.incoming_id, g.market_referral_id, g.reported_status, g.created_at,
		COALESCE(i.status, ''), COALESCE(i.decline_reason, ''), i.decided_at, COALESCE(i.client_id, ''), COALESCE(c.status, ''),
		c.discharged_at, COALESCE(c.discharge_reason, ''), c.anonymised_at, COALESCE(m.status, ''), COALESCE(m.decline_reason, ''),
		COALESCE(m.attendance, ''), m.updated_at
	FROM gp_referral g
	LEFT JOIN service sv ON g.service_id <> '' AND ` + d.idEquals("sv.id", "g.service_id") + `
	LEFT JOIN sp_team t ON t.id = g.team_id
	LEFT JOIN sp_incoming i ON g.incoming_id <> '' AND i.id = g.incoming_id
	LEFT JOIN cw_client c ON i.client_id <> '' AND c.id = i.client_id
	LEFT JOIN referral m ON g.market_referral_id <> '' AND ` + d.idEquals("m.id", "g.market_referral_id")
}

func scanGPReferral(row rowScanner) (gp.Reported, error) {
	var r gp.Reported
	var dob, reported string
	var decided, discharged, anonymised, marketUpdated sql.NullTime
	p := &r.Progress
	err := row.Scan(&r.ID, &r.Key, &r.PracticeODS, &r.ServiceID, &r.ServiceName, &r.TeamID, &r.TeamName, &r.Channel, &r.SystemID,
		&r.RequesterID, &r.RequesterName, &r.RequesterRole, &r.Patient.NHSNumber, &r.Patient.GivenName, &r.Patient.FamilyName,
		&dob, &r.Patient.Postcode, &r.Patient.Phone, &r.Patient.Email, &r.Reason, &r.IncomingID, &r.MarketReferralID, &reported, &r.Created,
		&p.IncomingStatus, &p.IncomingDeclineReason, &decided, &p.ClientID, &p.ClientStatus, &discharged, &p.ClientDischargeReason,
		&anonymised, &p.MarketStatus, &p.MarketDeclineReason, &p.MarketAttendance, &marketUpdated)
	r.Patient.DateOfBirth, r.Created, r.Reported = parseDate(dob), r.Created.UTC(), gp.Status(reported)
	r.Updated = r.Created
	p.IncomingDecidedAt, p.ClientDischargedAt, p.ClientAnonymised = timePtr(decided), timePtr(discharged), anonymised.Valid
	if marketUpdated.Valid {
		p.MarketUpdatedAt = marketUpdated.Time.UTC()
	}
	return r, err
}

func (s *GPStore) referralWhere(ctx context.Context, where string, args ...any) (*gp.Referral, error) {
	r, err := scanGPReferral(s.db.reader().queryRow(ctx, s.referralQuery()+` WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "Referral not found")
	} else if err != nil {
		return nil, fmt.Errorf("select gp referral: %w", err)
	}
	return &r.Referral, nil
}

// Referral returns a referral with its progress. Errors: ENOTFOUND.
func (s *GPStore) Referral(ctx context.Context, id string) (*gp.Referral, error) {
	return s.referralWhere(ctx, `g.id = ?`, id)
}

// ReferralByKey returns the referral made with a request key. Errors: ENOTFOUND.
func (s *GPStore) ReferralByKey(ctx context.Context, key string) (*gp.Referral, error) {
	return s.referralWhere(ctx, `g.request_key = ?`, key)
}

func (s *GPStore) referralsWhere(ctx context.Context, where string, args []any) ([]gp.Reported, error) {
	var out []gp.Reported
	err := eachRow(ctx, s.db.reader(), s.referralQuery()+` WHERE `+where, args, func(r rowScanner) error {
		ref, err := scanGPReferral(r)
		out = append(out, ref)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list gp referrals: %w", err)
	}
	return out, nil
}

// Referrals lists the referrals of the practices, newest first.
func (s *GPStore) Referrals(ctx context.Context, practices []string, nhsNumber string, limit int) ([]gp.Referral, error) {
	where := `g.practice_ods IN (` + placeholders(len(practices)) + `)`
	args := anys(practices)
	if nhsNumber != "" {
		where += ` AND g.nhs_number = ?`
		args = append(args, nhsNumber)
	}
	list, err := s.referralsWhere(ctx, where+` ORDER BY g.created_at DESC, g.id DESC LIMIT ?`, append(args, limit))
	if err != nil {
		return nil, err
	}
	out := make([]gp.Referral, len(list))
	for i := range list {
		out[i] = list[i].Referral
	}
	return out, nil
}

// OpenReferrals lists up to limit referrals whose reported status is not
// terminal, with ids after afterID, by id.
func (s *GPStore) OpenReferrals(ctx context.Context, afterID string, limit int) ([]gp.Reported, error) {
	return s.referralsWhere(ctx, `g.reported_status NOT IN ('rejected', 'completed', 'cancelled') AND g.id > ? ORDER BY g.id LIMIT ?`,
		[]any{afterID, limit})
}

// RecordOutcome stores an outcome and moves the referral's reported
// status from `from`, in one transaction; false when it was no longer
// `from`.
func (s *GPStore) RecordOutcome(ctx context.Context, o gp.Outcome, from gp.Status, delivery string) (bool, error) {
	done := false
	err := s.db.inTx(ctx, func(c conn) error {
		n, err := c.execN(ctx, `UPDATE gp_referral SET reported_status = ? WHERE id = ? AND reported_status = ?`, string(o.Status), o.ReferralID, string(from))
		if err != nil || n == 0 {
			return err
		}
		done = true
		return c.exec(ctx, `INSERT INTO gp_outcome (id, referral_id, practice_ods, system_id, status, reason, delivery, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, o.ID, o.ReferralID, o.PracticeODS, o.SystemID, string(o.Status), o.Reason, delivery, o.Created.UTC())
	})
	if err != nil {
		return false, fmt.Errorf("record outcome: %w", err)
	}
	return done, nil
}

const outcomeColumns = `id, referral_id, practice_ods, system_id, status, reason, created_at FROM gp_outcome`

func (s *GPStore) outcomes(ctx context.Context, where string, args ...any) ([]gp.Outcome, error) {
	var out []gp.Outcome
	err := eachRow(ctx, s.db.reader(), `SELECT `+outcomeColumns+` WHERE `+where, args, func(r rowScanner) error {
		var o gp.Outcome
		var status string
		err := r.Scan(&o.ID, &o.ReferralID, &o.PracticeODS, &o.SystemID, &status, &o.Reason, &o.Created)
		o.Status, o.Created = gp.Status(status), o.Created.UTC()
		out = append(out, o)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list outcomes: %w", err)
	}
	return out, nil
}

// History lists a referral's outcomes, oldest first.
func (s *GPStore) History(ctx context.Context, referralID string) ([]gp.Outcome, error) {
	return s.outcomes(ctx, `referral_id = ? ORDER BY created_at, id`, referralID)
}

// PendingOutcomes lists outcomes to deliver at now, oldest first.
func (s *GPStore) PendingOutcomes(ctx context.Context, now time.Time, limit int) ([]gp.Outcome, error) {
	return s.outcomes(ctx, `delivery IN ('pending', 'failed') AND (retry_at IS NULL OR retry_at <= ?) ORDER BY created_at, id LIMIT ?`,
		now.UTC(), limit)
}

// MarkOutcomeSent records a delivered outcome. Errors: ENOTFOUND.
func (s *GPStore) MarkOutcomeSent(ctx context.Context, id string, at time.Time) error {
	return s.markOutcome(ctx, `UPDATE gp_outcome SET delivery = 'sent', sent_at = ?, attempts = attempts + 1, last_error = '', retry_at = NULL
		WHERE id = ? AND delivery <> 'web'`, at.UTC(), id)
}

// MarkOutcomeFailed records a failed delivery and its next try. Errors:
// ENOTFOUND.
func (s *GPStore) MarkOutcomeFailed(ctx context.Context, id, why string, retryAt time.Time) error {
	return s.markOutcome(ctx, `UPDATE gp_outcome SET delivery = 'failed', attempts = attempts + 1, last_error = ?, retry_at = ?
		WHERE id = ? AND delivery IN ('pending', 'failed')`, why, retryAt.UTC(), id)
}

func (s *GPStore) markOutcome(ctx context.Context, q string, args ...any) error {
	return s.db.inTx(ctx, func(c conn) error {
		n, err := c.execN(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("mark outcome: %w", err)
		}
		if n == 0 {
			return waymark.Errorf(waymark.ENOTFOUND, "No outcome to deliver with this id")
		}
		return nil
	})
}

// Audit records an access to or change of a GP referral.
func (s *GPStore) Audit(ctx context.Context, e casework.AuditEvent) error {
	return s.db.inTx(ctx, func(c conn) error { return insertAudit(ctx, c, e) })
}
