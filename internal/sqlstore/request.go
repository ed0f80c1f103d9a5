package sqlstore

import (
	"context"
	"fmt"
	"time"

	"waymark"
	"waymark/internal/directory"
)

var _ directory.RequestStore = (*DirectoryStore)(nil)

// CreateServiceRequest stores a request, or returns the ID of the one
// already stored with the same form token.
func (s *DirectoryStore) CreateServiceRequest(ctx context.Context, r directory.ServiceRequest) (string, error) {
	id := r.ID
	err := s.db.inTx(ctx, func(c conn) error {
		n, err := c.execN(ctx, `INSERT INTO service_request (id, token, organisation, service, contact_name, email, phone, website, postcode, description, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (token) DO NOTHING`,
			r.ID, r.Token, r.Organisation, r.Service, r.ContactName, r.Email, r.Phone, r.Website, r.Postcode, r.Description, r.CreatedAt)
		if err != nil {
			return fmt.Errorf("insert service request: %w", err)
		}
		if n == 0 {
			return c.queryRow(ctx, `SELECT id FROM service_request WHERE token = ?`, r.Token).Scan(&id)
		}
		return nil
	})
	return id, err
}

// OpenServiceRequests returns the requests nobody has handled, oldest first.
func (s *DirectoryStore) OpenServiceRequests(ctx context.Context) ([]directory.ServiceRequest, error) {
	var out []directory.ServiceRequest
	err := eachRow(ctx, s.db.reader(), `SELECT id, organisation, service, contact_name, email, phone, website, postcode, description, created_at
		FROM service_request WHERE handled_at IS NULL ORDER BY created_at, id LIMIT 500`, nil, func(rs rowScanner) error {
		var r directory.ServiceRequest
		err := rs.Scan(&r.ID, &r.Organisation, &r.Service, &r.ContactName, &r.Email, &r.Phone, &r.Website, &r.Postcode, &r.Description, &r.CreatedAt)
		out = append(out, r)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("open service requests: %w", err)
	}
	return out, nil
}

// HandleServiceRequest marks an open request handled. Errors: ENOTFOUND.
func (s *DirectoryStore) HandleServiceRequest(ctx context.Context, id, by string, at time.Time) error {
	return s.db.inTx(ctx, func(c conn) error {
		n, err := c.execN(ctx, `UPDATE service_request SET handled_by = ?, handled_at = ? WHERE id = ? AND handled_at IS NULL`, by, at, id)
		if err != nil {
			return fmt.Errorf("handle service request: %w", err)
		}
		if n == 0 {
			return waymark.Errorf(waymark.ENOTFOUND, "There is no such request waiting")
		}
		return nil
	})
}
