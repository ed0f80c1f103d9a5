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
)

// CaseworkStore keeps social prescribing teams, client records, their
// timelines and the client audit log.
type CaseworkStore struct{ db *DB }

// NewCaseworkStore returns a CaseworkStore.
func NewCaseworkStore(db *DB) *CaseworkStore { return &CaseworkStore{db: db} }

var _ casework.Store = (*CaseworkStore)(nil)

// InTx runs fn in one transaction, as DB.InTx.
func (s *CaseworkStore) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, fn)
}

const dateLayout = "2006-01-02"

func dateString(t time.Time) string { return t.Format(dateLayout) }

func parseDate(s string) time.Time {
	t, _ := time.Parse(dateLayout, s)
	return t
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

// userName is the SQL for a user's name by a TEXT user id column.
func userName(col string) string {
	return `COALESCE((SELECT u.name FROM app_user u WHERE CAST(u.id AS TEXT) = ` + col + `), '')`
}

// ---- teams ----

// CreateTeam stores a team. Errors: ECONFLICT when the form that made it
// (the form token ctx carries) was sent before.
func (s *CaseworkStore) CreateTeam(ctx context.Context, t *casework.Team) error {
	return s.db.inTx(ctx, func(c conn) error {
		if err := claimFormToken(ctx, c, "team", t.ID, t.CreatedAt); err != nil {
			return err
		}
		return c.exec(ctx, `INSERT INTO sp_team (id, name, created_at) VALUES (?, ?, ?)`, t.ID, t.Name, t.CreatedAt.UTC())
	})
}

// Team returns a team with its members and practices. Errors: ENOTFOUND.
func (s *CaseworkStore) Team(ctx context.Context, id string) (*casework.Team, error) {
	r := s.db.reader()
	t := &casework.Team{}
	err := r.queryRow(ctx, `SELECT id, name, created_at FROM sp_team WHERE id = ?`, id).Scan(&t.ID, &t.Name, &t.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "Team not found")
	} else if err != nil {
		return nil, fmt.Errorf("select team: %w", err)
	}
	err = eachRow(ctx, r, `SELECT m.user_id, m.lead, u.name, u.email FROM sp_team_member m JOIN app_user u ON CAST(u.id AS TEXT) = m.user_id
		WHERE m.team_id = ? ORDER BY u.name`, []any{id}, func(row rowScanner) error {
		m := casework.Member{TeamID: id}
		err := row.Scan(&m.UserID, &m.Lead, &m.Name, &m.Email)
		t.Members = append(t.Members, m)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("select team members: %w", err)
	}
	err = eachRow(ctx, r, `SELECT ods_code, name FROM sp_team_practice WHERE team_id = ? ORDER BY name`, []any{id}, func(row rowScanner) error {
		var p casework.Practice
		err := row.Scan(&p.ODSCode, &p.Name)
		t.Practices = append(t.Practices, p)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("select team practices: %w", err)
	}
	if t.Areas, err = teamAreas(ctx, r, id); err != nil {
		return nil, err
	}
	return t, nil
}

// Teams lists every team by name, without members.
func (s *CaseworkStore) Teams(ctx context.Context) ([]casework.Team, error) {
	var out []casework.Team
	err := eachRow(ctx, s.db.reader(), `SELECT id, name, created_at FROM sp_team ORDER BY name, id`, nil, func(r rowScanner) error {
		var t casework.Team
		err := r.Scan(&t.ID, &t.Name, &t.CreatedAt)
		out = append(out, t)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	return out, nil
}

// SaveMember adds a member or changes their lead flag.
func (s *CaseworkStore) SaveMember(ctx context.Context, m casework.Member) error {
	return s.db.inTx(ctx, func(c conn) error {
		return c.exec(ctx, `INSERT INTO sp_team_member (team_id, user_id, lead) VALUES (?, ?, ?)
			ON CONFLICT (team_id, user_id) DO UPDATE SET lead = excluded.lead`, m.TeamID, m.UserID, m.Lead)
	})
}

// RemoveMember takes a user out of a team.
func (s *CaseworkStore) RemoveMember(ctx context.Context, teamID, userID string) error {
	return s.db.inTx(ctx, func(c conn) error {
		return c.exec(ctx, `DELETE FROM sp_team_member WHERE team_id = ? AND user_id = ?`, teamID, userID)
	})
}

// AddPractice adds a practice to a team. Errors: ECONFLICT when a team serves it.
func (s *CaseworkStore) AddPractice(ctx context.Context, teamID string, p casework.Practice) error {
	return s.db.inTx(ctx, func(c conn) error {
		return c.exec(ctx, `INSERT INTO sp_team_practice (ods_code, team_id, name) VALUES (?, ?, ?)`, p.ODSCode, teamID, p.Name)
	})
}

// MembershipsOf lists a user's teams.
func (s *CaseworkStore) MembershipsOf(ctx context.Context, userID string) ([]casework.Member, error) {
	var out []casework.Member
	err := eachRow(ctx, s.db.reader(), `SELECT m.team_id, m.lead, t.name FROM sp_team_member m JOIN sp_team t ON t.id = m.team_id
		WHERE m.user_id = ? ORDER BY t.name`, []any{userID}, func(r rowScanner) error {
		m := casework.Member{UserID: userID}
		var team string
		err := r.Scan(&m.TeamID, &m.Lead, &team)
		m.Name = team
		out = append(out, m)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("memberships: %w", err)
	}
	return out, nil
}

// UserIDByEmail finds a user by email. Errors: ENOTFOUND.
func (s *CaseworkStore) UserIDByEmail(ctx context.Context, email string) (string, error) {
	var id string
	err := s.db.reader().queryRow(ctx, `SELECT CAST(id AS TEXT) FROM app_user WHERE email = ?`, email).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", waymark.Errorf(waymark.ENOTFOUND, "No such user")
	}
	return id, err
}

// ---- clients ----

const clientColumns = `id, team_id, link_worker_id, status, given_name, family_name, preferred_name, date_of_birth,
	COALESCE(nhs_number, ''), address, postcode, phone, email, preferred_contact, gp_practice, interpreter, language,
	accessible_formats, next_of_kin, ethnicity, gender, sexual_orientation, disability, what_matters, discharge_reason,
	discharge_note, discharged_at, anonymised_at, last_contact_at, next_action_due, next_action, created_at, updated_at,
	referral_reason, referred_by`

func scanClient(r rowScanner) (*casework.Client, error) {
	c := &casework.Client{}
	var dob, formats string
	var discharged, anonymised, lastContact sql.NullTime
	var nextDue sql.NullString
	err := r.Scan(&c.ID, &c.TeamID, &c.LinkWorkerID, &c.Status, &c.GivenName, &c.FamilyName, &c.PreferredName, &dob,
		&c.NHSNumber, &c.Address, &c.Postcode, &c.Phone, &c.Email, &c.PreferredContact, &c.GPPractice, &c.Interpreter, &c.Language,
		&formats, &c.NextOfKin, &c.Ethnicity, &c.Gender, &c.SexualOrientation, &c.Disability, &c.WhatMatters, &c.DischargeReason,
		&c.DischargeNote, &discharged, &anonymised, &lastContact, &nextDue, &c.NextAction, &c.CreatedAt, &c.UpdatedAt,
		&c.ReferralReason, &c.ReferredBy)
	if err != nil {
		return nil, err
	}
	c.DateOfBirth = parseDate(dob)
	if formats != "" {
		c.AccessibleFormats = strings.Split(formats, ",")
	}
	c.DischargedAt, c.AnonymisedAt, c.LastContactAt = timePtr(discharged), timePtr(anonymised), timePtr(lastContact)
	if nextDue.Valid {
		d := parseDate(nextDue.String)
		c.NextActionDue = &d
	}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return c, nil
}

func searchName(c *casework.Client) string {
	return strings.ToLower(strings.Join(strings.Fields(c.FamilyName+" "+c.GivenName+" "+c.PreferredName), " "))
}

// CreateClient stores a new client and the first timeline entry.
// Errors: ECONFLICT for an NHS number already held.
func (s *CaseworkStore) CreateClient(ctx context.Context, cl *casework.Client, e casework.Entry) error {
	return s.db.inTx(ctx, func(c conn) error {
		err := c.exec(ctx, `INSERT INTO cw_client (id, team_id, link_worker_id, status, given_name, family_name, preferred_name,
			search_name, date_of_birth, nhs_number, address, postcode, phone, email, preferred_contact, gp_practice, interpreter,
			language, accessible_formats, next_of_kin, ethnicity, gender, sexual_orientation, disability, what_matters,
			created_at, updated_at, referral_reason, referred_by) VALUES (`+placeholders(29)+`)`,
			cl.ID, cl.TeamID, cl.LinkWorkerID, cl.Status, cl.GivenName, cl.FamilyName, cl.PreferredName, searchName(cl),
			dateString(cl.DateOfBirth), nullString(cl.NHSNumber), cl.Address, cl.Postcode, cl.Phone, cl.Email, cl.PreferredContact,
			cl.GPPractice, cl.Interpreter, cl.Language, strings.Join(cl.AccessibleFormats, ","), cl.NextOfKin, cl.Ethnicity,
			cl.Gender, cl.SexualOrientation, cl.Disability, cl.WhatMatters, cl.CreatedAt.UTC(), cl.UpdatedAt.UTC(),
			cl.ReferralReason, cl.ReferredBy)
		if err != nil {
			return err
		}
		return addEntry(ctx, c, e)
	})
}

// UpdateClient saves every field of a client and appends an entry.
func (s *CaseworkStore) UpdateClient(ctx context.Context, cl *casework.Client, e casework.Entry) error {
	return s.db.inTx(ctx, func(c conn) error {
		err := c.exec(ctx, `UPDATE cw_client SET link_worker_id = ?, status = ?, given_name = ?, family_name = ?, preferred_name = ?,
			search_name = ?, date_of_birth = ?, nhs_number = ?, address = ?, postcode = ?, phone = ?, email = ?, preferred_contact = ?,
			gp_practice = ?, interpreter = ?, language = ?, accessible_formats = ?, next_of_kin = ?, ethnicity = ?, gender = ?,
			sexual_orientation = ?, disability = ?, what_matters = ?, discharge_reason = ?, discharge_note = ?, discharged_at = ?,
			anonymised_at = ?, updated_at = ?, referral_reason = ?, referred_by = ? WHERE id = ?`,
			cl.LinkWorkerID, cl.Status, cl.GivenName, cl.FamilyName, cl.PreferredName, searchName(cl), dateString(cl.DateOfBirth),
			nullString(cl.NHSNumber), cl.Address, cl.Postcode, cl.Phone, cl.Email, cl.PreferredContact, cl.GPPractice, cl.Interpreter,
			cl.Language, strings.Join(cl.AccessibleFormats, ","), cl.NextOfKin, cl.Ethnicity, cl.Gender, cl.SexualOrientation,
			cl.Disability, cl.WhatMatters, cl.DischargeReason, cl.DischargeNote, nullTime(cl.DischargedAt), nullTime(cl.AnonymisedAt),
			cl.UpdatedAt.UTC(), cl.ReferralReason, cl.ReferredBy, cl.ID)
		if err != nil {
			return err
		}
		return addEntry(ctx, c, e)
	})
}

// Client returns a client with the allocated worker's name. Errors: ENOTFOUND.
func (s *CaseworkStore) Client(ctx context.Context, id string) (*casework.Client, error) {
	return s.clientWhere(ctx, "id = ?", id)
}

// ClientByNHSNumber finds a client by NHS number. Errors: ENOTFOUND.
func (s *CaseworkStore) ClientByNHSNumber(ctx context.Context, nhs string) (*casework.Client, error) {
	return s.clientWhere(ctx, "nhs_number = ?", nhs)
}

func (s *CaseworkStore) clientWhere(ctx context.Context, where string, arg any) (*casework.Client, error) {
	row := s.db.reader().queryRow(ctx, `SELECT `+clientColumns+`, `+userName("link_worker_id")+` FROM cw_client WHERE `+where, arg)
	var worker string
	c, err := scanClient(scanPlus{row, &worker})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "Client not found")
	} else if err != nil {
		return nil, fmt.Errorf("select client: %w", err)
	}
	c.WorkerName = worker
	return c, nil
}

// scanPlus scans a row with extra trailing columns.
type scanPlus struct {
	r     rowScanner
	extra *string
}

func (p scanPlus) Scan(dest ...any) error { return p.r.Scan(append(dest, p.extra)...) }

// SameNameAndBirth lists other clients with the name and date of birth.
func (s *CaseworkStore) SameNameAndBirth(ctx context.Context, given, family string, dob time.Time, exceptID string) ([]string, error) {
	var out []string
	err := eachRow(ctx, s.db.reader(), `SELECT id FROM cw_client WHERE date_of_birth = ? AND LOWER(given_name) = ? AND LOWER(family_name) = ? AND id <> ?`,
		[]any{dateString(dob), strings.ToLower(given), strings.ToLower(family), exceptID}, func(r rowScanner) error {
			var id string
			err := r.Scan(&id)
			out = append(out, id)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("same name and birth: %w", err)
	}
	return out, nil
}

// caseloadColumns are a caseload row's; the link workers' names are read
// afterwards, once per worker rather than once per row.
const caseloadColumns = `c.id, c.given_name, c.family_name, c.preferred_name, c.date_of_birth, COALESCE(c.nhs_number, ''), c.status,
	c.link_worker_id, c.last_contact_at, c.next_action_due, c.next_action FROM cw_client c`

func scanCaseload(r rowScanner) (casework.CaseloadRow, error) {
	var row casework.CaseloadRow
	var given, family, preferred, dob string
	var last sql.NullTime
	var due sql.NullString
	err := r.Scan(&row.ID, &given, &family, &preferred, &dob, &row.NHSNumber, &row.Status, &row.WorkerID,
		&last, &due, &row.NextAction)
	c := casework.Client{GivenName: given, FamilyName: family, PreferredName: preferred}
	row.Name, row.DateOfBirth, row.LastContactAt = c.Name(), parseDate(dob), timePtr(last)
	if due.Valid {
		d := parseDate(due.String)
		row.NextActionDue = &d
	}
	return row, err
}

// Caseload lists a team's (or one worker's) clients in the filter's order.
func (s *CaseworkStore) Caseload(ctx context.Context, f casework.CaseloadFilter) ([]casework.CaseloadRow, error) {
	where := []string{"c.team_id = ?", "c.anonymised_at IS NULL"}
	args := []any{f.TeamID}
	if f.WorkerID != "" {
		where = append(where, "c.link_worker_id = ?")
		args = append(args, f.WorkerID)
	}
	if len(f.Statuses) > 0 {
		where = append(where, "c.status IN ("+placeholders(len(f.Statuses))+")")
		for _, st := range f.Statuses {
			args = append(args, string(st))
		}
	}
	order := "CASE WHEN c.next_action_due IS NULL THEN 1 ELSE 0 END, c.next_action_due, c.search_name"
	switch f.Sort {
	case casework.SortLastContact:
		order = "CASE WHEN c.last_contact_at IS NULL THEN 0 ELSE 1 END, c.last_contact_at, c.search_name"
	case casework.SortName:
		order = "c.search_name"
	case casework.SortStatus:
		order = "CASE c.status WHEN 'waiting' THEN 0 WHEN 'active' THEN 1 WHEN 'on_hold' THEN 2 ELSE 3 END, c.search_name"
	}
	args = append(args, f.Limit)
	out, err := s.caseloadRows(ctx, `SELECT `+caseloadColumns+` WHERE `+strings.Join(where, " AND ")+` ORDER BY `+order+`, c.id LIMIT ?`, args)
	if err != nil {
		return nil, fmt.Errorf("caseload: %w", err)
	}
	return out, nil
}

// caseloadRows reads caseload rows, then their link workers' names.
func (s *CaseworkStore) caseloadRows(ctx context.Context, query string, args []any) ([]casework.CaseloadRow, error) {
	var out []casework.CaseloadRow
	r := s.db.reader()
	err := eachRow(ctx, r, query, args, func(r rowScanner) error {
		row, err := scanCaseload(r)
		out = append(out, row)
		return err
	})
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, row := range out {
		if row.WorkerID != "" {
			names[row.WorkerID] = ""
		}
	}
	if len(names) == 0 {
		return out, nil
	}
	ids := make([]string, 0, len(names))
	for id := range names {
		ids = append(ids, id)
	}
	err = eachRow(ctx, r, `SELECT CAST(id AS TEXT), name FROM app_user WHERE CAST(id AS TEXT) IN (`+placeholders(len(ids))+`)`, anys(ids),
		func(r rowScanner) error {
			var id, name string
			err := r.Scan(&id, &name)
			names[id] = name
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("link workers' names: %w", err)
	}
	for i := range out {
		out[i].WorkerName = names[out[i].WorkerID]
	}
	return out, nil
}

// SearchClients finds clients of the teams by NHS number (ten digits), by
// the start of any name, and by date of birth.
func (s *CaseworkStore) SearchClients(ctx context.Context, teamIDs []string, q casework.SearchQuery, limit int) ([]casework.CaseloadRow, error) {
	where := []string{"c.team_id IN (" + placeholders(len(teamIDs)) + ")", "c.anonymised_at IS NULL"}
	args := anys(teamIDs)
	if q.Text != "" {
		if len(q.Text) == 10 && strings.Trim(q.Text, "0123456789") == "" {
			where = append(where, "c.nhs_number = ?")
			args = append(args, q.Text)
		} else {
			for _, w := range strings.Fields(strings.ToLower(q.Text)) {
				w = strings.NewReplacer("%", "", "_", "").Replace(w)
				where = append(where, "(c.search_name LIKE ? OR c.search_name LIKE ?)")
				args = append(args, w+"%", "% "+w+"%")
			}
		}
	}
	if q.DateOfBirth != nil {
		where = append(where, "c.date_of_birth = ?")
		args = append(args, dateString(*q.DateOfBirth))
	}
	args = append(args, limit)
	out, err := s.caseloadRows(ctx, `SELECT `+caseloadColumns+` WHERE `+strings.Join(where, " AND ")+` ORDER BY c.search_name, c.id LIMIT ?`, args)
	if err != nil {
		return nil, fmt.Errorf("search clients: %w", err)
	}
	return out, nil
}

// ---- timeline ----

func addEntry(ctx context.Context, c conn, e casework.Entry) error {
	err := c.exec(ctx, `INSERT INTO cw_entry (id, client_id, kind, at, author_id, summary, note, contact_type, minutes, ref_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, e.ClientID, e.Kind, e.At.UTC(), e.AuthorID, e.Summary, e.Note, e.ContactType,
		e.Minutes, e.RefID, e.CreatedAt.UTC())
	if err != nil {
		return fmt.Errorf("insert timeline entry: %w", err)
	}
	if e.Kind == casework.KindContact {
		return c.exec(ctx, `UPDATE cw_client SET last_contact_at = (SELECT MAX(at) FROM cw_entry WHERE client_id = ? AND kind = 'contact') WHERE id = ?`,
			e.ClientID, e.ClientID)
	}
	return nil
}

// refreshNextAction recomputes a client's next action: the earliest open
// agreed action or coming appointment without an outcome.
func refreshNextAction(ctx context.Context, c conn, clientID string, now time.Time) error {
	var due sql.NullString
	var what string
	err := c.queryRow(ctx, `SELECT due, text FROM cw_action WHERE client_id = ? AND done_at IS NULL ORDER BY due LIMIT 1`, clientID).Scan(&due, &what)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("next action: %w", err)
	}
	var starts sql.NullTime
	err = c.queryRow(ctx, `SELECT starts_at FROM cw_appointment WHERE client_id = ? AND outcome = '' AND starts_at >= ? ORDER BY starts_at LIMIT 1`,
		clientID, now.UTC().Truncate(24*time.Hour)).Scan(&starts)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("next appointment: %w", err)
	}
	if starts.Valid {
		d := dateString(starts.Time.UTC())
		if !due.Valid || d < due.String {
			due, what = sql.NullString{String: d, Valid: true}, "Appointment"
		}
	}
	var v any
	if due.Valid {
		v = due.String
	}
	return c.exec(ctx, `UPDATE cw_client SET next_action_due = ?, next_action = ? WHERE id = ?`, v, what, clientID)
}

// AddEntry appends a timeline entry.
func (s *CaseworkStore) AddEntry(ctx context.Context, e casework.Entry) error {
	return s.db.inTx(ctx, func(c conn) error { return addEntry(ctx, c, e) })
}

const entryColumns = `id, client_id, kind, at, author_id, ` + `COALESCE((SELECT u.name FROM app_user u WHERE CAST(u.id AS TEXT) = cw_entry.author_id), '')` +
	`, summary, note, contact_type, minutes, ref_id, amended_at, created_at FROM cw_entry`

func scanEntry(r rowScanner) (casework.Entry, error) {
	var e casework.Entry
	var amended sql.NullTime
	err := r.Scan(&e.ID, &e.ClientID, &e.Kind, &e.At, &e.AuthorID, &e.AuthorName, &e.Summary, &e.Note, &e.ContactType, &e.Minutes,
		&e.RefID, &amended, &e.CreatedAt)
	e.At, e.CreatedAt, e.AmendedAt = e.At.UTC(), e.CreatedAt.UTC(), timePtr(amended)
	return e, err
}

// Entry returns a timeline entry. Errors: ENOTFOUND.
func (s *CaseworkStore) Entry(ctx context.Context, id string) (*casework.Entry, error) {
	e, err := scanEntry(s.db.reader().queryRow(ctx, `SELECT `+entryColumns+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "Entry not found")
	} else if err != nil {
		return nil, fmt.Errorf("select entry: %w", err)
	}
	return &e, nil
}

// Timeline returns a client's newest entries, of one kind or all.
func (s *CaseworkStore) Timeline(ctx context.Context, clientID, kind string, limit int) ([]casework.Entry, error) {
	q, args := `SELECT `+entryColumns+` WHERE client_id = ?`, []any{clientID}
	if kind != "" {
		q += ` AND kind = ?`
		args = append(args, kind)
	}
	args = append(args, limit)
	var out []casework.Entry
	err := eachRow(ctx, s.db.reader(), q+` ORDER BY at DESC, seq DESC LIMIT ?`, args, func(r rowScanner) error {
		e, err := scanEntry(r)
		out = append(out, e)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	return out, nil
}

// AmendEntry replaces a note and keeps the amendment.
func (s *CaseworkStore) AmendEntry(ctx context.Context, a casework.Amendment) error {
	return s.db.inTx(ctx, func(c conn) error {
		if err := c.exec(ctx, `INSERT INTO cw_amendment (entry_id, client_id, old_note, new_note, reason, author_id, at)
			SELECT id, client_id, ?, ?, ?, ?, ? FROM cw_entry WHERE id = ?`, a.OldNote, a.NewNote, a.Reason, a.AuthorID, a.At.UTC(), a.EntryID); err != nil {
			return fmt.Errorf("insert amendment: %w", err)
		}
		return c.exec(ctx, `UPDATE cw_entry SET note = ?, amended_at = ? WHERE id = ?`, a.NewNote, a.At.UTC(), a.EntryID)
	})
}

// Amendments lists a client's note amendments, oldest first.
func (s *CaseworkStore) Amendments(ctx context.Context, clientID string) ([]casework.Amendment, error) {
	var out []casework.Amendment
	err := eachRow(ctx, s.db.reader(), `SELECT entry_id, old_note, new_note, reason, author_id, `+userName("author_id")+`, at
		FROM cw_amendment WHERE client_id = ? ORDER BY seq`, []any{clientID}, func(r rowScanner) error {
		var a casework.Amendment
		err := r.Scan(&a.EntryID, &a.OldNote, &a.NewNote, &a.Reason, &a.AuthorID, &a.AuthorName, &a.At)
		a.At = a.At.UTC()
		out = append(out, a)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("amendments: %w", err)
	}
	return out, nil
}

// ---- consent, needs, plan ----

// AddConsent stores a consent and its entry.
func (s *CaseworkStore) AddConsent(ctx context.Context, cs casework.Consent, e casework.Entry) error {
	return s.db.inTx(ctx, func(c conn) error {
		if err := c.exec(ctx, `INSERT INTO cw_consent (id, client_id, kind, provider, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?)`,
			cs.ID, cs.ClientID, cs.Kind, cs.Provider, cs.RecordedBy, cs.RecordedAt.UTC()); err != nil {
			return fmt.Errorf("insert consent: %w", err)
		}
		return addEntry(ctx, c, e)
	})
}

// WithdrawConsent records a withdrawal and its entry.
func (s *CaseworkStore) WithdrawConsent(ctx context.Context, clientID, consentID, by string, at time.Time, e casework.Entry) error {
	return s.db.inTx(ctx, func(c conn) error {
		if err := c.exec(ctx, `UPDATE cw_consent SET withdrawn_at = ?, withdrawn_by = ? WHERE id = ? AND client_id = ? AND withdrawn_at IS NULL`,
			at.UTC(), by, consentID, clientID); err != nil {
			return fmt.Errorf("withdraw consent: %w", err)
		}
		return addEntry(ctx, c, e)
	})
}

// Consents lists a client's consents, oldest first.
func (s *CaseworkStore) Consents(ctx context.Context, clientID string) ([]casework.Consent, error) {
	var out []casework.Consent
	err := eachRow(ctx, s.db.reader(), `SELECT id, client_id, kind, provider, recorded_by, `+userName("recorded_by")+`, recorded_at, withdrawn_at, withdrawn_by
		FROM cw_consent WHERE client_id = ? ORDER BY recorded_at, id`, []any{clientID}, func(r rowScanner) error {
		var cs casework.Consent
		var withdrawn sql.NullTime
		err := r.Scan(&cs.ID, &cs.ClientID, &cs.Kind, &cs.Provider, &cs.RecordedBy, &cs.RecordedByName, &cs.RecordedAt, &withdrawn, &cs.WithdrawnBy)
		cs.RecordedAt, cs.WithdrawnAt = cs.RecordedAt.UTC(), timePtr(withdrawn)
		out = append(out, cs)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("consents: %w", err)
	}
	return out, nil
}

// SetNeeds replaces what matters and the needs.
func (s *CaseworkStore) SetNeeds(ctx context.Context, clientID, whatMatters string, needs []string, e casework.Entry) error {
	return s.db.inTx(ctx, func(c conn) error {
		if err := c.exec(ctx, `UPDATE cw_client SET what_matters = ? WHERE id = ?`, whatMatters, clientID); err != nil {
			return fmt.Errorf("set what matters: %w", err)
		}
		if err := c.exec(ctx, `DELETE FROM cw_need WHERE client_id = ?`, clientID); err != nil {
			return fmt.Errorf("clear needs: %w", err)
		}
		for _, n := range needs {
			if err := c.exec(ctx, `INSERT INTO cw_need (client_id, domain) VALUES (?, ?)`, clientID, n); err != nil {
				return fmt.Errorf("insert need: %w", err)
			}
		}
		return addEntry(ctx, c, e)
	})
}

// Needs lists a client's needs in the fixed list's order.
func (s *CaseworkStore) Needs(ctx context.Context, clientID string) ([]string, error) {
	have := map[string]bool{}
	err := eachRow(ctx, s.db.reader(), `SELECT domain FROM cw_need WHERE client_id = ?`, []any{clientID}, func(r rowScanner) error {
		var d string
		err := r.Scan(&d)
		have[d] = true
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("needs: %w", err)
	}
	var out []string
	for _, o := range casework.Needs {
		if have[o.Key] {
			out = append(out, o.Key)
		}
	}
	return out, nil
}

// AddGoal stores a goal with its first score.
func (s *CaseworkStore) AddGoal(ctx context.Context, g casework.Goal, e casework.Entry) error {
	return s.db.inTx(ctx, func(c conn) error {
		if err := c.exec(ctx, `INSERT INTO cw_goal (id, client_id, words, created_at) VALUES (?, ?, ?, ?)`, g.ID, g.ClientID, g.Words, g.CreatedAt.UTC()); err != nil {
			return fmt.Errorf("insert goal: %w", err)
		}
		for _, sc := range g.Scores {
			if err := c.exec(ctx, `INSERT INTO cw_goal_score (goal_id, score, at) VALUES (?, ?, ?)`, g.ID, sc.Score, sc.At.UTC()); err != nil {
				return fmt.Errorf("insert goal score: %w", err)
			}
		}
		return addEntry(ctx, c, e)
	})
}

// ScoreGoal adds a progress score.
func (s *CaseworkStore) ScoreGoal(ctx context.Context, clientID string, sc casework.GoalScore, e casework.Entry) error {
	return s.db.inTx(ctx, func(c conn) error {
		if err := c.exec(ctx, `INSERT INTO cw_goal_score (goal_id, score, at) SELECT id, ?, ? FROM cw_goal WHERE id = ? AND client_id = ?`,
			sc.Score, sc.At.UTC(), sc.GoalID, clientID); err != nil {
			return fmt.Errorf("insert goal score: %w", err)
		}
		return addEntry(ctx, c, e)
	})
}

// Goals lists a client's goals with their scores, oldest first.
func (s *CaseworkStore) Goals(ctx context.Context, clientID string) ([]casework.Goal, error) {
	var out []casework.Goal
	idx := map[string]int{}
	err := eachRow(ctx, s.db.reader(), `SELECT g.id, g.words, g.created_at, s.score, s.at FROM cw_goal g
		JOIN cw_goal_score s ON s.goal_id = g.id WHERE g.client_id = ? ORDER BY g.created_at, g.id, s.seq`, []any{clientID}, func(r rowScanner) error {
		var g casework.Goal
		var sc casework.GoalScore
		if err := r.Scan(&g.ID, &g.Words, &g.CreatedAt, &sc.Score, &sc.At); err != nil {
			return err
		}
		i, ok := idx[g.ID]
		if !ok {
			g.ClientID, g.CreatedAt = clientID, g.CreatedAt.UTC()
			out = append(out, g)
			i = len(out) - 1
			idx[g.ID] = i
		}
		sc.GoalID, sc.At = g.ID, sc.At.UTC()
		out[i].Scores = append(out[i].Scores, sc)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("goals: %w", err)
	}
	return out, nil
}

// AddAction stores an agreed action.
func (s *CaseworkStore) AddAction(ctx context.Context, a casework.Action, e casework.Entry) error {
	return s.db.inTx(ctx, func(c conn) error {
		if err := c.exec(ctx, `INSERT INTO cw_action (id, client_id, text, who, due) VALUES (?, ?, ?, ?, ?)`,
			a.ID, a.ClientID, a.Text, a.Who, dateString(a.Due)); err != nil {
			return fmt.Errorf("insert action: %w", err)
		}
		if err := addEntry(ctx, c, e); err != nil {
			return err
		}
		return refreshNextAction(ctx, c, a.ClientID, e.CreatedAt)
	})
}

// CompleteAction marks an action done.
func (s *CaseworkStore) CompleteAction(ctx context.Context, clientID, actionID string, at time.Time, e casework.Entry) error {
	return s.db.inTx(ctx, func(c conn) error {
		if err := c.exec(ctx, `UPDATE cw_action SET done_at = ? WHERE id = ? AND client_id = ? AND done_at IS NULL`, at.UTC(), actionID, clientID); err != nil {
			return fmt.Errorf("complete action: %w", err)
		}
		if err := addEntry(ctx, c, e); err != nil {
			return err
		}
		return refreshNextAction(ctx, c, clientID, at)
	})
}

// Actions lists a client's agreed actions: open ones by due date, then done.
func (s *CaseworkStore) Actions(ctx context.Context, clientID string) ([]casework.Action, error) {
	var out []casework.Action
	err := eachRow(ctx, s.db.reader(), `SELECT id, text, who, due, done_at FROM cw_action WHERE client_id = ?
		ORDER BY CASE WHEN done_at IS NULL THEN 0 ELSE 1 END, due, id`, []any{clientID}, func(r rowScanner) error {
		a := casework.Action{ClientID: clientID}
		var due string
		var done sql.NullTime
		err := r.Scan(&a.ID, &a.Text, &a.Who, &due, &done)
		a.Due, a.DoneAt = parseDate(due), timePtr(done)
		out = append(out, a)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("actions: %w", err)
	}
	return out, nil
}

// ---- appointments ----

// AddAppointment stores an appointment.
func (s *CaseworkStore) AddAppointment(ctx context.Context, a casework.Appointment, e casework.Entry) error {
	return s.db.inTx(ctx, func(c conn) error {
		if err := c.exec(ctx, `INSERT INTO cw_appointment (id, client_id, starts_at, mode, place, created_by) VALUES (?, ?, ?, ?, ?, ?)`,
			a.ID, a.ClientID, a.StartsAt.UTC(), a.Mode, a.Place, a.CreatedBy); err != nil {
			return fmt.Errorf("insert appointment: %w", err)
		}
		if err := addEntry(ctx, c, e); err != nil {
			return err
		}
		return refreshNextAction(ctx, c, a.ClientID, e.CreatedAt)
	})
}

// SetAttendance records whether the client attended.
func (s *CaseworkStore) SetAttendance(ctx context.Context, clientID, appointmentID, outcome string, e casework.Entry) error {
	return s.db.inTx(ctx, func(c conn) error {
		if err := c.exec(ctx, `UPDATE cw_appointment SET outcome = ? WHERE id = ? AND client_id = ?`, outcome, appointmentID, clientID); err != nil {
			return fmt.Errorf("set attendance: %w", err)
		}
		if err := addEntry(ctx, c, e); err != nil {
			return err
		}
		return refreshNextAction(ctx, c, clientID, e.CreatedAt)
	})
}

const appointmentColumns = `id, client_id, starts_at, mode, place, outcome, reminder_sent_at, created_by FROM cw_appointment`

func scanAppointment(r rowScanner) (casework.Appointment, error) {
	var a casework.Appointment
	var reminded sql.NullTime
	err := r.Scan(&a.ID, &a.ClientID, &a.StartsAt, &a.Mode, &a.Place, &a.Outcome, &reminded, &a.CreatedBy)
	a.StartsAt, a.ReminderSentAt = a.StartsAt.UTC(), timePtr(reminded)
	return a, err
}

func (s *CaseworkStore) appointments(ctx context.Context, where string, args ...any) ([]casework.Appointment, error) {
	var out []casework.Appointment
	err := eachRow(ctx, s.db.reader(), `SELECT `+appointmentColumns+` WHERE `+where+` ORDER BY starts_at DESC, id`, args, func(r rowScanner) error {
		a, err := scanAppointment(r)
		out = append(out, a)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("appointments: %w", err)
	}
	return out, nil
}

// Appointments lists a client's appointments, newest first.
func (s *CaseworkStore) Appointments(ctx context.Context, clientID string) ([]casework.Appointment, error) {
	return s.appointments(ctx, "client_id = ?", clientID)
}

// AppointmentsStarting lists unreminded appointments starting in [from, to).
func (s *CaseworkStore) AppointmentsStarting(ctx context.Context, from, to time.Time) ([]casework.Appointment, error) {
	return s.appointments(ctx, "starts_at >= ? AND starts_at < ? AND reminder_sent_at IS NULL AND outcome = ''", from.UTC(), to.UTC())
}

// MarkReminded claims an appointment's reminder.
func (s *CaseworkStore) MarkReminded(ctx context.Context, appointmentID string, at time.Time) (bool, error) {
	var won bool
	err := s.db.inTx(ctx, func(c conn) error {
		n, err := c.execN(ctx, `UPDATE cw_appointment SET reminder_sent_at = ? WHERE id = ? AND reminder_sent_at IS NULL`, at.UTC(), appointmentID)
		if err != nil {
			return fmt.Errorf("mark reminded: %w", err)
		}
		won = n == 1
		return nil
	})
	return won, err
}

// ---- measures ----

// AddMeasure stores a measure.
func (s *CaseworkStore) AddMeasure(ctx context.Context, m casework.Measure, e casework.Entry) error {
	return s.db.inTx(ctx, func(c conn) error {
		if err := c.exec(ctx, `INSERT INTO cw_measure (id, client_id, instrument, stage, scores, taken_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			m.ID, m.ClientID, m.Instrument, m.Stage, casework.EncodeScores(m.Scores), m.TakenAt.UTC(), m.RecordedBy); err != nil {
			return fmt.Errorf("insert measure: %w", err)
		}
		return addEntry(ctx, c, e)
	})
}

// Measures lists a client's measures, oldest first.
func (s *CaseworkStore) Measures(ctx context.Context, clientID string) ([]casework.Measure, error) {
	var out []casework.Measure
	err := eachRow(ctx, s.db.reader(), `SELECT id, instrument, stage, scores, taken_at, recorded_by FROM cw_measure WHERE client_id = ? ORDER BY taken_at, id`,
		[]any{clientID}, func(r rowScanner) error {
			m := casework.Measure{ClientID: clientID}
			var scores string
			if err := r.Scan(&m.ID, &m.Instrument, &m.Stage, &scores, &m.TakenAt, &m.RecordedBy); err != nil {
				return err
			}
			var err error
			m.TakenAt = m.TakenAt.UTC()
			m.Scores, err = casework.DecodeScores(scores)
			out = append(out, m)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("measures: %w", err)
	}
	return out, nil
}

// ---- audit ----

// Audit records an event.
func (s *CaseworkStore) Audit(ctx context.Context, e casework.AuditEvent) error {
	return s.db.inTx(ctx, func(c conn) error { return insertAudit(ctx, c, e) })
}

// AuditAll records several audit events in one transaction.
func (s *CaseworkStore) AuditAll(ctx context.Context, es []casework.AuditEvent) error {
	args := make([]any, 0, 6*len(es))
	for _, e := range es {
		args = append(args, e.ActorID, e.Action, e.Subject, e.Detail, e.ClientID, e.At.UTC())
	}
	return s.db.inTx(ctx, func(c conn) error {
		return insertRows(ctx, c, `INSERT INTO audit_event (actor_id, action, subject, detail, client_id, at)`, "", 6, args)
	})
}

func insertAudit(ctx context.Context, c conn, e casework.AuditEvent) error {
	return c.exec(ctx, `INSERT INTO audit_event (actor_id, action, subject, detail, client_id, at) VALUES (?, ?, ?, ?, ?, ?)`,
		e.ActorID, e.Action, e.Subject, e.Detail, e.ClientID, e.At.UTC())
}

// AuditEvents returns audit events, newest first, by actor email and client.
func (s *CaseworkStore) AuditEvents(ctx context.Context, f casework.AuditFilter) ([]casework.AuditEvent, error) {
	var where []string
	var args []any
	if f.ActorEmail != "" {
		where = append(where, "a.actor_id = (SELECT CAST(id AS TEXT) FROM app_user WHERE email = ?)")
		args = append(args, f.ActorEmail)
	}
	if f.ClientID != "" {
		where = append(where, "a.client_id = ?")
		args = append(args, f.ClientID)
	}
	q := `SELECT a.actor_id, ` + userName("a.actor_id") + `, a.action, a.subject, a.client_id, a.detail, a.at FROM audit_event a`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	args = append(args, f.Limit)
	var out []casework.AuditEvent
	err := eachRow(ctx, s.db.reader(), q+` ORDER BY a.seq DESC LIMIT ?`, args, func(r rowScanner) error {
		var e casework.AuditEvent
		err := r.Scan(&e.ActorID, &e.ActorName, &e.Action, &e.Subject, &e.ClientID, &e.Detail, &e.At)
		e.At = e.At.UTC()
		out = append(out, e)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("audit events: %w", err)
	}
	return out, nil
}

// BreakGlass records an administrator's emergency access.
func (s *CaseworkStore) BreakGlass(ctx context.Context, userID, clientID, reason string, at, until time.Time) error {
	return s.db.inTx(ctx, func(c conn) error {
		return c.exec(ctx, `INSERT INTO cw_break_glass (user_id, client_id, reason, at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			userID, clientID, reason, at.UTC(), until.UTC())
	})
}

// HasBrokenGlass reports whether the user has current emergency access.
func (s *CaseworkStore) HasBrokenGlass(ctx context.Context, userID, clientID string, now time.Time) (bool, error) {
	var n int
	err := s.db.reader().queryRow(ctx, `SELECT COUNT(*) FROM cw_break_glass WHERE user_id = ? AND client_id = ? AND expires_at > ?`,
		userID, clientID, now.UTC()).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("break glass: %w", err)
	}
	return n > 0, nil
}
