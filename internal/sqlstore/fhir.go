package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"waymark"
	"waymark/internal/fhir"
)

var _ fhir.SystemStore = (*FHIRStore)(nil)

// FHIRStore keeps the FHIR interface's connected systems, their tokens and
// outcome deliveries.
type FHIRStore struct{ db *DB }

// NewFHIRStore returns the store.
func NewFHIRStore(db *DB) *FHIRStore { return &FHIRStore{db: db} }

// CreateSystem stores a new system with its practices, and the form token
// in ctx. Errors: ECONFLICT when the form was sent before.
func (s *FHIRStore) CreateSystem(ctx context.Context, sys *fhir.System) error {
	return s.db.inTx(ctx, func(c conn) error {
		if err := claimFormToken(ctx, c, "fhir_system", sys.ID, sys.CreatedAt); err != nil {
			return err
		}
		err := c.exec(ctx, `INSERT INTO fhir_system (id, name, public_key, endpoint, enabled, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, sys.ID, sys.Name, sys.PublicKey, sys.Endpoint, sys.Enabled, sys.CreatedBy, sys.CreatedAt.UTC(), sys.UpdatedAt.UTC())
		if err != nil {
			return fmt.Errorf("insert fhir system: %w", err)
		}
		if err := insertSystemPractices(ctx, c, sys); err != nil {
			return err
		}
		return auditSystem(ctx, c, sys.CreatedBy, "register_system", sys.ID, "practices "+strings.Join(sys.Practices, ", "), sys.CreatedAt)
	})
}

// UpdateSystem saves a system's name, key, endpoint and practices.
// Errors: ENOTFOUND.
func (s *FHIRStore) UpdateSystem(ctx context.Context, sys *fhir.System, by string) error {
	return s.db.inTx(ctx, func(c conn) error {
		n, err := c.execN(ctx, `UPDATE fhir_system SET name = ?, public_key = ?, endpoint = ?, updated_at = ? WHERE id = ?`,
			sys.Name, sys.PublicKey, sys.Endpoint, sys.UpdatedAt.UTC(), sys.ID)
		if err != nil {
			return fmt.Errorf("update fhir system: %w", err)
		}
		if n == 0 {
			return waymark.Errorf(waymark.ENOTFOUND, "There is no such connected system")
		}
		if err := c.exec(ctx, `DELETE FROM fhir_system_practice WHERE system_id = ?`, sys.ID); err != nil {
			return fmt.Errorf("update fhir system practices: %w", err)
		}
		if err := insertSystemPractices(ctx, c, sys); err != nil {
			return err
		}
		return auditSystem(ctx, c, by, "change_system", sys.ID, "practices "+strings.Join(sys.Practices, ", ")+", endpoint "+orNone(sys.Endpoint), sys.UpdatedAt)
	})
}

// insertSystemPractices stores the practices a system acts for.
func insertSystemPractices(ctx context.Context, c conn, sys *fhir.System) error {
	for _, ods := range sys.Practices {
		if err := c.exec(ctx, `INSERT INTO fhir_system_practice (system_id, ods) VALUES (?, ?)`, sys.ID, ods); err != nil {
			return fmt.Errorf("insert fhir system practice: %w", err)
		}
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

const systemColumns = `s.id, s.name, s.public_key, s.endpoint, s.enabled, s.created_by, s.created_at, s.updated_at`

func scanSystem(r rowScanner) (*fhir.System, error) {
	var sys fhir.System
	err := r.Scan(&sys.ID, &sys.Name, &sys.PublicKey, &sys.Endpoint, &sys.Enabled, &sys.CreatedBy, &sys.CreatedAt, &sys.UpdatedAt)
	return &sys, err
}

// systemPractices fills the systems' practices.
func systemPractices(ctx context.Context, c conn, list ...*fhir.System) error {
	if len(list) == 0 {
		return nil
	}
	byID := map[string]*fhir.System{}
	ids := make([]string, len(list))
	for i, sys := range list {
		byID[sys.ID], ids[i] = sys, sys.ID
	}
	return eachRow(ctx, c, `SELECT system_id, ods FROM fhir_system_practice WHERE system_id IN (`+placeholders(len(ids))+`) ORDER BY ods`,
		anys(ids), func(r rowScanner) error {
			var id, ods string
			if err := r.Scan(&id, &ods); err != nil {
				return err
			}
			byID[id].Practices = append(byID[id].Practices, ods)
			return nil
		})
}

// ListSystems returns every system by name.
func (s *FHIRStore) ListSystems(ctx context.Context) ([]fhir.System, error) {
	c := s.db.reader()
	var ptrs []*fhir.System
	// Failing: outcomes whose latest attempt failed.
	err := eachRow(ctx, c, `SELECT `+systemColumns+`, (SELECT COUNT(*) FROM fhir_delivery d WHERE d.system_id = s.id AND d.error <> ''
			AND d.seq = (SELECT MAX(e.seq) FROM fhir_delivery e WHERE e.outcome_id = d.outcome_id))
		FROM fhir_system s ORDER BY s.name, s.id`, nil, func(r rowScanner) error {
		var sys fhir.System
		err := r.Scan(&sys.ID, &sys.Name, &sys.PublicKey, &sys.Endpoint, &sys.Enabled, &sys.CreatedBy, &sys.CreatedAt, &sys.UpdatedAt, &sys.Failing)
		ptrs = append(ptrs, &sys)
		return err
	})
	if err == nil {
		err = systemPractices(ctx, c, ptrs...)
	}
	if err != nil {
		return nil, fmt.Errorf("list fhir systems: %w", err)
	}
	out := make([]fhir.System, len(ptrs))
	for i, p := range ptrs {
		out[i] = *p
	}
	return out, nil
}

// FindSystem returns a system. Errors: ENOTFOUND.
func (s *FHIRStore) FindSystem(ctx context.Context, id string) (*fhir.System, error) {
	c := s.db.reader()
	sys, err := scanSystem(c.queryRow(ctx, `SELECT `+systemColumns+` FROM fhir_system s WHERE s.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "There is no such connected system")
	}
	if err == nil {
		err = systemPractices(ctx, c, sys)
	}
	if err != nil {
		return nil, fmt.Errorf("find fhir system: %w", err)
	}
	return sys, nil
}

// SetSystemEnabled enables or disables a system; disabling deletes its
// tokens. Errors: ENOTFOUND.
func (s *FHIRStore) SetSystemEnabled(ctx context.Context, id string, enabled bool, by string, at time.Time) error {
	return s.db.inTx(ctx, func(c conn) error {
		n, err := c.execN(ctx, `UPDATE fhir_system SET enabled = ?, updated_at = ? WHERE id = ?`, enabled, at.UTC(), id)
		if err != nil {
			return fmt.Errorf("set fhir system enabled: %w", err)
		}
		if n == 0 {
			return waymark.Errorf(waymark.ENOTFOUND, "There is no such connected system")
		}
		action := "enable_system"
		if !enabled {
			action = "disable_system"
			if err := c.exec(ctx, `DELETE FROM fhir_token WHERE system_id = ?`, id); err != nil {
				return fmt.Errorf("revoke fhir tokens: %w", err)
			}
		}
		return auditSystem(ctx, c, by, action, id, "", at)
	})
}

// auditSystem records an administrator's change to a connected system.
func auditSystem(ctx context.Context, c conn, by, action, systemID, detail string, at time.Time) error {
	var name string
	if err := c.queryRow(ctx, `SELECT name FROM fhir_system WHERE id = ?`, systemID).Scan(&name); err != nil {
		return fmt.Errorf("audit fhir system: %w", err)
	}
	err := c.exec(ctx, `INSERT INTO audit_event (actor_id, action, subject, detail, at) VALUES (?, ?, ?, ?, ?)`,
		by, action, "connected system "+name+" ("+systemID+")", detail, at.UTC())
	if err != nil {
		return fmt.Errorf("audit fhir system: %w", err)
	}
	return nil
}

// UseAssertion records a client assertion's jti. Errors: ECONFLICT when
// the system used it before.
func (s *FHIRStore) UseAssertion(ctx context.Context, systemID, jti string, expires time.Time) error {
	return s.db.inTx(ctx, func(c conn) error {
		n, err := c.execN(ctx, `INSERT INTO fhir_assertion (system_id, jti, expires_at) VALUES (?, ?, ?) ON CONFLICT (system_id, jti) DO NOTHING`,
			systemID, jti, expires.UTC())
		if err != nil {
			return fmt.Errorf("record assertion: %w", err)
		}
		if n == 0 {
			return waymark.Errorf(waymark.ECONFLICT, "This assertion was used before")
		}
		return nil
	})
}

// CreateToken stores an access token's hash.
func (s *FHIRStore) CreateToken(ctx context.Context, hash, systemID string, expires time.Time) error {
	return s.db.inTx(ctx, func(c conn) error {
		if err := c.exec(ctx, `INSERT INTO fhir_token (hash, system_id, expires_at) VALUES (?, ?, ?)`, hash, systemID, expires.UTC()); err != nil {
			return fmt.Errorf("insert fhir token: %w", err)
		}
		return nil
	})
}

// TokenSystem returns the enabled system holding an unexpired token with
// this hash. Errors: ENOTFOUND.
func (s *FHIRStore) TokenSystem(ctx context.Context, hash string, now time.Time) (*fhir.System, error) {
	c := s.db.reader()
	sys, err := scanSystem(c.queryRow(ctx, `SELECT `+systemColumns+` FROM fhir_token t JOIN fhir_system s ON s.id = t.system_id
		WHERE t.hash = ? AND t.expires_at > ? AND s.enabled`, hash, now.UTC()))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "No such access token")
	}
	if err == nil {
		err = systemPractices(ctx, c, sys)
	}
	if err != nil {
		return nil, fmt.Errorf("find fhir token: %w", err)
	}
	return sys, nil
}

// deliveryKept is how long delivery attempts are kept for the
// administrators' pages.
const deliveryKept = 90 * 24 * time.Hour

// DeleteExpired forgets tokens and assertion ids expired before now, and
// delivery attempts older than deliveryKept.
func (s *FHIRStore) DeleteExpired(ctx context.Context, now time.Time) error {
	return s.db.inTx(ctx, func(c conn) error {
		if err := c.exec(ctx, `DELETE FROM fhir_token WHERE expires_at <= ?`, now.UTC()); err != nil {
			return fmt.Errorf("delete expired fhir tokens: %w", err)
		}
		if err := c.exec(ctx, `DELETE FROM fhir_assertion WHERE expires_at <= ?`, now.UTC()); err != nil {
			return fmt.Errorf("delete expired assertions: %w", err)
		}
		if err := c.exec(ctx, `DELETE FROM fhir_delivery WHERE at < ?`, now.UTC().Add(-deliveryKept)); err != nil {
			return fmt.Errorf("delete old deliveries: %w", err)
		}
		return nil
	})
}

// callAction is the audit action of a connected system's call.
const callAction = "fhir.call"

// AuditCall records a call of a connected system in the audit log: the
// route and the status, nothing of the request's content.
func (s *FHIRStore) AuditCall(ctx context.Context, call fhir.Call) error {
	return s.db.inTx(ctx, func(c conn) error {
		return c.exec(ctx, `INSERT INTO audit_event (actor_id, action, subject, detail, at) VALUES (?, ?, ?, ?, ?)`,
			"system:"+call.SystemID, callAction, call.Route, strconv.Itoa(call.Status), call.At.UTC())
	})
}

// RecordDelivery records an attempt to deliver an outcome.
func (s *FHIRStore) RecordDelivery(ctx context.Context, d fhir.Delivery) error {
	var retry any
	if !d.RetryAt.IsZero() {
		retry = d.RetryAt.UTC()
	}
	return s.db.inTx(ctx, func(c conn) error {
		err := c.exec(ctx, `INSERT INTO fhir_delivery (outcome_id, system_id, attempt, status, error, at, retry_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			d.OutcomeID, d.SystemID, d.Attempt, d.Status, d.Error, d.At.UTC(), retry)
		if err != nil {
			return fmt.Errorf("record delivery: %w", err)
		}
		return nil
	})
}

// DeliveryAttempts counts the attempts to deliver an outcome so far.
func (s *FHIRStore) DeliveryAttempts(ctx context.Context, outcomeID string) (int, error) {
	var n int
	if err := s.db.reader().queryRow(ctx, `SELECT COUNT(*) FROM fhir_delivery WHERE outcome_id = ?`, outcomeID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count deliveries: %w", err)
	}
	return n, nil
}

// Deliveries returns a system's latest delivery attempts, newest first.
func (s *FHIRStore) Deliveries(ctx context.Context, systemID string, limit int) ([]fhir.Delivery, error) {
	var out []fhir.Delivery
	err := eachRow(ctx, s.db.reader(), `SELECT outcome_id, system_id, attempt, status, error, at, retry_at
		FROM fhir_delivery WHERE system_id = ? ORDER BY seq DESC LIMIT ?`, []any{systemID, limit}, func(r rowScanner) error {
		var d fhir.Delivery
		var retry sql.NullTime
		err := r.Scan(&d.OutcomeID, &d.SystemID, &d.Attempt, &d.Status, &d.Error, &d.At, &retry)
		if retry.Valid {
			d.RetryAt = retry.Time
		}
		out = append(out, d)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("fhir deliveries: %w", err)
	}
	return out, nil
}

// Calls returns a system's latest audited calls, newest first.
func (s *FHIRStore) Calls(ctx context.Context, systemID string, limit int) ([]fhir.Call, error) {
	var out []fhir.Call
	err := eachRow(ctx, s.db.reader(), `SELECT subject, detail, at FROM audit_event WHERE actor_id = ? AND action = ? ORDER BY seq DESC LIMIT ?`,
		[]any{"system:" + systemID, callAction, limit}, func(r rowScanner) error {
			c := fhir.Call{SystemID: systemID}
			var status string
			err := r.Scan(&c.Route, &status, &c.At)
			c.Status, _ = strconv.Atoi(status)
			out = append(out, c)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("fhir calls: %w", err)
	}
	return out, nil
}
