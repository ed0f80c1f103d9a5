package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"waymark"
	"waymark/internal/bulk"
	"waymark/internal/directory"
	"waymark/internal/email"
	"waymark/internal/onboarding"
)

// OnboardingStore keeps bulk imports, the entries they created and where
// each entry's claim stands. It implements onboarding.Store, and so
// bulk.Existing and bulk.KeyFinder.
type OnboardingStore struct {
	db *DB
}

// NewOnboardingStore returns an OnboardingStore on db.
func NewOnboardingStore(db *DB) *OnboardingStore { return &OnboardingStore{db: db} }

var (
	_ onboarding.Store = (*OnboardingStore)(nil)
	_ bulk.KeyFinder   = (*OnboardingStore)(nil)
)

// FindKey reports the service an earlier import created from a row with
// the same key, whatever has happened to it since.
func (s *OnboardingStore) FindKey(ctx context.Context, key string) (string, bool, error) {
	var id string
	err := s.db.reader().queryRow(ctx, `SELECT service_id FROM import_entry WHERE row_key = ?`, key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("find import key: %w", mapError(err))
	}
	return id, true, nil
}

// FindDuplicate reports a service that is not deleted with the same name
// (ignoring case) at a location with the postcode, or, when website is not
// "", at the same website (ignoring http or https, "www." and a trailing
// slash).
func (s *OnboardingStore) FindDuplicate(ctx context.Context, name, postcode, website string) (string, bool, error) {
	c := s.db.reader()
	var id string
	err := c.queryRow(ctx, `SELECT s.id FROM service s
		JOIN service_at_location sal ON sal.service_id = s.id
		JOIN address a ON a.location_id = sal.location_id
		WHERE lower(s.name) = ? AND a.postal_code = ? AND s.status <> 'deleted'
		LIMIT 1`, strings.ToLower(strings.TrimSpace(name)), postcode).Scan(&id)
	switch {
	case err == nil:
		return id, true, nil
	case !errors.Is(err, sql.ErrNoRows):
		return "", false, fmt.Errorf("find duplicate by name: %w", mapError(err))
	}
	variants := websiteVariants(website)
	if len(variants) == 0 {
		return "", false, nil
	}
	err = c.queryRow(ctx, `SELECT id FROM service WHERE url IN (`+placeholders(len(variants))+`) AND status <> 'deleted' LIMIT 1`,
		anys(variants)...).Scan(&id)
	switch {
	case err == nil:
		return id, true, nil
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	}
	return "", false, fmt.Errorf("find duplicate by website: %w", mapError(err))
}

// websiteVariants lists the ways a web address may have been stored: http
// or https, with or without "www.", with or without a trailing slash.
func websiteVariants(website string) []string {
	u, err := url.Parse(website)
	if website == "" || err != nil || u.Host == "" {
		return nil
	}
	host := strings.TrimPrefix(strings.ToLower(u.Host), "www.")
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	rest := path
	if u.RawQuery != "" {
		rest += "?" + u.RawQuery
	}
	var out []string
	for _, scheme := range []string{"https://", "http://"} {
		for _, h := range []string{host, "www." + host} {
			out = append(out, scheme+h+rest)
			if u.RawQuery == "" {
				out = append(out, scheme+h+path+"/")
			}
		}
	}
	return out
}

// FindImportedOrganization returns the organisation an earlier import
// created for the organisation key, unless all its entries were removed.
func (s *OnboardingStore) FindImportedOrganization(ctx context.Context, organizationKey string) (string, bool, error) {
	var id string
	err := s.db.reader().queryRow(ctx, `SELECT organization_id FROM import_entry
		WHERE organization_key = ? AND removed_at IS NULL ORDER BY invited_at LIMIT 1`, organizationKey).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("find imported organisation: %w", mapError(err))
	}
	return id, true, nil
}

// SaveImport stores a batch with its new organisations, services, entries
// and claim emails in one transaction. Errors: ECONFLICT when a row's key
// is already imported.
func (s *OnboardingStore) SaveImport(ctx context.Context, b onboarding.Batch, orgs []directory.Organization,
	services []*directory.Service, entries []onboarding.Entry, mails []email.Message) error {
	err := s.db.inTx(ctx, func(c conn) error {
		if err := c.exec(ctx, `INSERT INTO import_batch (id, user_id, file_name, rows_total, created_count, skipped_count, error_count, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, b.ID, b.UserID, b.FileName, b.Rows, b.Created, b.Skipped, b.Errors, b.CreatedAt); err != nil {
			return fmt.Errorf("insert import batch: %w", err)
		}
		if err := insertOrganizations(ctx, c, orgs); err != nil {
			return err
		}
		if err := insertServices(ctx, c, services); err != nil {
			return err
		}
		for _, e := range entries {
			if err := c.exec(ctx, `INSERT INTO import_entry (row_key, batch_id, service_id, organization_id, organization_key, claim_email, claim_phone, invited_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.Key, e.BatchID, e.ServiceID, e.OrganizationID, e.OrganizationKey, e.ClaimEmail, e.ClaimPhone, e.InvitedAt); err != nil {
				return fmt.Errorf("insert import entry: %w", err)
			}
		}
		return insertEmails(ctx, c, b.CreatedAt, mails)
	})
	if err != nil {
		return err
	}
	if len(services) >= analyzeAfter {
		// Best effort: the import is stored; stale statistics only slow
		// queries down until the next refresh.
		_ = s.db.Analyze(ctx)
	}
	return nil
}

// analyzeAfter is the number of services an import must create for the
// statistics to be refreshed after it.
const analyzeAfter = 500

// Entries returns an organisation's imported entries, by service name.
func (s *OnboardingStore) Entries(ctx context.Context, organizationID string) ([]onboarding.Entry, error) {
	if !validUUID(organizationID) {
		return nil, nil
	}
	var out []onboarding.Entry
	err := eachRow(ctx, s.db.reader(), `SELECT e.row_key, e.batch_id, e.service_id, s.name, s.status, e.organization_id, o.name,
			e.organization_key, e.claim_email, e.claim_phone, e.invited_at, e.claimed_at, e.reminded_at, e.removed_at
		FROM import_entry e JOIN service s ON s.id = e.service_id JOIN organization o ON o.id = e.organization_id
		WHERE e.organization_id = ? ORDER BY s.name, e.row_key`, []any{organizationID}, func(r rowScanner) error {
		var e onboarding.Entry
		var claimed, reminded, removed sql.NullTime
		if err := r.Scan(&e.Key, &e.BatchID, &e.ServiceID, &e.ServiceName, &e.ServiceStatus, &e.OrganizationID, &e.OrganizationName,
			&e.OrganizationKey, &e.ClaimEmail, &e.ClaimPhone, &e.InvitedAt, &claimed, &reminded, &removed); err != nil {
			return err
		}
		e.ClaimedAt, e.RemindedAt, e.RemovedAt = timePtr(claimed), timePtr(reminded), timePtr(removed)
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list import entries: %w", err)
	}
	return out, nil
}

// ClaimEntries makes the user a provider of the organisation and marks its
// unremoved, unclaimed entries claimed by them, in one transaction.
func (s *OnboardingStore) ClaimEntries(ctx context.Context, organizationID, userID string, at time.Time) error {
	return s.db.inTx(ctx, func(c conn) error {
		if err := c.exec(ctx, `INSERT INTO membership (user_id, organization_id, role) VALUES (?, ?, ?)
			ON CONFLICT (user_id, organization_id, role) DO NOTHING`, userID, organizationID, string(waymark.RoleProvider)); err != nil {
			return fmt.Errorf("add provider: %w", err)
		}
		if err := c.exec(ctx, `UPDATE import_entry SET claimed_at = ?, claimed_by = ?
			WHERE organization_id = ? AND claimed_at IS NULL AND removed_at IS NULL`, at, userID, organizationID); err != nil {
			return fmt.Errorf("mark entries claimed: %w", err)
		}
		return nil
	})
}

// MarkRemoved records that an entry was removed at its provider's request.
func (s *OnboardingStore) MarkRemoved(ctx context.Context, serviceID string, at time.Time) error {
	return s.db.inTx(ctx, func(c conn) error {
		if err := c.exec(ctx, `UPDATE import_entry SET removed_at = ? WHERE service_id = ? AND removed_at IS NULL`, at, serviceID); err != nil {
			return fmt.Errorf("mark entry removed: %w", err)
		}
		return nil
	})
}

// DueReminders lists organisations invited at or before invitedBy whose
// entries are all unclaimed, unremoved and not yet reminded.
func (s *OnboardingStore) DueReminders(ctx context.Context, invitedBy time.Time) ([]onboarding.Due, error) {
	var out []onboarding.Due
	err := eachRow(ctx, s.db.reader(), `SELECT e.organization_id, o.name, MIN(e.claim_email), MIN(e.claim_phone)
		FROM import_entry e JOIN organization o ON o.id = e.organization_id
		WHERE e.invited_at <= ? AND e.reminded_at IS NULL AND e.claimed_at IS NULL AND e.removed_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM import_entry d WHERE d.organization_id = e.organization_id
			AND (d.claimed_at IS NOT NULL OR d.reminded_at IS NOT NULL))
		GROUP BY e.organization_id, o.name ORDER BY e.organization_id`, []any{invitedBy}, func(r rowScanner) error {
		var d onboarding.Due
		err := r.Scan(&d.OrganizationID, &d.OrganizationName, &d.ClaimEmail, &d.ClaimPhone)
		out = append(out, d)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("due claim reminders: %w", err)
	}
	return out, nil
}

// ClaimReminder marks an organisation's unclaimed, unremoved entries
// reminded and queues the mails, in one conditional update: it reports false
// when nothing was left to remind, such as when another run did it first.
func (s *OnboardingStore) ClaimReminder(ctx context.Context, organizationID string, at time.Time, mails []email.Message) (bool, error) {
	won := false
	err := s.db.inTx(ctx, func(c conn) error {
		n, err := c.execN(ctx, `UPDATE import_entry SET reminded_at = ?
			WHERE organization_id = ? AND reminded_at IS NULL AND claimed_at IS NULL AND removed_at IS NULL`, at, organizationID)
		if err != nil {
			return fmt.Errorf("mark entries reminded: %w", err)
		}
		if n == 0 {
			return nil
		}
		won = true
		return insertEmails(ctx, c, at, mails)
	})
	return won, err
}

// Unclaimed lists imported organisations with entries nobody has claimed or
// removed (and none claimed), longest waiting first.
func (s *OnboardingStore) Unclaimed(ctx context.Context) ([]onboarding.Unclaimed, error) {
	var out []onboarding.Unclaimed
	byOrg := map[string]int{}
	err := eachRow(ctx, s.db.reader(), `SELECT e.organization_id, o.name, e.claim_email, e.claim_phone, e.invited_at
		FROM import_entry e JOIN organization o ON o.id = e.organization_id
		WHERE e.claimed_at IS NULL AND e.removed_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM import_entry d WHERE d.organization_id = e.organization_id AND d.claimed_at IS NOT NULL)
		ORDER BY e.organization_id, e.claim_email`, nil, func(r rowScanner) error {
		var u onboarding.Unclaimed
		if err := r.Scan(&u.OrganizationID, &u.OrganizationName, &u.ClaimEmail, &u.ClaimPhone, &u.InvitedAt); err != nil {
			return err
		}
		i, seen := byOrg[u.OrganizationID]
		if !seen {
			byOrg[u.OrganizationID] = len(out)
			u.Entries = 1
			out = append(out, u)
			return nil
		}
		out[i].Entries++
		if u.InvitedAt.After(out[i].InvitedAt) {
			out[i].InvitedAt = u.InvitedAt
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("unclaimed organisations: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].InvitedAt.Before(out[j].InvitedAt) })
	return out, nil
}

// Reissue marks an organisation's unclaimed, unremoved entries invited again
// and queues the mails, in one transaction.
func (s *OnboardingStore) Reissue(ctx context.Context, organizationID string, at time.Time, mails []email.Message) (bool, error) {
	done := false
	err := s.db.inTx(ctx, func(c conn) error {
		n, err := c.execN(ctx, `UPDATE import_entry SET invited_at = ?, reminded_at = NULL
			WHERE organization_id = ? AND claimed_at IS NULL AND removed_at IS NULL`, at, organizationID)
		if err != nil {
			return fmt.Errorf("mark entries invited again: %w", err)
		}
		if n == 0 {
			return nil
		}
		done = true
		return insertEmails(ctx, c, at, mails)
	})
	return done, err
}

// Batches lists imports, newest first: one user's, or everyone's when userID
// is "".
func (s *OnboardingStore) Batches(ctx context.Context, userID string) ([]onboarding.Batch, error) {
	var out []onboarding.Batch
	where, args := "", []any(nil)
	if userID != "" {
		where, args = "WHERE user_id = ?", []any{userID}
	}
	err := eachRow(ctx, s.db.reader(), `SELECT id, user_id, file_name, rows_total, created_count, skipped_count, error_count, created_at
		FROM import_batch `+where+` ORDER BY created_at DESC, id LIMIT 200`, args, func(r rowScanner) error {
		var b onboarding.Batch
		err := r.Scan(&b.ID, &b.UserID, &b.FileName, &b.Rows, &b.Created, &b.Skipped, &b.Errors, &b.CreatedAt)
		out = append(out, b)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list imports: %w", err)
	}
	return out, nil
}

// SaveUpload keeps an uploaded file until it is imported or forgotten.
func (s *OnboardingStore) SaveUpload(ctx context.Context, u onboarding.Upload) error {
	return s.db.inTx(ctx, func(c conn) error {
		if err := c.exec(ctx, `INSERT INTO import_upload (id, user_id, file_name, data, created_at) VALUES (?, ?, ?, ?, ?)`,
			u.ID, u.UserID, u.FileName, u.Data, u.CreatedAt); err != nil {
			return fmt.Errorf("insert upload: %w", err)
		}
		return nil
	})
}

// FindUpload returns a file the user uploaded. Errors: ENOTFOUND.
func (s *OnboardingStore) FindUpload(ctx context.Context, id, userID string) (*onboarding.Upload, error) {
	notFound := waymark.Errorf(waymark.ENOTFOUND, "We could not find this upload: it may have been imported already or have expired. Upload the file again.")
	if !validUUID(id) || !validUUID(userID) {
		return nil, notFound
	}
	u := onboarding.Upload{ID: id}
	err := s.db.reader().queryRow(ctx, `SELECT user_id, file_name, data, created_at FROM import_upload WHERE id = ? AND user_id = ?`,
		id, userID).Scan(&u.UserID, &u.FileName, &u.Data, &u.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound
	}
	if err != nil {
		return nil, fmt.Errorf("find upload: %w", mapError(err))
	}
	return &u, nil
}

// DeleteUpload forgets an uploaded file.
func (s *OnboardingStore) DeleteUpload(ctx context.Context, id string) error {
	return s.db.inTx(ctx, func(c conn) error {
		if err := c.exec(ctx, `DELETE FROM import_upload WHERE id = ?`, id); err != nil {
			return fmt.Errorf("delete upload: %w", err)
		}
		return nil
	})
}

// DeleteUploadsBefore forgets files uploaded before t and says how many.
func (s *OnboardingStore) DeleteUploadsBefore(ctx context.Context, t time.Time) (int, error) {
	var n int64
	err := s.db.inTx(ctx, func(c conn) error {
		var err error
		n, err = c.execN(ctx, `DELETE FROM import_upload WHERE created_at < ?`, t)
		if err != nil {
			return fmt.Errorf("delete old uploads: %w", err)
		}
		return nil
	})
	return int(n), err
}
