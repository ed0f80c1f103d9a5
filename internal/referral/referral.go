// Package referral is Waymark's referrals between the public, link workers,
// GPs and providers: who may move a referral from one status to another, and
// the automatic rules' defaults. (Storage, forms, messages and the rules'
// jobs build on this.)
package referral

import (
	"strings"
	"time"

	"waymark"
)

// Status is where a referral is.
type Status string

// Referral statuses.
const (
	StatusSent         Status = "sent"
	StatusAccepted     Status = "accepted"
	StatusDeclined     Status = "declined"
	StatusAutoDeclined Status = "auto_declined"
	StatusCancelled    Status = "cancelled"
	StatusAttended     Status = "attended"
	StatusDidNotAttend Status = "did_not_attend"
	StatusClosed       Status = "closed"
)

// Statuses lists every status, in lifecycle order.
var Statuses = []Status{StatusSent, StatusAccepted, StatusDeclined, StatusAutoDeclined, StatusCancelled, StatusAttended, StatusDidNotAttend, StatusClosed}

// Party is who acts on a referral.
type Party string

// Parties.
const (
	PartyProvider Party = "provider" // a provider of the service referred to
	PartyReferrer Party = "referrer" // the professional who referred, or the person who referred themselves
	PartySystem   Party = "system"   // Waymark's automatic rules
)

// Move is one allowed change of status.
type Move struct {
	From, To  Status
	By        Party
	NeedsNote bool // a reason is required (declining)
}

// moves is the whole state machine.
var moves = []Move{
	{StatusSent, StatusAccepted, PartyProvider, false},
	{StatusSent, StatusDeclined, PartyProvider, true},
	{StatusSent, StatusAutoDeclined, PartySystem, false},
	{StatusSent, StatusCancelled, PartyReferrer, false},
	{StatusAccepted, StatusAttended, PartyProvider, false},
	{StatusAccepted, StatusDidNotAttend, PartyProvider, false},
	{StatusAccepted, StatusCancelled, PartyReferrer, false},
	{StatusAccepted, StatusClosed, PartyProvider, false},
	{StatusAttended, StatusClosed, PartyProvider, false},
	{StatusAttended, StatusClosed, PartyReferrer, false},
	{StatusDidNotAttend, StatusClosed, PartyProvider, false},
	{StatusDidNotAttend, StatusClosed, PartyReferrer, false},
}

// Transition checks a change of status by a party, with its note. Errors:
// EFORBIDDEN when that party may not make the change, EINVALID when the
// change is impossible or a needed reason is missing.
func Transition(from, to Status, by Party, note string) error {
	possible := false
	for _, m := range moves {
		if m.From != from || m.To != to {
			continue
		}
		possible = true
		if m.By != by {
			continue
		}
		if m.NeedsNote && strings.TrimSpace(note) == "" {
			return waymark.FieldErrorf(waymark.EINVALID, "reason", "Give a reason")
		}
		return nil
	}
	if possible {
		return waymark.Errorf(waymark.EFORBIDDEN, "You cannot mark this referral %s", label(to))
	}
	return waymark.Errorf(waymark.EINVALID, "A referral that is %s cannot become %s", label(from), label(to))
}

// Terminal reports whether nothing more can happen to a referral.
func (s Status) Terminal() bool {
	for _, m := range moves {
		if m.From == s {
			return false
		}
	}
	return true
}

func label(s Status) string { return strings.ReplaceAll(string(s), "_", " ") }

// Rules are the automatic rules' numbers, with the reference page's
// defaults; all configurable.
type Rules struct {
	RemindAfter         []time.Duration // reminders to the provider about an unanswered referral
	AutoDeclineAfter    time.Duration   // unanswered this long: declined automatically
	PauseAfterDeclines  int             // this many declines in a row: listing paused
	SuspendAfterSilence int             // this many unanswered in a row: listing suspended
	AskAttendanceAfter  time.Duration   // after acceptance: did the person attend?
}

// DefaultRules are the numbers the reference page gives.
var DefaultRules = Rules{
	RemindAfter:         []time.Duration{3 * 24 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour},
	AutoDeclineAfter:    30 * 24 * time.Hour,
	PauseAfterDeclines:  5,
	SuspendAfterSilence: 3,
	AskAttendanceAfter:  14 * 24 * time.Hour,
}
