// Package pcn is primary care networks: groups of GP practices, with the
// social prescribing teams that work for them, that commission together.
// A practice and a team each belong to one network at most, and a
// commissioner's account is for the whole area or for one network (whose
// practices' and teams' insights they then see). Only administrators
// create and change networks.
package pcn

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/input"
)

// PCN is a primary care network with its members.
type PCN struct {
	ID      string
	ODSCode string // U and five digits, like U12345
	Name    string
	// Practices are the ODS codes of its GP practices; Teams the ids of
	// its social prescribing teams; Commissioners the ids of the
	// commissioners' accounts limited to it.
	Practices, Teams, Commissioners []string
	Created                         time.Time
}

// NormaliseODSCode upper-cases a PCN's ODS code and reports whether it is
// one: U followed by five digits.
func NormaliseODSCode(s string) (string, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != 6 || s[0] != 'U' {
		return s, false
	}
	for _, c := range s[1:] {
		if c < '0' || c > '9' {
			return s, false
		}
	}
	return s, true
}

// Validate checks and normalises the network, every problem at once by
// field: name, ods, practices (each an ODS code of a practice).
func (p *PCN) Validate() error {
	var probs waymark.Problems
	name, err := input.Line("The name", p.Name, 100)
	if !probs.Check("name", err) && name == "" {
		probs.Add("name", "Enter the network's name, in 100 characters or fewer")
	}
	p.Name = name
	var ok bool
	if p.ODSCode, ok = NormaliseODSCode(p.ODSCode); !ok {
		probs.Add("ods", "Enter the network's ODS code: U and five digits, like U12345")
	}
	for i, ods := range p.Practices {
		if p.Practices[i], ok = casework.NormaliseODSCode(ods); !ok {
			probs.Add("practices", "Choose practices from the list")
		}
	}
	slices.Sort(p.Practices)
	p.Practices = slices.Compact(p.Practices)
	for _, list := range []*[]string{&p.Teams, &p.Commissioners} {
		slices.Sort(*list)
		*list = slices.Compact(*list)
	}
	return probs.Err()
}

// Store keeps networks.
type Store interface {
	// PCNs lists every network with its members, by name.
	PCNs(ctx context.Context) ([]PCN, error)
	// PCN finds one with its members. Errors: ENOTFOUND.
	PCN(ctx context.Context, id string) (*PCN, error)
	// CreatePCN stores a new network and its members (taking them from
	// any other network). The form token in ctx, when there is one, is
	// claimed for it. Errors: ECONFLICT (Field "ods") when the ODS code is
	// another network's or the form was sent before; EINVALID (Field
	// "teams" or "commissioners") for a team that does not exist or an
	// account that is not a commissioner's.
	CreatePCN(ctx context.Context, p *PCN) error
	// SavePCN changes a network's name and code and makes its members
	// exactly p's. Errors: as CreatePCN, and ENOTFOUND for an unknown id.
	SavePCN(ctx context.Context, p *PCN) error
}

// Service is the networks with their rules.
type Service struct {
	store Store
	newID func() string
	now   func() time.Time
}

// NewService returns a Service.
func NewService(store Store, newID func() string, now func() time.Time) *Service {
	return &Service{store: store, newID: newID, now: now}
}

// admin checks the actor is an administrator. Errors: EUNAUTHORIZED,
// EFORBIDDEN.
func admin(ctx context.Context) error {
	a := waymark.ActorFrom(ctx)
	switch {
	case a.Anonymous():
		return waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in")
	case !a.Has(waymark.RoleAdmin):
		return waymark.Errorf(waymark.EFORBIDDEN, "Only administrators manage primary care networks")
	}
	return nil
}

// List lists every network. Errors: as admin.
func (s *Service) List(ctx context.Context) ([]PCN, error) {
	if err := admin(ctx); err != nil {
		return nil, err
	}
	return s.store.PCNs(ctx)
}

// Get finds a network. Errors: as admin, ENOTFOUND.
func (s *Service) Get(ctx context.Context, id string) (*PCN, error) {
	if err := admin(ctx); err != nil {
		return nil, err
	}
	return s.store.PCN(ctx, id)
}

// Create makes a network. Errors: as admin, EINVALID, ECONFLICT, as
// Store.CreatePCN.
func (s *Service) Create(ctx context.Context, p PCN) (*PCN, error) {
	if err := admin(ctx); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	p.ID, p.Created = s.newID(), s.now().UTC()
	if err := s.store.CreatePCN(ctx, &p); err != nil {
		return nil, fmt.Errorf("create pcn %s: %w", p.ODSCode, err)
	}
	return &p, nil
}

// Save changes a network: its name, code and members. Sending the same
// change twice changes nothing more. Errors: as admin, EINVALID,
// ECONFLICT, ENOTFOUND.
func (s *Service) Save(ctx context.Context, p PCN) error {
	if err := admin(ctx); err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return err
	}
	if err := s.store.SavePCN(ctx, &p); err != nil {
		return fmt.Errorf("save pcn %s: %w", p.ID, err)
	}
	return nil
}
