// Package account is Waymark's users, their organisations and roles, and the
// rules for registering, verifying an email address, signing in and
// resetting a password. Passwords are hashed with argon2id; one-time links
// are stored only as hashes and expire.
package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"
	"waymark/internal/email"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/input"
)

// User is a person who signs in.
type User struct {
	ID              string
	Email           string // lower case
	Name            string
	PasswordHash    string
	EmailVerifiedAt *time.Time
	// PlatformRole is moderator, admin or commissioner for the platform team
	// and commissioners; "" for everyone else.
	PlatformRole waymark.Role
	CreatedAt    time.Time
	Memberships  []Membership
	// Practice is the ODS code of the GP practice a GP or practice staff
	// account belongs to, "" for everyone else; PracticeRole is their role
	// there (gp or practice_staff).
	Practice     string
	PracticeRole waymark.Role
	// PCN is the id of the primary care network a commissioner's account
	// is limited to; "" for the whole area (and for everyone else).
	PCN string
}

// Membership is a user's role in one organisation.
type Membership struct {
	OrganizationID string
	Role           waymark.Role // provider, link_worker or gp
}

// Actor returns the user as the acting user of a request.
func (u *User) Actor() waymark.Actor {
	a := waymark.Actor{UserID: u.ID}
	if u.PlatformRole != "" {
		a.Roles = append(a.Roles, u.PlatformRole)
	}
	for _, m := range u.Memberships {
		if !a.Has(m.Role) {
			a.Roles = append(a.Roles, m.Role)
		}
		a.Memberships = append(a.Memberships, waymark.Membership{OrganizationID: m.OrganizationID, Role: m.Role})
	}
	if u.Practice != "" {
		if !a.Has(u.PracticeRole) {
			a.Roles = append(a.Roles, u.PracticeRole)
		}
		a.Practices = []string{u.Practice}
	}
	if u.PlatformRole == waymark.RoleCommissioner {
		a.PCN = u.PCN
	}
	return a
}

// SessionStamp changes whenever the user's password does (each hash has its
// own salt). A session keeps the stamp it was signed in with, so changing or
// resetting the password ends every other session.
func (u *User) SessionStamp() string {
	sum := sha256.Sum256([]byte("session:" + u.PasswordHash))
	return hex.EncodeToString(sum[:16])
}

// Token purposes.
const (
	PurposeVerifyEmail   = "verify_email"
	PurposeResetPassword = "reset_password"
)

// Store keeps users and one-time tokens.
type Store interface {
	// CreateUser stores a new user. Errors: ECONFLICT when the email is taken.
	CreateUser(ctx context.Context, u *User) error
	// FindUserByEmail returns a user with memberships. Errors: ENOTFOUND.
	FindUserByEmail(ctx context.Context, email string) (*User, error)
	// FindUserByID returns a user with memberships. Errors: ENOTFOUND.
	FindUserByID(ctx context.Context, id string) (*User, error)
	// SetPassword replaces a user's password hash and uses up, at at, every
	// reset link of theirs still outstanding, in one step.
	SetPassword(ctx context.Context, userID, hash string, at time.Time) error
	// MarkEmailVerified records that the user proved the address.
	MarkEmailVerified(ctx context.Context, userID string, at time.Time) error
	// SaveToken stores the hash of a one-time token.
	SaveToken(ctx context.Context, hash, userID, purpose string, expires time.Time) error
	// Audit records an administrator's action; AuditLog reads them back.
	Audit(ctx context.Context, e AuditEvent) error
	AuditLog(ctx context.Context, limit int) ([]AuditEvent, error)
	// Users returns every user with their memberships, by name.
	Users(ctx context.Context) ([]*User, error)
	// AddMembership gives a user a role in an organisation.
	AddMembership(ctx context.Context, userID, organizationID string, role waymark.Role) error
	// UseToken consumes a token: it returns its user if the token exists, has
	// this purpose, is unused and unexpired at now, and marks it used, in one
	// step. Errors: ENOTFOUND otherwise.
	UseToken(ctx context.Context, hash, purpose string, now time.Time) (string, error)
	// InTx runs fn in one transaction: the store calls fn makes with the
	// context it is given, and the email queued with it, commit together or
	// not at all.
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Limits.
const (
	MinPasswordLength = 10
	MaxPasswordLength = 256
	VerifyTTL         = 72 * time.Hour
	ResetTTL          = time.Hour
)

// Service provides account operations with their rules.
type Service struct {
	store Store
	mail  email.Mailer
	now   func() time.Time
	log   *slog.Logger
	cost  PasswordCost
	dummy string // a hash of the service's cost, checked when there is no account
	// hashes bounds the password hashes at once (SetHashLimiter).
	hashes *HashLimiter
}

// An Option changes how a Service works.
type Option func(*Service)

// WithPasswordCost makes the Service hash new passwords with cost instead
// of DefaultPasswordCost. Tests use TestPasswordCost.
func WithPasswordCost(cost PasswordCost) Option {
	return func(s *Service) { s.cost = cost }
}

// NewService returns an account Service. mail sends the confirmation,
// password reset and invitation emails, queued in the transaction of the
// change they report. It runs as many password hashes at once as there are
// CPUs, each waiting up to 5 s for its turn.
func NewService(store Store, mail email.Mailer, now func() time.Time, logger *slog.Logger, opts ...Option) *Service {
	s := &Service{store: store, mail: mail, now: now, log: logger, cost: DefaultPasswordCost(), dummy: dummyHash,
		hashes: NewHashLimiter(0, 5*time.Second)}
	for _, o := range opts {
		o(s)
	}
	if s.cost != DefaultPasswordCost() {
		if h, err := s.cost.Hash("no account has this password"); err == nil {
			s.dummy = h
		}
	}
	return s
}

// SetHashLimiter replaces the limit on password hashes at once.
func (s *Service) SetHashLimiter(l *HashLimiter) { s.hashes = l }

// NormaliseEmail trims and lower-cases an address and checks its form.
// Errors: EINVALID with Field "email".
func NormaliseEmail(s string) (string, error) {
	s, err := input.Email(s)
	if err != nil {
		return "", waymark.FieldErrorf(waymark.EINVALID, "email", "Enter an email address in the correct format, like name@example.org")
	}
	return strings.ToLower(s), nil
}

// checkPasswordRules enforces length and refuses common passwords (NCSC
// guidance: no composition rules). Errors: EINVALID with Field "password".
func checkPasswordRules(pw, email string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLength:
		return waymark.FieldErrorf(waymark.EINVALID, "password", "Password must be %d characters or more", MinPasswordLength)
	case n > MaxPasswordLength:
		return waymark.FieldErrorf(waymark.EINVALID, "password", "Password must be %d characters or fewer", MaxPasswordLength)
	case strings.EqualFold(pw, email):
		return waymark.FieldErrorf(waymark.EINVALID, "password", "Password must not be your email address")
	case CommonPassword(pw):
		return waymark.FieldErrorf(waymark.EINVALID, "password", "This password is too common and easy to guess. Choose another: three random words together make a good one")
	}
	return nil
}

// Register creates an unverified account and emails the person a link to
// confirm their address, which brings them to next (a path on this site, or
// "") after they sign in. It returns the raw verification token. Errors:
// EINVALID, ECONFLICT.
func (s *Service) Register(ctx context.Context, email, name, password, next string) (*User, string, error) {
	return s.register(ctx, email, name, password, func(ctx context.Context, u *User, token string) error {
		return s.mail.Send(ctx, verifyEmail(s.mail, u, token, next))
	})
}

// register creates an unverified account with a verification token and
// runs then, all in one transaction.
func (s *Service) register(ctx context.Context, email, name, password string, then func(ctx context.Context, u *User, token string) error) (*User, string, error) {
	email, err := NormaliseEmail(email)
	if err != nil {
		return nil, "", err
	}
	name, nerr := input.Line("Your name", name, 100)
	if nerr != nil {
		return nil, "", waymark.FieldErrorf(waymark.EINVALID, "name", "%s", waymark.ErrorMessage(nerr))
	}
	if name == "" {
		return nil, "", waymark.FieldErrorf(waymark.EINVALID, "name", "Enter your name, in 100 characters or fewer")
	}
	if err := checkPasswordRules(password, email); err != nil {
		return nil, "", err
	}
	hash, err := s.hash(ctx, password)
	if err != nil {
		return nil, "", err
	}
	u := &User{ID: uuid.NewString(), Email: email, Name: name, PasswordHash: hash, CreatedAt: s.now().UTC()}
	var token string
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.CreateUser(ctx, u); err != nil {
			return err
		}
		if token, err = s.issueToken(ctx, u.ID, PurposeVerifyEmail, VerifyTTL); err != nil {
			return err
		}
		return then(ctx, u, token)
	})
	if err != nil {
		return nil, "", err
	}
	return u, token, nil
}

// CreateUser makes an account directly, already verified, with a platform
// role (for 'waymark user create'). Errors: EINVALID, ECONFLICT.
func (s *Service) CreateUser(ctx context.Context, email, name, password string, role waymark.Role) (*User, error) {
	switch role {
	case "", waymark.RoleAdmin, waymark.RoleModerator, waymark.RoleCommissioner, waymark.RoleOnboarding:
	default:
		return nil, waymark.FieldErrorf(waymark.EINVALID, "role", "A platform role is admin, moderator or commissioner")
	}
	u, _, err := s.register(ctx, email, name, password, func(context.Context, *User, string) error { return nil })
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	if err := s.store.MarkEmailVerified(ctx, u.ID, now); err != nil {
		return nil, err
	}
	if role != "" {
		if err := s.setPlatformRole(ctx, u.ID, role); err != nil {
			return nil, err
		}
	}
	return s.store.FindUserByID(ctx, u.ID)
}

// RoleSetter is implemented by stores that can change a platform role.
type RoleSetter interface {
	SetPlatformRole(ctx context.Context, userID string, role waymark.Role) error
}

func (s *Service) setPlatformRole(ctx context.Context, userID string, role waymark.Role) error {
	rs, ok := s.store.(RoleSetter)
	if !ok {
		return fmt.Errorf("store cannot set roles")
	}
	return rs.SetPlatformRole(ctx, userID, role)
}

// VerifyEmail consumes a verification token. Errors: ENOTFOUND when the link
// is unknown, used or expired.
func (s *Service) VerifyEmail(ctx context.Context, token string) (*User, error) {
	id, err := s.store.UseToken(ctx, hashToken(token), PurposeVerifyEmail, s.now().UTC())
	if err != nil {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "This link has expired or has already been used. Sign in to get a new one.")
	}
	if err := s.store.MarkEmailVerified(ctx, id, s.now().UTC()); err != nil {
		return nil, err
	}
	return s.store.FindUserByID(ctx, id)
}

// Authenticate checks an email and password. It takes as long for unknown
// addresses as for known ones and says the same thing for both. Errors:
// EUNAUTHORIZED.
func (s *Service) Authenticate(ctx context.Context, email, password string) (*User, error) {
	bad := waymark.Errorf(waymark.EUNAUTHORIZED, "Enter a correct email address and password")
	email, err := NormaliseEmail(email)
	if err != nil || len(password) > 4*MaxPasswordLength {
		if _, err := s.check(ctx, s.dummy, password); err != nil {
			return nil, err
		}
		return nil, bad
	}
	u, err := s.store.FindUserByEmail(ctx, email)
	if waymark.ErrorCode(err) == waymark.ENOTFOUND {
		if _, err := s.check(ctx, s.dummy, password); err != nil {
			return nil, err
		}
		return nil, bad
	} else if err != nil {
		return nil, err
	}
	ok, err := s.check(ctx, u.PasswordHash, password)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, bad
	}
	return u, nil
}

// RequestPasswordReset emails a registered address a link to choose a new
// password, and returns its user and raw token; an unknown address is told
// it has no account, and nil and "" are returned. Callers must respond the
// same way in both cases.
func (s *Service) RequestPasswordReset(ctx context.Context, email string) (*User, string, error) {
	email, err := NormaliseEmail(email)
	if err != nil {
		return nil, "", err
	}
	u, err := s.store.FindUserByEmail(ctx, email)
	if waymark.ErrorCode(err) == waymark.ENOTFOUND {
		return nil, "", s.mail.Send(ctx, noAccountEmail(s.mail, email))
	} else if err != nil {
		return nil, "", err
	}
	var token string
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		if token, err = s.issueToken(ctx, u.ID, PurposeResetPassword, ResetTTL); err != nil {
			return err
		}
		return s.mail.Send(ctx, resetEmail(s.mail, u, token))
	})
	if err != nil {
		return nil, "", err
	}
	return u, token, nil
}

// TellOwnerOfSignUp emails the owner of an address that already has an
// account that someone tried to register with it, for answering a second
// sign-up as a first one is answered. Errors: EINVALID for a malformed
// address.
func (s *Service) TellOwnerOfSignUp(ctx context.Context, email string) error {
	email, err := NormaliseEmail(email)
	if err != nil {
		return err
	}
	return s.mail.Send(ctx, alreadyRegisteredEmail(s.mail, email))
}

// ResetPassword sets a new password with a single-use reset token. Errors:
// ENOTFOUND for an unknown, used or expired link; EINVALID for a weak password
// (the token is then not used up).
func (s *Service) ResetPassword(ctx context.Context, token, password string) (*User, error) {
	if err := checkPasswordRules(password, ""); err != nil {
		return nil, err
	}
	// Hash first: a busy server must not use up the link.
	hash, err := s.hash(ctx, password)
	if err != nil {
		return nil, err
	}
	id, err := s.store.UseToken(ctx, hashToken(token), PurposeResetPassword, s.now().UTC())
	if err != nil {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "This link has expired or has already been used. Ask for a new one.")
	}
	if err := s.store.SetPassword(ctx, id, hash, s.now().UTC()); err != nil {
		return nil, err
	}
	// Following the link proves the address too.
	if err := s.store.MarkEmailVerified(ctx, id, s.now().UTC()); err != nil {
		return nil, err
	}
	return s.store.FindUserByID(ctx, id)
}

// ChangePassword replaces a signed-in user's password after checking the
// current one. Errors: EINVALID with Field "current_password" or "password".
func (s *Service) ChangePassword(ctx context.Context, userID, current, password string) error {
	u, err := s.store.FindUserByID(ctx, userID)
	if err != nil {
		return err
	}
	if ok, err := s.check(ctx, u.PasswordHash, current); err != nil {
		return err
	} else if !ok {
		return waymark.FieldErrorf(waymark.EINVALID, "current_password", "Your current password is not correct")
	}
	if err := checkPasswordRules(password, u.Email); err != nil {
		return err
	}
	hash, err := s.hash(ctx, password)
	if err != nil {
		return err
	}
	return s.store.SetPassword(ctx, userID, hash, s.now().UTC())
}

func (s *Service) issueToken(ctx context.Context, userID, purpose string, ttl time.Duration) (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	if err := s.store.SaveToken(ctx, hashToken(token), userID, purpose, s.now().UTC().Add(ttl)); err != nil {
		return "", fmt.Errorf("save %s token: %w", purpose, err)
	}
	return token, nil
}

// hashToken is what is stored for a token: a leaked database gives no
// working links.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// User returns a user by id. Errors: ENOTFOUND.
func (s *Service) User(ctx context.Context, id string) (*User, error) {
	return s.store.FindUserByID(ctx, id)
}

// JoinAsProvider makes a user a provider in an organisation they created.
func (s *Service) JoinAsProvider(ctx context.Context, userID, organizationID string) error {
	return s.store.AddMembership(ctx, userID, organizationID, waymark.RoleProvider)
}

// AuditEvent is an administrator's action.
type AuditEvent struct {
	ActorID   string
	ActorName string // filled when the log is read
	Action    string
	Subject   string // whom or what it was done to
	Detail    string
	At        time.Time
}

// InviteTTL is how long an invitation link works.
const InviteTTL = 7 * 24 * time.Hour

// Invite makes an account for someone an administrator names, with a role
// (a platform role, or a role in organizationID), and emails them a
// single-use link with which they choose their password; it returns the
// link's token. The action is audited.
// Errors: EFORBIDDEN unless the actor is an admin; EINVALID; ECONFLICT.
func (s *Service) Invite(ctx context.Context, email, name string, role waymark.Role, organizationID string) (*User, string, error) {
	return s.invite(ctx, email, name, role, orgDetail(organizationID), func(u *User) error {
		switch role {
		case waymark.RoleAdmin, waymark.RoleModerator, waymark.RoleCommissioner, waymark.RoleOnboarding:
			u.PlatformRole = role
		case waymark.RoleProvider, waymark.RoleLinkWorker, waymark.RoleGP:
			if organizationID == "" {
				return waymark.FieldErrorf(waymark.EINVALID, "organization", "Choose the organisation they work for")
			}
			u.Memberships = []Membership{{OrganizationID: organizationID, Role: role}}
		default:
			return waymark.FieldErrorf(waymark.EINVALID, "role", "Choose a role")
		}
		return nil
	})
}

// InviteCommissioner invites a commissioner whose insights are limited to
// the primary care network with the id pcnID ("" for the whole area), as
// Invite does. The caller checks the network exists. Errors: as Invite.
func (s *Service) InviteCommissioner(ctx context.Context, email, name, pcnID string) (*User, string, error) {
	where := ""
	if pcnID != "" {
		where = " for primary care network " + pcnID
	}
	return s.invite(ctx, email, name, waymark.RoleCommissioner, where, func(u *User) error {
		u.PlatformRole, u.PCN = waymark.RoleCommissioner, pcnID
		return nil
	})
}

// InviteToPractice invites a GP or practice staff (role) of the GP
// practice with the ODS code, as Invite does. The caller checks the
// practice is known. Errors: EFORBIDDEN unless the actor is an admin;
// EINVALID (Field "role", "practice", "name" or "email"); ECONFLICT.
func (s *Service) InviteToPractice(ctx context.Context, email, name string, role waymark.Role, ods string) (*User, string, error) {
	ods = strings.ToUpper(strings.TrimSpace(ods))
	return s.invite(ctx, email, name, role, " in GP practice "+ods, func(u *User) error {
		if role != waymark.RoleGP && role != waymark.RolePracticeStaff {
			return waymark.FieldErrorf(waymark.EINVALID, "role", "Choose GP or practice staff for a practice's account")
		}
		if ods == "" {
			return waymark.FieldErrorf(waymark.EINVALID, "practice", "Choose the practice they work for")
		}
		u.Practice, u.PracticeRole = ods, role
		return nil
	})
}

// invite checks the actor, email and name, lets give set the user's
// roles, and makes the account with its invitation.
func (s *Service) invite(ctx context.Context, email, name string, role waymark.Role, where string, give func(u *User) error) (*User, string, error) {
	a := waymark.ActorFrom(ctx)
	if !a.Has(waymark.RoleAdmin) {
		return nil, "", waymark.Errorf(waymark.EFORBIDDEN, "Only administrators can invite people")
	}
	email, err := NormaliseEmail(email)
	if err != nil {
		return nil, "", err
	}
	name, nerr := input.Line("The name", name, 100)
	if nerr != nil {
		return nil, "", waymark.FieldErrorf(waymark.EINVALID, "name", "%s", waymark.ErrorMessage(nerr))
	}
	if name == "" {
		return nil, "", waymark.FieldErrorf(waymark.EINVALID, "name", "Enter the person's name, in 100 characters or fewer")
	}
	u := &User{ID: uuid.NewString(), Email: email, Name: name, CreatedAt: s.now().UTC()}
	if err := give(u); err != nil {
		return nil, "", err
	}
	// A random password nobody knows until they choose their own.
	raw := make([]byte, 32)
	rand.Read(raw)
	if u.PasswordHash, err = s.hash(ctx, base64.RawURLEncoding.EncodeToString(raw)); err != nil {
		return nil, "", err
	}
	var token string
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.CreateUser(ctx, u); err != nil {
			return err
		}
		if token, err = s.issueToken(ctx, u.ID, PurposeResetPassword, InviteTTL); err != nil {
			return err
		}
		err := s.store.Audit(ctx, AuditEvent{ActorID: a.UserID, Action: "invite", Subject: u.Email,
			Detail: "role " + string(role) + where, At: s.now().UTC()})
		if err != nil {
			return err
		}
		return s.mail.Send(ctx, inviteEmail(s.mail, u, token))
	})
	if err != nil {
		return nil, "", err
	}
	return u, token, nil
}

func orgDetail(id string) string {
	if id == "" {
		return ""
	}
	return " in organisation " + id
}

// AuditLog returns the newest administrator actions. Errors: EFORBIDDEN.
func (s *Service) AuditLog(ctx context.Context, limit int) ([]AuditEvent, error) {
	if !waymark.ActorFrom(ctx).Has(waymark.RoleAdmin) {
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "Only administrators can read the audit log")
	}
	return s.store.AuditLog(ctx, limit)
}

// Users lists every account with its roles, for administrators.
// Errors: EFORBIDDEN unless the actor is an administrator.
func (s *Service) Users(ctx context.Context) ([]*User, error) {
	if !waymark.ActorFrom(ctx).Has(waymark.RoleAdmin) {
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "Only administrators can list the people with accounts")
	}
	return s.store.Users(ctx)
}
