package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"waymark"
	"waymark/internal/account"
)

// AccountStore keeps users, memberships and one-time tokens. It implements
// account.Store.
type AccountStore struct {
	db *DB
}

// NewAccountStore returns an AccountStore on db.
func NewAccountStore(db *DB) *AccountStore { return &AccountStore{db: db} }

var _ account.Store = (*AccountStore)(nil)

// CreateUser stores a new user. Errors: ECONFLICT when the email is taken.
func (s *AccountStore) CreateUser(ctx context.Context, u *account.User) error {
	return s.db.inTx(ctx, func(c conn) error {
		column, grant := splitRole(u.PlatformRole)
		err := c.exec(ctx, `INSERT INTO app_user (id, email, name, password_hash, email_verified_at, platform_role, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, u.ID, u.Email, u.Name, u.PasswordHash, u.EmailVerifiedAt, column, u.CreatedAt)
		if waymark.ErrorCode(err) == waymark.ECONFLICT {
			return waymark.FieldErrorf(waymark.ECONFLICT, "email", "An account with this email address already exists: sign in or reset your password")
		}
		if err != nil {
			return fmt.Errorf("insert user: %w", err)
		}
		if grant != "" {
			if err := c.exec(ctx, `INSERT INTO user_grant (user_id, role) VALUES (?, ?)`, u.ID, grant); err != nil {
				return fmt.Errorf("insert grant: %w", err)
			}
		}
		for _, m := range u.Memberships {
			if err := c.exec(ctx, `INSERT INTO membership (user_id, organization_id, role) VALUES (?, ?, ?)`,
				u.ID, m.OrganizationID, string(m.Role)); err != nil {
				return fmt.Errorf("insert membership: %w", err)
			}
		}
		if u.Practice != "" {
			if err := setPractice(ctx, c, u.ID, u.Practice, u.PracticeRole); err != nil {
				return err
			}
		}
		if u.PCN != "" {
			if err := c.exec(ctx, `INSERT INTO pcn_commissioner (user_id, pcn_id) VALUES (?, ?)`, u.ID, u.PCN); err != nil {
				return fmt.Errorf("insert pcn commissioner: %w", err)
			}
		}
		// An invitation's form (its token in ctx) creates one account.
		return claimFormToken(ctx, c, "user", u.ID, u.CreatedAt)
	})
}

// SetPractice makes a user a GP or practice staff (role) of the GP
// practice with the ODS code, instead of any practice before.
func (s *AccountStore) SetPractice(ctx context.Context, userID, ods string, role waymark.Role) error {
	return s.db.inTx(ctx, func(c conn) error { return setPractice(ctx, c, userID, ods, role) })
}

func setPractice(ctx context.Context, c conn, userID, ods string, role waymark.Role) error {
	err := c.exec(ctx, `INSERT INTO practice_user (user_id, ods_code, role) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET ods_code = excluded.ods_code, role = excluded.role`, userID, ods, string(role))
	if err != nil {
		return fmt.Errorf("set practice: %w", err)
	}
	return nil
}

func (s *AccountStore) findUser(ctx context.Context, where string, arg any) (*account.User, error) {
	c := s.db.reader()
	var u account.User
	var verified sql.NullTime
	var role string
	err := c.queryRow(ctx, `SELECT id, email, name, password_hash, email_verified_at, platform_role, created_at
		FROM app_user WHERE `+where, arg).Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &verified, &role, &u.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "There is no such account")
	}
	if err != nil {
		return nil, fmt.Errorf("find user: %w", mapError(err))
	}
	u.PlatformRole = waymark.Role(role)
	if verified.Valid {
		u.EmailVerifiedAt = &verified.Time
	}
	if u.PlatformRole == "" {
		var grant string
		err := c.queryRow(ctx, `SELECT role FROM user_grant WHERE user_id = ? ORDER BY role LIMIT 1`, u.ID).Scan(&grant)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("find grant: %w", mapError(err))
		}
		u.PlatformRole = waymark.Role(grant)
	}
	var practiceRole string
	err = c.queryRow(ctx, `SELECT ods_code, role FROM practice_user WHERE user_id = ?`, u.ID).Scan(&u.Practice, &practiceRole)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("find practice: %w", mapError(err))
	}
	u.PracticeRole = waymark.Role(practiceRole)
	err = c.queryRow(ctx, `SELECT pcn_id FROM pcn_commissioner WHERE user_id = ?`, u.ID).Scan(&u.PCN)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("find pcn: %w", mapError(err))
	}
	err = eachRow(ctx, c, `SELECT organization_id, role FROM membership WHERE user_id = ? ORDER BY organization_id, role`,
		[]any{u.ID}, func(r rowScanner) error {
			var m account.Membership
			var role string
			err := r.Scan(&m.OrganizationID, &role)
			m.Role = waymark.Role(role)
			u.Memberships = append(u.Memberships, m)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("find memberships: %w", err)
	}
	return &u, nil
}

// FindUserByEmail returns a user by (lower-case) email. Errors: ENOTFOUND.
func (s *AccountStore) FindUserByEmail(ctx context.Context, email string) (*account.User, error) {
	return s.findUser(ctx, "email = ?", email)
}

// FindUserByID returns a user. Errors: ENOTFOUND.
func (s *AccountStore) FindUserByID(ctx context.Context, id string) (*account.User, error) {
	if !validUUID(id) {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "There is no such account")
	}
	return s.findUser(ctx, "id = ?", id)
}

// SetPassword replaces a user's password hash and uses up their outstanding reset links.
func (s *AccountStore) SetPassword(ctx context.Context, userID, hash string, at time.Time) error {
	return s.db.inTx(ctx, func(c conn) error {
		if err := c.exec(ctx, `UPDATE app_user SET password_hash = ? WHERE id = ?`, hash, userID); err != nil {
			return err
		}
		return c.exec(ctx, `UPDATE account_token SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL`,
			at, userID, account.PurposeResetPassword)
	})
}

// MarkEmailVerified records the first time the user proved the address.
func (s *AccountStore) MarkEmailVerified(ctx context.Context, userID string, at time.Time) error {
	return s.db.inTx(ctx, func(c conn) error {
		return c.exec(ctx, `UPDATE app_user SET email_verified_at = ? WHERE id = ? AND email_verified_at IS NULL`, at, userID)
	})
}

// SetPlatformRole sets or clears a user's platform role.
func (s *AccountStore) SetPlatformRole(ctx context.Context, userID string, role waymark.Role) error {
	return s.db.inTx(ctx, func(c conn) error {
		column, grant := splitRole(role)
		if err := c.exec(ctx, `UPDATE app_user SET platform_role = ? WHERE id = ?`, column, userID); err != nil {
			return err
		}
		if err := c.exec(ctx, `DELETE FROM user_grant WHERE user_id = ?`, userID); err != nil {
			return err
		}
		if grant == "" {
			return nil
		}
		return c.exec(ctx, `INSERT INTO user_grant (user_id, role) VALUES (?, ?)`, userID, grant)
	})
}

// splitRole says where a platform role is kept: app_user.platform_role for
// the roles its CHECK constraint knows, user_grant for the onboarding role.
func splitRole(r waymark.Role) (column, grant string) {
	if r == waymark.RoleOnboarding {
		return "", string(r)
	}
	return string(r), ""
}

// SaveToken stores a token hash.
func (s *AccountStore) SaveToken(ctx context.Context, hash, userID, purpose string, expires time.Time) error {
	return s.db.inTx(ctx, func(c conn) error {
		return c.exec(ctx, `INSERT INTO account_token (hash, user_id, purpose, expires_at) VALUES (?, ?, ?, ?)`, hash, userID, purpose, expires)
	})
}

// UseToken consumes an unused, unexpired token of the purpose in one
// statement, so a link works once even when clicked twice at the same time.
// Errors: ENOTFOUND.
func (s *AccountStore) UseToken(ctx context.Context, hash, purpose string, now time.Time) (string, error) {
	var userID string
	err := s.db.inTx(ctx, func(c conn) error {
		n, err := c.execN(ctx, `UPDATE account_token SET used_at = ?
			WHERE hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?`, now, hash, purpose, now)
		if err != nil {
			return fmt.Errorf("use token: %w", err)
		}
		if n != 1 {
			return waymark.Errorf(waymark.ENOTFOUND, "This link has expired or has already been used")
		}
		return c.queryRow(ctx, `SELECT user_id FROM account_token WHERE hash = ?`, hash).Scan(&userID)
	})
	return userID, err
}

func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if r != '-' {
				return false
			}
		case r >= '0' && r <= '9', r >= 'a' && r <= 'f', r >= 'A' && r <= 'F':
		default:
			return false
		}
	}
	return true
}

// AddMembership gives a user a role in an organisation (no-op if they have it).
func (s *AccountStore) AddMembership(ctx context.Context, userID, organizationID string, role waymark.Role) error {
	return s.db.inTx(ctx, func(c conn) error {
		return c.exec(ctx, `INSERT INTO membership (user_id, organization_id, role) VALUES (?, ?, ?)
			ON CONFLICT (user_id, organization_id, role) DO NOTHING`, userID, organizationID, string(role))
	})
}

// Audit records an administrator's action.
func (s *AccountStore) Audit(ctx context.Context, e account.AuditEvent) error {
	return s.db.inTx(ctx, func(c conn) error {
		return c.exec(ctx, `INSERT INTO audit_event (actor_id, action, subject, detail, at) VALUES (?, ?, ?, ?, ?)`,
			e.ActorID, e.Action, e.Subject, e.Detail, e.At)
	})
}

// AuditLog returns the newest audit events first, but the calls of
// connected clinical systems (each system's page lists its own).
func (s *AccountStore) AuditLog(ctx context.Context, limit int) ([]account.AuditEvent, error) {
	var out []account.AuditEvent
	err := eachRow(ctx, s.db.reader(), `SELECT a.actor_id, COALESCE(u.name, ''), a.action, a.subject, a.detail, a.at
		FROM audit_event a LEFT JOIN app_user u ON CAST(u.id AS TEXT) = a.actor_id WHERE a.action <> ? ORDER BY a.seq DESC LIMIT ?`,
		[]any{callAction, limit}, func(r rowScanner) error {
			var e account.AuditEvent
			err := r.Scan(&e.ActorID, &e.ActorName, &e.Action, &e.Subject, &e.Detail, &e.At)
			out = append(out, e)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return out, nil
}

// Users returns every user with their memberships, by name then email.
func (s *AccountStore) Users(ctx context.Context) ([]*account.User, error) {
	c := s.db.reader()
	var out []*account.User
	byID := map[string]*account.User{}
	err := eachRow(ctx, c, `SELECT id, email, name, email_verified_at, platform_role, created_at FROM app_user ORDER BY name, email`,
		nil, func(r rowScanner) error {
			var u account.User
			var verified sql.NullTime
			var role string
			if err := r.Scan(&u.ID, &u.Email, &u.Name, &verified, &role, &u.CreatedAt); err != nil {
				return err
			}
			u.PlatformRole = waymark.Role(role)
			if verified.Valid {
				u.EmailVerifiedAt = &verified.Time
			}
			out = append(out, &u)
			byID[u.ID] = &u
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	err = eachRow(ctx, c, `SELECT user_id, role FROM user_grant ORDER BY user_id, role`, nil, func(r rowScanner) error {
		var userID, role string
		if err := r.Scan(&userID, &role); err != nil {
			return err
		}
		if u := byID[userID]; u != nil && u.PlatformRole == "" {
			u.PlatformRole = waymark.Role(role)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list grants: %w", err)
	}
	err = eachRow(ctx, c, `SELECT user_id, ods_code, role FROM practice_user`, nil, func(r rowScanner) error {
		var userID, ods, role string
		if err := r.Scan(&userID, &ods, &role); err != nil {
			return err
		}
		if u := byID[userID]; u != nil {
			u.Practice, u.PracticeRole = ods, waymark.Role(role)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list practice users: %w", err)
	}
	err = eachRow(ctx, c, `SELECT CAST(user_id AS TEXT), pcn_id FROM pcn_commissioner`, nil, func(r rowScanner) error {
		var userID, pcnID string
		if err := r.Scan(&userID, &pcnID); err != nil {
			return err
		}
		if u := byID[userID]; u != nil {
			u.PCN = pcnID
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list pcn commissioners: %w", err)
	}
	err = eachRow(ctx, c, `SELECT user_id, organization_id, role FROM membership ORDER BY organization_id, role`,
		nil, func(r rowScanner) error {
			var userID, role string
			var m account.Membership
			if err := r.Scan(&userID, &m.OrganizationID, &role); err != nil {
				return err
			}
			m.Role = waymark.Role(role)
			if u := byID[userID]; u != nil {
				u.Memberships = append(u.Memberships, m)
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("list memberships: %w", err)
	}
	return out, nil
}

// InTx runs fn in one transaction; see DB.InTx.
func (s *AccountStore) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, fn)
}
