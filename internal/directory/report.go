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

// Reports handles "report something wrong": a report goes to the
// moderators' queue, and a moderator decides whether to suspend the entry
// (and tell its provider) or dismiss the reports. Nothing changes for the
// public until a moderator decides.
type Reports struct {
	store  ReportStore
	life   *Lifecycle
	secret []byte
}

// NewReports returns Reports. secret signs the providers' confirmation links.
func NewReports(store ReportStore, life *Lifecycle, secret []byte) *Reports {
	return &Reports{store: store, life: life, secret: secret}
}

// Report records what someone says is wrong with a public entry, for the
// moderators' queue. The entry stays as it is. It returns the entry.
// Errors: ENOTFOUND, EINVALID with Field "reason" or "email".
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
	if err := r.store.CreateReport(ctx, Report{ID: r.life.newID(), ServiceID: svc.ID, Reason: reason, ReporterEmail: email, CreatedAt: now}); err != nil {
		return nil, err
	}
	return svc, nil
}

// Reported is an entry with open reports, for the moderators' queue.
type Reported struct {
	ServiceID        string
	ServiceName      string
	OrganizationName string
	Reports          []Report // oldest first
}

// Count is how many open reports the entry has.
func (r Reported) Count() int { return len(r.Reports) }

// Queue returns the entries with open reports, the longest waiting first,
// each with its reports. Errors: EFORBIDDEN.
func (r *Reports) Queue(ctx context.Context) ([]Reported, error) {
	list, err := r.Open(ctx)
	if err != nil {
		return nil, err
	}
	var out []Reported
	at := map[string]int{}
	for _, rep := range list {
		i, ok := at[rep.ServiceID]
		if !ok {
			i = len(out)
			at[rep.ServiceID] = i
			out = append(out, Reported{ServiceID: rep.ServiceID, ServiceName: rep.ServiceName, OrganizationName: rep.OrganizationName})
		}
		out[i].Reports = append(out[i].Reports, rep)
	}
	return out, nil
}

// Suspend is a moderator's decision on a reported entry: it is suspended
// with the reason (which its provider is sent) and its reports are closed.
// Only a moderator can reopen it. It returns the entry. Errors:
// EFORBIDDEN, ENOTFOUND, EINVALID (no reason, not live), ECONFLICT.
func (r *Reports) Suspend(ctx context.Context, serviceID, reason string) (*Service, error) {
	if err := mayModerate(ctx); err != nil {
		return nil, err
	}
	if _, err := r.life.Apply(ctx, serviceID, ActionSuspend, reason); err != nil {
		return nil, err
	}
	if err := r.store.ResolveReports(ctx, serviceID, "suspended by a moderator", r.life.now().UTC()); err != nil {
		return nil, err
	}
	return r.life.store.FindServiceByID(ctx, serviceID)
}

// Dismiss is a moderator's decision that nothing needs doing about an
// entry's reports: they are closed and the entry stays as it is. Errors:
// EFORBIDDEN.
func (r *Reports) Dismiss(ctx context.Context, serviceID string) error {
	if err := mayModerate(ctx); err != nil {
		return err
	}
	return r.store.ResolveReports(ctx, serviceID, "dismissed by a moderator", r.life.now().UTC())
}

func mayModerate(ctx context.Context) error {
	a := waymark.ActorFrom(ctx)
	if a.Anonymous() {
		return waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in to moderate listings")
	}
	if !a.Has(waymark.RoleModerator) && !a.Has(waymark.RoleAdmin) {
		return waymark.Errorf(waymark.EFORBIDDEN, "Only moderators can do this")
	}
	return nil
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
	// What a moderator suspended only a moderator reopens.
	if svc.Status == StatusSuspended && !svc.SuspendedBy.ProviderMayReopen() {
		return nil, waymark.Errorf(waymark.EINVALID, "A moderator suspended this listing, so only a moderator can reopen it. Sign in to Waymark to change the listing and a moderator will look at it again.")
	}
	if svc.Status == StatusSuspended {
		if _, err := r.life.applyAsSystem(ctx, svc, ActionReopen, "", "The provider confirmed it is still running."); err != nil {
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

// System lets other packages' automatic rules (such as the referral rules)
// act on listings as Waymark itself.
type System struct {
	life    *Lifecycle
	reports *Reports
	by      SuspendedBy
}

// NewSystem returns System acting through the lifecycle and reports; its
// suspensions are recorded as BySystem until As says which rule it is.
func NewSystem(life *Lifecycle, reports *Reports) *System {
	return &System{life: life, reports: reports, by: BySystem}
}

// As returns a System whose suspensions are recorded as made by the rule
// by, such as ByWebsiteCheck for the website checker.
func (s *System) As(by SuspendedBy) *System {
	c := *s
	c.by = by
	return &c
}

// FindServiceByID returns a service in any status. Errors: ENOTFOUND.
func (s *System) FindServiceByID(ctx context.Context, id string) (*Service, error) {
	return s.life.store.FindServiceByID(ctx, id)
}

// Suspend takes a live (published or frozen) listing out of search with a
// reason, recorded as suspended by the System's rule (and by the signed-in
// moderator in ctx, if any); it reports false when the listing was not live.
// then, when not nil, runs in the suspension's transaction with the listing
// as it was, so the rule queues the email telling its provider with the
// change: both commit or neither does.
func (s *System) Suspend(ctx context.Context, serviceID, reason string, then func(ctx context.Context, svc *Service) error) (bool, error) {
	svc, err := s.life.store.FindServiceByID(ctx, serviceID)
	if err != nil {
		return false, err
	}
	if !svc.Status.Public() {
		return false, nil
	}
	changed := false
	err = s.life.store.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.life.applyAsSystem(ctx, svc, ActionSuspend, s.by, reason); err != nil {
			if waymark.ErrorCode(err) == waymark.ECONFLICT {
				return nil // changed meanwhile: no longer live
			}
			return err
		}
		if changed = true; then == nil {
			return nil
		}
		return then(ctx, svc)
	})
	if err != nil {
		return false, err
	}
	return changed, nil
}

// ConfirmLink is the query string of the provider's signed "still running"
// link.
func (s *System) ConfirmLink(serviceID string) string { return s.reports.ConfirmLink(serviceID) }
