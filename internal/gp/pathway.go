package gp

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/directory"
)

// Pathway returns a service's GP pathway for a provider of the service
// (or an administrator). Errors: EUNAUTHORIZED; ENOTFOUND (also for
// others).
func (s *Service) Pathway(ctx context.Context, serviceID string) (*Pathway, error) {
	svc, err := s.mayManage(ctx, serviceID)
	if err != nil {
		return nil, err
	}
	p, err := s.store.Pathway(ctx, svc.ID)
	if err != nil {
		return nil, err
	}
	p.ServiceName = svc.DisplayName()
	return p, nil
}

// SavePathway switches a service's GP pathway on or off, optionally for
// listed practices only (ODS codes separated by commas, spaces or new
// lines), for a provider of the service or an administrator.
// Errors: EUNAUTHORIZED; ENOTFOUND; EINVALID (Field "practices") naming a
// malformed ODS code.
func (s *Service) SavePathway(ctx context.Context, serviceID string, enabled bool, practices string) (*Pathway, error) {
	if _, err := s.mayManage(ctx, serviceID); err != nil {
		return nil, err
	}
	p := Pathway{ServiceID: serviceID, Enabled: enabled, UpdatedBy: waymark.ActorFrom(ctx).UserID, UpdatedAt: s.now().UTC()}
	var bad []string
	for _, f := range strings.FieldsFunc(practices, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		ods, ok := casework.NormaliseODSCode(f)
		if !ok {
			bad = append(bad, f)
			continue
		}
		if !slices.Contains(p.Practices, ods) {
			p.Practices = append(p.Practices, ods)
		}
	}
	if len(bad) > 0 {
		return nil, waymark.FieldErrorf(waymark.EINVALID, "practices",
			"%s is not an ODS code: a practice's code is a letter and five letters or numbers, like C81001", strings.Join(bad, ", "))
	}
	if len(p.Practices) > 500 {
		return nil, waymark.FieldErrorf(waymark.EINVALID, "practices", "List 500 practices or fewer, or leave the list empty for every practice")
	}
	slices.Sort(p.Practices)
	if err := s.store.SavePathway(ctx, p); err != nil {
		return nil, fmt.Errorf("save gp pathway of %s: %w", serviceID, err)
	}
	detail := fmt.Sprintf("service %s enabled %v practices %s", serviceID, enabled, strings.Join(p.Practices, ","))
	return &p, s.audit(ctx, "gp_pathway.save", "", "", detail)
}

// mayManage checks the actor provides the service or is an administrator.
func (s *Service) mayManage(ctx context.Context, serviceID string) (*directory.Service, error) {
	a := waymark.ActorFrom(ctx)
	if a.Anonymous() {
		return nil, waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in")
	}
	if _, err := uuid.Parse(serviceID); err != nil {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "There is no service with this id")
	}
	svc, err := s.services.FindServiceByID(ctx, serviceID)
	if err != nil {
		return nil, err
	}
	if !a.Has(waymark.RoleAdmin) && !a.In(svc.OrganizationID, waymark.RoleProvider) {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "There is no service with this id")
	}
	return svc, nil
}

// PathwayServices lists the services the actor's practice may refer to
// directly, by name. Errors: as Refer's actor checks.
func (s *Service) PathwayServices(ctx context.Context, ods string) ([]PathwayService, error) {
	ods, _ = casework.NormaliseODSCode(ods)
	if err := mayActFor(ctx, ods); err != nil {
		return nil, err
	}
	all, err := s.store.PathwayServices(ctx)
	if err != nil {
		return nil, err
	}
	var out []PathwayService
	for _, ps := range all {
		if ps.Pathway.Allows(ods) {
			out = append(out, ps)
		}
	}
	return out, nil
}
