package referral

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"waymark"
)

// Form returns a service's referral form. Errors: ENOTFOUND.
func (s *Referrals) Form(ctx context.Context, serviceID string) (*Form, error) {
	return s.store.Form(ctx, serviceID)
}

// EditForm changes a service's referral form for its provider: edit is
// applied to the stored form, which is then saved. Errors: EUNAUTHORIZED,
// EFORBIDDEN, ENOTFOUND, and edit's.
func (s *Referrals) EditForm(ctx context.Context, serviceID string, edit func(*Form) error) (*Form, error) {
	a := waymark.ActorFrom(ctx)
	if a.Anonymous() {
		return nil, waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in to change a referral form")
	}
	svc, err := s.listings.FindServiceByID(ctx, serviceID)
	if err != nil {
		return nil, err
	}
	if !a.In(svc.OrganizationID, waymark.RoleProvider) && !a.Has(waymark.RoleAdmin) {
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "This is not one of your listings")
	}
	f, err := s.store.Form(ctx, serviceID)
	if err != nil {
		return nil, fmt.Errorf("load form of %s: %w", serviceID, err)
	}
	if err := edit(f); err != nil {
		return nil, err
	}
	f.ServiceID = serviceID
	f.UpdatedAt = s.now().UTC()
	if err := s.store.SaveForm(ctx, *f); err != nil {
		return nil, fmt.Errorf("save form of %s: %w", serviceID, err)
	}
	return f, nil
}

// NewQuestionID returns an ID for a new question.
func NewQuestionID() string { return strings.ReplaceAll(uuid.NewString(), "-", "")[:12] }
