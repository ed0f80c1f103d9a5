package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"waymark"
)

// SaveImage stores a cleaned image.
func (s *DirectoryStore) SaveImage(ctx context.Context, id, contentType string, data []byte, at time.Time) error {
	return s.db.inTx(ctx, func(c conn) error {
		return c.exec(ctx, `INSERT INTO image_blob (id, content_type, data, created_at) VALUES (?, ?, ?, ?)`, id, contentType, data, at)
	})
}

// FindImage returns an image's content type and bytes. Errors: ENOTFOUND.
func (s *DirectoryStore) FindImage(ctx context.Context, id string) (string, []byte, error) {
	if !validUUID(id) {
		return "", nil, waymark.Errorf(waymark.ENOTFOUND, "There is no such image")
	}
	var ct string
	var data []byte
	err := s.db.reader().queryRow(ctx, `SELECT content_type, data FROM image_blob WHERE id = ?`, id).Scan(&ct, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, waymark.Errorf(waymark.ENOTFOUND, "There is no such image")
	}
	if err != nil {
		return "", nil, fmt.Errorf("find image: %w", err)
	}
	return ct, data, nil
}
