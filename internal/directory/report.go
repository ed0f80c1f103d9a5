package directory

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"waymark"
	"waymark/internal/input"
)

// Report is something wrong with an entry, reported by anyone.
type Report struct {
	ID               string
	ServiceID        string
	Reason           string
	ReporterEmail    string // optional
	CreatedAt        time.Time
	ServiceName      string // for moderators' lists
	OrganizationName string
}

// ReportStore keeps reports.
type ReportStore interface {
	CreateReport(ctx context.Context, r Report) error
	ResolveReports(ctx context.Context, serviceID, resolution string, at time.Time) error
	OpenReports(ctx context.Context) ([]Report, error)
	// MarkAssured records that a live (published or frozen) entry was
	// confirmed at at; other entries are left alone.
	MarkAssured(ctx context.Context, serviceID string, at time.Time) error
	// InTx runs fn in one transaction, as LifecycleStore's.
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// ConfirmTTL is how long a provider's "still running" link works.
const ConfirmTTL = 14 * 24 * time.Hour

// Reports handles "report something wrong": the entry is suspended until
// its provider confirms it is still running (by a signed link that needs no
// sign-in) or edits it.
type Reports struct {
	store  ReportStore
	life   *Lifecycle
	secret []byte
}

// NewReports returns Reports. secret signs the providers' confirmation links.
func NewReports(store ReportStore, life *Lifecycle, secret []byte) *Reports {
	return &Reports{store: store, life: life, secret: secret}
}

// Report records what someone says is wrong with a public entry, suspends
// it and asks its provider to check it, in one transaction. It returns the
// entry. Errors:
// ENOTFOUND, EINVALID with Field "reason" or "email".
func (r *Reports) Report(ctx context.Context, serviceID, reason, email string) (*Service, error) {
	reason, err := input.Lines("The reason", reason, 2000)
	if err != nil {
		return nil, waymark.FieldErrorf(waymark.EINVALID, "reason", "%s", waymark.ErrorMessage(err))
	}
	if utf8.RuneCountInString(reason) < 5 {
		return nil, waymark.FieldErrorf(waymark.EINVALID, "reason", "Tell us what is wrong, in a few words")
	}
	if email = strings.TrimSpace(email); email != "" {
		if email, err = input.Email(email); err != nil {
			return nil, waymark.FieldErrorf(waymark.EINVALID, "email", "Enter an email address in the correct format, like name@example.org, or leave it empty")
		}
	}
	svc, err := r.life.store.FindServiceByID(ctx, serviceID)
	if err != nil {
		return nil, err
	}
	if !svc.Status.Public() {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "There is no service at this address")
	}
	now := r.life.now().UTC()
	err = r.store.InTx(ctx, func(ctx context.Context) error {
		if err := r.store.CreateReport(ctx, Report{ID: r.life.newID(), ServiceID: svc.ID, Reason: reason, ReporterEmail: email, CreatedAt: now}); err != nil {
			return err
		}
		if svc.Status == StatusPublished || svc.Status == StatusFrozen {
			if _, err := r.life.applyAsSystem(ctx, svc, ActionSuspend, "Reported as out of date: we are checking with the provider."); err != nil {
				return err
			}
		}
		if svc.Email == "" {
			return nil
		}
		return r.life.mail.Send(ctx, reportedEmail(r.life.mail, svc, reason, "/services/"+svc.ID+"/confirm?"+r.ConfirmLink(svc.ID)))
	})
	if err != nil {
		return nil, err
	}
	return svc, nil
}

// ConfirmLink returns the query string of a signed, expiring link by which
// the provider confirms the entry is still running.
func (r *Reports) ConfirmLink(serviceID string) string {
	exp := r.life.now().Add(ConfirmTTL).Unix()
	return "expires=" + strconv.FormatInt(exp, 10) + "&sig=" + r.sign(serviceID, exp)
}

func (r *Reports) sign(serviceID string, exp int64) string {
	m := hmac.New(sha256.New, r.secret)
	m.Write([]byte("confirm-running:" + serviceID + ":" + strconv.FormatInt(exp, 10)))
	return hex.EncodeToString(m.Sum(nil))
}

// Confirm checks a confirmation link and puts the entry live again (a
// suspended entry) or records it confirmed now (a live one). Errors:
// EINVALID for a bad or expired link, ENOTFOUND.
func (r *Reports) Confirm(ctx context.Context, serviceID, expires, sig string) (*Service, error) {
	exp, err := strconv.ParseInt(expires, 10, 64)
	if err != nil || !hmac.Equal([]byte(sig), []byte(r.sign(serviceID, exp))) {
		return nil, waymark.Errorf(waymark.EINVALID, "This link is not valid. Sign in to Waymark to update your listing.")
	}
	if r.life.now().Unix() > exp {
		return nil, waymark.Errorf(waymark.EINVALID, "This link has expired. Sign in to Waymark to update your listing.")
	}
	svc, err := r.life.store.FindServiceByID(ctx, serviceID)
	if err != nil {
		return nil, err
	}
	// Reopening records the confirmation; a live entry is confirmed now.
	if svc.Status == StatusSuspended {
		if _, err := r.life.applyAsSystem(ctx, svc, ActionReopen, "The provider confirmed it is still running."); err != nil {
			return nil, err
		}
	} else if err := r.store.MarkAssured(ctx, svc.ID, r.life.now().UTC()); err != nil {
		return nil, err
	}
	if err := r.store.ResolveReports(ctx, svc.ID, "confirmed by the provider", r.life.now().UTC()); err != nil {
		return nil, err
	}
	return svc, nil
}

// Open lists unresolved reports for moderators. Errors: EFORBIDDEN.
func (r *Reports) Open(ctx context.Context) ([]Report, error) {
	a := waymark.ActorFrom(ctx)
	if !a.Has(waymark.RoleModerator) && !a.Has(waymark.RoleAdmin) {
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "Only moderators can see reports")
	}
	return r.store.OpenReports(ctx)
}

// ReopenAfterEdit puts a reported, suspended entry live again once changes
// its provider made have been approved, and closes its reports.
func (r *Reports) ReopenAfterEdit(ctx context.Context, serviceID string) error {
	open, err := r.store.OpenReports(ctx)
	if err != nil {
		return err
	}
	reported := false
	for _, rep := range open {
		reported = reported || rep.ServiceID == serviceID
	}
	if !reported {
		return nil
	}
	svc, err := r.life.store.FindServiceByID(ctx, serviceID)
	if err != nil {
		return err
	}
	if svc.Status == StatusSuspended {
		if _, err := r.life.applyAsSystem(ctx, svc, ActionReopen, "The provider updated the listing after a report."); err != nil {
			return err
		}
	}
	return r.store.ResolveReports(ctx, serviceID, "updated by the provider", r.life.now().UTC())
}

// System lets other packages' automatic rules (such as the referral rules)
// act on listings as Waymark itself.
type System struct {
	life    *Lifecycle
	reports *Reports
}

// NewSystem returns System acting through the lifecycle and reports.
func NewSystem(life *Lifecycle, reports *Reports) *System {
	return &System{life: life, reports: reports}
}

// FindServiceByID returns a service in any status. Errors: ENOTFOUND.
func (s *System) FindServiceByID(ctx context.Context, id string) (*Service, error) {
	return s.life.store.FindServiceByID(ctx, id)
}

// Suspend takes a live (published or frozen) listing out of search with a
// reason; it reports false when the listing was not live.
func (s *System) Suspend(ctx context.Context, serviceID, reason string) (bool, error) {
	svc, err := s.life.store.FindServiceByID(ctx, serviceID)
	if err != nil {
		return false, err
	}
	if !svc.Status.Public() {
		return false, nil
	}
	if _, err := s.life.applyAsSystem(ctx, svc, ActionSuspend, reason); err != nil {
		if waymark.ErrorCode(err) == waymark.ECONFLICT {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

// ConfirmLink is the query string of the provider's signed "still running"
// link.
func (s *System) ConfirmLink(serviceID string) string { return s.reports.ConfirmLink(serviceID) }
