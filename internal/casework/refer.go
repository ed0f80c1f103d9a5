package casework

import (
	"context"
	"fmt"
	"strings"

	"waymark"
)

// ForReferral opens a client record to fill in a referral to a marketplace
// service, and checks the client consents to sharing their details with
// the provider: a current ConsentShare naming the service or its
// organisation (any of names, case-insensitive). The read is audited.
// Errors: as Client; EINVALID (Field "consent") without that consent.
func (s *Service) ForReferral(ctx context.Context, clientID string, names ...string) (*Client, error) {
	ac, err := s.open(ctx, clientID)
	if err != nil {
		return nil, err
	}
	if err := s.auditAccess(ctx, ac, "client.referral_form", strings.Join(names, ", ")); err != nil {
		return nil, err
	}
	if ac.client.AnonymisedAt != nil || ac.client.Status == StatusDischarged {
		return nil, waymark.Errorf(waymark.EINVALID, "Reopen the record before referring from it")
	}
	cs, err := s.store.Consents(ctx, clientID)
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if n != "" && hasConsent(cs, ConsentShare, strings.TrimSpace(n)) {
			return ac.client, nil
		}
	}
	who := ""
	if len(names) > 0 {
		who = names[len(names)-1]
	}
	return ac.client, waymark.FieldErrorf(waymark.EINVALID, "consent",
		"%s has not agreed to share their details with %s. Record their consent on their record first", ac.client.Name(), who)
}

// RecordReferral puts a referral made from the record on its timeline (its
// RefID is the referral's ID, which the letter and the export follow).
// Errors: as Client.
func (s *Service) RecordReferral(ctx context.Context, clientID, referralID, serviceName string) error {
	ac, err := s.openWrite(ctx, clientID)
	if err != nil {
		return err
	}
	e := s.entry(ctx, clientID, KindReferral, "Referred to "+serviceName)
	e.RefID = referralID
	if err := s.store.AddEntry(ctx, e); err != nil {
		return fmt.Errorf("record referral: %w", err)
	}
	return s.auditAccess(ctx, ac, "client.referral", referralID)
}

// ReferralsMade lists the referrals made from a client's record with their
// status and messages, without auditing (the record's page already did).
// Errors: as Client.
func (s *Service) ReferralsMade(ctx context.Context, clientID string) ([]ReferralMade, error) {
	if _, err := s.open(ctx, clientID); err != nil {
		return nil, err
	}
	return s.store.ReferralsMade(ctx, clientID)
}
