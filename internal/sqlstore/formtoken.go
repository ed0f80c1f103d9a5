package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"waymark"
)

// claimFormToken records, in the transaction that creates something, the
// token of the form that created it (when ctx carries one) and what it
// created. The token is the table's key, so a second sending of the same
// form fails with ECONFLICT and creates nothing.
func claimFormToken(ctx context.Context, c conn, kind, resultID string, at time.Time) error {
	token := waymark.FormTokenFrom(ctx)
	if token == "" {
		return nil
	}
	err := c.exec(ctx, `INSERT INTO form_token (token, kind, result_id, created_at) VALUES (?, ?, ?, ?)`, token, kind, resultID, at.UTC())
	if waymark.ErrorCode(err) == waymark.ECONFLICT {
		return waymark.Errorf(waymark.ECONFLICT, "This form has already been sent")
	}
	if err != nil {
		return fmt.Errorf("record form token: %w", err)
	}
	return nil
}

// FormTokenResult returns what the form sent with token created: its kind
// and id. Errors: ENOTFOUND.
func (db *DB) FormTokenResult(ctx context.Context, token string) (kind, resultID string, err error) {
	err = db.reader().queryRow(ctx, `SELECT kind, result_id FROM form_token WHERE token = ?`, token).Scan(&kind, &resultID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", waymark.Errorf(waymark.ENOTFOUND, "No form was sent with this token")
	}
	if err != nil {
		return "", "", fmt.Errorf("find form token: %w", err)
	}
	return kind, resultID, nil
}

// DeleteFormTokensBefore forgets the tokens of forms sent before t, which
// can no longer be sent again in earnest; it returns how many.
func (db *DB) DeleteFormTokensBefore(ctx context.Context, t time.Time) (int64, error) {
	var n int64
	err := db.inTx(ctx, func(c conn) error {
		var err error
		n, err = c.execN(ctx, `DELETE FROM form_token WHERE created_at < ?`, t.UTC())
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("delete old form tokens: %w", err)
	}
	return n, nil
}
