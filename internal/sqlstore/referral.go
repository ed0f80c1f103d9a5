package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/email"
	"waymark/internal/referral"
)

// ReferralStore keeps referrals, their forms, events and messages. It
// implements referral.Store.
type ReferralStore struct {
	db *DB
}

// NewReferralStore returns a ReferralStore on db.
func NewReferralStore(db *DB) *ReferralStore { return &ReferralStore{db: db} }

var _ referral.Store = (*ReferralStore)(nil)

// insertEmails queues messages in the caller's transaction. A message that
// fails validation (such as a provider's mistyped address) is skipped, so it
// never blocks the change it reports.
func insertEmails(ctx context.Context, c conn, now time.Time, msgs []email.Message) error {
	for _, m := range msgs {
		if m.Validate() != nil {
			continue
		}
		if err := enqueue(ctx, c, m, now); err != nil {
			return err
		}
	}
	return nil
}

// Form returns a service's referral form, empty when it has none.
func (s *ReferralStore) Form(ctx context.Context, serviceID string) (*referral.Form, error) {
	f := &referral.Form{ServiceID: serviceID}
	var raw string
	err := s.db.reader().queryRow(ctx, `SELECT questions, updated_at FROM referral_form WHERE service_id = ?`, serviceID).Scan(&raw, &f.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return f, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read form of %s: %w", serviceID, err)
	}
	if err := json.Unmarshal([]byte(raw), &f.Questions); err != nil {
		return nil, fmt.Errorf("decode form of %s: %w", serviceID, err)
	}
	return f, nil
}

// SaveForm stores a service's referral form.
func (s *ReferralStore) SaveForm(ctx context.Context, f referral.Form) error {
	raw, err := json.Marshal(f.Questions)
	if err != nil {
		return fmt.Errorf("encode form: %w", err)
	}
	return s.db.inTx(ctx, func(c conn) error {
		return c.exec(ctx, `INSERT INTO referral_form (service_id, questions, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (service_id) DO UPDATE SET questions = excluded.questions, updated_at = excluded.updated_at`,
			f.ServiceID, string(raw), f.UpdatedAt)
	})
}

// CreateReferral stores a new referral with its first event and emails.
func (s *ReferralStore) CreateReferral(ctx context.Context, r *referral.Referral, e referral.Event, emails []email.Message) error {
	answers, err := json.Marshal(r.Answers)
	if err != nil {
		return fmt.Errorf("encode answers: %w", err)
	}
	if r.Answers == nil {
		answers = []byte("[]")
	}
	return s.db.inTx(ctx, func(c conn) error {
		err := c.exec(ctx, `INSERT INTO referral (id, reference, service_id, organization_id, source, status, referrer_id, referrer_name,
			referrer_email, client_name, client_email, client_phone, preferred_contact, consent, reason, answers, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, r.Reference, r.ServiceID, r.OrganizationID, string(r.Source), string(r.Status), r.ReferrerID, r.ReferrerName,
			r.ReferrerEmail, r.Client.Name, r.Client.Email, r.Client.Phone, r.Client.PreferredContact, r.Consent, r.Reason,
			string(answers), r.CreatedAt, r.UpdatedAt)
		if err != nil {
			return fmt.Errorf("insert referral: %w", err)
		}
		if err := claimFormToken(ctx, c, "referral", r.ID, r.CreatedAt); err != nil {
			return err
		}
		if err := insertEvent(ctx, c, e); err != nil {
			return err
		}
		return insertEmails(ctx, c, r.CreatedAt, emails)
	})
}

func insertEvent(ctx context.Context, c conn, e referral.Event) error {
	err := c.exec(ctx, `INSERT INTO referral_event (referral_id, from_status, to_status, by_party, actor_id, actor_name, note, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.ReferralID, string(e.From), string(e.To), string(e.By), e.ActorID, e.ActorName, e.Note, e.At)
	if err != nil {
		return fmt.Errorf("insert referral event: %w", err)
	}
	return nil
}

const referralColumns = `r.id, r.reference, r.service_id, r.organization_id, s.name, r.source, r.status, r.referrer_id, r.referrer_name,
	r.referrer_email, r.client_name, r.client_email, r.client_phone, r.preferred_contact, r.consent, r.reason, r.answers,
	r.decline_reason, r.attendance, r.created_at, r.updated_at, r.viewed_at, r.responded_at, r.reminders_sent,
	r.attendance_asked_at, r.rating_asked_at, r.score, r.met_needs, r.rated_at, r.provider_read_seq, r.referrer_read_seq,
	COALESCE((SELECT MAX(m.seq) FROM referral_message m WHERE m.referral_id = r.id AND m.from_party = 'referrer'), 0),
	COALESCE((SELECT MAX(m.seq) FROM referral_message m WHERE m.referral_id = r.id AND m.from_party = 'provider'), 0)`

func scanReferral(rs rowScanner) (*referral.Referral, error) {
	var r referral.Referral
	var src, status, attendance, answers string
	var viewed, responded, askedAtt, askedRate, rated sql.NullTime
	var met sql.NullBool
	var providerRead, referrerRead, fromReferrer, fromProvider int64
	err := rs.Scan(&r.ID, &r.Reference, &r.ServiceID, &r.OrganizationID, &r.ServiceName, &src, &status, &r.ReferrerID, &r.ReferrerName,
		&r.ReferrerEmail, &r.Client.Name, &r.Client.Email, &r.Client.Phone, &r.Client.PreferredContact, &r.Consent, &r.Reason, &answers,
		&r.DeclineReason, &attendance, &r.CreatedAt, &r.UpdatedAt, &viewed, &responded, &r.RemindersSent,
		&askedAtt, &askedRate, &r.Score, &met, &rated, &providerRead, &referrerRead, &fromReferrer, &fromProvider)
	if err != nil {
		return nil, err
	}
	r.UnreadByProvider, r.UnreadByReferrer = fromReferrer > providerRead, fromProvider > referrerRead
	r.Source, r.Status, r.Attendance = referral.Source(src), referral.Status(status), referral.Status(attendance)
	if err := json.Unmarshal([]byte(answers), &r.Answers); err != nil {
		return nil, fmt.Errorf("decode answers of referral %s: %w", r.ID, err)
	}
	r.ViewedAt, r.RespondedAt, r.AttendanceAskedAt = timePtr(viewed), timePtr(responded), timePtr(askedAtt)
	r.RatingAskedAt, r.RatedAt = timePtr(askedRate), timePtr(rated)
	if met.Valid {
		r.MetNeeds = &met.Bool
	}
	return &r, nil
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}

// FindReferral returns a referral. Errors: ENOTFOUND.
func (s *ReferralStore) FindReferral(ctx context.Context, id string) (*referral.Referral, error) {
	if uuid.Validate(id) != nil {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "There is no referral at this address")
	}
	row := s.db.reader().queryRow(ctx, `SELECT `+referralColumns+` FROM referral r JOIN service s ON s.id = r.service_id WHERE r.id = ?`, id)
	r, err := scanReferral(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "There is no referral at this address")
	}
	if err != nil {
		return nil, fmt.Errorf("read referral %s: %w", id, err)
	}
	return r, nil
}

// ListReferrals lists referrals, newest first.
func (s *ReferralStore) ListReferrals(ctx context.Context, f referral.Filter) ([]*referral.Referral, error) {
	var where []string
	var args []any
	if len(f.OrganizationIDs) > 0 {
		where = append(where, "r.organization_id IN ("+placeholders(len(f.OrganizationIDs))+")")
		args = append(args, anys(f.OrganizationIDs)...)
	}
	if f.ReferrerID != "" {
		where = append(where, "r.referrer_id = ?")
		args = append(args, f.ReferrerID)
	}
	if len(f.Statuses) > 0 {
		ss := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			ss[i] = string(st)
		}
		where = append(where, "r.status IN ("+placeholders(len(ss))+")")
		args = append(args, anys(ss)...)
	}
	q := `SELECT ` + referralColumns + ` FROM referral r JOIN service s ON s.id = r.service_id`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY r.created_at DESC, r.id"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	var out []*referral.Referral
	err := eachRow(ctx, s.db.reader(), q, args, func(rs rowScanner) error {
		r, err := scanReferral(rs)
		if err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list referrals: %w", err)
	}
	return out, nil
}

// SaveChange moves a referral between statuses with its event, the
// provider's first response, the service's streaks and the emails, in one
// transaction. ECONFLICT when the referral is no longer in c.From.
func (s *ReferralStore) SaveChange(ctx context.Context, c referral.Change) error {
	responded := c.From == referral.StatusSent && (c.To == referral.StatusAccepted || c.To == referral.StatusDeclined)
	attendance := ""
	if c.To == referral.StatusAttended || c.To == referral.StatusDidNotAttend {
		attendance = string(c.To)
	}
	return s.db.inTx(ctx, func(tx conn) error {
		n, err := tx.execN(ctx, `UPDATE referral SET status = ?, updated_at = ?,
			responded_at = CASE WHEN ? THEN ? ELSE responded_at END,
			decline_reason = CASE WHEN ? <> '' THEN ? ELSE decline_reason END,
			attendance = CASE WHEN ? <> '' THEN ? ELSE attendance END
			WHERE id = ? AND status = ?`,
			string(c.To), c.At, responded, c.At, c.DeclineReason, c.DeclineReason, attendance, attendance, c.ReferralID, string(c.From))
		if err != nil {
			return fmt.Errorf("update referral: %w", err)
		}
		if n != 1 {
			return waymark.Errorf(waymark.ECONFLICT, "This referral was changed by someone else meanwhile: look at it again")
		}
		if err := insertEvent(ctx, tx, c.Event); err != nil {
			return err
		}
		var streak string
		switch c.To {
		case referral.StatusAccepted:
			streak = "declines = 0, silent = 0"
		case referral.StatusDeclined:
			streak = "declines = referral_streak.declines + 1, silent = 0"
		case referral.StatusAutoDeclined:
			streak = "silent = referral_streak.silent + 1"
		}
		if streak != "" {
			ins := map[referral.Status][2]int{referral.StatusAccepted: {0, 0}, referral.StatusDeclined: {1, 0}, referral.StatusAutoDeclined: {0, 1}}[c.To]
			err := tx.exec(ctx, `INSERT INTO referral_streak (service_id, declines, silent)
				SELECT service_id, ?, ? FROM referral WHERE id = ?
				ON CONFLICT (service_id) DO UPDATE SET `+streak, ins[0], ins[1], c.ReferralID)
			if err != nil {
				return fmt.Errorf("update streak: %w", err)
			}
		}
		return insertEmails(ctx, tx, c.At, c.Emails)
	})
}

// MarkViewed records when the provider first opened a referral.
func (s *ReferralStore) MarkViewed(ctx context.Context, id string, at time.Time) error {
	return s.db.inTx(ctx, func(c conn) error {
		return c.exec(ctx, `UPDATE referral SET viewed_at = ? WHERE id = ? AND viewed_at IS NULL`, at, id)
	})
}

// MarkRead records that a party has read every message of a referral so far.
func (s *ReferralStore) MarkRead(ctx context.Context, id string, party referral.Party) error {
	col := "referrer_read_seq"
	if party == referral.PartyProvider {
		col = "provider_read_seq"
	}
	return s.db.inTx(ctx, func(c conn) error {
		return c.exec(ctx, `UPDATE referral SET `+col+` = COALESCE((SELECT MAX(seq) FROM referral_message WHERE referral_id = ?), 0) WHERE id = ?`, id, id)
	})
}

// Events returns a referral's status changes, oldest first.
func (s *ReferralStore) Events(ctx context.Context, id string) ([]referral.Event, error) {
	var out []referral.Event
	err := eachRow(ctx, s.db.reader(), `SELECT referral_id, from_status, to_status, by_party, actor_id, actor_name, note, at
		FROM referral_event WHERE referral_id = ? ORDER BY seq`, []any{id}, func(rs rowScanner) error {
		var e referral.Event
		var from, to, by string
		if err := rs.Scan(&e.ReferralID, &from, &to, &by, &e.ActorID, &e.ActorName, &e.Note, &e.At); err != nil {
			return err
		}
		e.From, e.To, e.By = referral.Status(from), referral.Status(to), referral.Party(by)
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("referral events: %w", err)
	}
	return out, nil
}

// Messages returns a referral's messages, oldest first.
func (s *ReferralStore) Messages(ctx context.Context, id string) ([]referral.Message, error) {
	var out []referral.Message
	err := eachRow(ctx, s.db.reader(), `SELECT id, referral_id, from_party, author_id, author_name, body, at
		FROM referral_message WHERE referral_id = ? ORDER BY seq`, []any{id}, func(rs rowScanner) error {
		var m referral.Message
		var from string
		if err := rs.Scan(&m.ID, &m.ReferralID, &from, &m.AuthorID, &m.AuthorName, &m.Body, &m.At); err != nil {
			return err
		}
		m.From = referral.Party(from)
		out = append(out, m)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("referral messages: %w", err)
	}
	return out, nil
}

// AddMessage stores a message and its notification emails.
func (s *ReferralStore) AddMessage(ctx context.Context, m referral.Message, emails []email.Message) error {
	return s.db.inTx(ctx, func(c conn) error {
		err := c.exec(ctx, `INSERT INTO referral_message (id, referral_id, from_party, author_id, author_name, body, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			m.ID, m.ReferralID, string(m.From), m.AuthorID, m.AuthorName, m.Body, m.At)
		if err != nil {
			return fmt.Errorf("insert message: %w", err)
		}
		if err := claimFormToken(ctx, c, "message", m.ReferralID, m.At); err != nil {
			return err
		}
		if err := c.exec(ctx, `UPDATE referral SET updated_at = ? WHERE id = ?`, m.At, m.ReferralID); err != nil {
			return fmt.Errorf("touch referral: %w", err)
		}
		return insertEmails(ctx, c, m.At, emails)
	})
}

// claim runs a conditional update and, if it changed a row, queues emails,
// in one transaction. It reports whether the update won.
func (s *ReferralStore) claim(ctx context.Context, at time.Time, emails []email.Message, query string, args ...any) (bool, error) {
	won := false
	err := s.db.inTx(ctx, func(c conn) error {
		n, err := c.execN(ctx, query, args...)
		if err != nil {
			return err
		}
		if n != 1 {
			return nil
		}
		won = true
		return insertEmails(ctx, c, at, emails)
	})
	return won, err
}

// ClaimReminder moves the count of reminders sent from from to to.
func (s *ReferralStore) ClaimReminder(ctx context.Context, id string, from, to int, at time.Time, emails []email.Message) (bool, error) {
	return s.claim(ctx, at, emails, `UPDATE referral SET reminders_sent = ? WHERE id = ? AND reminders_sent = ? AND status = 'sent'`, to, id, from)
}

// ClaimAttendanceAsk records that the provider was asked about attendance.
func (s *ReferralStore) ClaimAttendanceAsk(ctx context.Context, id string, at time.Time, emails []email.Message) (bool, error) {
	return s.claim(ctx, at, emails, `UPDATE referral SET attendance_asked_at = ? WHERE id = ? AND attendance_asked_at IS NULL
		AND (status = 'accepted' OR (status = 'closed' AND attendance = ''))`, at, id)
}

// SaveAttendance records the attendance of a closed referral that has
// none, with its event and emails, in one transaction. ECONFLICT when the
// referral is not closed or its attendance is known.
func (s *ReferralStore) SaveAttendance(ctx context.Context, c referral.Change) error {
	return s.db.inTx(ctx, func(tx conn) error {
		n, err := tx.execN(ctx, `UPDATE referral SET attendance = ?, updated_at = ? WHERE id = ? AND status = 'closed' AND attendance = ''`,
			string(c.To), c.At, c.ReferralID)
		if err != nil {
			return fmt.Errorf("update referral attendance: %w", err)
		}
		if n != 1 {
			return waymark.Errorf(waymark.ECONFLICT, "This referral was changed by someone else meanwhile: look at it again")
		}
		if err := insertEvent(ctx, tx, c.Event); err != nil {
			return err
		}
		return insertEmails(ctx, tx, c.At, c.Emails)
	})
}

// ClaimRatingAsk records that the person was asked to score the service.
func (s *ReferralStore) ClaimRatingAsk(ctx context.Context, id string, at time.Time, emails []email.Message) (bool, error) {
	return s.claim(ctx, at, emails, `UPDATE referral SET rating_asked_at = ? WHERE id = ? AND rating_asked_at IS NULL AND attendance = 'attended'`, at, id)
}

// ClaimStreak resets a service's streak of kind if it reached threshold.
func (s *ReferralStore) ClaimStreak(ctx context.Context, serviceID, kind string, threshold int) (bool, error) {
	if kind != "declines" && kind != "silent" {
		return false, fmt.Errorf("unknown streak %q", kind)
	}
	// No emails go with it, so no time is needed.
	return s.claim(ctx, time.Time{}, nil, `UPDATE referral_streak SET `+kind+` = 0 WHERE service_id = ? AND `+kind+` >= ?`, serviceID, threshold)
}

// Streaks lists services whose declines or silent streak reached its
// threshold (a threshold of 0 or less is off).
func (s *ReferralStore) Streaks(ctx context.Context, declines, silent int) ([]referral.Streak, error) {
	if declines <= 0 {
		declines = 1 << 30
	}
	if silent <= 0 {
		silent = 1 << 30
	}
	var out []referral.Streak
	err := eachRow(ctx, s.db.reader(), `SELECT service_id, declines, silent FROM referral_streak WHERE declines >= ? OR silent >= ? ORDER BY service_id`,
		[]any{declines, silent}, func(rs rowScanner) error {
			var st referral.Streak
			err := rs.Scan(&st.ServiceID, &st.Declines, &st.Silent)
			out = append(out, st)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("referral streaks: %w", err)
	}
	return out, nil
}

// SaveRating stores the person's score once; false when already rated.
func (s *ReferralStore) SaveRating(ctx context.Context, id string, score int, metNeeds bool, at time.Time) (bool, error) {
	return s.claim(ctx, at, nil, `UPDATE referral SET score = ?, met_needs = ?, rated_at = ? WHERE id = ? AND rated_at IS NULL`, score, metNeeds, at, id)
}

// Notify queues an email on its own, at at.
func (s *ReferralStore) Notify(ctx context.Context, m email.Message, at time.Time) error {
	return s.db.inTx(ctx, func(c conn) error { return insertEmails(ctx, c, at.UTC(), []email.Message{m}) })
}

// Facts returns what a service's statistics need of each referral to it.
func (s *ReferralStore) Facts(ctx context.Context, serviceID string) ([]referral.Fact, error) {
	var out []referral.Fact
	err := eachRow(ctx, s.db.reader(), `SELECT status, attendance, created_at, responded_at, score, met_needs FROM referral WHERE service_id = ?`,
		[]any{serviceID}, func(rs rowScanner) error {
			var f referral.Fact
			var status, att string
			var responded sql.NullTime
			var met sql.NullBool
			if err := rs.Scan(&status, &att, &f.CreatedAt, &responded, &f.Score, &met); err != nil {
				return err
			}
			f.Status, f.Attendance, f.RespondedAt = referral.Status(status), referral.Status(att), timePtr(responded)
			if met.Valid {
				f.MetNeeds = &met.Bool
			}
			out = append(out, f)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("referral facts: %w", err)
	}
	return out, nil
}

// AuditList records that someone saw a list of referrals: one event naming
// every referral shown, by ID.
func (s *ReferralStore) AuditList(ctx context.Context, actorID, what string, ids []string, at time.Time) error {
	return s.db.inTx(ctx, func(c conn) error {
		return c.exec(ctx, `INSERT INTO audit_event (actor_id, action, subject, detail, at) VALUES (?, ?, ?, ?, ?)`,
			actorID, "list referrals", "referrals:"+strings.Join(ids, ","), what, at)
	})
}

// AuditView records that someone looked at a referral.
func (s *ReferralStore) AuditView(ctx context.Context, v referral.View) error {
	return s.db.inTx(ctx, func(c conn) error {
		return c.exec(ctx, `INSERT INTO audit_event (actor_id, action, subject, detail, at) VALUES (?, ?, ?, ?, ?)`,
			v.ActorID, "view referral", "referral:"+v.ReferralID, v.What, v.At)
	})
}
