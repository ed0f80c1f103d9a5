package sqlstore

import (
	"context"
	"fmt"

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
		q := `UPDATE service SET status = ?, status_note = ?, updated_at = ? WHERE id = ? AND status = ?`
		args := []any{string(e.To), note, e.At, e.ServiceID, string(e.From)}
		if e.Action == directory.ActionApprove || e.Action == directory.ActionReopen {
			q = `UPDATE service SET status = ?, status_note = ?, updated_at = ?, assured_at = ? WHERE id = ? AND status = ?`
			args = []any{string(e.To), note, e.At, e.At, e.ServiceID, string(e.From)}
		}
		res, err := c.q.ExecContext(ctx, c.db.rebind(q), args...)
		if err != nil {
			return fmt.Errorf("change status: %w", mapError(err))
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return waymark.Errorf(waymark.ECONFLICT, "The listing changed while you were looking at it: reload the page and try again")
		}
		if err := c.exec(ctx, `INSERT INTO service_event (id, service_id, actor_id, action, from_status, to_status, note, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, e.ServiceID, nullString(e.ActorID), string(e.Action), string(e.From), string(e.To), e.Note, e.At); err != nil {
			return fmt.Errorf("record event: %w", err)
		}
		return reindexService(ctx, c, e.ServiceID)
	})
}

// History returns a service's events, oldest first.
func (s *DirectoryStore) History(ctx context.Context, serviceID string) ([]directory.Event, error) {
	var out []directory.Event
	err := eachRow(ctx, s.db.reader(), `SELECT id, service_id, COALESCE(CAST(actor_id AS TEXT), ''), action, from_status, to_status, note, at
		FROM service_event WHERE service_id = ? ORDER BY at, seq`, []any{serviceID}, func(r rowScanner) error {
		var e directory.Event
		var action, from, to string
		err := r.Scan(&e.ID, &e.ServiceID, &e.ActorID, &action, &from, &to, &e.Note, &e.At)
		e.Action, e.From, e.To = directory.Action(action), directory.Status(from), directory.Status(to)
		out = append(out, e)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("service history: %w", err)
	}
	return out, nil
}
