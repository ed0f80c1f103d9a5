package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"waymark"
	"waymark/internal/account"
	"waymark/internal/sqlstore"
)

// user runs 'waymark user create [--role admin] [--name NAME] [--password-stdin] EMAIL':
// it makes a verified account, for the first administrator. Without
// --password-stdin it generates a password and prints it once.
func (m *Main) user(ctx context.Context, cfg Config, logger *slog.Logger, args []string) error {
	usage := fmt.Errorf("usage: waymark user create [--role admin|moderator|commissioner|onboarding] [--name NAME] [--password-stdin] EMAIL")
	if len(args) < 1 || args[0] != "create" {
		return usage
	}
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	role := fs.String("role", "", "platform role: admin, moderator, commissioner or onboarding")
	name := fs.String("name", "", "the person's name (default: the part of the email before @)")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usage
	}
	email := fs.Arg(0)
	if *name == "" {
		*name, _, _ = strings.Cut(email, "@")
	}
	password, generated := "", false
	if *fromStdin {
		line, err := bufio.NewReader(m.Stdin).ReadString('\n')
		if err != nil && err != io.EOF {
			return fmt.Errorf("read password: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
	} else {
		b := make([]byte, 18)
		rand.Read(b)
		password, generated = base64.RawURLEncoding.EncodeToString(b), true
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := account.NewService(sqlstore.NewAccountStore(db), noMail(), time.Now, logger)
	u, err := svc.CreateUser(ctx, email, *name, password, waymark.Role(*role))
	if err != nil {
		return fmt.Errorf("create user: %s", waymark.ErrorMessage(err))
	}
	fmt.Fprintf(m.Stdout, "Created %s (%s)", u.Email, orNone(string(u.PlatformRole)))
	if generated {
		fmt.Fprintf(m.Stdout, " with the password %s: change it after signing in", password)
	}
	fmt.Fprintln(m.Stdout, ".")
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "no platform role"
	}
	return s
}
