package directory

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"waymark"
)

// Revision is a provider's change to a live listing, waiting for review.
type Revision struct {
	ID          string
	ServiceID   string
	Proposed    *Service
	SubmittedBy string
	SubmittedAt time.Time
	Status      string // pending, approved, declined or superseded
	Note        string
}

// Revision actions, recorded in the history.
const (
	ActionRevise         Action = "revise"          // a change applied directly (draft, declined or pending entries)
	ActionApproveChanges Action = "approve_changes" // a revision approved
	ActionDeclineChanges Action = "decline_changes" // a revision declined
	ActionCorrect        Action = "correct"         // a moderator's correction, applied at once
)

// RevisionStore keeps revisions.
type RevisionStore interface {
	UpdateServiceContent(ctx context.Context, svc *Service) error
	CreateRevision(ctx context.Context, r Revision) error
	PendingRevisions(ctx context.Context) ([]Revision, error)
	FindRevision(ctx context.Context, id string) (*Revision, error)
	// PendingRevisionOf returns the change to a service waiting for review.
	// Errors: ENOTFOUND when there is none.
	PendingRevisionOf(ctx context.Context, serviceID string) (*Revision, error)
	DecideRevision(ctx context.Context, r Revision, approve bool, e Event, decidedBy string, at time.Time) error
	// InTx runs fn in one transaction, as LifecycleStore's.
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	// CorrectService replaces what a service says and records the event, in
	// one transaction.
	CorrectService(ctx context.Context, svc *Service, e Event) error
}

// edit changes a listing for its provider. Entries not yet live change at
// once; a live entry (published, frozen or suspended) stays as it is and the
// change waits for a moderator as a revision. It reports whether a revision
// was made. Errors: EFORBIDDEN, ENOTFOUND, EINVALID with the field at fault.
func (d *Directory) edit(ctx context.Context, life *Lifecycle, revs RevisionStore, id string, proposed *Service) (bool, error) {
	current, err := life.Listing(ctx, id)
	if err != nil {
		return false, err
	}
	a := waymark.ActorFrom(ctx)
	if !a.In(current.OrganizationID, waymark.RoleProvider) && !a.Has(waymark.RoleAdmin) {
		return false, waymark.Errorf(waymark.EFORBIDDEN, "This is not one of your listings")
	}
	if current.Status == StatusDeleted {
		return false, waymark.Errorf(waymark.EINVALID, "A deleted listing cannot be changed")
	}
	proposed.ID, proposed.OrganizationID, proposed.Status = current.ID, current.OrganizationID, current.Status
	keepWhatTheFormDoesNotCarry(current, proposed)
	proposed.CreatedAt, proposed.AssuredAt = current.CreatedAt, current.AssuredAt
	if err := d.prepare(proposed); err != nil {
		return false, err
	}
	proposed.ID = current.ID
	now := d.now().UTC()
	switch current.Status {
	case StatusDraft, StatusDeclined, StatusPendingReview:
		if err := revs.UpdateServiceContent(ctx, proposed); err != nil {
			return false, err
		}
		return false, nil
	}
	err = revs.CreateRevision(ctx, Revision{ID: life.newID(), ServiceID: current.ID, Proposed: proposed, SubmittedBy: a.UserID, SubmittedAt: now})
	return err == nil, err
}

// pendingChange returns the change to one of the actor's listings that is
// waiting for review, or nil when there is none. Errors: EFORBIDDEN,
// ENOTFOUND for the listing.
func (l *Lifecycle) pendingChange(ctx context.Context, revs RevisionStore, serviceID string) (*Revision, error) {
	if _, err := l.Listing(ctx, serviceID); err != nil {
		return nil, err
	}
	r, err := revs.PendingRevisionOf(ctx, serviceID)
	if waymark.ErrorCode(err) == waymark.ENOTFOUND {
		return nil, nil
	}
	return r, err
}

// correct changes a listing at once for a moderator (or an administrator),
// whatever its status but deleted, and records the correction in its
// history: describe says what changed (given the entry before and after),
// then the moderator's note. Errors: EUNAUTHORIZED, EFORBIDDEN, ENOTFOUND,
// EINVALID with the field at fault.
func (d *Directory) correct(ctx context.Context, life *Lifecycle, revs RevisionStore, id string, proposed *Service, note string, describe func(before, after *Service) string) error {
	if err := mayModerate(ctx); err != nil {
		return err
	}
	current, err := life.store.FindServiceByID(ctx, id)
	if err != nil {
		return err
	}
	if current.Status == StatusDeleted {
		return waymark.Errorf(waymark.EINVALID, "A deleted listing cannot be changed")
	}
	proposed.ID, proposed.OrganizationID, proposed.Status = current.ID, current.OrganizationID, current.Status
	keepWhatTheFormDoesNotCarry(current, proposed)
	proposed.CreatedAt, proposed.AssuredAt = current.CreatedAt, current.AssuredAt
	if err := d.prepare(proposed); err != nil {
		return err
	}
	proposed.ID = current.ID
	if note = strings.TrimSpace(note); utf8.RuneCountInString(note) > 2000 {
		return waymark.FieldErrorf(waymark.EINVALID, "note", "The note must be 2,000 characters or fewer")
	}
	text := describe(current, proposed)
	if note != "" {
		text += ". " + note
	}
	e := Event{ID: life.newID(), ServiceID: current.ID, ActorID: waymark.ActorFrom(ctx).UserID, Action: ActionCorrect,
		From: current.Status, To: current.Status, Note: text, At: proposed.UpdatedAt}
	if err := revs.CorrectService(ctx, proposed, e); err != nil {
		return fmt.Errorf("correct listing %s: %w", id, err)
	}
	return nil
}

// pendingRevisions lists changes waiting for review, for moderators.
// Errors: EFORBIDDEN.
func (l *Lifecycle) pendingRevisions(ctx context.Context, revs RevisionStore) ([]Revision, error) {
	a := waymark.ActorFrom(ctx)
	if !a.Has(waymark.RoleModerator) && !a.Has(waymark.RoleAdmin) {
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "Only moderators can review changes")
	}
	return revs.PendingRevisions(ctx)
}

// decideRevision approves a revision (the live entry changes) or declines it
// with a reason, which is emailed to the listing's address in the same
// transaction. Errors: EFORBIDDEN, ENOTFOUND, EINVALID, ECONFLICT.
func (l *Lifecycle) decideRevision(ctx context.Context, revs RevisionStore, id string, approve bool, note string) (*Revision, error) {
	a := waymark.ActorFrom(ctx)
	if !a.Has(waymark.RoleModerator) && !a.Has(waymark.RoleAdmin) {
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "Only moderators can review changes")
	}
	r, err := revs.FindRevision(ctx, id)
	if err != nil {
		return nil, err
	}
	if !approve && len(note) < 3 {
		return nil, waymark.FieldErrorf(waymark.EINVALID, "note", "Enter why the changes are declined")
	}
	current, err := l.store.FindServiceByID(ctx, r.ServiceID)
	if err != nil {
		return nil, err
	}
	action := ActionDeclineChanges
	if approve {
		action = ActionApproveChanges
	}
	now := l.now().UTC()
	r.Proposed.UpdatedAt = now
	e := Event{ID: l.newID(), ServiceID: r.ServiceID, ActorID: a.UserID, Action: action, From: current.Status, To: current.Status, Note: note, At: now}
	err = revs.InTx(ctx, func(ctx context.Context) error {
		if err := revs.DecideRevision(ctx, *r, approve, e, a.UserID, now); err != nil {
			return err
		}
		if approve || r.Proposed.Email == "" {
			return nil
		}
		return l.mail.Send(ctx, changesDeclinedEmail(l.mail, r.Proposed, note))
	})
	if err != nil {
		return nil, err
	}
	// An approved change brings back an entry a rule suspended; what a
	// moderator suspended stays suspended until a moderator reopens it.
	if approve && current.Status == StatusSuspended && current.SuspendedBy.Automatic() {
		if _, err := l.applyAsSystem(ctx, current, ActionReopen, "", "Back in search: the provider's changes were approved."); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// keepWhatTheFormDoesNotCarry copies from the current entry the parts the
// listing form does not edit — schedules, images, named contacts, second and
// later locations — so a change to one field loses nothing else.
func keepWhatTheFormDoesNotCarry(current, proposed *Service) {
	if len(proposed.Schedules) == 0 {
		proposed.Schedules = cloneSlice(current.Schedules)
	}
	if len(proposed.Images) == 0 {
		proposed.Images = cloneSlice(current.Images)
	}
	if len(current.Contacts) > 0 {
		phone := ""
		if len(proposed.Contacts) > 0 && len(proposed.Contacts[0].Phones) > 0 {
			phone = proposed.Contacts[0].Phones[0].Number
		}
		contacts := cloneSlice(current.Contacts)
		for i := range contacts {
			contacts[i].Phones = cloneSlice(contacts[i].Phones)
		}
		switch {
		case phone == "":
		case len(contacts[0].Phones) == 0:
			contacts[0].Phones = []Phone{{Number: phone}}
		default:
			contacts[0].Phones[0].Number = phone
		}
		proposed.Contacts = contacts
	}
	if len(current.Locations) > 1 {
		proposed.Locations = append(proposed.Locations, cloneSlice(current.Locations[1:])...)
	}
}

func cloneSlice[T any](s []T) []T { return append([]T(nil), s...) }

// Revisions is providers' changes to listings and their review, for the
// pages: it holds the revision store, so callers hold only services.
type Revisions struct {
	store RevisionStore
	dir   *Directory
	life  *Lifecycle
}

// NewRevisions returns Revisions keeping changes in store.
func NewRevisions(store RevisionStore, dir *Directory, life *Lifecycle) *Revisions {
	return &Revisions{store: store, dir: dir, life: life}
}

// Edit changes a listing for its provider. Entries not yet live change at
// once; a live entry (published, frozen or suspended) stays as it is and the
// change waits for a moderator as a revision. It reports whether a revision
// was made. Errors: EFORBIDDEN, ENOTFOUND, EINVALID with the field at fault.
func (v *Revisions) Edit(ctx context.Context, id string, proposed *Service) (bool, error) {
	return v.dir.edit(ctx, v.life, v.store, id, proposed)
}

// Correct changes a listing at once for a moderator (or an administrator),
// whatever its status but deleted, and records the correction in its
// history: describe says what changed (given the entry before and after),
// then the moderator's note. Errors: EUNAUTHORIZED, EFORBIDDEN, ENOTFOUND,
// EINVALID with the field at fault.
func (v *Revisions) Correct(ctx context.Context, id string, proposed *Service, note string, describe func(before, after *Service) string) error {
	return v.dir.correct(ctx, v.life, v.store, id, proposed, note, describe)
}

// Pending lists changes waiting for review, for moderators. Errors:
// EFORBIDDEN.
func (v *Revisions) Pending(ctx context.Context) ([]Revision, error) {
	return v.life.pendingRevisions(ctx, v.store)
}

// Find returns one revision for moderators. Errors: EFORBIDDEN,
// ENOTFOUND.
func (v *Revisions) Find(ctx context.Context, id string) (*Revision, error) {
	a := waymark.ActorFrom(ctx)
	if !a.Has(waymark.RoleModerator) && !a.Has(waymark.RoleAdmin) {
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "Only moderators can review changes")
	}
	return v.store.FindRevision(ctx, id)
}

// Decide approves a revision (the live entry changes) or declines it with a
// reason, which is emailed to the listing's address in the same
// transaction. Errors: EFORBIDDEN, ENOTFOUND, EINVALID, ECONFLICT.
func (v *Revisions) Decide(ctx context.Context, id string, approve bool, note string) (*Revision, error) {
	return v.life.decideRevision(ctx, v.store, id, approve, note)
}

// PendingChange returns the change to one of the actor's listings waiting
// for review, or nil when there is none. Errors: EFORBIDDEN, ENOTFOUND for
// the listing.
func (v *Revisions) PendingChange(ctx context.Context, serviceID string) (*Revision, error) {
	return v.life.pendingChange(ctx, v.store, serviceID)
}
