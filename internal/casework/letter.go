package casework

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"waymark"
)

// ReferralMade is a referral made from a client's record (a timeline entry
// of KindReferral whose RefID is the referral), as the provider holds it.
type ReferralMade struct {
	ID            string
	Reference     string
	Service       string
	Organisation  string
	Status        string // the referral's status key
	StatusLabel   string // filled by the store from the referral package
	DeclineReason string // the provider's reason, as a label, when declined
	SentAt        time.Time
	UpdatedAt     time.Time

	// What was shared with the provider, for subject access.
	SharedName  string
	SharedEmail string
	SharedPhone string
	Reason      string
	Messages    []ReferralMessage // oldest first
	Events      []ReferralEvent   // every change of status, oldest first
}

// ReferralEvent is one change of a referral's status, as the referral's own
// history holds it: to what, when, and who made it.
type ReferralEvent struct {
	From, To  string // status keys; From is "" for the referral being sent
	ToLabel   string // the new status for people, filled by the store
	By        string // the party: "provider", "referrer" or "system"
	ActorName string // the person, when there was one
	Note      string // the provider's reason, when declined
	At        time.Time
}

// Outcome is the referral's status for people, with the reason when declined.
func (r ReferralMade) Outcome() string {
	if r.DeclineReason != "" {
		return r.StatusLabel + ": " + strings.ToLower(r.DeclineReason)
	}
	return r.StatusLabel
}

// ReferralMessage is one message in a referral's thread.
type ReferralMessage struct {
	From   string // provider or referrer
	Author string
	Body   string
	At     time.Time
}

// LetterGoal is a goal with its first and latest progress scores.
type LetterGoal struct {
	Words           string
	First, Latest   int
	FirstAt, LastAt time.Time
	Scores          int // how many scores were recorded
}

// MeasureSummary is one instrument's first and latest results: for ONS4 a
// row per question with its bands, for SWEMWBS the metric score.
type MeasureSummary struct {
	Instrument      string // ONS4 or SWEMWBS
	Name            string
	FirstAt, LastAt time.Time
	Count           int
	Rows            []Change
}

// Letter section codes, in the order of the PRSB social prescribing
// standard's discharge headings. A FHIR rendering uses them as the
// Composition's section codes.
const (
	SectionReason      = "reason_for_referral"
	SectionWhatMatters = "what_matters"
	SectionNeeds       = "needs"
	SectionPlan        = "plan_and_goals"
	SectionReferrals   = "referrals"
	SectionMeasures    = "outcome_measures"
	SectionDischarge   = "discharge"
)

// Letter is the discharge letter back to the client's GP practice and to
// whoever referred them, with the headings of the PRSB social prescribing
// information standard. It is composed from the record when asked for, so
// it always reflects the record; Sections gives it as titled plain text
// (for a FHIR Composition), the web renders it as a printable page.
type Letter struct {
	ClientID string
	Written  time.Time // when it was composed

	// Who it is about.
	Name        string
	DateOfBirth time.Time
	NHSNumber   string
	Address     string
	Postcode    string

	// Who it goes to.
	Practice   Practice // the GP practice; Name "" when the team does not serve it
	ReferredBy string

	// Who it is from.
	Team       string
	LinkWorker string

	ReasonForReferral string
	WhatMatters       string
	Needs             []string // labels, in the fixed list's order
	Goals             []LetterGoal
	Actions           []Action
	Referrals         []ReferralMade
	Measures          []MeasureSummary // ONS4 then SWEMWBS, each when taken

	DischargedAt     time.Time
	DischargeReason  string // a DischargeReasons key
	DischargeSummary string
}

// DischargeReasonLabel is the discharge reason for people.
func (l *Letter) DischargeReasonLabel() string { return DischargeReasonLabel(l.DischargeReason) }

// LetterSection is one heading of the letter with its text as lines.
type LetterSection struct {
	Code  string
	Title string
	Lines []string
}

// Sections is the letter as titled plain text, in the standard's order.
// Empty headings say that nothing was recorded rather than disappear.
func (l *Letter) Sections() []LetterSection {
	none := func(lines []string) []string {
		if len(lines) == 0 {
			return []string{"None recorded."}
		}
		return lines
	}
	var plan []string
	for _, g := range l.Goals {
		line := fmt.Sprintf("Goal: %s. Progress %d out of 10 at first", g.Words, g.First)
		if g.Scores > 1 {
			line += fmt.Sprintf(", %d out of 10 at the latest (%s)", g.Latest, g.LastAt.In(london).Format("2 January 2006"))
		}
		plan = append(plan, line+".")
	}
	for _, a := range l.Actions {
		state := "open"
		if a.DoneAt != nil {
			state = "done"
		}
		plan = append(plan, fmt.Sprintf("Agreed action: %s (%s, by %s): %s.", a.Text, a.Who, a.Due.Format("2 January 2006"), state))
	}
	var refs []string
	for _, r := range l.Referrals {
		refs = append(refs, fmt.Sprintf("%s (%s), referred %s: %s.", r.Service, r.Organisation, r.SentAt.In(london).Format("2 January 2006"), r.Outcome()))
	}
	var measures []string
	for _, m := range l.Measures {
		when := fmt.Sprintf("%s, first on %s", m.Name, m.FirstAt.In(london).Format("2 January 2006"))
		if m.Count > 1 {
			when += fmt.Sprintf(", latest on %s (%d taken)", m.LastAt.In(london).Format("2 January 2006"), m.Count)
		}
		measures = append(measures, when+":")
		for _, c := range m.Rows {
			line := c.Name + ": " + fmt.Sprintf(c.Format, c.First)
			if c.FirstBand != "" {
				line += " (" + c.FirstBand + ")"
			}
			line += " to " + fmt.Sprintf(c.Format, c.Latest)
			if c.LatestBand != "" {
				line += " (" + c.LatestBand + ")"
			}
			measures = append(measures, line+".")
		}
	}
	var needs []string
	if len(l.Needs) > 0 {
		needs = []string{strings.Join(l.Needs, ", ") + "."}
	}
	return []LetterSection{
		{SectionReason, "Reason for referral", none(nonEmpty(l.ReasonForReferral))},
		{SectionWhatMatters, "What matters to the person", none(nonEmpty(l.WhatMatters))},
		{SectionNeeds, "Needs", none(needs)},
		{SectionPlan, "Plan and goals", none(plan)},
		{SectionReferrals, "Referrals made and their outcomes", none(refs)},
		{SectionMeasures, "Outcome measures, first and latest", none(measures)},
		{SectionDischarge, "Discharge", []string{"Reason: " + l.DischargeReasonLabel() + ".", l.DischargeSummary}},
	}
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// summariseMeasures gives each instrument's first and latest results.
func summariseMeasures(ms []Measure) []MeasureSummary {
	var out []MeasureSummary
	for _, inst := range []struct{ key, name string }{{ONS4, "ONS4 personal wellbeing"}, {SWEMWBS, "SWEMWBS mental wellbeing"}} {
		var of []Measure
		for _, m := range ms {
			if m.Instrument == inst.key {
				of = append(of, m)
			}
		}
		if len(of) == 0 {
			continue
		}
		out = append(out, MeasureSummary{Instrument: inst.key, Name: inst.name, FirstAt: of[0].TakenAt, LastAt: of[len(of)-1].TakenAt,
			Count: len(of), Rows: Changes(of)})
	}
	return out
}

// DischargeLetter composes the discharge letter of a discharged client and
// audits the read. Errors: as Client; EINVALID when the client is not
// discharged or the record was anonymised.
func (s *Service) DischargeLetter(ctx context.Context, clientID string) (*Letter, error) {
	ac, err := s.open(ctx, clientID)
	if err != nil {
		return nil, err
	}
	c := ac.client
	switch {
	case c.AnonymisedAt != nil:
		return nil, waymark.Errorf(waymark.EINVALID, "This record has been anonymised")
	case c.Status != StatusDischarged || c.DischargedAt == nil:
		return nil, waymark.Errorf(waymark.EINVALID, "The discharge letter is written when the person is discharged")
	}
	l, err := s.compose(ctx, c)
	if err != nil {
		return nil, err
	}
	return l, s.auditAccess(ctx, ac, "client.letter", "")
}

// compose writes the discharge letter of a discharged client from the
// record, without checking access or auditing.
func (s *Service) compose(ctx context.Context, c *Client) (*Letter, error) {
	l := &Letter{ClientID: c.ID, Written: s.now().UTC(), Name: c.GivenName + " " + c.FamilyName, DateOfBirth: c.DateOfBirth,
		NHSNumber: c.NHSNumber, Address: c.Address, Postcode: c.Postcode, Practice: Practice{ODSCode: c.GPPractice},
		ReferredBy: c.ReferredBy, LinkWorker: c.WorkerName, ReasonForReferral: c.ReferralReason, WhatMatters: c.WhatMatters,
		DischargedAt: *c.DischargedAt, DischargeReason: c.DischargeReason, DischargeSummary: c.DischargeNote}
	team, err := s.store.Team(ctx, c.TeamID)
	if err != nil {
		return nil, err
	}
	l.Team = team.Name
	for _, p := range team.Practices {
		if p.ODSCode == c.GPPractice {
			l.Practice.Name = p.Name
		}
	}
	needs, err := s.store.Needs(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	for _, n := range needs {
		l.Needs = append(l.Needs, NeedLabel(n))
	}
	goals, err := s.store.Goals(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	for _, g := range goals {
		if len(g.Scores) == 0 {
			continue
		}
		first, last := g.Scores[0], g.Scores[len(g.Scores)-1]
		l.Goals = append(l.Goals, LetterGoal{Words: g.Words, First: first.Score, Latest: last.Score, FirstAt: first.At, LastAt: last.At, Scores: len(g.Scores)})
	}
	if l.Actions, err = s.store.Actions(ctx, c.ID); err != nil {
		return nil, err
	}
	if l.Referrals, err = s.store.ReferralsMade(ctx, c.ID); err != nil {
		return nil, err
	}
	ms, err := s.store.Measures(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	l.Measures = summariseMeasures(ms)
	return l, nil
}

// SetReferral records why the person was referred to social prescribing
// and by whom, for the discharge letter. Errors: as Client; EINVALID.
func (s *Service) SetReferral(ctx context.Context, clientID, reason, referredBy string) error {
	ac, err := s.openWrite(ctx, clientID)
	if err != nil {
		return err
	}
	reason, referredBy = strings.TrimSpace(reason), strings.TrimSpace(referredBy)
	switch {
	case reason == "" || utf8.RuneCountInString(reason) > 2000:
		return waymark.FieldErrorf(waymark.EINVALID, "referral_reason", "Enter the reason for referral, in 2000 characters or fewer")
	case referredBy == "" || utf8.RuneCountInString(referredBy) > 300:
		return waymark.FieldErrorf(waymark.EINVALID, "referred_by", "Enter who referred them, in 300 characters or fewer")
	}
	c := *ac.client
	c.ReferralReason, c.ReferredBy, c.UpdatedAt = reason, referredBy, s.now().UTC()
	if err := s.store.UpdateClient(ctx, &c, s.entry(ctx, clientID, KindRecord, "Reason for referral recorded")); err != nil {
		return fmt.Errorf("set referral: %w", err)
	}
	return s.auditAccess(ctx, ac, "client.referral_reason", "")
}
