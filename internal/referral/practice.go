package referral

import (
	"context"
	"fmt"

	"waymark"
	"waymark/internal/directory"
)

// ReferFromPractice makes a referral from a GP practice straight to svc
// through the GP pathway its provider agreed (the caller, package gp, has
// loaded the service and checked the pathway covers the practice, so
// nothing is read here: the caller may hold a transaction). The actor is
// a GP, practice staff or a connected clinical system; the service must
// be listed and not frozen, whatever its public referral pathway, and its
// referral form's questions are not asked (the pathway agreed what a GP
// referral holds). The referral is a professional one: the provider sees
// it in their inbox. Errors: EUNAUTHORIZED, EFORBIDDEN, ENOTFOUND,
// EINVALID (a *waymark.Problems for the person's details).
func (s *Referrals) ReferFromPractice(ctx context.Context, svc *directory.Service, req Request) (*Referral, error) {
	a := waymark.ActorFrom(ctx)
	if a.Anonymous() {
		return nil, waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in to refer someone")
	}
	if !a.Has(waymark.RoleGP) && !a.Has(waymark.RolePracticeStaff) && !a.Has(waymark.RoleGPSystem) {
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "Only GP practices can refer through a GP pathway")
	}
	if !svc.Status.Public() {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "There is no service with this id")
	}
	if svc.Status == directory.StatusFrozen {
		return nil, waymark.Errorf(waymark.EINVALID, "%s is not taking referrals at the moment: %s", svc.DisplayName(), svc.StatusNote)
	}
	r, err := s.build(svc, &Form{ServiceID: svc.ID}, SourceProfessional, req)
	if err != nil {
		return nil, err
	}
	r.ReferrerID, r.ReferrerName, r.ReferrerEmail = a.UserID, req.ReferrerName, req.ReferrerEmail
	e := Event{ReferralID: r.ID, To: StatusSent, By: PartyReferrer, ActorID: a.UserID, ActorName: req.ReferrerName, At: r.CreatedAt}
	if err := s.store.CreateReferral(ctx, r, e, s.providerNewReferral(svc, r)); err != nil {
		return nil, fmt.Errorf("save GP pathway referral to %s: %w", svc.ID, err)
	}
	s.log.Info("referral made", "referral_id", r.ID, "service_id", svc.ID, "source", r.Source, "pathway", "gp")
	return r, nil
}
