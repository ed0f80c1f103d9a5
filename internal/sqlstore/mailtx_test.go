package sqlstore_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/account"
	"waymark/internal/casework"
	"waymark/internal/directory"
	"waymark/internal/email"
	"waymark/internal/freshness"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

// The child process of TestAChangeAndItsEmailCommitTogetherWhenTheProcessIsKilled
// reads what to do from these variables.
const (
	envCrashChild = "WAYMARK_TEST_CRASH_CHILD" // JSON crashCase
	envCrashDSN   = "WAYMARK_TEST_CRASH_DSN"
)

// Where the child kills itself.
const (
	killBeforeQueue  = "after the change, before the email is queued"
	killBeforeCommit = "after the email is queued, before the commit"
	noKill           = "not at all"
)

// crashCase is one domain call run in a child process.
type crashCase struct {
	Flow, Kill string
	ID         string // the service or revision the flow acts on
}

// crashFlow is a change that emails someone: set-up in the parent, the call
// in the child, and how the parent counts the change and its email.
type crashFlow struct {
	name   string
	to     string // the email's address
	setUp  func(t *testing.T, f *fixture, db *sqlstore.DB, accounts *account.Service) string
	run    func(ctx context.Context, s crashServices, id string) error
	change func(t *testing.T, f *fixture, db *sqlstore.DB, id string) bool
}

// crashServices are the domain services, sending through mail.
type crashServices struct {
	accounts  *account.Service
	life      *directory.Lifecycle
	reports   *directory.Reports
	store     *sqlstore.DirectoryStore
	revisions *directory.Revisions
	checks    *freshness.ManualChecks
	casework  *casework.Service
}

// manualCheckDay is a day on which the fixture's listings, created at
// testNow, are due a manual check.
var manualCheckDay = testNow.AddDate(2, 0, 0)

func newCrashServices(db *sqlstore.DB, mail email.Mailer) crashServices {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	store := sqlstore.NewDirectoryStore(db)
	life := directory.NewLifecycle(store, mail, time.Now, uuid.NewString)
	reports := directory.NewReports(store, life, []byte("report secret"))
	var sender email.Sender = mail.Sender
	if sender == nil {
		sender = email.Mailer{} // sends nothing
	}
	return crashServices{accounts: account.NewService(sqlstore.NewAccountStore(db), mail, time.Now, logger, account.WithPasswordCost(account.TestPasswordCost())), life: life,
		reports: reports, store: store, revisions: directory.NewRevisions(store, directory.NewDirectory(store, nil, time.Now, logger), life),
		checks: freshness.NewManualChecks(sqlstore.NewFreshnessStore(db), directory.NewSystem(life, reports).As(directory.ByManualCheck), sender,
			freshness.ManualConfig{PublicURL: mail.PublicURL}, func() time.Time { return manualCheckDay }, uuid.NewString, logger),
		casework: casework.NewService(sqlstore.NewCaseworkStore(db), func() time.Time { return testNow },
			casework.Config{NewID: uuid.NewString, Mail: sender, Logger: logger})}
}

var (
	moderator = waymark.Actor{UserID: uuid.NewString(), Roles: []waymark.Role{waymark.RoleModerator}}
	admin     = waymark.Actor{UserID: uuid.NewString(), Roles: []waymark.Role{waymark.RoleAdmin}}
)

func userExists(t *testing.T, db *sqlstore.DB, addr string) bool {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM app_user WHERE email = '` + addr + `'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// statusIs reports whether the service id has status st.
func statusIs(t *testing.T, f *fixture, id string, st directory.Status) bool {
	t.Helper()
	svc, err := f.store.FindServiceByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return svc.Status == st
}

var crashFlows = []crashFlow{
	{name: "sign-up", to: "new@example.org",
		run: func(ctx context.Context, s crashServices, _ string) error {
			_, _, err := s.accounts.Register(ctx, "new@example.org", "New Person", "a long enough password", "")
			return err
		},
		change: func(t *testing.T, _ *fixture, db *sqlstore.DB, _ string) bool {
			return userExists(t, db, "new@example.org")
		}},
	{name: "password reset", to: "jo@example.org",
		setUp: func(t *testing.T, _ *fixture, _ *sqlstore.DB, accounts *account.Service) string {
			u, err := accounts.CreateUser(context.Background(), "jo@example.org", "Jo", "a long enough password", "")
			if err != nil {
				t.Fatal(err)
			}
			return u.ID
		},
		run: func(ctx context.Context, s crashServices, _ string) error {
			_, _, err := s.accounts.RequestPasswordReset(ctx, "jo@example.org")
			return err
		},
		change: func(t *testing.T, _ *fixture, db *sqlstore.DB, id string) bool {
			var n int
			if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM account_token WHERE purpose = 'reset_password' AND user_id = '` + id + `'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n > 0
		}},
	{name: "invitation", to: "invited@example.org",
		run: func(ctx context.Context, s crashServices, _ string) error {
			_, _, err := s.accounts.Invite(waymark.WithActor(ctx, admin), "invited@example.org", "Ivy", waymark.RoleModerator, "")
			return err
		},
		change: func(t *testing.T, _ *fixture, db *sqlstore.DB, _ string) bool {
			return userExists(t, db, "invited@example.org")
		}},
	{name: "listing declined", to: "hello@peakwalkers.example",
		setUp: func(t *testing.T, f *fixture, _ *sqlstore.DB, _ *account.Service) string {
			return f.mustCreateService(t, "Walk and talk", matlock, "DE4 3AG", func(s *directory.Service) { s.Status = directory.StatusPendingReview }).ID
		},
		run: func(ctx context.Context, s crashServices, id string) error {
			_, err := s.life.Apply(waymark.WithActor(ctx, moderator), id, directory.ActionDecline, "Add the meeting point")
			return err
		},
		change: func(t *testing.T, f *fixture, _ *sqlstore.DB, id string) bool {
			return statusIs(t, f, id, directory.StatusDeclined)
		}},
	{name: "suspended after reports", to: "hello@peakwalkers.example",
		setUp: func(t *testing.T, f *fixture, _ *sqlstore.DB, _ *account.Service) string {
			return f.mustCreateService(t, "Walk and talk", matlock, "DE4 3AG", nil).ID
		},
		run: func(ctx context.Context, s crashServices, id string) error {
			_, err := s.life.Apply(waymark.WithActor(ctx, moderator), id, directory.ActionSuspend, "Two people say the walks stopped")
			return err
		},
		change: func(t *testing.T, f *fixture, _ *sqlstore.DB, id string) bool {
			return statusIs(t, f, id, directory.StatusSuspended)
		}},
	{name: "changes declined", to: "changes@peakwalkers.example",
		setUp: func(t *testing.T, f *fixture, _ *sqlstore.DB, _ *account.Service) string {
			svc := f.mustCreateService(t, "Walk and talk", matlock, "DE4 3AG", nil)
			proposed := *svc
			proposed.Description, proposed.Email = "Longer walks on Saturdays.", "changes@peakwalkers.example"
			provider := waymark.WithActor(context.Background(), waymark.Actor{UserID: uuid.NewString(), Roles: []waymark.Role{waymark.RoleProvider},
				Memberships: []waymark.Membership{{OrganizationID: f.org.ID, Role: waymark.RoleProvider}}})
			life := directory.NewLifecycle(f.store, email.Mailer{}, time.Now, uuid.NewString)
			if _, err := directory.NewRevisions(f.store, f.dir, life).Edit(provider, svc.ID, &proposed); err != nil {
				t.Fatal(err)
			}
			revs, err := f.store.PendingRevisions(context.Background())
			if err != nil || len(revs) != 1 {
				t.Fatalf("%d revisions: %v", len(revs), err)
			}
			return revs[0].ID
		},
		run: func(ctx context.Context, s crashServices, id string) error {
			_, err := s.revisions.Decide(waymark.WithActor(ctx, moderator), id, false, "The times are wrong")
			return err
		},
		change: func(t *testing.T, f *fixture, _ *sqlstore.DB, id string) bool {
			r, err := f.store.FindRevision(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			return r.Status == "declined"
		}},
	{name: "suspended after a manual check", to: "hello@peakwalkers.example",
		setUp: func(t *testing.T, f *fixture, _ *sqlstore.DB, _ *account.Service) string {
			return f.mustCreateService(t, "Walk and talk", matlock, "DE4 3AG", nil).ID
		},
		run: func(ctx context.Context, s crashServices, id string) error {
			return s.checks.Record(waymark.WithActor(ctx, moderator), id, freshness.OutcomeUnconfirmed, "No answer on the phone")
		},
		change: func(t *testing.T, f *fixture, _ *sqlstore.DB, id string) bool {
			return statusIs(t, f, id, directory.StatusSuspended)
		}},
	{name: "appointment reminder", to: "peggy@example.org",
		setUp: func(t *testing.T, _ *fixture, db *sqlstore.DB, _ *account.Service) string {
			cf := newCaseFixture(t, db)
			id := cf.sampleClientOf(t)
			if err := cf.svc.AddConsent(cf.worker, id, casework.ConsentContactEmail, ""); err != nil {
				t.Fatal(err)
			}
			// testNow is Monday 09:30 UTC; the appointment is Tuesday.
			appt, err := cf.svc.AddAppointment(cf.worker, id, casework.Appointment{StartsAt: testNow.Add(25 * time.Hour), Mode: "in_person", Place: "Matlock library"})
			if err != nil {
				t.Fatal(err)
			}
			return appt.ID
		},
		run: func(ctx context.Context, s crashServices, _ string) error {
			return s.casework.SendReminders(ctx, testNow)
		},
		change: func(t *testing.T, _ *fixture, db *sqlstore.DB, id string) bool {
			var n int
			if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM cw_appointment WHERE reminder_sent_at IS NOT NULL AND id = '` + id + `'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			var entries int
			if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM cw_entry WHERE ref_id = '` + id + `' AND summary LIKE 'Reminder%'`).Scan(&entries); err != nil {
				t.Fatal(err)
			}
			if n != entries {
				t.Errorf("reminder marked sent: %d, timeline entries: %d", n, entries)
			}
			return n > 0
		}},
}

// killingSender queues through the outbox, killing the process (as kill -9
// does) before or after the queue write, inside the change's transaction.
type killingSender struct {
	outbox *email.Outbox
	kill   string
}

func (k killingSender) Send(ctx context.Context, m email.Message) error {
	if k.kill == killBeforeQueue {
		killSelf()
	}
	if err := k.outbox.Send(ctx, m); err != nil {
		return err
	}
	if k.kill == killBeforeCommit {
		killSelf()
	}
	return nil
}

func killSelf() {
	p, _ := os.FindProcess(os.Getpid())
	p.Kill()
	select {} // the signal is on its way
}

// runCrashChild is the child process: one domain call, killed where asked.
func runCrashChild(t *testing.T, raw string) {
	var c crashCase
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, os.Getenv(envCrashDSN))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	outbox := email.NewOutbox(sqlstore.NewEmailStore(db), email.DevTransport{}, time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	s := newCrashServices(db, email.Mailer{Sender: killingSender{outbox: outbox, kill: c.Kill}, PublicURL: "https://waymark.test"})
	for _, f := range crashFlows {
		if f.name == c.Flow {
			if err := f.run(ctx, s, c.ID); err != nil {
				t.Fatalf("%s: %v", f.name, err)
			}
			return
		}
	}
	t.Fatalf("no flow %q", c.Flow)
}

// TestAChangeAndItsEmailCommitTogetherWhenTheProcessIsKilled runs each
// change that sends email (sign-up, password reset, invitation, a listing
// declined, a report, changes declined, a listing suspended after a manual
// check, an appointment reminder) in a child process that kills
// itself between the change and the queue write, or between the queue
// write and the commit, and then finds neither the change nor the email;
// run to the end, it finds both.
func TestAChangeAndItsEmailCommitTogetherWhenTheProcessIsKilled(t *testing.T) {
	if raw := os.Getenv(envCrashChild); raw != "" {
		runCrashChild(t, raw)
		return
	}
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		for _, flow := range crashFlows {
			// The kills leave nothing behind, so the three runs share one
			// database, the run to the end last.
			t.Run(flow.name, func(t *testing.T) {
				t.Parallel()
				db := sqlstoretest.Open(t, db.Dialect())
				f := newFixture(t, db)
				id := ""
				if flow.setUp != nil {
					id = flow.setUp(t, f, db, newCrashServices(db, email.Mailer{}).accounts)
				}
				for _, kill := range []string{killBeforeQueue, killBeforeCommit, noKill} {
					raw, _ := json.Marshal(crashCase{Flow: flow.name, Kill: kill, ID: id})
					cmd := exec.Command(os.Args[0], "-test.run=^TestAChangeAndItsEmailCommitTogetherWhenTheProcessIsKilled$")
					cmd.Env = append(os.Environ(), envCrashChild+"="+string(raw), envCrashDSN+"="+db.DSN())
					out, err := cmd.CombinedOutput()
					killed := cmd.ProcessState != nil && !cmd.ProcessState.Exited()
					if kill == noKill && err != nil {
						t.Fatalf("child failed: %v\n%s", err, out)
					}
					if kill != noKill && !killed {
						t.Fatalf("killed %s: the child was not killed (%v):\n%s", kill, err, out)
					}
					changed := flow.change(t, f, db, id)
					list, err := sqlstore.NewEmailStore(db).RecentEmails(context.Background(), 100)
					if err != nil {
						t.Fatal(err)
					}
					emailed := false
					for _, q := range list {
						emailed = emailed || q.To == flow.to
					}
					if changed != emailed {
						t.Fatalf("killed %s: change saved: %v, email queued: %v; want both or neither", kill, changed, emailed)
					}
					if want := kill == noKill; changed != want {
						t.Errorf("killed %s: change and email saved: %v, want %v", kill, changed, want)
					}
				}
			})
		}
	})
}
