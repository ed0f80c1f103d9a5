package sqlstore

import (
	"context"
	"fmt"
	"sort"
	"time"

	"waymark"
	"waymark/internal/directory"
)

var _ directory.LifecycleStore = (*DirectoryStore)(nil)

// ChangeStatus moves a service between statuses and records the event, in
// one transaction. Approving or reopening also records that the entry was
// confirmed now. Errors: ECONFLICT when the service is no longer in e.From.
func (s *DirectoryStore) ChangeStatus(ctx context.Context, e directory.Event) error {
	return s.db.inTx(ctx, func(c conn) error {
		note := ""
		switch e.Action {
		case directory.ActionDecline, directory.ActionFreeze, directory.ActionSuspend:
			note = e.Note
		}
		by := ""
		if e.To == directory.StatusSuspended {
			by = string(e.SuspendedBy)
			if by == "" {
				by = string(directory.BySystem)
			}
		}
		q := `UPDATE service SET status = ?, status_note = ?, suspended_by = ?, updated_at = ? WHERE id = ? AND status = ?`
		args := []any{string(e.To), note, by, e.At, e.ServiceID, string(e.From)}
		if e.Action == directory.ActionApprove || e.Action == directory.ActionReopen {
			q = `UPDATE service SET status = ?, status_note = ?, suspended_by = ?, updated_at = ?, assured_at = ? WHERE id = ? AND status = ?`
			args = []any{string(e.To), note, by, e.At, e.At, e.ServiceID, string(e.From)}
		}
		n, err := c.execN(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("change status: %w", err)
		}
		if n != 1 {
			return waymark.Errorf(waymark.ECONFLICT, "The listing changed while you were looking at it: reload the page and try again")
		}
		if err := insertServiceEvent(ctx, c, e); err != nil {
			return err
		}
		return reindexService(ctx, c, e.ServiceID)
	})
}

// History returns a service's events, oldest first.
func (s *DirectoryStore) History(ctx context.Context, serviceID string) ([]directory.Event, error) {
	var out []directory.Event
	err := eachRow(ctx, s.db.reader(), `SELECT e.id, e.service_id, COALESCE(CAST(e.actor_id AS TEXT), ''), COALESCE(u.name, ''),
			e.action, e.from_status, e.to_status, e.note, e.at
		FROM service_event e LEFT JOIN app_user u ON u.id = e.actor_id
		WHERE e.service_id = ? ORDER BY e.at, e.seq`, []any{serviceID}, func(r rowScanner) error {
		var e directory.Event
		var action, from, to string
		err := r.Scan(&e.ID, &e.ServiceID, &e.ActorID, &e.ActorName, &action, &from, &to, &e.Note, &e.At)
		e.Action, e.From, e.To = directory.Action(action), directory.Status(from), directory.Status(to)
		out = append(out, e)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("service history: %w", err)
	}
	return out, nil
}

// ListServicesOfOrganizations returns the services (any status but
// deleted) of the organisations, by name, with their locations.
func (s *DirectoryStore) ListServicesOfOrganizations(ctx context.Context, orgIDs []string) ([]*directory.Service, error) {
	if len(orgIDs) == 0 {
		return nil, nil
	}
	ids, err := columnStrings(ctx, s.db.reader(), `SELECT id FROM service WHERE organization_id IN (`+placeholders(len(orgIDs))+`)
		AND status <> 'deleted' ORDER BY name, id`, anys(orgIDs))
	if err != nil {
		return nil, fmt.Errorf("list organisation services: %w", err)
	}
	return s.inOrder(ctx, ids)
}

// ListPendingReview returns the entries waiting for moderation, oldest
// submission first, with when each was submitted.
func (s *DirectoryStore) ListPendingReview(ctx context.Context) ([]directory.Pending, error) {
	c := s.db.reader()
	submitted := map[string]time.Time{}
	var ids []string
	err := eachRow(ctx, c, `SELECT id, updated_at FROM service WHERE status = 'pending_review'`, nil, func(r rowScanner) error {
		var id string
		var at time.Time
		err := r.Scan(&id, &at)
		ids = append(ids, id)
		submitted[id] = at
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list pending review: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	err = eachRow(ctx, c, `SELECT service_id, at FROM service_event WHERE action = 'submit' AND service_id IN (`+placeholders(len(ids))+`)`,
		anys(ids), func(r rowScanner) error {
			var id string
			var at time.Time
			if err := r.Scan(&id, &at); err != nil {
				return err
			}
			if first, ok := submitted[id]; !ok || at.After(first) || first.IsZero() {
				submitted[id] = at
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("list submissions: %w", err)
	}
	sort.Slice(ids, func(i, j int) bool {
		a, b := submitted[ids[i]], submitted[ids[j]]
		if !a.Equal(b) {
			return a.Before(b)
		}
		return ids[i] < ids[j]
	})
	svcs, err := s.inOrder(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]directory.Pending, len(svcs))
	for i, svc := range svcs {
		out[i] = directory.Pending{Service: svc, SubmittedAt: submitted[svc.ID]}
	}
	return out, nil
}

// inOrder loads summaries of services, in the order of ids.
func (s *DirectoryStore) inOrder(ctx context.Context, ids []string) ([]*directory.Service, error) {
	m, err := loadServices(ctx, s.db.reader(), ids, false)
	if err != nil {
		return nil, err
	}
	out := make([]*directory.Service, 0, len(ids))
	for _, id := range ids {
		if svc, ok := m[id]; ok {
			out = append(out, svc)
		}
	}
	return out, nil
}
