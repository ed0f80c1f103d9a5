package casework

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // appointment days are London days wherever the server runs
	"unicode/utf8"

	"waymark"
)

var london = func() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err)
	}
	return l
}()

// NewClient is the result of adding a client: the record and any warning
// about a possible duplicate (same name and date of birth).
type NewClient struct {
	Client     *Client
	Duplicates []string // IDs of clients with the same name and date of birth
}

// CreateClient adds a client to a team the actor belongs to, waiting and
// allocated to the actor when they are a link worker who is not a lead. A
// same name and date of birth gives a warning unless confirmed is true.
// Errors: ENOTFOUND when not a member of the team; EINVALID; ECONFLICT when
// the NHS number is already held (Field "nhs_number"), or, unconfirmed, the
// name and date of birth match another client (Field "confirm").
func (s *Service) CreateClient(ctx context.Context, teamID string, c Client, confirmed bool) (*NewClient, error) {
	a := waymark.ActorFrom(ctx)
	if a.Anonymous() {
		return nil, waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in")
	}
	m, err := s.membership(ctx, teamID)
	if err != nil {
		return nil, err
	}
	if id := requestID(ctx); id != "" {
		if _, e := s.store.Entry(ctx, id); e == nil {
			return nil, waymark.Errorf(waymark.ECONFLICT, "This form was already sent")
		}
	}
	if err := c.Validate(s.today(), s.cfg.Postcodes); err != nil {
		return nil, err
	}
	if err := s.checkNHSNumber(ctx, c.NHSNumber, ""); err != nil {
		return nil, err
	}
	dups, err := s.store.SameNameAndBirth(ctx, c.GivenName, c.FamilyName, c.DateOfBirth, "")
	if err != nil {
		return nil, err
	}
	if len(dups) > 0 && !confirmed {
		return &NewClient{Duplicates: dups}, waymark.FieldErrorf(waymark.ECONFLICT, "confirm",
			"Someone with this name and date of birth already has a record. Check it is not the same person, then confirm")
	}
	now := s.now().UTC()
	c.ID, c.TeamID, c.Status, c.CreatedAt, c.UpdatedAt = s.cfg.NewID(), teamID, StatusWaiting, now, now
	if !m.Lead {
		c.LinkWorkerID = a.UserID
	}
	if err := s.store.CreateClient(ctx, &c, s.entry(ctx, c.ID, KindStatus, "Record created: waiting")); err != nil {
		if id := requestID(ctx); id != "" && waymark.ErrorCode(err) == waymark.ECONFLICT {
			if _, e := s.store.Entry(ctx, id); e == nil {
				return nil, err // the same form sent again
			}
		}
		if waymark.ErrorCode(err) == waymark.ECONFLICT {
			return nil, waymark.FieldErrorf(waymark.ECONFLICT, "nhs_number", "A client with this NHS number already has a record")
		}
		return nil, fmt.Errorf("create client: %w", err)
	}
	if err := s.audit(ctx, "client.create", c.ID, ""); err != nil {
		return nil, err
	}
	return &NewClient{Client: &c, Duplicates: dups}, nil
}

func (s *Service) checkNHSNumber(ctx context.Context, nhs, exceptID string) error {
	if nhs == "" {
		return nil
	}
	other, err := s.store.ClientByNHSNumber(ctx, nhs)
	switch {
	case waymark.ErrorCode(err) == waymark.ENOTFOUND:
		return nil
	case err != nil:
		return err
	case other.ID != exceptID:
		return waymark.FieldErrorf(waymark.ECONFLICT, "nhs_number", "A client with this NHS number already has a record")
	}
	return nil
}

// Client opens a client record; the read is audited. Errors: ENOTFOUND for
// people outside the client's team; EFORBIDDEN (NeedsBreakGlass) for
// administrators who have not broken the glass; EUNAUTHORIZED.
func (s *Service) Client(ctx context.Context, id string) (*Client, error) {
	ac, err := s.open(ctx, id)
	if err != nil {
		return nil, err
	}
	return ac.client, s.auditAccess(ctx, ac, "client.view", "")
}

// IsLead reports whether the actor leads the client's team (without auditing).
func (s *Service) IsLead(ctx context.Context, clientID string) bool {
	ac, err := s.open(ctx, clientID)
	return err == nil && ac.lead
}

// UpdateClient changes a client's details (not status, team or worker).
// Errors: as Client; EINVALID; ECONFLICT for an NHS number already held.
func (s *Service) UpdateClient(ctx context.Context, id string, c Client) error {
	ac, err := s.openWrite(ctx, id)
	if err != nil {
		return err
	}
	if err := c.Validate(s.today(), s.cfg.Postcodes); err != nil {
		return err
	}
	if err := s.checkNHSNumber(ctx, c.NHSNumber, id); err != nil {
		return err
	}
	old := ac.client
	c.ID, c.TeamID, c.LinkWorkerID, c.Status, c.CreatedAt = old.ID, old.TeamID, old.LinkWorkerID, old.Status, old.CreatedAt
	c.WhatMatters, c.DischargeReason, c.DischargeNote, c.DischargedAt = old.WhatMatters, old.DischargeReason, old.DischargeNote, old.DischargedAt
	c.ReferralReason, c.ReferredBy = old.ReferralReason, old.ReferredBy
	c.UpdatedAt = s.now().UTC()
	if err := s.store.UpdateClient(ctx, &c, s.entry(ctx, id, KindRecord, "Details updated")); err != nil {
		return fmt.Errorf("update client: %w", err)
	}
	return s.auditAccess(ctx, ac, "client.update", "")
}

// moves lists the allowed status changes.
var moves = map[Status][]Status{
	StatusWaiting:    {StatusActive, StatusOnHold, StatusDischarged},
	StatusActive:     {StatusOnHold, StatusDischarged},
	StatusOnHold:     {StatusActive, StatusDischarged},
	StatusDischarged: {StatusActive}, // reopening; the history stays
}

// SetStatus moves a client to waiting, active or on hold, or reopens a
// discharged client; discharging goes through Discharge. Errors: as
// Client; EINVALID for an impossible change.
func (s *Service) SetStatus(ctx context.Context, id string, to Status, note string) error {
	if to == StatusDischarged {
		return waymark.FieldErrorf(waymark.EINVALID, "status", "Discharge with a reason and a summary")
	}
	return s.move(ctx, id, to, "", note)
}

// Discharge discharges a client with a reason from DischargeReasons and a
// summary. Errors: as SetStatus; EINVALID without a reason or summary.
func (s *Service) Discharge(ctx context.Context, id, reason, summary string) error {
	if !known(DischargeReasons, reason) {
		return waymark.FieldErrorf(waymark.EINVALID, "reason", "Choose the reason for discharge")
	}
	summary = strings.TrimSpace(summary)
	if summary == "" || utf8.RuneCountInString(summary) > 4000 {
		return waymark.FieldErrorf(waymark.EINVALID, "summary", "Write a discharge summary, in 4000 characters or fewer")
	}
	return s.move(ctx, id, StatusDischarged, reason, summary)
}

func (s *Service) move(ctx context.Context, id string, to Status, reason, note string) error {
	ac, err := s.openWrite(ctx, id)
	if err != nil {
		return err
	}
	c := ac.client
	if !slices.Contains(moves[c.Status], to) {
		return waymark.FieldErrorf(waymark.EINVALID, "status", "A client who is %s cannot become %s", strings.ToLower(c.Status.Label()), strings.ToLower(to.Label()))
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > 4000 {
		return waymark.FieldErrorf(waymark.EINVALID, "note", "Write the note in 4000 characters or fewer")
	}
	from := c.Status
	now := s.now().UTC()
	c.Status, c.UpdatedAt = to, now
	summary := fmt.Sprintf("Status: %s to %s", strings.ToLower(from.Label()), strings.ToLower(to.Label()))
	if to == StatusDischarged {
		c.DischargeReason, c.DischargeNote, c.DischargedAt = reason, note, &now
		summary = "Discharged: " + DischargeReasonLabel(reason)
	} else if from == StatusDischarged {
		summary = "Reopened"
		c.DischargedAt = nil
	}
	e := s.entry(ctx, id, KindStatus, summary)
	e.Note = note
	if err := s.store.UpdateClient(ctx, c, e); err != nil {
		return fmt.Errorf("change status: %w", err)
	}
	return s.auditAccess(ctx, ac, "client.status", string(from)+" to "+string(to))
}

// Transfer gives a client to another link worker of the team (or "" to
// unallocate). Only team leads transfer. Errors: as Client; EFORBIDDEN;
// EINVALID when the worker is not in the team.
func (s *Service) Transfer(ctx context.Context, id, workerID string) error {
	ac, err := s.openWrite(ctx, id)
	if err != nil {
		return err
	}
	if !ac.lead {
		return waymark.Errorf(waymark.EFORBIDDEN, "Only team leads can move clients between link workers")
	}
	t, err := s.store.Team(ctx, ac.client.TeamID)
	if err != nil {
		return err
	}
	name := "nobody"
	if workerID != "" {
		i := slices.IndexFunc(t.Members, func(m Member) bool { return m.UserID == workerID })
		if i < 0 {
			return waymark.FieldErrorf(waymark.EINVALID, "worker", "Choose a member of the team")
		}
		name = t.Members[i].Name
	}
	c := ac.client
	c.LinkWorkerID, c.UpdatedAt = workerID, s.now().UTC()
	if err := s.store.UpdateClient(ctx, c, s.entry(ctx, id, KindStatus, "Allocated to "+name)); err != nil {
		return fmt.Errorf("transfer: %w", err)
	}
	return s.auditAccess(ctx, ac, "client.transfer", "to "+workerID)
}

// Caseload lists a team's clients: the actor's own (mine) or, for leads,
// the whole team's. Errors: ENOTFOUND when not a member; EFORBIDDEN for a
// team caseload by a non-lead.
func (s *Service) Caseload(ctx context.Context, f CaseloadFilter, mine bool) ([]CaseloadRow, error) {
	a := waymark.ActorFrom(ctx)
	if a.Anonymous() {
		return nil, waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in")
	}
	m, err := s.membership(ctx, f.TeamID)
	if err != nil {
		return nil, err
	}
	if mine {
		f.WorkerID = a.UserID
	} else if !m.Lead {
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "Only team leads see the whole team's caseload")
	}
	switch f.Sort {
	case SortNextAction, SortLastContact, SortName, SortStatus:
	default:
		f.Sort = SortNextAction
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 500
	}
	rows, err := s.store.Caseload(ctx, f)
	if err != nil {
		return nil, err
	}
	// One event for the list (the clients are the team's or the worker's
	// own), so each client's access log is not filled with caseload views.
	what := "own caseload"
	if !mine {
		what = "team caseload"
	}
	return rows, s.audit(ctx, "caseload.view", "", fmt.Sprintf("%s of team %s (%s)", what, f.TeamID, count(len(rows), "client")))
}

// count says how many of a thing: "1 client", "3 clients".
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// Search finds clients of the actor's teams by name, NHS number or date of
// birth. Errors: EINVALID for an empty query.
func (s *Service) Search(ctx context.Context, q SearchQuery) ([]CaseloadRow, error) {
	ms, err := s.MyTeams(ctx)
	if err != nil {
		return nil, err
	}
	q.Text = strings.TrimSpace(q.Text)
	if q.Text == "" && q.DateOfBirth == nil {
		return nil, waymark.FieldErrorf(waymark.EINVALID, "q", "Enter a name or NHS number, or a date of birth")
	}
	if n := NormaliseNHSNumber(q.Text); len(n) == 10 && strings.Trim(n, "0123456789") == "" {
		q.Text = n
	}
	if len(ms) == 0 {
		return nil, nil
	}
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.TeamID
	}
	rows, err := s.store.SearchClients(ctx, ids, q, 100)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, s.audit(ctx, "client.search", "", "no results")
	}
	// Each client found is a read of their record's details, audited by
	// client so that their access log shows who found them.
	actor, now := waymark.ActorFrom(ctx).UserID, s.now().UTC()
	es := make([]AuditEvent, len(rows))
	for i, r := range rows {
		es[i] = AuditEvent{ActorID: actor, Action: "client.search", Subject: "client " + r.ID, ClientID: r.ID,
			Detail: fmt.Sprintf("found by a search (%s)", count(len(rows), "result")), At: now}
	}
	if err := s.store.AuditAll(ctx, es); err != nil {
		return nil, fmt.Errorf("audit client.search: %w", err)
	}
	return rows, nil
}
