package account_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"waymark"
	"waymark/internal/account"
	"waymark/internal/email"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newService(db *sqlstore.DB) (*account.Service, *clock) {
	c := &clock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	return account.NewService(sqlstore.NewAccountStore(db), email.Mailer{Sender: email.NewOutbox(sqlstore.NewEmailStore(db), email.DevTransport{}, c.now, slog.New(slog.NewTextHandler(io.Discard, nil))), PublicURL: "https://waymark.test"}, c.now, slog.New(slog.NewTextHandler(io.Discard, nil)), account.WithPasswordCost(account.TestPasswordCost())), c
}

func TestPasswordHashesCheckAndResistTampering(t *testing.T) {
	t.Parallel()
	h, err := account.HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=2,p=2$") {
		t.Errorf("hash %q is not argon2id in PHC form", h)
	}
	if ok, err := account.CheckPassword(h, "correct horse battery staple"); !ok || err != nil {
		t.Errorf("right password: %v %v", ok, err)
	}
	if ok, _ := account.CheckPassword(h, "correct horse battery stapler"); ok {
		t.Error("wrong password accepted")
	}
	h2, _ := account.HashPassword("correct horse battery staple")
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, bad := range []string{"", "plain", "$argon2id$v=19$m=0,t=1,p=1$AAAA$AAAA", "$bcrypt$x$y$z$w", h[:len(h)-5] + "!!!!!"} {
		if ok, _ := account.CheckPassword(bad, "x"); ok {
			t.Errorf("CheckPassword(%q) accepted", bad)
		}
	}
}

func TestRegisterVerifyAndSignIn(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s, _ := newService(db)
		u, token, err := s.Register(ctx, " Sam@Example.ORG ", "Sam Taylor", "a long enough password", "")
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "sam@example.org" || u.EmailVerifiedAt != nil || token == "" {
			t.Fatalf("registered %+v, token %q", u, token)
		}
		if _, _, err := s.Register(ctx, "sam@example.org", "Sam again", "another long password", ""); waymark.ErrorCode(err) != waymark.ECONFLICT {
			t.Errorf("second registration: %v, want ECONFLICT", err)
		}
		v, err := s.VerifyEmail(ctx, token)
		if err != nil || v.EmailVerifiedAt == nil {
			t.Fatalf("verify: %v %+v", err, v)
		}
		if _, err := s.VerifyEmail(ctx, token); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("verification link used twice: %v", err)
		}
		if got, err := s.Authenticate(ctx, "SAM@example.org", "a long enough password"); err != nil || got.ID != u.ID {
			t.Errorf("sign in: %v", err)
		}
		_, wrong := s.Authenticate(ctx, "sam@example.org", "not the password")
		_, unknown := s.Authenticate(ctx, "nobody@example.org", "not the password")
		if waymark.ErrorCode(wrong) != waymark.EUNAUTHORIZED || waymark.ErrorMessage(wrong) != waymark.ErrorMessage(unknown) {
			t.Errorf("wrong password %v and unknown account %v must look the same", wrong, unknown)
		}
	})
}

func TestRegistrationRules(t *testing.T) {
	t.Parallel()
	s, _ := newService(sqlstoretest.OpenSQLite(t))
	ctx := context.Background()
	tests := []struct{ email, name, password, field string }{
		{"not-an-email", "Sam", "a long enough password", "email"},
		{"sam@example.org", "", "a long enough password", "name"},
		{"sam@example.org", strings.Repeat("n", 101), "a long enough password", "name"},
		{"sam@example.org", "Sam", "short", "password"},
		{"sam@example.org", "Sam", strings.Repeat("p", 257), "password"},
		{"samuel.long@example.org", "Sam", "samuel.long@example.org", "password"},
	}
	for _, tt := range tests {
		_, _, err := s.Register(ctx, tt.email, tt.name, tt.password, "")
		var e *waymark.Error
		if waymark.ErrorCode(err) != waymark.EINVALID || !asError(err, &e) || e.Field != tt.field {
			t.Errorf("Register(%q, %q, %.10q) = %v, want EINVALID on %s", tt.email, tt.name, tt.password, err, tt.field)
		}
	}
}

func TestPasswordResetLinksAreSingleUseAndExpire(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s, c := newService(db)
		if _, _, err := s.Register(ctx, "jo@example.org", "Jo", "first password here", ""); err != nil {
			t.Fatal(err)
		}
		if u, token, err := s.RequestPasswordReset(ctx, "nobody@example.org"); u != nil || token != "" || err != nil {
			t.Errorf("reset for an unknown address: %v %q %v", u, token, err)
		}
		_, token, err := s.RequestPasswordReset(ctx, "jo@example.org")
		if err != nil || token == "" {
			t.Fatal(err)
		}
		// A weak password does not use the link up.
		if _, err := s.ResetPassword(ctx, token, "short"); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("weak password: %v", err)
		}
		u, err := s.ResetPassword(ctx, token, "second password here")
		if err != nil || u.EmailVerifiedAt == nil {
			t.Fatalf("reset: %v", err)
		}
		if _, err := s.ResetPassword(ctx, token, "third password here"); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("reset link used twice: %v", err)
		}
		if _, err := s.Authenticate(ctx, "jo@example.org", "second password here"); err != nil {
			t.Errorf("sign in with the new password: %v", err)
		}
		// A link older than an hour no longer works.
		_, late, _ := s.RequestPasswordReset(ctx, "jo@example.org")
		c.advance(account.ResetTTL + time.Second)
		if _, err := s.ResetPassword(ctx, late, "fourth password here"); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("expired reset link: %v", err)
		}
		if _, err := s.ResetPassword(ctx, "made-up-token", "fourth password here"); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("made-up reset link: %v", err)
		}
	})
}

func TestChangePasswordNeedsTheCurrentOne(t *testing.T) {
	t.Parallel()
	s, _ := newService(sqlstoretest.OpenSQLite(t))
	ctx := context.Background()
	u, _, _ := s.Register(ctx, "pat@example.org", "Pat", "the first password", "")
	if err := s.ChangePassword(ctx, u.ID, "wrong current", "a new password here"); waymark.ErrorCode(err) != waymark.EINVALID {
		t.Errorf("wrong current password: %v", err)
	}
	if err := s.ChangePassword(ctx, u.ID, "the first password", "a new password here"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "pat@example.org", "a new password here"); err != nil {
		t.Errorf("sign in after change: %v", err)
	}
}

func TestCreateUserWithAPlatformRole(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s, _ := newService(db)
		u, err := s.CreateUser(context.Background(), "admin@example.org", "Admin", "an admin password", waymark.RoleAdmin)
		if err != nil {
			t.Fatal(err)
		}
		if u.EmailVerifiedAt == nil || u.PlatformRole != waymark.RoleAdmin || !u.Actor().Has(waymark.RoleAdmin) {
			t.Errorf("created %+v", u)
		}
		if _, err := s.CreateUser(context.Background(), "x@example.org", "X", "a password here", waymark.RoleProvider); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("provider as a platform role: %v", err)
		}
	})
}

func asError(err error, target **waymark.Error) bool { return errors.As(err, target) }

func TestAServiceHashesWithTheDefaultCostUnlessGivenAnother(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := sqlstoretest.OpenSQLite(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	now := func() time.Time { return time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC) }
	for _, tt := range []struct {
		svc    *account.Service
		email  string
		prefix string
	}{
		{account.NewService(sqlstore.NewAccountStore(db), email.Mailer{}, now, logger), "live@example.org", "$argon2id$v=19$m=65536,t=2,p=2$"},
		{account.NewService(sqlstore.NewAccountStore(db), email.Mailer{}, now, logger, account.WithPasswordCost(account.TestPasswordCost())), "test@example.org", "$argon2id$v=19$m=8,t=1,p=1$"},
	} {
		u, _, err := tt.svc.Register(ctx, tt.email, "Sam Taylor", "a long enough password", "")
		if err != nil {
			t.Fatal(err)
		}
		stored, err := sqlstore.NewAccountStore(db).FindUserByEmail(ctx, u.Email)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(stored.PasswordHash, tt.prefix) {
			t.Errorf("%s: hash %q, want one starting %s", tt.email, stored.PasswordHash, tt.prefix)
		}
		if ok, err := account.CheckPassword(stored.PasswordHash, "a long enough password"); !ok || err != nil {
			t.Errorf("%s: the password does not check against its hash: %v", tt.email, err)
		}
	}
}

func TestAnInvitedPracticeUserActsForTheirPracticeOnly(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s, _ := newService(db)
		admin := waymark.WithActor(context.Background(), waymark.Actor{UserID: "00000000-0000-4000-8000-000000000001", Roles: []waymark.Role{waymark.RoleAdmin}})
		if _, _, err := s.InviteToPractice(admin, "pm@example.org", "Pam", waymark.RoleLinkWorker, "C81001"); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("a link worker in a practice: %v", err)
		}
		if _, _, err := s.InviteToPractice(admin, "pm@example.org", "Pam", waymark.RolePracticeStaff, " "); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("no practice: %v", err)
		}
		worker := waymark.WithActor(context.Background(), waymark.Actor{UserID: "00000000-0000-4000-8000-000000000002", Roles: []waymark.Role{waymark.RoleLinkWorker}})
		if _, _, err := s.InviteToPractice(worker, "pm@example.org", "Pam", waymark.RolePracticeStaff, "C81001"); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Errorf("a link worker invited: %v", err)
		}
		u, _, err := s.InviteToPractice(admin, "pm@example.org", "Pam", waymark.RolePracticeStaff, "c81001")
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.User(context.Background(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		a := got.Actor()
		if !a.Has(waymark.RolePracticeStaff) || !a.ActsFor("C81001") || a.ActsFor("C81002") || a.Has(waymark.RoleGP) {
			t.Errorf("actor %+v", a)
		}
		users, err := s.Users(admin)
		if err != nil || len(users) != 1 || users[0].Practice != "C81001" || users[0].PracticeRole != waymark.RolePracticeStaff {
			t.Errorf("users %v %+v", err, users)
		}
	})
}
