// Package waymark holds the vocabulary shared by every part of Waymark, the social
// prescribing platform: application errors with codes and the acting user.
package waymark

import (
	"context"
	"strings"
)

// Role names what a user may do within an organisation or the platform.
type Role string

// Roles a user can hold.
const (
	RoleProvider     Role = "provider"
	RoleLinkWorker   Role = "link_worker"
	RoleGP           Role = "gp"
	RoleModerator    Role = "moderator"
	RoleAdmin        Role = "admin"
	RoleCommissioner Role = "commissioner"
	// RoleOnboarding may import spreadsheets of services and see its own
	// imports, nothing else (staff of infrastructure organisations and PCNs).
	RoleOnboarding Role = "onboarding"
	// RolePracticeStaff is a GP practice's non-clinical staff (a practice
	// manager, a care navigator): they act for their practice as a GP does.
	RolePracticeStaff Role = "practice_staff"
	// RoleGPSystem is a connected clinical system (EMIS, SystmOne) calling
	// the FHIR interface for the practices it is registered for.
	RoleGPSystem Role = "gp_system"
)

// Actor is the user on whose behalf an operation runs. The zero Actor is anonymous.
type Actor struct {
	UserID string
	// Roles are every role the user holds: platform roles and the roles of
	// all their memberships.
	Roles []Role
	// Memberships are the user's roles in organisations.
	Memberships []Membership
	// Practices are the ODS codes of the GP practices the actor acts for:
	// a practice user's own practice, or every practice a connected
	// system is registered for.
	Practices []string
	// PCN is the id of the primary care network a commissioner's insights
	// are limited to; "" for the whole area.
	PCN string
}

// Membership is a role in one organisation.
type Membership struct {
	OrganizationID string
	Role           Role
}

// In reports whether the actor holds role r in the organisation.
func (a Actor) In(organizationID string, r Role) bool {
	for _, m := range a.Memberships {
		if m.OrganizationID == organizationID && m.Role == r {
			return true
		}
	}
	return false
}

// Anonymous reports whether no user is signed in.
func (a Actor) Anonymous() bool { return a.UserID == "" }

// Has reports whether the actor holds role r.
func (a Actor) Has(r Role) bool {
	for _, have := range a.Roles {
		if have == r {
			return true
		}
	}
	return false
}

// ActsFor reports whether the actor acts for the GP practice with this ODS
// code (compared without regard to case).
func (a Actor) ActsFor(ods string) bool {
	for _, p := range a.Practices {
		if ods != "" && strings.EqualFold(p, ods) {
			return true
		}
	}
	return false
}

type actorKey struct{}

// WithActor returns a copy of ctx carrying the actor.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx, or the anonymous actor.
func ActorFrom(ctx context.Context) Actor {
	a, _ := ctx.Value(actorKey{}).(Actor)
	return a
}
