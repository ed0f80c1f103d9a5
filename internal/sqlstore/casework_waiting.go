package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"waymark"
	"waymark/internal/casework"
)

// CreateIncoming stores a referral into a team.
func (s *CaseworkStore) CreateIncoming(ctx context.Context, in *casework.Incoming) error {
	return s.db.inTx(ctx, func(c conn) error {
		return c.exec(ctx, `INSERT INTO sp_incoming (id, team_id, source, status, given_name, family_name, date_of_birth, nhs_number,
			postcode, phone, email, preferred_contact, gp_practice, reason, referrer_id, referrer_name, referrer_email, consent,
			allocated_to, received_at) VALUES (`+placeholders(20)+`)`,
			in.ID, in.TeamID, in.Source, in.Status, in.GivenName, in.FamilyName, dateString(in.DateOfBirth), in.NHSNumber, in.Postcode,
			in.Phone, in.Email, in.PreferredContact, in.GPPractice, in.Reason, in.ReferrerID, in.ReferrerName, in.ReferrerEmail,
			in.Consent, in.AllocatedTo, in.ReceivedAt.UTC())
	})
}

// UpdateIncoming saves a referral's status, allocation and client.
func (s *CaseworkStore) UpdateIncoming(ctx context.Context, in *casework.Incoming) error {
	return s.db.inTx(ctx, func(c conn) error {
		return c.exec(ctx, `UPDATE sp_incoming SET status = ?, allocated_to = ?, client_id = ?, decline_reason = ?, decided_at = ? WHERE id = ?`,
			in.Status, in.AllocatedTo, in.ClientID, in.DeclineReason, nullTime(in.DecidedAt), in.ID)
	})
}

const incomingColumns = `id, team_id, source, status, given_name, family_name, date_of_birth, nhs_number, postcode, phone, email,
	preferred_contact, gp_practice, reason, referrer_id, referrer_name, referrer_email, consent, allocated_to, ` + "COALESCE((SELECT u.name FROM app_user u WHERE CAST(u.id AS TEXT) = sp_incoming.allocated_to), '')" + `,
	client_id, decline_reason, received_at, decided_at FROM sp_incoming`

func scanIncoming(r rowScanner) (casework.Incoming, error) {
	var in casework.Incoming
	var dob string
	var decided sql.NullTime
	err := r.Scan(&in.ID, &in.TeamID, &in.Source, &in.Status, &in.GivenName, &in.FamilyName, &dob, &in.NHSNumber, &in.Postcode,
		&in.Phone, &in.Email, &in.PreferredContact, &in.GPPractice, &in.Reason, &in.ReferrerID, &in.ReferrerName, &in.ReferrerEmail,
		&in.Consent, &in.AllocatedTo, &in.AllocatedName, &in.ClientID, &in.DeclineReason, &in.ReceivedAt, &decided)
	in.DateOfBirth, in.ReceivedAt, in.DecidedAt = parseDate(dob), in.ReceivedAt.UTC(), timePtr(decided)
	return in, err
}

// Incoming returns a referral into a team. Errors: ENOTFOUND.
func (s *CaseworkStore) Incoming(ctx context.Context, id string) (*casework.Incoming, error) {
	in, err := scanIncoming(s.db.reader().queryRow(ctx, `SELECT `+incomingColumns+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "Referral not found")
	} else if err != nil {
		return nil, fmt.Errorf("select incoming: %w", err)
	}
	return &in, nil
}

// WaitingList lists a team's waiting referrals, oldest first.
func (s *CaseworkStore) WaitingList(ctx context.Context, teamID string) ([]casework.Incoming, error) {
	return s.incomingWhere(ctx, `team_id = ? AND status = 'waiting'`, teamID)
}

// IncomingOf lists the referrals accepted into a client's record, oldest first.
func (s *CaseworkStore) IncomingOf(ctx context.Context, clientID string) ([]casework.Incoming, error) {
	return s.incomingWhere(ctx, `client_id = ?`, clientID)
}

func (s *CaseworkStore) incomingWhere(ctx context.Context, where, arg string) ([]casework.Incoming, error) {
	var out []casework.Incoming
	err := eachRow(ctx, s.db.reader(), `SELECT `+incomingColumns+` WHERE `+where+` ORDER BY received_at, id`,
		[]any{arg}, func(r rowScanner) error {
			in, err := scanIncoming(r)
			out = append(out, in)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("referrals in: %w", err)
	}
	return out, nil
}

func (s *CaseworkStore) teamBy(ctx context.Context, q, arg string) (string, error) {
	var id string
	err := s.db.readerIn(ctx).queryRow(ctx, q, arg).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", waymark.Errorf(waymark.ENOTFOUND, "No team serves this")
	}
	return id, err
}

// TeamByPractice finds the team serving a GP practice. Errors: ENOTFOUND.
func (s *CaseworkStore) TeamByPractice(ctx context.Context, ods string) (string, error) {
	return s.teamBy(ctx, `SELECT team_id FROM sp_team_practice WHERE ods_code = ?`, ods)
}

// TeamByArea finds the team serving a postcode district. Errors: ENOTFOUND.
func (s *CaseworkStore) TeamByArea(ctx context.Context, outward string) (string, error) {
	return s.teamBy(ctx, `SELECT team_id FROM sp_team_area WHERE outward = ?`, outward)
}

// AddArea records a postcode district a team serves. Errors: ECONFLICT.
func (s *CaseworkStore) AddArea(ctx context.Context, teamID, outward string) error {
	return s.db.inTx(ctx, func(c conn) error {
		return c.exec(ctx, `INSERT INTO sp_team_area (outward, team_id) VALUES (?, ?)`, outward, teamID)
	})
}

// teamAreas lists a team's postcode districts.
func teamAreas(ctx context.Context, c conn, teamID string) ([]string, error) {
	var out []string
	err := eachRow(ctx, c, `SELECT outward FROM sp_team_area WHERE team_id = ? ORDER BY outward`, []any{teamID}, func(r rowScanner) error {
		var o string
		err := r.Scan(&o)
		out = append(out, o)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("team areas: %w", err)
	}
	return out, nil
}
