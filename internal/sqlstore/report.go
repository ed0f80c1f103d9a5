package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"waymark/internal/directory"
)

// CreateReport stores a report.
func (s *DirectoryStore) CreateReport(ctx context.Context, r directory.Report) error {
	return s.db.inTx(ctx, func(c conn) error {
		if err := c.exec(ctx, `INSERT INTO service_report (id, service_id, reason, reporter_email, created_at) VALUES (?, ?, ?, ?, ?)`,
			r.ID, r.ServiceID, r.Reason, r.ReporterEmail, r.CreatedAt); err != nil {
			return err
		}
		return claimFormToken(ctx, c, "report", r.ServiceID, r.CreatedAt)
	})
}

// ResolveReports closes a service's open reports.
func (s *DirectoryStore) ResolveReports(ctx context.Context, serviceID, resolution string, at time.Time) error {
	return s.db.inTx(ctx, func(c conn) error {
		return c.exec(ctx, `UPDATE service_report SET resolved_at = ?, resolution = ? WHERE service_id = ? AND resolved_at IS NULL`,
			at, resolution, serviceID)
	})
}

// MarkAssured records that a live entry was confirmed at at.
func (s *DirectoryStore) MarkAssured(ctx context.Context, serviceID string, at time.Time) error {
	err := s.db.inTx(ctx, func(c conn) error {
		return c.exec(ctx, `UPDATE service SET assured_at = ? WHERE id = ? AND status IN ('published', 'frozen')`, at.UTC(), serviceID)
	})
	if err != nil {
		return fmt.Errorf("mark %s confirmed: %w", serviceID, err)
	}
	return nil
}

// OpenReports lists unresolved reports, oldest first.
func (s *DirectoryStore) OpenReports(ctx context.Context) ([]directory.Report, error) {
	var out []directory.Report
	err := eachRow(ctx, s.db.reader(), `SELECT r.id, r.service_id, r.reason, r.reporter_email, r.created_at, s.name, o.name
		FROM service_report r JOIN service s ON s.id = r.service_id JOIN organization o ON o.id = s.organization_id
		WHERE r.resolved_at IS NULL ORDER BY r.created_at, r.id`, nil, func(rs rowScanner) error {
		var r directory.Report
		err := rs.Scan(&r.ID, &r.ServiceID, &r.Reason, &r.ReporterEmail, &r.CreatedAt, &r.ServiceName, &r.OrganizationName)
		out = append(out, r)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("open reports: %w", err)
	}
	return out, nil
}

// Secret returns the named application secret, making and storing a random
// one the first time, so every instance sharing the database uses the same.
func (db *DB) Secret(ctx context.Context, name string) ([]byte, error) {
	var v string
	err := db.reader().queryRow(ctx, `SELECT value FROM app_secret WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		b := make([]byte, 32)
		rand.Read(b)
		err = db.inTx(ctx, func(c conn) error {
			return c.exec(ctx, `INSERT INTO app_secret (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, name, hex.EncodeToString(b))
		})
		if err != nil {
			return nil, fmt.Errorf("store secret %s: %w", name, err)
		}
		err = db.reader().queryRow(ctx, `SELECT value FROM app_secret WHERE name = ?`, name).Scan(&v)
	}
	if err != nil {
		return nil, fmt.Errorf("read secret %s: %w", name, err)
	}
	return hex.DecodeString(v)
}
