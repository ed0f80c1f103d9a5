package casework

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"waymark"
	"waymark/internal/email"
)

// Record is everything on a client's page.
type Record struct {
	Client       *Client
	Team         *Team
	Lead         bool // the reader leads the client's team
	BrokeGlass   bool // the reader is an administrator who broke the glass
	Timeline     []Entry
	Amendments   map[string][]Amendment // by entry ID, oldest first
	Consents     []Consent
	Needs        []string
	Goals        []Goal
	Actions      []Action
	Appointments []Appointment
	Measures     []Measure // oldest first
	// Referrals are the referrals made from the record, with their
	// history; what happened to them is also on Timeline.
	ReferralsMade []ReferralMade
}

// TimelineLimit is how many entries a record shows.
const TimelineLimit = 200

// Record opens a client's whole record, with the timeline of one kind or all
// (""), and audits the read once. Errors: as Client.
func (s *Service) Record(ctx context.Context, id, kind string) (*Record, error) {
	ac, err := s.open(ctx, id)
	if err != nil {
		return nil, err
	}
	if kind != "" && !known(EntryKinds, kind) {
		kind = ""
	}
	r := &Record{Client: ac.client, Lead: ac.lead, BrokeGlass: ac.glass}
	if r.Team, err = s.store.Team(ctx, ac.client.TeamID); err != nil {
		return nil, err
	}
	if r.Timeline, err = s.store.Timeline(ctx, id, kind, TimelineLimit); err != nil {
		return nil, err
	}
	amends, err := s.store.Amendments(ctx, id)
	if err != nil {
		return nil, err
	}
	r.Amendments = map[string][]Amendment{}
	for _, a := range amends {
		r.Amendments[a.EntryID] = append(r.Amendments[a.EntryID], a)
	}
	if r.Consents, err = s.store.Consents(ctx, id); err != nil {
		return nil, err
	}
	if r.Needs, err = s.store.Needs(ctx, id); err != nil {
		return nil, err
	}
	if r.Goals, err = s.store.Goals(ctx, id); err != nil {
		return nil, err
	}
	if r.Actions, err = s.store.Actions(ctx, id); err != nil {
		return nil, err
	}
	if r.Appointments, err = s.store.Appointments(ctx, id); err != nil {
		return nil, err
	}
	if r.Measures, err = s.store.Measures(ctx, id); err != nil {
		return nil, err
	}
	if r.ReferralsMade, err = s.store.ReferralsMade(ctx, id); err != nil {
		return nil, err
	}
	if kind == "" || kind == KindReferral {
		r.Timeline = withReferralNews(r.Timeline, r.ReferralsMade, len(r.Timeline) >= TimelineLimit)
	}
	return r, s.auditAccess(ctx, ac, "client.view", kind)
}

// HasConsent reports whether the record holds a current consent of kind
// (for ConsentShare, to share with the named provider, case-insensitive).
func (r *Record) HasConsent(kind, provider string) bool {
	return hasConsent(r.Consents, kind, provider)
}

func hasConsent(cs []Consent, kind, provider string) bool {
	for _, c := range cs {
		if c.Kind == kind && c.Current() && (kind != ConsentShare || strings.EqualFold(c.Provider, provider)) {
			return true
		}
	}
	return false
}

// Contact is a contact or case note to record.
type Contact struct {
	Type    string // ContactTypes key
	At      time.Time
	Minutes int
	Note    string
}

// AddContact records a contact with its case note. Errors: as Client; EINVALID.
func (s *Service) AddContact(ctx context.Context, clientID string, c Contact) (*Entry, error) {
	ac, err := s.openWrite(ctx, clientID)
	if err != nil {
		return nil, err
	}
	if !known(ContactTypes, c.Type) {
		return nil, waymark.FieldErrorf(waymark.EINVALID, "type", "Choose the type of contact")
	}
	if c.At.IsZero() || c.At.After(s.now().Add(time.Hour)) {
		return nil, waymark.FieldErrorf(waymark.EINVALID, "date", "Enter when the contact happened, today or before")
	}
	if c.Minutes < 0 || c.Minutes > 600 {
		return nil, waymark.FieldErrorf(waymark.EINVALID, "minutes", "Enter how long it took, in minutes, up to 600")
	}
	c.Note = strings.TrimSpace(c.Note)
	if c.Note == "" || utf8.RuneCountInString(c.Note) > 10000 {
		return nil, waymark.FieldErrorf(waymark.EINVALID, "note", "Write a note of the contact, in 10,000 characters or fewer")
	}
	e := s.entry(ctx, clientID, KindContact, ContactTypeLabel(c.Type)+" contact")
	e.At, e.ContactType, e.Minutes, e.Note = c.At.UTC(), c.Type, c.Minutes, c.Note
	if c.Minutes > 0 {
		e.Summary += fmt.Sprintf(", %d minutes", c.Minutes)
	}
	if err := s.store.AddEntry(ctx, e); err != nil {
		return nil, fmt.Errorf("add contact: %w", err)
	}
	return &e, s.auditAccess(ctx, ac, "client.contact", "")
}

// AmendNote changes a case note, keeping the old text with the reason.
// Errors: as Client; ENOTFOUND for an entry of another client; EINVALID
// for an entry without a note, no change or no reason.
func (s *Service) AmendNote(ctx context.Context, clientID, entryID, note, reason string) error {
	ac, err := s.openWrite(ctx, clientID)
	if err != nil {
		return err
	}
	e, err := s.store.Entry(ctx, entryID)
	if err != nil {
		return err
	}
	if e.ClientID != clientID {
		return waymark.Errorf(waymark.ENOTFOUND, "Entry not found")
	}
	if e.Kind != KindContact {
		return waymark.Errorf(waymark.EINVALID, "Only case notes can be amended")
	}
	note, reason = strings.TrimSpace(note), strings.TrimSpace(reason)
	switch {
	case note == "" || utf8.RuneCountInString(note) > 10000:
		return waymark.FieldErrorf(waymark.EINVALID, "note", "Write the note, in 10,000 characters or fewer")
	case note == e.Note:
		return waymark.FieldErrorf(waymark.EINVALID, "note", "Change the note, or cancel")
	case reason == "" || utf8.RuneCountInString(reason) > 500:
		return waymark.FieldErrorf(waymark.EINVALID, "reason", "Give the reason for the amendment, in 500 characters or fewer")
	}
	a := Amendment{EntryID: entryID, OldNote: e.Note, NewNote: note, Reason: reason, AuthorID: waymark.ActorFrom(ctx).UserID, At: s.now().UTC()}
	if err := s.store.AmendEntry(ctx, a); err != nil {
		return fmt.Errorf("amend note: %w", err)
	}
	return s.auditAccess(ctx, ac, "client.amend", "entry "+entryID)
}

// AddConsent records a consent the client gave. Errors: as Client; EINVALID.
func (s *Service) AddConsent(ctx context.Context, clientID, kind, provider string) error {
	ac, err := s.openWrite(ctx, clientID)
	if err != nil {
		return err
	}
	if !known(ConsentKinds, kind) {
		return waymark.FieldErrorf(waymark.EINVALID, "kind", "Choose what they consent to")
	}
	provider = strings.TrimSpace(provider)
	if kind == ConsentShare && (provider == "" || utf8.RuneCountInString(provider) > 200) {
		return waymark.FieldErrorf(waymark.EINVALID, "provider", "Name the provider they agree to share their details with")
	}
	if kind != ConsentShare {
		provider = ""
	}
	cs, err := s.store.Consents(ctx, clientID)
	if err != nil {
		return err
	}
	if hasConsent(cs, kind, provider) {
		return waymark.FieldErrorf(waymark.EINVALID, "kind", "This consent is already recorded")
	}
	now := s.now().UTC()
	c := Consent{ID: s.cfg.NewID(), ClientID: clientID, Kind: kind, Provider: provider, RecordedBy: waymark.ActorFrom(ctx).UserID, RecordedAt: now}
	summary := "Consent given: " + strings.ToLower(label(ConsentKinds, kind))
	if provider != "" {
		summary += " (" + provider + ")"
	}
	if err := s.store.AddConsent(ctx, c, s.entry(ctx, clientID, KindRecord, summary)); err != nil {
		return fmt.Errorf("add consent: %w", err)
	}
	return s.auditAccess(ctx, ac, "client.consent", kind)
}

// WithdrawConsent records that a consent was withdrawn; it is kept. Errors:
// as Client; ENOTFOUND; EINVALID when already withdrawn.
func (s *Service) WithdrawConsent(ctx context.Context, clientID, consentID string) error {
	ac, err := s.openWrite(ctx, clientID)
	if err != nil {
		return err
	}
	cs, err := s.store.Consents(ctx, clientID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(cs, func(c Consent) bool { return c.ID == consentID })
	if i < 0 {
		return waymark.Errorf(waymark.ENOTFOUND, "Consent not found")
	}
	if !cs[i].Current() {
		return waymark.Errorf(waymark.EINVALID, "This consent was already withdrawn")
	}
	e := s.entry(ctx, clientID, KindRecord, "Consent withdrawn: "+strings.ToLower(label(ConsentKinds, cs[i].Kind)))
	if err := s.store.WithdrawConsent(ctx, clientID, consentID, waymark.ActorFrom(ctx).UserID, s.now().UTC(), e); err != nil {
		return fmt.Errorf("withdraw consent: %w", err)
	}
	return s.auditAccess(ctx, ac, "client.consent_withdrawn", cs[i].Kind)
}

// SetWhatMatters records the "what matters to me" conversation and the
// client's needs by domain. Errors: as Client; EINVALID.
func (s *Service) SetWhatMatters(ctx context.Context, clientID, whatMatters string, needs []string) error {
	ac, err := s.openWrite(ctx, clientID)
	if err != nil {
		return err
	}
	whatMatters = strings.TrimSpace(whatMatters)
	if whatMatters == "" || utf8.RuneCountInString(whatMatters) > 4000 {
		return waymark.FieldErrorf(waymark.EINVALID, "what_matters", "Write what matters to them, in their words, in 4000 characters or fewer")
	}
	var labels []string
	var clean []string
	for _, n := range needs {
		if !known(Needs, n) {
			return waymark.FieldErrorf(waymark.EINVALID, "needs", "Choose needs from the list")
		}
		if !slices.Contains(clean, n) {
			clean = append(clean, n)
			labels = append(labels, strings.ToLower(NeedLabel(n)))
		}
	}
	summary := "What matters to me recorded"
	if len(labels) > 0 {
		summary += "; needs: " + strings.Join(labels, ", ")
	}
	e := s.entry(ctx, clientID, KindPlan, summary)
	e.Note = whatMatters
	if err := s.store.SetNeeds(ctx, clientID, whatMatters, clean, e); err != nil {
		return fmt.Errorf("set needs: %w", err)
	}
	return s.auditAccess(ctx, ac, "client.needs", "")
}

func checkScore(score int) error {
	if score < 1 || score > 10 {
		return waymark.FieldErrorf(waymark.EINVALID, "score", "Choose a progress score from 1 to 10")
	}
	return nil
}

// AddGoal adds a goal in the person's words with a first progress score.
// Errors: as Client; EINVALID.
func (s *Service) AddGoal(ctx context.Context, clientID, words string, score int) (*Goal, error) {
	ac, err := s.openWrite(ctx, clientID)
	if err != nil {
		return nil, err
	}
	words = strings.TrimSpace(words)
	if words == "" || utf8.RuneCountInString(words) > 500 {
		return nil, waymark.FieldErrorf(waymark.EINVALID, "words", "Write the goal in the person's words, in 500 characters or fewer")
	}
	if err := checkScore(score); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	g := Goal{ID: s.cfg.NewID(), ClientID: clientID, Words: words, CreatedAt: now, Scores: []GoalScore{{Score: score, At: now}}}
	g.Scores[0].GoalID = g.ID
	e := s.entry(ctx, clientID, KindGoal, fmt.Sprintf("Goal set: %q, progress %d out of 10", words, score))
	e.RefID = g.ID
	if err := s.store.AddGoal(ctx, g, e); err != nil {
		return nil, fmt.Errorf("add goal: %w", err)
	}
	return &g, s.auditAccess(ctx, ac, "client.goal", "")
}

// ScoreGoal records progress (1 to 10) on a goal. Errors: as Client;
// ENOTFOUND for another client's goal; EINVALID.
func (s *Service) ScoreGoal(ctx context.Context, clientID, goalID string, score int) error {
	ac, err := s.openWrite(ctx, clientID)
	if err != nil {
		return err
	}
	if err := checkScore(score); err != nil {
		return err
	}
	goals, err := s.store.Goals(ctx, clientID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(goals, func(g Goal) bool { return g.ID == goalID })
	if i < 0 {
		return waymark.Errorf(waymark.ENOTFOUND, "Goal not found")
	}
	e := s.entry(ctx, clientID, KindGoal, fmt.Sprintf("Progress on %q: %d out of 10 (was %d)", goals[i].Words, score, goals[i].Latest()))
	e.RefID = goalID
	if err := s.store.ScoreGoal(ctx, clientID, GoalScore{GoalID: goalID, Score: score, At: s.now().UTC()}, e); err != nil {
		return fmt.Errorf("score goal: %w", err)
	}
	return s.auditAccess(ctx, ac, "client.goal_progress", "")
}

// AddAction adds an agreed action to the plan. Errors: as Client; EINVALID.
func (s *Service) AddAction(ctx context.Context, clientID string, a Action) error {
	ac, err := s.openWrite(ctx, clientID)
	if err != nil {
		return err
	}
	a.Text, a.Who = strings.TrimSpace(a.Text), strings.TrimSpace(a.Who)
	switch {
	case a.Text == "" || utf8.RuneCountInString(a.Text) > 500:
		return waymark.FieldErrorf(waymark.EINVALID, "text", "Write the agreed action, in 500 characters or fewer")
	case a.Who == "" || utf8.RuneCountInString(a.Who) > 100:
		return waymark.FieldErrorf(waymark.EINVALID, "who", "Say who will do it")
	case a.Due.IsZero():
		return waymark.FieldErrorf(waymark.EINVALID, "due", "Enter a real date by which it is due")
	}
	a.ID, a.ClientID, a.DoneAt = s.cfg.NewID(), clientID, nil
	e := s.entry(ctx, clientID, KindPlan, fmt.Sprintf("Action agreed: %s (%s, by %s)", a.Text, a.Who, a.Due.Format("2 January 2006")))
	e.RefID = a.ID
	if err := s.store.AddAction(ctx, a, e); err != nil {
		return fmt.Errorf("add action: %w", err)
	}
	return s.auditAccess(ctx, ac, "client.action", "")
}

// CompleteAction marks an agreed action done. Errors: as Client; ENOTFOUND.
func (s *Service) CompleteAction(ctx context.Context, clientID, actionID string) error {
	ac, err := s.openWrite(ctx, clientID)
	if err != nil {
		return err
	}
	acts, err := s.store.Actions(ctx, clientID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(acts, func(a Action) bool { return a.ID == actionID })
	if i < 0 {
		return waymark.Errorf(waymark.ENOTFOUND, "Action not found")
	}
	if acts[i].DoneAt != nil {
		return nil // done already: sending the form twice changes nothing
	}
	e := s.entry(ctx, clientID, KindPlan, "Action done: "+acts[i].Text)
	e.RefID = actionID
	if err := s.store.CompleteAction(ctx, clientID, actionID, s.now().UTC(), e); err != nil {
		return fmt.Errorf("complete action: %w", err)
	}
	return s.auditAccess(ctx, ac, "client.action_done", "")
}

// AddAppointment books an appointment. Errors: as Client; EINVALID.
func (s *Service) AddAppointment(ctx context.Context, clientID string, a Appointment) (*Appointment, error) {
	ac, err := s.openWrite(ctx, clientID)
	if err != nil {
		return nil, err
	}
	a.Place = strings.TrimSpace(a.Place)
	switch {
	case a.StartsAt.IsZero():
		return nil, waymark.FieldErrorf(waymark.EINVALID, "date", "Enter the date and time of the appointment")
	case !known(AppointmentModes, a.Mode):
		return nil, waymark.FieldErrorf(waymark.EINVALID, "mode", "Choose how the appointment happens")
	case a.Place == "" || utf8.RuneCountInString(a.Place) > 300:
		return nil, waymark.FieldErrorf(waymark.EINVALID, "place", "Enter where it is, or the phone or video details, in 300 characters or fewer")
	}
	a.ID, a.ClientID, a.Outcome, a.ReminderSentAt, a.CreatedBy = s.cfg.NewID(), clientID, "", nil, waymark.ActorFrom(ctx).UserID
	e := s.entry(ctx, clientID, KindAppointment, fmt.Sprintf("Appointment booked: %s, %s (%s)",
		a.StartsAt.In(london).Format("Monday 2 January 2006 at 15:04"), label(AppointmentModes, a.Mode), a.Place))
	e.RefID = a.ID
	if err := s.store.AddAppointment(ctx, a, e); err != nil {
		return nil, fmt.Errorf("add appointment: %w", err)
	}
	return &a, s.auditAccess(ctx, ac, "client.appointment", "")
}

// RecordAttendance records whether the client attended. Errors: as Client;
// ENOTFOUND; EINVALID.
func (s *Service) RecordAttendance(ctx context.Context, clientID, appointmentID, outcome string) error {
	ac, err := s.openWrite(ctx, clientID)
	if err != nil {
		return err
	}
	if outcome != Attended && outcome != DidNotAttend {
		return waymark.FieldErrorf(waymark.EINVALID, "outcome", "Choose attended or did not attend")
	}
	apps, err := s.store.Appointments(ctx, clientID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(apps, func(a Appointment) bool { return a.ID == appointmentID })
	if i < 0 {
		return waymark.Errorf(waymark.ENOTFOUND, "Appointment not found")
	}
	if apps[i].Outcome == outcome {
		return nil
	}
	word := "Attended"
	if outcome == DidNotAttend {
		word = "Did not attend"
	}
	e := s.entry(ctx, clientID, KindAppointment, word+": appointment on "+apps[i].StartsAt.In(london).Format("2 January 2006 at 15:04"))
	e.RefID = appointmentID
	if err := s.store.SetAttendance(ctx, clientID, appointmentID, outcome, e); err != nil {
		return fmt.Errorf("record attendance: %w", err)
	}
	return s.auditAccess(ctx, ac, "client.attendance", outcome)
}

// AddMeasure records a completed ONS4 or SWEMWBS. Errors: as Client; EINVALID.
func (s *Service) AddMeasure(ctx context.Context, clientID string, m Measure) (*Measure, error) {
	ac, err := s.openWrite(ctx, clientID)
	if err != nil {
		return nil, err
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if m.TakenAt.IsZero() {
		m.TakenAt = s.now().UTC()
	}
	m.ID, m.ClientID, m.RecordedBy = s.cfg.NewID(), clientID, waymark.ActorFrom(ctx).UserID
	e := s.entry(ctx, clientID, KindMeasure, label(MeasureStages, m.Stage)+" "+m.Label())
	e.At, e.RefID = m.TakenAt, m.ID
	if err := s.store.AddMeasure(ctx, m, e); err != nil {
		return nil, fmt.Errorf("add measure: %w", err)
	}
	return &m, s.auditAccess(ctx, ac, "client.measure", m.Instrument)
}

// SendReminders reminds each client with an appointment tomorrow (a London
// day), once, by the way they prefer: an email when they prefer email, a
// text message when they prefer texts, each falling back to the other when
// the client has agreed to it too (clients who prefer phone calls or
// letters hear from their link worker). An email needs an address and
// consent to email; a text a mobile number (a landline gets none) and
// consent to texts. It is a scheduled job, safe to run on several
// instances.
func (s *Service) SendReminders(ctx context.Context, now time.Time) error {
	if s.cfg.Mail == nil {
		return nil
	}
	l := now.In(london)
	from := time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, london)
	to := from.AddDate(0, 0, 1)
	apps, err := s.store.AppointmentsStarting(ctx, from.UTC(), to.UTC())
	if err != nil {
		return fmt.Errorf("appointments due a reminder: %w", err)
	}
	for _, a := range apps {
		c, err := s.store.Client(ctx, a.ClientID)
		if err != nil {
			return err
		}
		cs, err := s.store.Consents(ctx, c.ID)
		if err != nil {
			return err
		}
		m := s.reminder(c, cs, a)
		if c.Status == StatusDischarged || m == nil {
			continue
		}
		// The claim, the message and the timeline entry commit together, so a
		// crash between them neither loses the reminder nor sends it twice.
		err = s.store.InTx(ctx, func(ctx context.Context) error {
			won, err := s.store.MarkReminded(ctx, a.ID, now.UTC())
			if err != nil || !won {
				return err
			}
			if err := s.cfg.Mail.Send(ctx, *m); err != nil {
				if waymark.ErrorCode(err) == waymark.EINVALID {
					s.cfg.Logger.Warn("appointment reminder not sendable", "appointment_id", a.ID)
					return nil // claimed, so not tried again
				}
				return fmt.Errorf("queue reminder: %w", err)
			}
			summary := "Reminder emailed for tomorrow's appointment"
			if m.Prefer == email.ChannelSMS {
				summary = "Reminder texted for tomorrow's appointment"
			}
			e := Entry{ID: s.cfg.NewID(), ClientID: c.ID, Kind: KindAppointment, At: now.UTC(), Summary: summary, RefID: a.ID, CreatedAt: now.UTC()}
			if err := s.store.AddEntry(ctx, e); err != nil {
				return fmt.Errorf("reminder entry: %w", err)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// reminder is the reminder of appointment a for client c, or nil when c
// prefers neither email nor texts or cannot get the one preferred.
func (s *Service) reminder(c *Client, cs []Consent, a Appointment) *email.Message {
	var where string
	switch a.Mode {
	case "phone":
		where = "by phone (" + a.Place + ")"
	case "video":
		where = "by video (" + a.Place + ")"
	default:
		where = "at " + a.Place
	}
	when := a.StartsAt.In(london)
	var m email.Message
	if c.Email != "" && hasConsent(cs, ConsentContactEmail, "") {
		m = email.Message{ID: s.cfg.NewID(), To: c.Email, Subject: "Your appointment tomorrow",
			Text: fmt.Sprintf("Hello %s,\n\nThis is a reminder of your appointment with your social prescribing link worker tomorrow, %s, %s.\n\nIf you cannot come, please let your link worker know.\n",
				c.Name(), when.Format("Monday 2 January at 15:04"), where)}
	}
	if hasConsent(cs, ConsentContactText, "") {
		// At most a first name: the place stays out of the text.
		sms := fmt.Sprintf("Waymark: Hello %s, a reminder: you see your link worker tomorrow at %s. If you cannot come, tell them (replies to this text are not read).",
			email.FirstName(c.Name()), when.Format("15:04"))
		m = m.Texted(c.Phone, sms, c.PreferredContact == "text")
	}
	m.About = "client:" + c.ID
	switch {
	case c.PreferredContact == "email" && m.To != "", c.PreferredContact == "text" && m.Phone != "":
		if m.ID == "" {
			m.ID = s.cfg.NewID()
		}
		return &m
	}
	return nil
}

// Entry returns one timeline entry of a client, for the amendment form,
// without auditing (the form's page already did). Errors: as Client;
// ENOTFOUND for another client's entry.
func (s *Service) Entry(ctx context.Context, clientID, entryID string) (*Entry, error) {
	if _, err := s.open(ctx, clientID); err != nil {
		return nil, err
	}
	e, err := s.store.Entry(ctx, entryID)
	if err != nil {
		return nil, err
	}
	if e.ClientID != clientID {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "Entry not found")
	}
	return e, nil
}

// ClientNeeds returns a client's needs, for the form that changes them,
// without auditing. Errors: as Client.
func (s *Service) ClientNeeds(ctx context.Context, clientID string) ([]string, error) {
	if _, err := s.open(ctx, clientID); err != nil {
		return nil, err
	}
	return s.store.Needs(ctx, clientID)
}
