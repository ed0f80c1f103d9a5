// Package waymark holds the vocabulary shared by every part of Waymark, the social
// prescribing platform: application errors with codes and the acting user.
package waymark

import "context"

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
)

// Actor is the user on whose behalf an operation runs. The zero Actor is anonymous.
type Actor struct {
	UserID string
	// Roles are every role the user holds: platform roles and the roles of
	// all their memberships.
	Roles []Role
	// Memberships are the user's roles in organisations.
	Memberships []Membership
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
