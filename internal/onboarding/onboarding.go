// Package onboarding puts many providers' services into the directory at
// once from a spreadsheet, and lets each provider claim what was made for
// them. An administrator or moderator (infrastructure organisations' staff
// are given the moderator role) uploads a CSV or XLSX file; a dry run shows
// what each row would do; the import creates the valid rows as published,
// unclaimed entries, records each under its row's key so the same file
// uploaded again creates nothing twice, and emails each organisation a
// signed, expiring link to claim its entries (become their provider and edit
// them) or to ask for them to be removed. A job reminds organisations that
// have done neither after 14 days.
package onboarding

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/bulk"
	"waymark/internal/directory"
	"waymark/internal/email"
	"waymark/internal/jobs"
)

// Defaults for the claim links and reminders.
const (
	// ClaimTTL is how long a claim link works.
	ClaimTTL = 30 * 24 * time.Hour
	// RemindAfter is how long after the claim email an organisation that
	// has neither claimed nor asked for removal is reminded, once.
	RemindAfter = 14 * 24 * time.Hour
	// UploadTTL is how long an uploaded file waits between the dry run and
	// the import.
	UploadTTL = 24 * time.Hour
)

// Batch is one import of a file: who, when, and what it did.
type Batch struct {
	ID        string
	UserID    string
	FileName  string
	Rows      int // rows in the file
	Created   int // entries created
	Skipped   int // rows already in the directory
	Errors    int // rows that could not be imported
	CreatedAt time.Time
}

// Entry is a service created by an import and where its claim stands.
type Entry struct {
	Key            string // the row's bulk.Key
	BatchID        string
	ServiceID      string
	ServiceName    string // filled by Store.Entries
	ServiceStatus  directory.Status
	OrganizationID string
	// OrganizationName is filled by Store.Entries.
	OrganizationName string
	OrganizationKey  string // bulk.OrganizationPlan.Key
	ClaimEmail       string
	ClaimPhone       string // the mobile (E.164) the link is texted to when there is no ClaimEmail
	InvitedAt        time.Time
	ClaimedAt        *time.Time
	RemindedAt       *time.Time
	RemovedAt        *time.Time
}

// Upload is a file kept between its dry run and its import.
type Upload struct {
	ID        string
	UserID    string
	FileName  string
	Data      []byte
	CreatedAt time.Time
}

// Due is an organisation whose claim email was sent and which has neither
// claimed its entries nor asked for their removal.
type Due struct {
	OrganizationID   string
	OrganizationName string
	ClaimEmail       string
	ClaimPhone       string
}

// Unclaimed is an imported organisation whose entries nobody has claimed or
// asked to remove, with when its claim link was last sent.
type Unclaimed struct {
	OrganizationID   string
	OrganizationName string
	ClaimEmail       string
	ClaimPhone       string
	InvitedAt        time.Time
	Entries          int
}

// Expired reports whether the claim link last sent no longer works at now.
func (u Unclaimed) Expired(now time.Time) bool { return now.After(u.InvitedAt.Add(ClaimTTL)) }

// Store keeps imports, their entries and uploaded files.
type Store interface {
	bulk.Existing
	bulk.KeyFinder
	// FindImportedOrganization returns the organisation an earlier import
	// created for an organisation key, unless its entries were removed.
	FindImportedOrganization(ctx context.Context, organizationKey string) (id string, found bool, err error)
	// SaveImport stores, in one transaction, the new organisations, the
	// services, an entry for each, the batch and the claim emails. Errors:
	// ECONFLICT when a row's key was imported meanwhile.
	SaveImport(ctx context.Context, b Batch, orgs []directory.Organization, services []*directory.Service, entries []Entry, mails []email.Message) error
	// Entries returns an organisation's imported entries with their
	// services' names and statuses and the organisation's name.
	Entries(ctx context.Context, organizationID string) ([]Entry, error)
	// ClaimEntries makes the user a provider of the organisation and marks
	// its unremoved entries claimed, in one transaction.
	ClaimEntries(ctx context.Context, organizationID, userID string, at time.Time) error
	// MarkRemoved records that an entry was removed at the provider's request.
	MarkRemoved(ctx context.Context, serviceID string, at time.Time) error
	// DueReminders lists organisations invited at or before invitedBy that
	// have not claimed, been removed, or been reminded.
	DueReminders(ctx context.Context, invitedBy time.Time) ([]Due, error)
	// ClaimReminder marks an organisation's entries reminded and queues the
	// mails in one conditional update; it reports false when another run
	// did it first (or the entries were claimed or removed meanwhile).
	ClaimReminder(ctx context.Context, organizationID string, at time.Time, mails []email.Message) (bool, error)
	// Unclaimed lists imported organisations with entries nobody has
	// claimed or removed, longest waiting first.
	Unclaimed(ctx context.Context) ([]Unclaimed, error)
	// Reissue marks an organisation's unclaimed, unremoved entries invited
	// again at at (so a reminder follows) and queues the mails, in one
	// transaction; it reports false when there was nothing to reissue.
	Reissue(ctx context.Context, organizationID string, at time.Time, mails []email.Message) (bool, error)
	// Batches lists imports, newest first: one user's, or everyone's when
	// userID is "".
	Batches(ctx context.Context, userID string) ([]Batch, error)
	// SaveUpload keeps an uploaded file.
	SaveUpload(ctx context.Context, u Upload) error
	// FindUpload returns a user's uploaded file. Errors: ENOTFOUND.
	FindUpload(ctx context.Context, id, userID string) (*Upload, error)
	// DeleteUpload forgets an uploaded file.
	DeleteUpload(ctx context.Context, id string) error
	// DeleteUploadsBefore forgets files uploaded before t.
	DeleteUploadsBefore(ctx context.Context, t time.Time) (int, error)
}

// Listings deletes listings as Waymark itself; *directory.System is one.
type Listings interface {
	Delete(ctx context.Context, serviceID, note string) (bool, error)
}

// Config is what a Service needs.
type Config struct {
	Store    Store
	Geocoder bulk.Geocoder
	// Categories returns the category terms rows may name.
	Categories func(ctx context.Context) ([]directory.TaxonomyTerm, error)
	Listings   Listings
	// Secret signs the claim links (DB.Secret "claim-links").
	Secret []byte
	// PublicURL is the site's address, for links in email.
	PublicURL string
	Now       func() time.Time
	Logger    *slog.Logger
}

// Service imports spreadsheets and handles claims.
type Service struct {
	cfg Config
}

// NewService returns a Service.
func NewService(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.PublicURL = strings.TrimSuffix(cfg.PublicURL, "/")
	return &Service{cfg: cfg}
}

// mayImport reports whether the actor may import: administrators,
// moderators, and the onboarding role (infrastructure organisations' and
// PCNs' staff, who may do nothing else).
func mayImport(a waymark.Actor) error {
	if a.Anonymous() {
		return waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in to import services")
	}
	if !a.Has(waymark.RoleAdmin) && !a.Has(waymark.RoleModerator) && !a.Has(waymark.RoleOnboarding) {
		return waymark.Errorf(waymark.EFORBIDDEN, "Only administrators, moderators and onboarding staff can import services")
	}
	return nil
}

// Imports lists imports, newest first: every import for administrators and
// moderators, only their own for onboarding staff. Errors: EUNAUTHORIZED,
// EFORBIDDEN.
func (s *Service) Imports(ctx context.Context) ([]Batch, error) {
	a := waymark.ActorFrom(ctx)
	if err := mayImport(a); err != nil {
		return nil, err
	}
	userID := a.UserID
	if a.Has(waymark.RoleAdmin) || a.Has(waymark.RoleModerator) {
		userID = ""
	}
	return s.cfg.Store.Batches(ctx, userID)
}

// Template writes the blank template, "xlsx" (with instructions and the
// category list) or "csv". Errors: EFORBIDDEN, EUNAUTHORIZED, EINVALID for
// another format.
func (s *Service) Template(ctx context.Context, w io.Writer, format string) error {
	if err := mayImport(waymark.ActorFrom(ctx)); err != nil {
		return err
	}
	switch format {
	case bulk.FormatCSV:
		return bulk.TemplateCSV(w)
	case bulk.FormatXLSX:
		cats, err := s.cfg.Categories(ctx)
		if err != nil {
			return fmt.Errorf("template categories: %w", err)
		}
		return bulk.TemplateXLSX(w, cats)
	}
	return waymark.Errorf(waymark.EINVALID, "There is no template in that format: choose Excel or CSV")
}

// options are the bulk plan's options.
func (s *Service) options(ctx context.Context) (bulk.Options, error) {
	cats, err := s.cfg.Categories(ctx)
	if err != nil {
		return bulk.Options{}, fmt.Errorf("plan categories: %w", err)
	}
	return bulk.Options{Geocoder: s.cfg.Geocoder, Categories: cats, Existing: s.cfg.Store}, nil
}

// Check is a dry run of an uploaded file.
type Check struct {
	// UploadID names the kept file for Import; "" when no row can be
	// imported, so nothing was kept.
	UploadID string
	FileName string
	Result   *bulk.Result
}

// DryRun reads an uploaded file and plans its import without creating
// anything. When some rows can be imported it keeps the file for Import,
// for UploadTTL. Errors: EUNAUTHORIZED, EFORBIDDEN, EINVALID for a file that
// cannot be read (too large, not a spreadsheet, missing columns).
func (s *Service) DryRun(ctx context.Context, fileName string, data []byte) (*Check, error) {
	a := waymark.ActorFrom(ctx)
	if err := mayImport(a); err != nil {
		return nil, err
	}
	fileName = cleanFileName(fileName)
	sheet, err := bulk.Parse(bytes.NewReader(data), fileName)
	if err != nil {
		return nil, err
	}
	opts, err := s.options(ctx)
	if err != nil {
		return nil, err
	}
	res, err := bulk.Plan(ctx, sheet, opts)
	if err != nil {
		return nil, fmt.Errorf("dry run: %w", err)
	}
	c := &Check{FileName: fileName, Result: res}
	if res.Count(bulk.ActionCreate) > 0 {
		u := Upload{ID: uuid.NewString(), UserID: a.UserID, FileName: fileName, Data: data, CreatedAt: s.cfg.Now().UTC()}
		if err := s.cfg.Store.SaveUpload(ctx, u); err != nil {
			return nil, fmt.Errorf("keep upload: %w", err)
		}
		c.UploadID = u.ID
	}
	return c, nil
}

// ImportUpload imports a file kept by DryRun, checking every row again, and
// forgets the file. Only the user who uploaded it may import it. Errors:
// EUNAUTHORIZED, EFORBIDDEN, ENOTFOUND for an unknown or expired upload,
// ECONFLICT when the same rows were imported meanwhile.
func (s *Service) ImportUpload(ctx context.Context, uploadID string) (*Batch, *bulk.Result, error) {
	a := waymark.ActorFrom(ctx)
	if err := mayImport(a); err != nil {
		return nil, nil, err
	}
	u, err := s.cfg.Store.FindUpload(ctx, uploadID, a.UserID)
	if err != nil {
		return nil, nil, err
	}
	if s.cfg.Now().Sub(u.CreatedAt) > UploadTTL {
		return nil, nil, waymark.Errorf(waymark.ENOTFOUND, "This upload has expired: upload the file again")
	}
	sheet, err := bulk.Parse(bytes.NewReader(u.Data), u.FileName)
	if err != nil {
		return nil, nil, err
	}
	b, res, err := s.Import(ctx, u.FileName, sheet)
	if err != nil {
		return nil, nil, err
	}
	if err := s.cfg.Store.DeleteUpload(ctx, u.ID); err != nil {
		return nil, nil, fmt.Errorf("forget upload: %w", err)
	}
	return b, res, nil
}

// Import plans a sheet and creates its valid rows: organisations (or the
// one an earlier import made for the same organisation), published
// services, an entry for each under its row's key, and one claim email per
// organisation that got new entries. Rows already imported, or already in
// the directory, are skipped; rows with errors are left out. It returns the
// batch and the plan it followed. Errors: EUNAUTHORIZED, EFORBIDDEN,
// ECONFLICT when the same rows were imported meanwhile.
func (s *Service) Import(ctx context.Context, fileName string, sheet *bulk.Sheet) (*Batch, *bulk.Result, error) {
	a := waymark.ActorFrom(ctx)
	if err := mayImport(a); err != nil {
		return nil, nil, err
	}
	opts, err := s.options(ctx)
	if err != nil {
		return nil, nil, err
	}
	res, err := bulk.Plan(ctx, sheet, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("plan import: %w", err)
	}
	now := s.cfg.Now().UTC()
	b := Batch{ID: uuid.NewString(), UserID: a.UserID, FileName: cleanFileName(fileName), Rows: len(res.Rows), CreatedAt: now,
		Skipped: res.Count(bulk.ActionSkipDuplicate), Errors: res.Count(bulk.ActionError)}

	orgIDs := map[string]string{} // organisation key to id
	orgNames := map[string]string{}
	var newOrgs []directory.Organization
	var services []*directory.Service
	var entries []Entry
	for i := range res.Rows {
		rp := &res.Rows[i]
		if rp.Action != bulk.ActionCreate {
			continue
		}
		orgID, ok := orgIDs[rp.OrganizationKey]
		if !ok {
			id, found, err := s.cfg.Store.FindImportedOrganization(ctx, rp.OrganizationKey)
			if err != nil {
				return nil, nil, fmt.Errorf("find imported organisation: %w", err)
			}
			if !found {
				o := rp.Organization
				o.ID, o.CreatedAt, o.UpdatedAt = uuid.NewString(), now, now
				newOrgs = append(newOrgs, o)
				id = o.ID
			}
			orgID = id
			orgIDs[rp.OrganizationKey] = id
			orgNames[id] = rp.Organization.Name
		}
		svc := rp.Service
		svc.OrganizationID = orgID
		svc.Status = directory.StatusPublished
		svc.CreatedAt, svc.UpdatedAt = now, now
		if err := svc.Validate(); err != nil {
			// The plan checks more than Validate; this is a safety net.
			rp.Action = bulk.ActionError
			rp.Errors = append(rp.Errors, bulk.CellError{Row: rp.Row, Column: bulk.ColServiceName, Message: waymark.ErrorMessage(err)})
			b.Errors++
			continue
		}
		svc.AssignIDs()
		services = append(services, &svc)
		entries = append(entries, Entry{Key: rp.Key, BatchID: b.ID, ServiceID: svc.ID, OrganizationID: orgID,
			OrganizationKey: rp.OrganizationKey, ClaimEmail: rp.ClaimEmail, ClaimPhone: rp.ClaimPhone, InvitedAt: now})
	}
	b.Created = len(services)

	var mails []email.Message
	sent := map[string]bool{}
	for _, e := range entries {
		if sent[e.OrganizationID] {
			continue
		}
		sent[e.OrganizationID] = true
		n := 0
		for _, f := range entries {
			if f.OrganizationID == e.OrganizationID {
				n++
			}
		}
		mails = append(mails, s.claimMail(e.ClaimEmail, e.ClaimPhone, e.OrganizationID, orgNames[e.OrganizationID], n, now, false))
	}
	if err := s.cfg.Store.SaveImport(ctx, b, newOrgs, services, entries, mails); err != nil {
		if waymark.ErrorCode(err) == waymark.ECONFLICT {
			return nil, nil, waymark.Errorf(waymark.ECONFLICT, "Some of these rows were imported while you were checking the file. Upload it again to see what is left to import.")
		}
		return nil, nil, fmt.Errorf("save import: %w", err)
	}
	s.cfg.Logger.Info("bulk import", "batch_id", b.ID, "rows", b.Rows, "created", b.Created, "skipped", b.Skipped, "errors", b.Errors)
	return &b, res, nil
}

// cleanFileName keeps only the last part of an uploaded file's name, at most
// 200 bytes of it, for records and messages.
func cleanFileName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if len(name) > 200 {
		name = strings.ToValidUTF8(name[:200], "")
	}
	return name
}

// ClaimLink returns the path and query of an organisation's claim link,
// valid until ClaimTTL after now.
func (s *Service) ClaimLink(organizationID string, now time.Time) string {
	exp := now.Add(ClaimTTL).Unix()
	return "/claim/" + organizationID + "?expires=" + strconv.FormatInt(exp, 10) + "&sig=" + s.sign(organizationID, exp)
}

func (s *Service) sign(organizationID string, exp int64) string {
	m := hmac.New(sha256.New, s.cfg.Secret)
	m.Write([]byte("claim:" + organizationID + ":" + strconv.FormatInt(exp, 10)))
	return hex.EncodeToString(m.Sum(nil))
}

// checkLink verifies a claim link's signature and expiry. Errors: EINVALID.
func (s *Service) checkLink(organizationID, expires, sig string) error {
	exp, err := strconv.ParseInt(expires, 10, 64)
	if err != nil || !hmac.Equal([]byte(sig), []byte(s.sign(organizationID, exp))) {
		return waymark.Errorf(waymark.EINVALID, "This link is not valid. Check you copied the whole link from the email, or contact us to ask for a new one.")
	}
	if s.cfg.Now().Unix() > exp {
		return waymark.Errorf(waymark.EINVALID, "This link has expired. Contact us to ask for a new one.")
	}
	return nil
}

// claimMail is the email with an organisation's claim link, or the
// reminder; texted to phone (a mobile) when there is no address.
func (s *Service) claimMail(to, phone, organizationID, orgName string, n int, now time.Time, reminder bool) email.Message {
	link := s.cfg.PublicURL + s.ClaimLink(organizationID, now)
	entries := "an entry"
	if n > 1 {
		entries = strconv.Itoa(n) + " entries"
	}
	subject := "Your organisation has been added to Waymark"
	intro := "We have added " + entries + " for " + orgName + " to Waymark, the community directory that GPs, social prescribing link workers and the public use to find local support."
	if reminder {
		subject = "Reminder: check your organisation's entry on Waymark"
		intro = "Two weeks ago we added " + orgName + " to Waymark, the community directory that GPs, social prescribing link workers and the public use to find local support, and nobody has claimed it yet."
	}
	lines := []string{intro,
		"Claim it to keep it up to date: create an account or sign in, and you can edit it straight away.",
		"If you would rather not be listed, open the same link and choose \"Please remove us\": we will take it down.",
		"The link works for 30 days."}
	m := email.Compose(to, subject, append([]string{"Hello,"}, lines...), link, "Claim or remove your entry")
	sms := "Waymark: Hello, we have added your organisation to Waymark, the community directory. Claim your entry, or ask us to remove it, within 30 days: " +
		link + " (replies to this text are not read)"
	if reminder {
		sms = "Waymark: Hello, a reminder that your organisation is on Waymark, the community directory, and nobody has claimed it. Claim it or ask us to remove it: " +
			link + " (replies to this text are not read)"
	}
	if to == "" {
		m = m.Texted(phone, sms, true)
	}
	m.About = "organization:" + organizationID
	return m
}

// Claim is what a claim link shows: the organisation's imported entries.
type Claim struct {
	OrganizationID   string
	OrganizationName string
	Entries          []Entry // not removed
	Claimed          bool    // someone claimed them already
	Removed          bool    // every entry was removed at the provider's request
}

// Open checks a claim link and returns what it is for. Errors: EINVALID for
// a forged or expired link, ENOTFOUND when the organisation has no
// imported entries.
func (s *Service) Open(ctx context.Context, organizationID, expires, sig string) (*Claim, error) {
	if err := s.checkLink(organizationID, expires, sig); err != nil {
		return nil, err
	}
	all, err := s.cfg.Store.Entries(ctx, organizationID)
	if err != nil {
		return nil, fmt.Errorf("claim entries: %w", err)
	}
	if len(all) == 0 {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "There is nothing to claim at this address")
	}
	c := &Claim{OrganizationID: organizationID, Removed: true}
	for _, e := range all {
		if e.RemovedAt != nil {
			continue
		}
		c.Removed = false
		c.Claimed = c.Claimed || e.ClaimedAt != nil
		c.Entries = append(c.Entries, e)
	}
	c.OrganizationName = all[0].OrganizationName
	return c, nil
}

// ClaimEntries makes the signed-in user a provider of the organisation of a
// valid claim link, so they can edit its entries. Claiming again, or by a
// colleague with the same link, is harmless. Errors: EUNAUTHORIZED when
// signed out, EINVALID for a bad or expired link or when the entries were
// removed, ENOTFOUND.
func (s *Service) ClaimEntries(ctx context.Context, organizationID, expires, sig string) (*Claim, error) {
	a := waymark.ActorFrom(ctx)
	if a.Anonymous() {
		return nil, waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in or create an account to claim your entry")
	}
	c, err := s.Open(ctx, organizationID, expires, sig)
	if err != nil {
		return nil, err
	}
	if c.Removed {
		return nil, waymark.Errorf(waymark.EINVALID, "These entries were removed at your request, so there is nothing to claim. Contact us if you would like to be listed again.")
	}
	if err := s.cfg.Store.ClaimEntries(ctx, organizationID, a.UserID, s.cfg.Now().UTC()); err != nil {
		return nil, fmt.Errorf("claim entries: %w", err)
	}
	s.cfg.Logger.Info("entries claimed", "organization_id", organizationID, "user_id", a.UserID)
	return c, nil
}

// RemoveNote is the history note of an entry removed by its provider's
// request.
const RemoveNote = "The provider asked us to remove this entry, made for them by a bulk import."

// Remove deletes an organisation's imported entries at the request of the
// holder of a valid claim link, who need not sign in, and records it.
// Entries already removed stay so. Errors: EINVALID for a bad or expired
// link, ENOTFOUND.
func (s *Service) Remove(ctx context.Context, organizationID, expires, sig string) (*Claim, error) {
	c, err := s.Open(ctx, organizationID, expires, sig)
	if err != nil {
		return nil, err
	}
	for _, e := range c.Entries {
		if _, err := s.cfg.Listings.Delete(ctx, e.ServiceID, RemoveNote); err != nil && waymark.ErrorCode(err) != waymark.EINVALID {
			return nil, fmt.Errorf("remove entry %s: %w", e.ServiceID, err)
		}
		if err := s.cfg.Store.MarkRemoved(ctx, e.ServiceID, s.cfg.Now().UTC()); err != nil {
			return nil, fmt.Errorf("record removal of %s: %w", e.ServiceID, err)
		}
	}
	s.cfg.Logger.Info("imported entries removed on request", "organization_id", organizationID, "entries", len(c.Entries))
	return c, nil
}

// Unclaimed lists imported organisations whose entries wait to be
// claimed, for moderators. Errors: EUNAUTHORIZED, EFORBIDDEN.
func (s *Service) Unclaimed(ctx context.Context) ([]Unclaimed, error) {
	if err := mayModerate(waymark.ActorFrom(ctx)); err != nil {
		return nil, err
	}
	return s.cfg.Store.Unclaimed(ctx)
}

// Reissue emails an organisation a new claim link, valid ClaimTTL from now,
// for a moderator (when the first has expired or was lost). Errors:
// EUNAUTHORIZED, EFORBIDDEN, ENOTFOUND when nothing of the organisation's
// waits to be claimed.
func (s *Service) Reissue(ctx context.Context, organizationID string) error {
	if err := mayModerate(waymark.ActorFrom(ctx)); err != nil {
		return err
	}
	list, err := s.cfg.Store.Unclaimed(ctx)
	if err != nil {
		return fmt.Errorf("unclaimed organisations: %w", err)
	}
	for _, u := range list {
		if u.OrganizationID != organizationID {
			continue
		}
		now := s.cfg.Now()
		m := s.claimMail(u.ClaimEmail, u.ClaimPhone, u.OrganizationID, u.OrganizationName, u.Entries, now, false)
		ok, err := s.cfg.Store.Reissue(ctx, organizationID, now, []email.Message{m})
		if err != nil {
			return fmt.Errorf("reissue claim link of %s: %w", organizationID, err)
		}
		if ok {
			return nil
		}
	}
	return waymark.Errorf(waymark.ENOTFOUND, "This organisation has nothing waiting to be claimed")
}

func mayModerate(a waymark.Actor) error {
	if a.Anonymous() {
		return waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in to see claim links")
	}
	if !a.Has(waymark.RoleAdmin) && !a.Has(waymark.RoleModerator) {
		return waymark.Errorf(waymark.EFORBIDDEN, "Only moderators can send claim links again")
	}
	return nil
}

// Remind emails each organisation invited RemindAfter ago or more that has
// neither claimed nor asked for removal, once: each reminder is claimed by
// one conditional update, so concurrent runs send it once.
func (s *Service) Remind(ctx context.Context, now time.Time) error {
	due, err := s.cfg.Store.DueReminders(ctx, now.Add(-RemindAfter))
	if err != nil {
		return fmt.Errorf("due claim reminders: %w", err)
	}
	sent := 0
	for _, d := range due {
		m := s.claimMail(d.ClaimEmail, d.ClaimPhone, d.OrganizationID, d.OrganizationName, 0, now, true)
		won, err := s.cfg.Store.ClaimReminder(ctx, d.OrganizationID, now, []email.Message{m})
		if err != nil {
			return fmt.Errorf("claim reminder for %s: %w", d.OrganizationID, err)
		}
		if won {
			sent++
		}
	}
	if sent > 0 {
		s.cfg.Logger.Info("claim reminders sent", "count", sent)
	}
	return nil
}

// Jobs are the scheduled work of onboarding: claim reminders and
// forgetting uploads never imported.
func (s *Service) Jobs(every time.Duration) []jobs.Job {
	return []jobs.Job{
		{Name: "onboarding-claim-reminders", Every: every, Run: s.Remind},
		{Name: "onboarding-forget-uploads", Every: time.Hour, Run: func(ctx context.Context, now time.Time) error {
			_, err := s.cfg.Store.DeleteUploadsBefore(ctx, now.Add(-UploadTTL))
			return err
		}},
	}
}
