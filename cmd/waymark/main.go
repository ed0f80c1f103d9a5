// Command waymark runs the Waymark social prescribing platform: its web server
// and its maintenance commands.
//
//	waymark [serve]                      start the server (migrates first)
//	waymark migrate                      apply database migrations
//	waymark seed [--if-empty]            load the Derbyshire demo data
//	waymark seed --synthetic N           generate N services over England
//	waymark postcodes import FILE        load a newer ONSPD/NSPL postcode CSV
//	waymark import oruk BASE_URL         import a remote Open Referral UK feed
//	waymark user create --role admin EMAIL   make the first administrator
//	waymark fhir send --system ID --key FILE BUNDLE   send a BaRS referral message as a connected system
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	if err := m.Run(ctx, os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "waymark:", err)
		os.Exit(1)
	}
}

// Main is the program, with its environment passed in so tests can run it.
type Main struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Ready, when set, receives the server's address once it listens.
	Ready chan<- string
}

// Run runs the subcommand named by args[0].
func (m *Main) Run(ctx context.Context, args []string) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	cfg, err := LoadConfig(m.Getenv)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(m.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	switch cmd {
	case "serve":
		return m.serve(ctx, cfg, logger, args)
	case "migrate":
		db, err := openDB(ctx, cfg)
		if err != nil {
			return err
		}
		defer db.Close()
		fmt.Fprintln(m.Stdout, "Database is up to date.")
		return nil
	case "seed":
		return m.seed(ctx, cfg, logger, args)
	case "postcodes":
		return m.postcodes(ctx, cfg, args)
	case "import":
		return m.importFeed(ctx, cfg, logger, args)
	case "user":
		return m.user(ctx, cfg, logger, args)
	case "fhir":
		return m.fhirCommand(ctx, cfg, args)
	case "help", "-h", "--help":
		fmt.Fprint(m.Stdout, usage)
		return nil
	default:
		fmt.Fprint(m.Stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

const usage = `Usage:
  waymark [serve]                  start the server (migrates first)
  waymark migrate                  apply database migrations
  waymark seed [--if-empty]        load the Derbyshire demo data
  waymark seed --synthetic N       generate N services spread over England
  waymark postcodes import FILE    load a newer ONSPD/NSPL postcode CSV
  waymark import oruk [--trusted] [--max-pages N] BASE_URL
                                   import a remote Open Referral UK 3.0 feed
  waymark user create [--role admin|moderator|commissioner] [--name NAME] [--password-stdin] EMAIL
                                   make an account (the first administrator)
  waymark fhir send --system CLIENT_ID --key PRIVATE_KEY_FILE [--url BASE_URL] BUNDLE_FILE
                                   send a BaRS referral message Bundle as a connected clinical system

Environment:
  DATABASE_URL     SQLite file path (default waymark.db) or postgres://… URL
  ADDR             listen address (default 127.0.0.1:8080)
  POSTCODES_FILE   postcode table written by 'postcodes import' (default: beside a SQLite database)
  TILE_URL         map tile URL template, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png
  TLS_CERT, TLS_KEY  serve HTTPS (enables HSTS)
  PUBLIC_URL       the site's public address, for every link in email and the API (required in production)
  HTTPS            true when a proxy serves the site over HTTPS (implied by an https PUBLIC_URL)
  SMTP_URL         smtp://user:password@host:port to send email (required in production
                   unless GOV.UK Notify sends it)
  NOTIFY_API_KEY, NOTIFY_EMAIL_TEMPLATE_ID, NOTIFY_SMS_TEMPLATE_ID, NOTIFY_CALLBACK_TOKEN
                   GOV.UK Notify for text messages (and email without SMTP_URL): see docs/notify.md
  METRICS_ADDR     a separate address serving /metrics
  METRICS_TOKEN    a bearer token /metrics asks for
  LOG_LEVEL        debug, info, warn or error
  PASSWORD_HASH_CONCURRENCY, PASSWORD_HASH_WAIT
                   password hashes at once (default: CPUs) and how long one waits (5s)
  TRUSTED_PROXY_HEADER, TRUSTED_PROXIES
                   behind a proxy: the header naming the client (X-Forwarded-For)
                   and the proxies' networks (10.0.0.0/8,::1)
`
