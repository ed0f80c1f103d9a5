package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/email"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

var allStatuses = []directory.Status{directory.StatusDraft, directory.StatusPendingReview, directory.StatusPublished,
	directory.StatusDeclined, directory.StatusFrozen, directory.StatusSuspended, directory.StatusDeleted}

var allActions = []directory.Action{directory.ActionSubmit, directory.ActionApprove, directory.ActionDecline, directory.ActionFreeze,
	directory.ActionSuspend, directory.ActionReopen, directory.ActionDelete, directory.ActionRestore}

// allowedTransitions lists, by who acts, every (action, from status) that is
// allowed. Everything not listed must be refused.
var allowedTransitions = map[string]map[directory.Action][]directory.Status{
	"own provider": {
		directory.ActionSubmit:  {directory.StatusDraft, directory.StatusDeclined},
		directory.ActionFreeze:  {directory.StatusPublished},
		directory.ActionSuspend: {directory.StatusPublished, directory.StatusFrozen},
		directory.ActionReopen:  {directory.StatusFrozen, directory.StatusSuspended},
		directory.ActionDelete:  {directory.StatusDraft, directory.StatusPendingReview, directory.StatusPublished, directory.StatusDeclined, directory.StatusFrozen, directory.StatusSuspended},
	},
	"moderator": {
		directory.ActionApprove: {directory.StatusPendingReview},
		directory.ActionDecline: {directory.StatusPendingReview},
		directory.ActionFreeze:  {directory.StatusPublished},
		directory.ActionSuspend: {directory.StatusPublished, directory.StatusFrozen},
		directory.ActionReopen:  {directory.StatusFrozen, directory.StatusSuspended},
	},
	"admin": {
		directory.ActionSubmit:  {directory.StatusDraft, directory.StatusDeclined},
		directory.ActionApprove: {directory.StatusPendingReview},
		directory.ActionDecline: {directory.StatusPendingReview},
		directory.ActionFreeze:  {directory.StatusPublished},
		directory.ActionSuspend: {directory.StatusPublished, directory.StatusFrozen},
		directory.ActionReopen:  {directory.StatusFrozen, directory.StatusSuspended},
		directory.ActionDelete:  {directory.StatusDraft, directory.StatusPendingReview, directory.StatusPublished, directory.StatusDeclined, directory.StatusFrozen, directory.StatusSuspended},
		directory.ActionRestore: {directory.StatusDeleted},
	},
	"other provider": {},
	"link worker":    {},
	"anonymous":      {},
}

func actors(orgID string) map[string]waymark.Actor {
	return map[string]waymark.Actor{
		"own provider":   {UserID: uuid.NewString(), Roles: []waymark.Role{waymark.RoleProvider}, Memberships: []waymark.Membership{{OrganizationID: orgID, Role: waymark.RoleProvider}}},
		"other provider": {UserID: uuid.NewString(), Roles: []waymark.Role{waymark.RoleProvider}, Memberships: []waymark.Membership{{OrganizationID: uuid.NewString(), Role: waymark.RoleProvider}}},
		"moderator":      {UserID: uuid.NewString(), Roles: []waymark.Role{waymark.RoleModerator}},
		"admin":          {UserID: uuid.NewString(), Roles: []waymark.Role{waymark.RoleAdmin}},
		"link worker":    {UserID: uuid.NewString(), Roles: []waymark.Role{waymark.RoleLinkWorker}, Memberships: []waymark.Membership{{OrganizationID: orgID, Role: waymark.RoleLinkWorker}}},
		"anonymous":      {},
	}
}

func TestEveryListingTransitionIsAllowedOrRefusedByRoleAndStatus(t *testing.T) {
	t.Parallel()
	db := sqlstoretest.OpenSQLite(t)
	f := newFixture(t, db)
	life := directory.NewLifecycle(f.store, email.Mailer{}, func() time.Time { return testNow }, uuid.NewString)
	who := actors(f.org.ID)
	for name, a := range who {
		for _, action := range allActions {
			for _, from := range allStatuses {
				svc := f.mustCreateService(t, fmt.Sprintf("%s %s %s", name, action, from), matlock, "DE4 3AG", func(s *directory.Service) { s.Status = from })
				ctx := waymark.WithActor(context.Background(), a)
				_, err := life.Apply(ctx, svc.ID, action, "A reason given")
				want := false
				for _, s := range allowedTransitions[name][action] {
					want = want || s == from
				}
				if want && err != nil {
					t.Errorf("%s %s from %s: refused (%v), want allowed", name, action, from, err)
				}
				if !want && err == nil {
					t.Errorf("%s %s from %s: allowed, want refused", name, action, from)
				}
				if !want {
					got, _ := f.store.FindServiceByID(context.Background(), svc.ID)
					if got.Status != from {
						t.Errorf("%s %s from %s: refused but the status changed to %s", name, action, from, got.Status)
					}
				}
			}
		}
	}
}

func TestListingLifecycleRecordsHistoryAndFollowsTheRules(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		now := testNow
		life := directory.NewLifecycle(f.store, email.Mailer{}, func() time.Time { return now }, uuid.NewString)
		who := actors(f.org.ID)
		provider := waymark.WithActor(context.Background(), who["own provider"])
		moderator := waymark.WithActor(context.Background(), who["moderator"])
		admin := waymark.WithActor(context.Background(), who["admin"])
		svc := f.mustCreateService(t, "Walk and talk", matlock, "DE4 3AG", func(s *directory.Service) { s.Status = directory.StatusDraft })
		search := func() int {
			return search(t, f, directory.SearchQuery{Text: "talk"}).Total
		}
		step := func(ctx context.Context, action directory.Action, note string) {
			t.Helper()
			if _, err := life.Apply(ctx, svc.ID, action, note); err != nil {
				t.Fatalf("%s: %v", action, err)
			}
		}
		step(provider, directory.ActionSubmit, "")
		if _, err := life.Apply(moderator, svc.ID, directory.ActionDecline, "  "); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("decline without a reason: %v", err)
		}
		step(moderator, directory.ActionDecline, "Please add when the walks happen")
		step(provider, directory.ActionSubmit, "")
		if n := search(); n != 0 {
			t.Errorf("pending entry in search: %d", n)
		}
		now = now.Add(time.Hour)
		step(moderator, directory.ActionApprove, "")
		if n := search(); n != 1 {
			t.Errorf("approved entry not in search: %d", n)
		}
		got, _ := f.store.FindServiceByID(context.Background(), svc.ID)
		if got.AssuredAt == nil || !got.AssuredAt.Equal(now) {
			t.Errorf("approval did not confirm the entry: %v", got.AssuredAt)
		}
		step(provider, directory.ActionFreeze, "Full until March: about 6 weeks' wait")
		got, _ = f.store.FindServiceByID(context.Background(), svc.ID)
		if got.Status != directory.StatusFrozen || got.StatusNote != "Full until March: about 6 weeks' wait" {
			t.Errorf("frozen: %s %q", got.Status, got.StatusNote)
		}
		if n := search(); n != 1 {
			t.Errorf("frozen entry left search: %d", n)
		}
		step(provider, directory.ActionReopen, "")
		step(moderator, directory.ActionSuspend, "Reported as closed")
		if n := search(); n != 0 {
			t.Errorf("suspended entry in search: %d", n)
		}
		step(provider, directory.ActionDelete, "")
		// Restorable by admins for 30 days only.
		if _, err := life.Apply(provider, svc.ID, directory.ActionRestore, ""); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Errorf("provider restore: %v", err)
		}
		now = now.Add(31 * 24 * time.Hour)
		if _, err := life.Apply(admin, svc.ID, directory.ActionRestore, ""); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("restore after 31 days: %v", err)
		}
		now = now.Add(-2 * 24 * time.Hour)
		step(admin, directory.ActionRestore, "")

		events, err := life.History(moderator, svc.ID)
		if err != nil {
			t.Fatal(err)
		}
		var actions []directory.Action
		for _, e := range events {
			actions = append(actions, e.Action)
		}
		want := "[submit decline submit approve freeze reopen suspend delete restore]"
		if fmt.Sprint(actions) != want {
			t.Errorf("history = %v, want %s", actions, want)
		}
		if events[1].Note != "Please add when the walks happen" || events[1].ActorID != who["moderator"].UserID {
			t.Errorf("decline event: %+v", events[1])
		}
		if _, err := life.History(provider, svc.ID); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Errorf("provider reading history: %v", err)
		}
	})
}

func TestStaleStatusChangesConflict(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		svc := f.mustCreateService(t, "Group", matlock, "DE4 3AG", func(s *directory.Service) { s.Status = directory.StatusPendingReview })
		e := directory.Event{ID: uuid.NewString(), ServiceID: svc.ID, Action: directory.ActionApprove, From: directory.StatusDraft, To: directory.StatusPublished, At: testNow}
		if err := f.store.ChangeStatus(context.Background(), e); waymark.ErrorCode(err) != waymark.ECONFLICT {
			t.Errorf("change from a status the entry is not in: %v, want ECONFLICT", err)
		}
	})
}
