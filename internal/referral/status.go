package referral

import (
	"context"
	"crypto/hmac"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"waymark"
	"waymark/internal/input"
)

// Accept accepts a referral for its provider. Errors: as Open, EFORBIDDEN,
// EINVALID, ECONFLICT.
func (s *Referrals) Accept(ctx context.Context, id string) error {
	return s.act(ctx, id, StatusAccepted, "", "")
}

// Decline declines a referral with a reason code and, for "other", a note.
func (s *Referrals) Decline(ctx context.Context, id, code, note string) error {
	note, err := input.Lines("The note", note, 2000)
	known := slices.ContainsFunc(DeclineReasons, func(d DeclineReason) bool { return d.Code == code })
	switch {
	case !known:
		return waymark.FieldErrorf(waymark.EINVALID, "reason", "Select why you are declining the referral")
	case err != nil:
		return waymark.FieldErrorf(waymark.EINVALID, "note", "%s", waymark.ErrorMessage(err))
	case code == "other" && note == "":
		return waymark.FieldErrorf(waymark.EINVALID, "note", "Tell the referrer why you are declining the referral")
	}
	return s.act(ctx, id, StatusDeclined, code, note)
}

// Cancel withdraws a referral for the professional who made it.
func (s *Referrals) Cancel(ctx context.Context, id string) error {
	return s.act(ctx, id, StatusCancelled, "", "")
}

// RecordAttendance records, for the provider, whether the person attended:
// an accepted referral moves to attended or did not attend, and one the
// provider closed without saying keeps its status and gains the answer.
// Errors: EUNAUTHORIZED, ENOTFOUND, EFORBIDDEN, EINVALID when attendance is
// not (or no longer) the question, ECONFLICT.
func (s *Referrals) RecordAttendance(ctx context.Context, id string, attended bool) error {
	to := StatusDidNotAttend
	if attended {
		to = StatusAttended
	}
	a := waymark.ActorFrom(ctx)
	if a.Anonymous() {
		return waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in to change a referral")
	}
	r, as, err := s.mine(ctx, id)
	if err != nil {
		return err
	}
	if r.Status == StatusClosed {
		return s.closedAttendance(ctx, r, to, as, a.UserID, userNameOf(ctx))
	}
	return s.change(ctx, r, to, as, a.UserID, userNameOf(ctx), "", "")
}

// AttendanceOpen reports whether the provider may still say whether the
// person attended: the referral is accepted, or was closed without it.
func (r *Referral) AttendanceOpen() bool {
	return r.Status == StatusAccepted || (r.Status == StatusClosed && r.Attendance == "" && r.RespondedAt != nil)
}

// closedAttendance records the provider's answer on a referral closed
// without one: its status stays closed, its history gains the answer, and
// the professional who referred is told, as when an accepted referral's
// attendance is recorded.
func (s *Referrals) closedAttendance(ctx context.Context, r *Referral, to Status, by Party, actorID, actorName string) error {
	if by != PartyProvider {
		return waymark.Errorf(waymark.EFORBIDDEN, "Only the service records whether the person attended")
	}
	if !r.AttendanceOpen() {
		return waymark.Errorf(waymark.EINVALID, "Attendance is already recorded for this referral: %s.", strings.ToLower(StatusLabel(r.Attendance)))
	}
	c := Change{Event: Event{ReferralID: r.ID, From: StatusClosed, To: to, By: by, ActorID: actorID, ActorName: actorName,
		Note: "recorded after the referral was closed", At: s.now().UTC()}}
	c.Emails = s.changeEmails(ctx, r, to, "")
	if err := s.store.SaveAttendance(ctx, c); err != nil {
		return fmt.Errorf("attendance of closed referral %s: %w", r.ID, err)
	}
	r.Attendance = to
	s.log.Info("referral attendance recorded after closing", "referral_id", r.ID, "attendance", to)
	return nil
}

// Close closes a referral.
func (s *Referrals) Close(ctx context.Context, id string) error {
	return s.act(ctx, id, StatusClosed, "", "")
}

// act changes a referral's status for the signed-in party.
func (s *Referrals) act(ctx context.Context, id string, to Status, code, note string) error {
	a := waymark.ActorFrom(ctx)
	if a.Anonymous() {
		return waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in to change a referral")
	}
	r, as, err := s.mine(ctx, id)
	if err != nil {
		return err
	}
	return s.change(ctx, r, to, as, a.UserID, userNameOf(ctx), code, note)
}

// TrackCancel withdraws a self-referral through its private link.
func (s *Referrals) TrackCancel(ctx context.Context, id, token string) error {
	r, err := s.selfReferral(ctx, id, token)
	if err != nil {
		return err
	}
	return s.change(ctx, r, StatusCancelled, PartyReferrer, "", r.Client.Name, "", "")
}

type nameKey struct{}

// WithUserName puts the signed-in user's name in ctx, for the history.
func WithUserName(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, nameKey{}, name)
}

func userNameOf(ctx context.Context) string {
	n, _ := ctx.Value(nameKey{}).(string)
	return n
}

// change validates and stores a status change with the emails it causes.
func (s *Referrals) change(ctx context.Context, r *Referral, to Status, by Party, actorID, actorName, code, note string) error {
	full := note
	if code != "" {
		full = strings.TrimSpace(reasonLabel(code) + ". " + note)
	}
	if err := Transition(r.Status, to, by, full); err != nil {
		return err
	}
	c := Change{Event: Event{ReferralID: r.ID, From: r.Status, To: to, By: by, ActorID: actorID, ActorName: actorName, Note: full, At: s.now().UTC()},
		DeclineReason: code}
	c.Emails = s.changeEmails(ctx, r, to, full)
	if err := s.store.SaveChange(ctx, c); err != nil {
		return fmt.Errorf("referral %s to %s: %w", r.ID, to, err)
	}
	r.Status = to
	s.log.Info("referral changed", "referral_id", r.ID, "to", to, "by", by)
	return nil
}

func reasonLabel(code string) string {
	for _, d := range DeclineReasons {
		if d.Code == code {
			return d.Label
		}
	}
	return code
}

// AnswerAttendance records the provider's answer from a signed link.
// Errors: EINVALID for a bad or expired link, or one already answered.
func (s *Referrals) AnswerAttendance(ctx context.Context, id, answer, expires, sig string) (*Referral, error) {
	exp, err := strconv.ParseInt(expires, 10, 64)
	if err != nil || (answer != string(StatusAttended) && answer != string(StatusDidNotAttend)) ||
		!hmac.Equal([]byte(sig), []byte(s.attendanceSig(id, answer, exp))) {
		return nil, waymark.Errorf(waymark.EINVALID, "This link is not valid. Sign in to Waymark to update the referral.")
	}
	if s.now().Unix() > exp {
		return nil, waymark.Errorf(waymark.EINVALID, "This link has expired. Sign in to Waymark to update the referral.")
	}
	r, err := s.store.FindReferral(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Status == Status(answer) || (r.Status == StatusClosed && r.Attendance == Status(answer)) {
		return r, nil // answered already, by this link
	}
	if r.Status == StatusClosed && r.AttendanceOpen() {
		if err := s.closedAttendance(ctx, r, Status(answer), PartyProvider, "", "Provider, by email link"); err != nil {
			return nil, err
		}
		return r, nil
	}
	if r.Status != StatusAccepted {
		return nil, waymark.Errorf(waymark.EINVALID, "This referral is already marked %s.", strings.ToLower(StatusLabel(r.Status)))
	}
	if err := s.change(ctx, r, Status(answer), PartyProvider, "", "Provider, by email link", "", ""); err != nil {
		return nil, err
	}
	return r, nil
}

// Rate records the person's score (1–5) and whether the service met their
// needs, through their private link, once they attended. Errors: ENOTFOUND,
// EINVALID.
func (s *Referrals) Rate(ctx context.Context, id, token string, score int, metNeeds string) error {
	if err := s.checkTrack(id, token); err != nil {
		return err
	}
	r, err := s.store.FindReferral(ctx, id)
	if err != nil {
		return err
	}
	if r.Attendance != StatusAttended {
		return waymark.Errorf(waymark.EINVALID, "You can score a service once the provider has recorded that you went")
	}
	var problems waymark.Problems
	if score < 1 || score > 5 {
		problems.Add("score", "Select a score from 1 to 5")
	}
	if metNeeds != "yes" && metNeeds != "no" {
		problems.Add("met_needs", "Select yes or no")
	}
	if err := problems.Err(); err != nil {
		return err
	}
	ok, err := s.store.SaveRating(ctx, id, score, metNeeds == "yes", s.now().UTC())
	if err != nil {
		return fmt.Errorf("save rating of referral %s: %w", id, err)
	}
	if !ok {
		return waymark.Errorf(waymark.EINVALID, "You have already scored this service. Thank you.")
	}
	return nil
}
