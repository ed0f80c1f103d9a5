package sqlstore_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/email"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

// TestSuspensionStateTable tests every cell of the table in
// docs/decisions.md: who suspended an entry against each way of bringing
// it back.
func TestSuspensionStateTable(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		now := func() time.Time { return testNow }
		life := directory.NewLifecycle(f.store, email.Mailer{}, now, uuid.NewString)
		reports := directory.NewReports(f.store, life, []byte("k"))
		system := directory.NewSystem(life, reports)
		who := actors(f.org.ID)
		provider := waymark.WithActor(context.Background(), who["own provider"])
		moderator := waymark.WithActor(context.Background(), who["moderator"])

		suspenders := []struct {
			by      directory.SuspendedBy
			suspend func(id string) error
		}{
			{directory.ByProvider, func(id string) error {
				_, err := life.Apply(provider, id, directory.ActionSuspend, "Closed for the summer")
				return err
			}},
			{directory.ByModerator, func(id string) error {
				_, err := life.Apply(moderator, id, directory.ActionSuspend, "Reported as unsafe: checking")
				return err
			}},
			{directory.ByWebsiteCheck, func(id string) error {
				_, err := system.As(directory.ByWebsiteCheck).Suspend(context.Background(), id, "Website gone", nil)
				return err
			}},
			{directory.ByReferralRule, func(id string) error {
				_, err := system.As(directory.ByReferralRule).Suspend(context.Background(), id, "3 referrals unanswered", nil)
				return err
			}},
			{directory.ByManualCheck, func(id string) error {
				_, err := system.As(directory.ByManualCheck).Suspend(moderator, id, "Checked by a moderator: could not confirm", nil)
				return err
			}},
		}
		// How the entry may come back, and for whom each works.
		ways := []struct {
			name   string
			reopen func(t *testing.T, id string) error
			works  func(by directory.SuspendedBy) bool
		}{
			{"provider reopens (confirms it is current)", func(t *testing.T, id string) error {
				_, err := life.Apply(provider, id, directory.ActionReopen, "")
				return err
			}, func(by directory.SuspendedBy) bool { return by != directory.ByModerator }},
			{"provider's signed confirmation link", func(t *testing.T, id string) error {
				q, _ := url.ParseQuery(reports.ConfirmLink(id))
				exp, sig := q.Get("expires"), q.Get("sig")
				_, err := reports.Confirm(context.Background(), id, exp, sig)
				return err
			}, func(by directory.SuspendedBy) bool { return by != directory.ByModerator }},
			{"provider edits, moderator approves the edit", func(t *testing.T, id string) error {
				cur, err := f.store.FindServiceByID(context.Background(), id)
				if err != nil {
					return err
				}
				proposed := *cur
				proposed.Description = "Updated: we now meet on Tuesdays too."
				made, err := directory.NewRevisions(f.store, f.dir, life).Edit(provider, id, &proposed)
				if err != nil || !made {
					t.Fatalf("edit: %v (revision %v)", err, made)
				}
				revs, err := f.store.PendingRevisions(context.Background())
				if err != nil || len(revs) != 1 {
					t.Fatalf("%d revisions, %v", len(revs), err)
				}
				_, err = directory.NewRevisions(f.store, f.dir, life).Decide(moderator, revs[0].ID, true, "")
				return err
			}, func(by directory.SuspendedBy) bool { return by.Automatic() }},
			{"moderator reopens", func(t *testing.T, id string) error {
				_, err := life.Apply(moderator, id, directory.ActionReopen, "")
				return err
			}, func(directory.SuspendedBy) bool { return true }},
		}
		for _, s := range suspenders {
			for _, w := range ways {
				svc := f.mustCreateService(t, string(s.by)+" "+w.name, matlock, "DE4 3AG", nil)
				if err := s.suspend(svc.ID); err != nil {
					t.Fatalf("suspend %s: %v", s.by, err)
				}
				got, _ := f.store.FindServiceByID(context.Background(), svc.ID)
				if got.Status != directory.StatusSuspended || got.SuspendedBy != s.by {
					t.Fatalf("suspended by %s: recorded %s %q", s.by, got.Status, got.SuspendedBy)
				}
				err := w.reopen(t, svc.ID)
				got, _ = f.store.FindServiceByID(context.Background(), svc.ID)
				if w.works(s.by) {
					if err != nil || got.Status != directory.StatusPublished || got.SuspendedBy != "" {
						t.Errorf("suspended by %s, %s: %v, now %s %q; want published", s.by, w.name, err, got.Status, got.SuspendedBy)
					}
					continue
				}
				if got.Status != directory.StatusSuspended || got.SuspendedBy != s.by {
					t.Errorf("suspended by %s, %s: now %s %q; want still suspended", s.by, w.name, got.Status, got.SuspendedBy)
				}
				if w.name != "provider edits, moderator approves the edit" && err == nil {
					t.Errorf("suspended by %s, %s: no error", s.by, w.name)
				}
			}
		}
	})
}
