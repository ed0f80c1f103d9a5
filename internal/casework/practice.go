package casework

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"waymark"
)

// actsForPractice reports whether the actor is a GP, practice staff or a
// connected clinical system acting for the practice.
func actsForPractice(a waymark.Actor, ods string) bool {
	return (a.Has(waymark.RoleGP) || a.Has(waymark.RolePracticeStaff) || a.Has(waymark.RoleGPSystem)) && a.ActsFor(ods)
}

// ReferFromPractice receives a referral from a GP practice onto the waiting
// list of the team serving the practice (in.GPPractice). The actor is a
// GP, practice staff or a connected clinical system acting for the
// practice; in.ReferrerName says who refers (name and role) and the email
// is optional. The referral's source is SourceGP. Errors: EFORBIDDEN for
// another actor; EINVALID naming the field; ENOTFOUND when no team serves
// the practice.
func (s *Service) ReferFromPractice(ctx context.Context, in Incoming) (*Incoming, error) {
	a := waymark.ActorFrom(ctx)
	if a.Anonymous() {
		return nil, waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in")
	}
	ods, _ := NormaliseODSCode(in.GPPractice)
	if !actsForPractice(a, ods) {
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "You do not act for GP practice %s", ods)
	}
	in.Source, in.ReferrerID, in.GPPractice = SourceGP, a.UserID, ods
	in.ReferrerName, in.ReferrerEmail = strings.TrimSpace(in.ReferrerName), strings.TrimSpace(in.ReferrerEmail)
	if in.ReferrerName == "" || utf8.RuneCountInString(in.ReferrerName) > 200 {
		return nil, waymark.FieldErrorf(waymark.EINVALID, "referrer_name", "Enter who is referring: name and role, in 200 characters or fewer")
	}
	if err := in.Validate(s.today()); err != nil {
		return nil, err
	}
	team, err := s.store.TeamByPractice(ctx, ods)
	if waymark.ErrorCode(err) == waymark.ENOTFOUND {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "No social prescribing team serves GP practice %s", ods)
	} else if err != nil {
		return nil, err
	}
	in.ID, in.TeamID, in.Status, in.ReceivedAt = s.cfg.NewID(), team, IncomingWaiting, s.now().UTC()
	in.AllocatedTo, in.ClientID, in.DecidedAt = "", "", nil
	if err := s.store.CreateIncoming(ctx, &in); err != nil {
		return nil, fmt.Errorf("receive referral from practice: %w", err)
	}
	return &in, s.audit(ctx, "incoming.create", "", "incoming "+in.ID+" team "+team+" from practice "+ods)
}

// PracticeLetter composes the discharge letter for the GP practice that
// referred the person: the actor acts for the practice of the referral
// into the team (incomingID), which was accepted into a record since
// discharged. The read is audited on the client's record. Errors:
// ENOTFOUND for a referral that is not the practice's, or whose person is
// not discharged (since the referral) or whose record was anonymised.
func (s *Service) PracticeLetter(ctx context.Context, incomingID string) (*Letter, error) {
	a := waymark.ActorFrom(ctx)
	in, err := s.store.Incoming(ctx, incomingID)
	if err != nil {
		return nil, err
	}
	if in.Source != SourceGP || !actsForPractice(a, in.GPPractice) {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "Referral not found")
	}
	noLetter := waymark.Errorf(waymark.ENOTFOUND, "There is no discharge letter yet")
	if in.Status != IncomingAccepted || in.ClientID == "" {
		return nil, noLetter
	}
	c, err := s.store.Client(ctx, in.ClientID)
	if err != nil {
		return nil, err
	}
	if c.AnonymisedAt != nil || c.Status != StatusDischarged || c.DischargedAt == nil ||
		(in.DecidedAt != nil && c.DischargedAt.Before(*in.DecidedAt)) {
		return nil, noLetter
	}
	l, err := s.compose(ctx, c)
	if err != nil {
		return nil, err
	}
	return l, s.audit(ctx, "client.letter", c.ID, "for GP practice "+in.GPPractice)
}

// DeclineReferral declines a waiting referral with the reason, which the
// referrer (a GP practice) is told. A team lead or the allocated link
// worker may decline; declining again changes nothing. Errors: ENOTFOUND;
// EFORBIDDEN; EINVALID (Field "reason") without a reason, or for a
// referral already accepted.
func (s *Service) DeclineReferral(ctx context.Context, id, reason string) error {
	in, m, err := s.incoming(ctx, id)
	if err != nil {
		return err
	}
	if !m.Lead && in.AllocatedTo != waymark.ActorFrom(ctx).UserID {
		return waymark.Errorf(waymark.EFORBIDDEN, "Only the allocated link worker or a team lead can decline this referral")
	}
	switch in.Status {
	case IncomingDeclined:
		return nil // the form sent twice
	case IncomingAccepted:
		return waymark.Errorf(waymark.EINVALID, "This referral has already been accepted")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 500 {
		return waymark.FieldErrorf(waymark.EINVALID, "reason", "Say why the team cannot take the referral, in 500 characters or fewer: the referrer is told")
	}
	now := s.now().UTC()
	in.Status, in.DeclineReason, in.DecidedAt = IncomingDeclined, reason, &now
	if err := s.store.UpdateIncoming(ctx, in); err != nil {
		return fmt.Errorf("decline referral: %w", err)
	}
	return s.audit(ctx, "incoming.decline", "", "incoming "+id)
}
