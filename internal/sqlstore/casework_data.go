package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"waymark/internal/casework"
	"waymark/internal/input"
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
	// The referrals' histories, read-only: the referral package writes them.
	err = eachRow(ctx, r, `SELECT CAST(referral_id AS TEXT), from_status, to_status, by_party, actor_name, note, at FROM referral_event
		WHERE referral_id IN (`+placeholders(len(ids))+`) ORDER BY seq`, anys(ids), func(row rowScanner) error {
		var id string
		var e casework.ReferralEvent
		if err := row.Scan(&id, &e.From, &e.To, &e.By, &e.ActorName, &e.Note, &e.At); err != nil {
			return err
		}
		e.ToLabel, e.At = referral.StatusLabel(referral.Status(e.To)), e.At.UTC()
		i := idx[id]
		out[i].Events = append(out[i].Events, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("referral events: %w", err)
	}
	return out, nil
}

// referralIDs lists the distinct referrals a client's timeline refers to.
func referralIDs(ctx context.Context, c conn, clientID string) ([]string, error) {
	ids, err := columnStrings(ctx, c, `SELECT DISTINCT ref_id FROM cw_entry WHERE client_id = ? AND kind = ? AND ref_id <> ''`,
		[]any{clientID, casework.KindReferral})
	if err != nil {
		return nil, fmt.Errorf("referral ids: %w", err)
	}
	return ids, nil
}

// EmailsTo lists the messages queued or sent to an address, oldest first:
// the emails to an email address, or the text messages to a mobile number
// (given in any form input.TextableMobile reads).
func (s *CaseworkStore) EmailsTo(ctx context.Context, address string) ([]casework.SentEmail, error) {
	var out []casework.SentEmail
	q := `SELECT to_address, subject, text_body, status, created_at FROM email_outbox WHERE to_address = ? ORDER BY seq`
	if mobile, ok := input.TextableMobile(address); ok {
		q, address = `SELECT phone, 'Text message', sms_body, status, created_at FROM email_outbox WHERE phone = ? ORDER BY seq`, mobile
	}
	err := eachRow(ctx, s.db.reader(), q, []any{address}, func(r rowScanner) error {
		var m casework.SentEmail
		err := r.Scan(&m.To, &m.Subject, &m.Text, &m.Status, &m.At)
		m.At = m.At.UTC()
		out = append(out, m)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("emails to client: %w", err)
	}
	return out, nil
}

// BreakGlassOf lists administrators' emergency accesses to a client, oldest first.
func (s *CaseworkStore) BreakGlassOf(ctx context.Context, clientID string) ([]casework.BreakGlass, error) {
	var out []casework.BreakGlass
	err := eachRow(ctx, s.db.reader(), `SELECT user_id, `+userName("user_id")+`, reason, at, expires_at FROM cw_break_glass WHERE client_id = ? ORDER BY seq`,
		[]any{clientID}, func(r rowScanner) error {
			var b casework.BreakGlass
			err := r.Scan(&b.UserID, &b.UserName, &b.Reason, &b.At, &b.ExpiresAt)
			b.At, b.ExpiresAt = b.At.UTC(), b.ExpiresAt.UTC()
			out = append(out, b)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("break glass of client: %w", err)
	}
	return out, nil
}

// DischargedBefore lists clients discharged before cutoff and not anonymised.
func (s *CaseworkStore) DischargedBefore(ctx context.Context, cutoff time.Time, limit int) ([]string, error) {
	ids, err := columnStrings(ctx, s.db.reader(), `SELECT id FROM cw_client WHERE discharged_at < ? AND status = ? AND anonymised_at IS NULL
		ORDER BY discharged_at, id LIMIT ?`, []any{cutoff.UTC(), casework.StatusDischarged, limit})
	if err != nil {
		return nil, fmt.Errorf("discharged before: %w", err)
	}
	return ids, nil
}

// month truncates a time to the first instant of its month, UTC.
func month(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// truncateToMonths rewrites the time columns of the rows a query selects
// (key first, then the columns) to the start of their months. It works row
// by row in Go so that both dialects store times the same way.
func truncateToMonths(ctx context.Context, c conn, table, key string, cols []string, where string, args ...any) error {
	type row struct {
		key   any
		times []sql.NullTime
	}
	var rows []row
	err := eachRow(ctx, c, `SELECT `+key+`, `+strings.Join(cols, ", ")+` FROM `+table+` WHERE `+where, args, func(r rowScanner) error {
		rw := row{times: make([]sql.NullTime, len(cols))}
		dest := []any{&rw.key}
		for i := range rw.times {
			dest = append(dest, &rw.times[i])
		}
		err := r.Scan(dest...)
		rows = append(rows, rw)
		return err
	})
	if err != nil {
		return fmt.Errorf("read %s times: %w", table, err)
	}
	set := strings.Join(cols, " = ?, ") + " = ?"
	for _, rw := range rows {
		args := make([]any, 0, len(cols)+1)
		for _, t := range rw.times {
			if t.Valid {
				args = append(args, month(t.Time))
			} else {
				args = append(args, nil)
			}
		}
		if err := c.exec(ctx, `UPDATE `+table+` SET `+set+` WHERE `+key+` = ?`, append(args, rw.key)...); err != nil {
			return fmt.Errorf("truncate %s times: %w", table, err)
		}
	}
	return nil
}

// AnonymiseClient anonymises a client discharged before cutoff, as
// casework.Service.AnonymiseDue describes, in one transaction with its
// timeline entry and audit event. It reports false when the client was
// reopened, discharged later or is already anonymised.
func (s *CaseworkStore) AnonymiseClient(ctx context.Context, clientID string, cutoff time.Time, e casework.Entry, ev casework.AuditEvent) (bool, error) {
	done := false
	err := s.db.inTx(ctx, func(c conn) error {
		var email, phone string
		err := c.queryRow(ctx, `SELECT email, phone FROM cw_client WHERE id = ? AND status = ? AND anonymised_at IS NULL AND discharged_at < ?`,
			clientID, casework.StatusDischarged, cutoff.UTC()).Scan(&email, &phone)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return fmt.Errorf("client to anonymise: %w", err)
		}
		refs, err := referralIDs(ctx, c, clientID)
		if err != nil {
			return err
		}
		stmts := []struct {
			q    string
			args []any
		}{
			{`UPDATE cw_client SET given_name = ?, family_name = ?, preferred_name = '', search_name = '', date_of_birth = '',
				nhs_number = NULL, address = '', postcode = '', phone = '', email = '', preferred_contact = '', interpreter = ?,
				language = '', accessible_formats = '', next_of_kin = '', ethnicity = '', gender = '', sexual_orientation = '',
				disability = '', what_matters = '', discharge_note = '', referral_reason = '', referred_by = '', next_action = '',
				next_action_due = NULL, anonymised_at = ? WHERE id = ?`,
				[]any{casework.AnonymisedGivenName, casework.AnonymisedFamilyName, false, e.At.UTC(), clientID}},
			{`UPDATE cw_entry SET summary = kind, note = '' WHERE client_id = ?`, []any{clientID}},
			{`DELETE FROM cw_amendment WHERE client_id = ?`, []any{clientID}},
			{`UPDATE cw_consent SET provider = '' WHERE client_id = ?`, []any{clientID}},
			{`UPDATE cw_goal SET words = '' WHERE client_id = ?`, []any{clientID}},
			{`UPDATE cw_action SET text = '', who = '', due = SUBSTR(due, 1, 8) || '01' WHERE client_id = ?`, []any{clientID}},
			{`UPDATE cw_appointment SET place = '' WHERE client_id = ?`, []any{clientID}},
			{`UPDATE cw_break_glass SET reason = '' WHERE client_id = ?`, []any{clientID}},
			{`UPDATE sp_incoming SET given_name = '', family_name = '', date_of_birth = '', nhs_number = '', postcode = '', phone = '',
				email = '', reason = '', referrer_name = '', referrer_email = '' WHERE client_id = ?`, []any{clientID}},
			{`UPDATE audit_event SET detail = '' WHERE client_id = ? AND action = 'client.break_glass'`, []any{clientID}},
		}
		if len(refs) > 0 {
			in := `(` + placeholders(len(refs)) + `)`
			stmts = append(stmts, []struct {
				q    string
				args []any
			}{
				{`UPDATE referral SET client_name = ?, client_email = '', client_phone = '', reason = '', answers = '[]' WHERE id IN ` + in,
					append([]any{casework.AnonymisedGivenName + " " + casework.AnonymisedFamilyName}, anys(refs)...)},
				{`UPDATE referral_message SET body = '' WHERE referral_id IN ` + in, anys(refs)},
				{`UPDATE referral_event SET note = '' WHERE referral_id IN ` + in, anys(refs)},
			}...)
		}
		if email != "" {
			stmts = append(stmts, struct {
				q    string
				args []any
			}{`DELETE FROM email_outbox WHERE to_address = ? AND status <> 'pending'`, []any{email}})
		}
		if mobile, ok := input.TextableMobile(phone); ok {
			stmts = append(stmts, struct {
				q    string
				args []any
			}{`DELETE FROM email_outbox WHERE phone = ? AND status <> 'pending'`, []any{mobile}})
		}
		for _, st := range stmts {
			if err := c.exec(ctx, st.q, st.args...); err != nil {
				return fmt.Errorf("anonymise: %w", err)
			}
		}
		for _, t := range []struct {
			table, key string
			cols       []string
			where      string
		}{
			{"cw_client", "id", []string{"created_at", "updated_at", "discharged_at", "last_contact_at"}, "id = ?"},
			{"cw_entry", "seq", []string{"at", "created_at", "amended_at"}, "client_id = ?"},
			{"cw_consent", "id", []string{"recorded_at", "withdrawn_at"}, "client_id = ?"},
			{"cw_goal", "id", []string{"created_at"}, "client_id = ?"},
			{"cw_goal_score", "seq", []string{"at"}, "goal_id IN (SELECT id FROM cw_goal WHERE client_id = ?)"},
			{"cw_action", "id", []string{"done_at"}, "client_id = ?"},
			{"cw_appointment", "id", []string{"starts_at", "reminder_sent_at"}, "client_id = ?"},
			{"cw_measure", "id", []string{"taken_at"}, "client_id = ?"},
		} {
			if err := truncateToMonths(ctx, c, t.table, t.key, t.cols, t.where, clientID); err != nil {
				return err
			}
		}
		if err := addEntry(ctx, c, e); err != nil {
			return err
		}
		if err := insertAudit(ctx, c, ev); err != nil {
			return fmt.Errorf("audit anonymisation: %w", err)
		}
		done = true
		return nil
	})
	return done, err
}
