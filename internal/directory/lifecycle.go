package directory

import (
	"context"
	"fmt"
	"strings"
	"time"

	"waymark"
	"waymark/internal/email"
	"waymark/internal/input"
)

// Action is something done to a listing, recorded in its history.
type Action string

// Listing actions.
const (
	ActionSubmit  Action = "submit"  // draft or declined → pending review
	ActionApprove Action = "approve" // pending review → published
	ActionDecline Action = "decline" // pending review → declined (reason needed)
	ActionFreeze  Action = "freeze"  // published → frozen (note about waiting times needed)
	ActionSuspend Action = "suspend" // published or frozen → suspended (reason needed)
	ActionReopen  Action = "reopen"  // frozen or suspended → published
	ActionDelete  Action = "delete"  // anything → deleted (restorable for 30 days)
	ActionRestore Action = "restore" // deleted → draft, within 30 days
)

// RestoreWindow is how long a deleted entry can be restored.
const RestoreWindow = 30 * 24 * time.Hour

// Event is one entry in a listing's history: who did what, when and why.
type Event struct {
	ID        string
	ServiceID string
	ActorID   string // "" for the system
	ActorName string // the actor's name, filled when the history is read
	Action    Action
	From, To  Status
	Note      string
	At        time.Time
	// SuspendedBy is who or what suspended the entry, for a suspension.
	SuspendedBy SuspendedBy
}

// transition is what an action does and who may do it.
type transition struct {
	from       []Status
	to         Status
	needsNote  bool
	provider   bool // the entry's own provider may do it
	moderator  bool // moderators (and admins) may do it
	adminOnly  bool
	noteToUser string // label of the note, for messages
}

var transitions = map[Action]transition{
	ActionSubmit:  {from: []Status{StatusDraft, StatusDeclined}, to: StatusPendingReview, provider: true},
	ActionApprove: {from: []Status{StatusPendingReview}, to: StatusPublished, moderator: true},
	ActionDecline: {from: []Status{StatusPendingReview}, to: StatusDeclined, moderator: true, needsNote: true, noteToUser: "why it is declined"},
	ActionFreeze:  {from: []Status{StatusPublished}, to: StatusFrozen, provider: true, moderator: true, needsNote: true, noteToUser: "a note about waiting times"},
	ActionSuspend: {from: []Status{StatusPublished, StatusFrozen}, to: StatusSuspended, provider: true, moderator: true, needsNote: true, noteToUser: "why it is suspended"},
	ActionReopen:  {from: []Status{StatusFrozen, StatusSuspended}, to: StatusPublished, provider: true, moderator: true},
	ActionDelete:  {from: []Status{StatusDraft, StatusPendingReview, StatusPublished, StatusDeclined, StatusFrozen, StatusSuspended}, to: StatusDeleted, provider: true},
	ActionRestore: {from: []Status{StatusDeleted}, to: StatusDraft, adminOnly: true},
}

// LifecycleStore keeps listing status changes and history.
type LifecycleStore interface {
	// FindServiceByID returns a service. Errors: ENOTFOUND.
	FindServiceByID(ctx context.Context, id string) (*Service, error)
	// ChangeStatus moves a service from one status to another, with a note,
	// and records the event, in one transaction. It fails with ECONFLICT when
	// the service is no longer in status from.
	ChangeStatus(ctx context.Context, e Event) error
	// History returns a service's events, oldest first.
	History(ctx context.Context, serviceID string) ([]Event, error)
	// ListServicesOfOrganizations returns the organisations' services but
	// deleted ones, by name.
	ListServicesOfOrganizations(ctx context.Context, orgIDs []string) ([]*Service, error)
	// ListPendingReview returns entries waiting for moderation, oldest first.
	ListPendingReview(ctx context.Context) ([]Pending, error)
	// InTx runs fn in one transaction: the store calls fn makes with the
	// context it is given, and the email queued with it, commit together or
	// not at all.
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Lifecycle applies listing actions with their rules.
type Lifecycle struct {
	store LifecycleStore
	mail  email.Mailer
	now   func() time.Time
	newID func() string
}

// NewLifecycle returns a Lifecycle. mail tells providers about moderators'
// decisions and reports, in the transaction of the change.
func NewLifecycle(store LifecycleStore, mail email.Mailer, now func() time.Time, newID func() string) *Lifecycle {
	return &Lifecycle{store: store, mail: mail, now: now, newID: newID}
}

// may reports whether the actor may take the action on a service of the
// organisation, and why not.
func (t transition) may(a waymark.Actor, organizationID string) bool {
	switch {
	case a.Anonymous():
		return false
	case a.Has(waymark.RoleAdmin):
		return true
	case t.adminOnly:
		return false
	case t.moderator && a.Has(waymark.RoleModerator):
		return true
	case t.provider && a.In(organizationID, waymark.RoleProvider):
		return true
	}
	return false
}

// Apply takes an action on a service for the actor in ctx, with a note where
// the action needs one. It returns the event recorded. Errors: ENOTFOUND,
// EUNAUTHORIZED (signed out), EFORBIDDEN (not this actor's to do), EINVALID
// (no note, or not possible from the current status), ECONFLICT (changed
// meanwhile).
func (l *Lifecycle) Apply(ctx context.Context, serviceID string, action Action, note string) (*Event, error) {
	t, ok := transitions[action]
	if !ok {
		return nil, waymark.Errorf(waymark.EINVALID, "Unknown action %q", action)
	}
	a := waymark.ActorFrom(ctx)
	if a.Anonymous() {
		return nil, waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in to change a listing")
	}
	svc, err := l.store.FindServiceByID(ctx, serviceID)
	if err != nil {
		return nil, err
	}
	if !t.may(a, svc.OrganizationID) {
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "You cannot %s this listing", action)
	}
	allowed := false
	for _, f := range t.from {
		allowed = allowed || f == svc.Status
	}
	if !allowed {
		return nil, waymark.Errorf(waymark.EINVALID, "A listing that is %s cannot be %s", strings.ReplaceAll(string(svc.Status), "_", " "), pastTense(action))
	}
	moderating := a.Has(waymark.RoleModerator) || a.Has(waymark.RoleAdmin)
	if action == ActionReopen && svc.Status == StatusSuspended && !svc.SuspendedBy.ProviderMayReopen() && !moderating {
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "A moderator suspended this listing, so only a moderator can reopen it. Change the listing and a moderator will look at it again, or reply to the email we sent you")
	}
	note, err = input.Lines("The note", note, 2000)
	if err != nil {
		return nil, waymark.FieldErrorf(waymark.EINVALID, "note", "%s", waymark.ErrorMessage(err))
	}
	if t.needsNote && note == "" {
		return nil, waymark.FieldErrorf(waymark.EINVALID, "note", "Enter %s", t.noteToUser)
	}
	now := l.now().UTC()
	if action == ActionRestore {
		deleted, err := l.lastEventAt(ctx, serviceID, ActionDelete)
		if err != nil {
			return nil, err
		}
		if !deleted.IsZero() && now.Sub(deleted) > RestoreWindow {
			return nil, waymark.Errorf(waymark.EINVALID, "A listing can be restored for 30 days after it is deleted; this one was deleted on %s", deleted.Format("2 January 2006"))
		}
	}
	e := &Event{ID: l.newID(), ServiceID: serviceID, ActorID: a.UserID, Action: action, From: svc.Status, To: t.to, Note: note, At: now}
	if action == ActionSuspend {
		e.SuspendedBy = ByModerator
		if a.In(svc.OrganizationID, waymark.RoleProvider) {
			e.SuspendedBy = ByProvider
		}
	}
	var mails []email.Message
	if action == ActionDecline && svc.Email != "" {
		mails = append(mails, listingDeclinedEmail(l.mail, svc, note))
	}
	if action == ActionSuspend && e.SuspendedBy == ByModerator && svc.Email != "" {
		mails = append(mails, suspendedByModeratorEmail(l.mail, svc, note))
	}
	err = l.store.InTx(ctx, func(ctx context.Context) error {
		if err := l.store.ChangeStatus(ctx, *e); err != nil {
			return err
		}
		return l.send(ctx, mails)
	})
	if err != nil {
		return nil, fmt.Errorf("%s listing %s: %w", action, serviceID, err)
	}
	return e, nil
}

func (l *Lifecycle) lastEventAt(ctx context.Context, serviceID string, action Action) (time.Time, error) {
	events, err := l.store.History(ctx, serviceID)
	if err != nil {
		return time.Time{}, err
	}
	var at time.Time
	for _, e := range events {
		if e.Action == action {
			at = e.At
		}
	}
	return at, nil
}

// History returns a listing's history for moderators and admins. Errors:
// EFORBIDDEN.
func (l *Lifecycle) History(ctx context.Context, serviceID string) ([]Event, error) {
	a := waymark.ActorFrom(ctx)
	if !a.Has(waymark.RoleModerator) && !a.Has(waymark.RoleAdmin) {
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "Only moderators can see a listing's history")
	}
	return l.store.History(ctx, serviceID)
}

func pastTense(a Action) string {
	switch a {
	case ActionSubmit:
		return "submitted"
	case ActionApprove:
		return "approved"
	case ActionDecline:
		return "declined"
	case ActionFreeze:
		return "frozen"
	case ActionSuspend:
		return "suspended"
	case ActionReopen:
		return "reopened"
	case ActionDelete:
		return "deleted"
	case ActionRestore:
		return "restored"
	}
	return string(a)
}

// Pending is an entry waiting for moderation.
type Pending struct {
	Service     *Service
	SubmittedAt time.Time
}

// ReviewTarget is how long moderators aim to take over an entry.
const ReviewTarget = 48 * time.Hour

// Waited is how long the entry has waited at now.
func (p Pending) Waited(now time.Time) time.Duration { return now.Sub(p.SubmittedAt) }

// Overdue reports whether it has waited longer than the review target.
func (p Pending) Overdue(now time.Time) bool { return p.Waited(now) > ReviewTarget }

// Mine returns the listings of the organisations the actor is a provider in.
func (l *Lifecycle) Mine(ctx context.Context) ([]*Service, error) {
	var orgs []string
	for _, m := range waymark.ActorFrom(ctx).Memberships {
		if m.Role == waymark.RoleProvider {
			orgs = append(orgs, m.OrganizationID)
		}
	}
	return l.store.ListServicesOfOrganizations(ctx, orgs)
}

// Queue returns the entries waiting for moderation, oldest first. Errors:
// EFORBIDDEN for anyone but moderators and admins.
func (l *Lifecycle) Queue(ctx context.Context) ([]Pending, error) {
	a := waymark.ActorFrom(ctx)
	if !a.Has(waymark.RoleModerator) && !a.Has(waymark.RoleAdmin) {
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "Only moderators can see the review queue")
	}
	return l.store.ListPendingReview(ctx)
}

// Listing returns one service for someone who may manage it: its provider,
// a moderator or an admin. Errors: ENOTFOUND, EFORBIDDEN.
func (l *Lifecycle) Listing(ctx context.Context, id string) (*Service, error) {
	svc, err := l.store.FindServiceByID(ctx, id)
	if err != nil {
		return nil, err
	}
	a := waymark.ActorFrom(ctx)
	if !a.In(svc.OrganizationID, waymark.RoleProvider) && !a.Has(waymark.RoleModerator) && !a.Has(waymark.RoleAdmin) {
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "This is not one of your listings")
	}
	return svc, nil
}

// applyAsSystem takes an action for Waymark itself, such as a rule
// suspending an entry (by says which) or a moderator's approved change
// reinstating one; the signed-in user in ctx, if any, is recorded as the
// actor. Only the status rules apply.
func (l *Lifecycle) applyAsSystem(ctx context.Context, svc *Service, action Action, by SuspendedBy, note string) (*Event, error) {
	t := transitions[action]
	ok := false
	for _, f := range t.from {
		ok = ok || f == svc.Status
	}
	if !ok {
		return nil, waymark.Errorf(waymark.EINVALID, "A listing that is %s cannot be %s", svc.Status, pastTense(action))
	}
	e := &Event{ID: l.newID(), ServiceID: svc.ID, ActorID: waymark.ActorFrom(ctx).UserID, Action: action, From: svc.Status, To: t.to, Note: note, At: l.now().UTC()}
	if action == ActionSuspend {
		e.SuspendedBy = by
	}
	if err := l.store.ChangeStatus(ctx, *e); err != nil {
		return nil, fmt.Errorf("%s listing %s: %w", action, svc.ID, err)
	}
	return e, nil
}
