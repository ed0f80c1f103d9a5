package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"waymark"
	"waymark/internal/directory"
)

// UpdateServiceContent replaces what a service says (its fields and all its
// parts) but not its status, dates or organisation, and re-indexes it.
func (s *DirectoryStore) UpdateServiceContent(ctx context.Context, svc *directory.Service) error {
	return s.db.inTx(ctx, func(c conn) error { return updateServiceContent(ctx, c, svc) })
}

func updateServiceContent(ctx context.Context, c conn, svc *directory.Service) error {
	err := c.exec(ctx, `UPDATE service SET name = ?, description = ?, url = ?, email = ?, eligibility_description = ?,
			minimum_age = ?, maximum_age = ?, kind = ?, pathway = ?, external_form_url = ?, visibility = ?,
			waiting_weeks = ?, free = ?, keywords = ?, accessibility = ?, accessibility_note = ?, languages = ?, delivery = ?,
			updated_at = ? WHERE id = ?`,
		svc.Name, svc.Description, svc.Website, svc.Email, svc.AccessCriteria, svc.MinimumAge, svc.MaximumAge,
		string(svc.Kind), string(svc.Pathway), svc.ExternalFormURL, string(svc.Visibility), svc.WaitingWeeks, svc.Free,
		strings.Join(svc.Keywords, ", "), codes(svc.Accessibility), svc.AccessibilityNote, codes(svc.Languages), codes(svc.Delivery),
		svc.UpdatedAt, svc.ID)
	if err != nil {
		return fmt.Errorf("update service %s: %w", svc.ID, err)
	}
	if err := deleteServiceParts(ctx, c, svc.ID); err != nil {
		return err
	}
	if err := insertServiceParts(ctx, c, svc); err != nil {
		return err
	}
	return reindexService(ctx, c, svc.ID)
}

// CreateRevision stores a proposed change, superseding any earlier pending one.
func (s *DirectoryStore) CreateRevision(ctx context.Context, r directory.Revision) error {
	b, err := json.Marshal(r.Proposed)
	if err != nil {
		return fmt.Errorf("encode revision: %w", err)
	}
	return s.db.inTx(ctx, func(c conn) error {
		if err := c.exec(ctx, `UPDATE service_revision SET status = 'superseded' WHERE service_id = ? AND status = 'pending'`, r.ServiceID); err != nil {
			return err
		}
		return c.exec(ctx, `INSERT INTO service_revision (id, service_id, proposed, submitted_by, submitted_at) VALUES (?, ?, ?, ?, ?)`,
			r.ID, r.ServiceID, string(b), r.SubmittedBy, r.SubmittedAt)
	})
}

const revisionColumns = `id, service_id, proposed, submitted_by, submitted_at, status, note`

func scanRevision(r rowScanner) (directory.Revision, error) {
	var x directory.Revision
	var proposed string
	if err := r.Scan(&x.ID, &x.ServiceID, &proposed, &x.SubmittedBy, &x.SubmittedAt, &x.Status, &x.Note); err != nil {
		return x, err
	}
	x.Proposed = &directory.Service{}
	if err := json.Unmarshal([]byte(proposed), x.Proposed); err != nil {
		return x, fmt.Errorf("decode revision %s: %w", x.ID, err)
	}
	return x, nil
}

// PendingRevisions lists revisions waiting for a moderator, oldest first.
func (s *DirectoryStore) PendingRevisions(ctx context.Context) ([]directory.Revision, error) {
	var out []directory.Revision
	err := eachRow(ctx, s.db.reader(), `SELECT `+revisionColumns+` FROM service_revision WHERE status = 'pending' ORDER BY submitted_at, id`,
		nil, func(r rowScanner) error {
			x, err := scanRevision(r)
			out = append(out, x)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("pending revisions: %w", err)
	}
	return out, nil
}

// PendingRevisionOf returns the service's change waiting for review.
// Errors: ENOTFOUND when there is none.
func (s *DirectoryStore) PendingRevisionOf(ctx context.Context, serviceID string) (*directory.Revision, error) {
	x, err := scanRevision(s.db.reader().queryRow(ctx, `SELECT `+revisionColumns+` FROM service_revision
		WHERE service_id = ? AND status = 'pending' ORDER BY submitted_at DESC, id LIMIT 1`, serviceID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "There is no change waiting for review")
	}
	if err != nil {
		return nil, fmt.Errorf("pending revision of %s: %w", serviceID, err)
	}
	return &x, nil
}

// FindRevision returns one revision. Errors: ENOTFOUND.
func (s *DirectoryStore) FindRevision(ctx context.Context, id string) (*directory.Revision, error) {
	if !validUUID(id) {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "There is no such revision")
	}
	x, err := scanRevision(s.db.reader().queryRow(ctx, `SELECT `+revisionColumns+` FROM service_revision WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "There is no such revision")
	}
	if err != nil {
		return nil, fmt.Errorf("find revision: %w", err)
	}
	return &x, nil
}

// DecideRevision approves (applying it to the live entry and recording the
// event) or declines a pending revision, in one transaction. Errors:
// ECONFLICT when it is no longer pending.
func (s *DirectoryStore) DecideRevision(ctx context.Context, r directory.Revision, approve bool, e directory.Event, decidedBy string, at time.Time) error {
	status := "declined"
	if approve {
		status = "approved"
	}
	return s.db.inTx(ctx, func(c conn) error {
		n, err := c.execN(ctx, `UPDATE service_revision SET status = ?, decided_by = ?, decided_at = ?, note = ?
			WHERE id = ? AND status = 'pending'`, status, decidedBy, at, e.Note, r.ID)
		if err != nil {
			return fmt.Errorf("decide revision: %w", err)
		}
		if n != 1 {
			return waymark.Errorf(waymark.ECONFLICT, "This change has already been dealt with")
		}
		if approve {
			if err := updateServiceContent(ctx, c, r.Proposed); err != nil {
				return err
			}
		}
		return insertServiceEvent(ctx, c, e)
	})
}

// CorrectService replaces what a service says (a moderator's correction)
// and records the event, in one transaction.
func (s *DirectoryStore) CorrectService(ctx context.Context, svc *directory.Service, e directory.Event) error {
	return s.db.inTx(ctx, func(c conn) error {
		if err := updateServiceContent(ctx, c, svc); err != nil {
			return err
		}
		return insertServiceEvent(ctx, c, e)
	})
}

func insertServiceEvent(ctx context.Context, c conn, e directory.Event) error {
	if err := c.exec(ctx, `INSERT INTO service_event (id, service_id, actor_id, action, from_status, to_status, note, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, e.ServiceID, nullString(e.ActorID), string(e.Action), string(e.From), string(e.To), e.Note, e.At); err != nil {
		return fmt.Errorf("record event: %w", err)
	}
	return nil
}
