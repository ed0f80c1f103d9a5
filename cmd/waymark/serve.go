package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"waymark/internal/account"
	"waymark/internal/directory"
	"waymark/internal/email"
	"waymark/internal/freshness"
	"waymark/internal/jobs"
	"waymark/internal/onboarding"
	"waymark/internal/oruk"
	"waymark/internal/postcode"
	"waymark/internal/referral"
	"waymark/internal/seed"
	"waymark/internal/sitecheck"
	"waymark/internal/sqlstore"
	"waymark/internal/web"
)

// openDB opens and migrates the configured database.
func openDB(ctx context.Context, cfg Config) (*sqlstore.DB, error) {
	db, err := sqlstore.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// loadPostcodes returns the postcode table: an imported one when the
// configured file exists, otherwise the one built into the binary.
func loadPostcodes(cfg Config) (*postcode.Table, error) {
	if cfg.PostcodesFile != "" {
		if _, err := os.Stat(cfg.PostcodesFile); err == nil {
			t, err := postcode.Open(cfg.PostcodesFile)
			if err != nil {
				return nil, fmt.Errorf("load imported postcodes: %w", err)
			}
			return t, nil
		}
	}
	t, err := postcode.Embedded()
	if err != nil {
		return nil, fmt.Errorf("load built-in postcodes: %w", err)
	}
	return t, nil
}

// app is the wired-up domain, shared by serve and seed.
type app struct {
	db        *sqlstore.DB
	store     *sqlstore.DirectoryStore
	postcodes *postcode.Table
	directory *directory.Directory
}

func (m *Main) openApp(ctx context.Context, cfg Config, logger *slog.Logger) (*app, error) {
	db, err := openDB(ctx, cfg)
	if err != nil {
		return nil, err
	}
	table, err := loadPostcodes(cfg)
	if err != nil {
		db.Close()
		return nil, err
	}
	store := sqlstore.NewDirectoryStore(db)
	tax, terms := seed.Categories()
	if err := store.CreateTaxonomy(ctx, &tax, terms); err != nil {
		db.Close()
		return nil, fmt.Errorf("ensure categories: %w", err)
	}
	return &app{db: db, store: store, postcodes: table, directory: directory.New(store, table, time.Now, logger)}, nil
}

func (m *Main) serve(ctx context.Context, cfg Config, logger *slog.Logger, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("serve takes no arguments")
	}
	a, err := m.openApp(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer a.db.Close()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reg.MustRegister(collectors.NewDBStatsCollector(a.db.SQL(), string(a.db.Dialect())))
	var transport email.Transport = email.DevTransport{}
	if cfg.SMTPURL != "" {
		if transport, err = email.NewSMTP(cfg.SMTPURL, cfg.EmailFrom); err != nil {
			return err
		}
	}
	outbox := email.NewOutbox(sqlstore.NewEmailStore(a.db), transport, time.Now, logger)
	sessions := scs.New()
	sessions.Store = sqlstore.NewSessionStore(a.db, time.Now)
	sessions.Lifetime = 12 * time.Hour
	sessions.IdleTimeout = 2 * time.Hour
	sessions.Cookie.Name = "waymark_session"
	sessions.Cookie.HttpOnly = true
	sessions.Cookie.SameSite = http.SameSiteLaxMode
	sessions.Cookie.Secure = cfg.TLSCert != ""
	secret, err := a.db.Secret(ctx, "link-signing")
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	scheme := "http"
	if cfg.TLSCert != "" {
		scheme = "https"
	}
	addr := ln.Addr().String()
	if strings.HasPrefix(addr, "127.0.0.1:") {
		addr = "localhost:" + strings.TrimPrefix(addr, "127.0.0.1:")
	}
	defer ln.Close()
	publicURL := cfg.PublicURL
	if publicURL == "" {
		publicURL = scheme + "://" + addr
	}
	life := directory.NewLifecycle(a.store, time.Now, uuid.NewString)
	reports := directory.NewReports(a.store, life, secret)
	system := directory.NewSystem(life, reports)
	claimSecret, err := a.db.Secret(ctx, "claim-links")
	if err != nil {
		return err
	}
	onboard := onboarding.New(onboarding.Config{Store: sqlstore.NewOnboardingStore(a.db), Geocoder: a.postcodes,
		Categories: a.store.ListCategories, Listings: system, Secret: claimSecret, PublicURL: publicURL, Now: time.Now, Logger: logger})
	refs := referral.New(sqlstore.NewReferralStore(a.db), system,
		referral.Config{Rules: cfg.Rules, PublicURL: publicURL, Secret: secret, MinStatsCount: cfg.StatsMinCount}, time.Now, logger)
	freshStore := sqlstore.NewFreshnessStore(a.db)
	checker := freshness.NewChecker(freshStore, system, outbox, freshness.CheckerConfig{
		PublicURL: publicURL,
		Every:     cfg.CheckEvery,
		Fetch:     sitecheck.Options{AllowLoopback: cfg.CheckerAllowLoopback},
	}, logger)
	checks := freshness.NewManualChecks(freshStore, system, life, outbox,
		freshness.ManualConfig{PublicURL: publicURL, Months: cfg.ManualCheckMonths}, time.Now, uuid.NewString, logger)
	srv, err := web.New(web.Config{
		TileURL:     cfg.TileURL,
		Secure:      cfg.TLSCert != "",
		Attribution: postcode.Attribution,
		Dev:         cfg.Dev,
		PublicURL:   cfg.PublicURL,
	}, web.Deps{
		Directory:  a.directory,
		Ready:      a.db.Ping,
		Logger:     logger,
		Registry:   reg,
		Now:        time.Now,
		API:        oruk.New(a.store, a.postcodes, logger, cfg.PublicURL).Routes(),
		Accounts:   account.NewService(sqlstore.NewAccountStore(a.db), time.Now, logger),
		Sessions:   sessions,
		Outbox:     outbox,
		Lifecycle:  life,
		Reports:    reports,
		Referrals:  refs,
		Checks:     checks,
		Onboarding: onboard,
		Revisions:  a.store,
		Images:     a.store,
		Feeds: &web.Feeds{List: a.store.ListFeeds, Import: func(ctx context.Context, baseURL string, trusted bool) (string, []string, error) {
			im := &oruk.Importer{Store: a.store, Geo: a.postcodes, Log: logger, Now: time.Now}
			sum, err := im.Run(ctx, baseURL, trusted)
			if sum == nil {
				return "", nil, err
			}
			var rejected []string
			for _, r := range sum.Rejected {
				rejected = append(rejected, r.RemoteID+": "+r.Reason)
			}
			return sum.String(), rejected, err
		}},
	})
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(m.Stdout, "Waymark is running at %s://%s/ (database: %s). Press Ctrl+C to stop.\n", scheme, addr, a.db.Dialect())
	logger.Info("server started", "addr", ln.Addr().String(), "database", string(a.db.Dialect()))
	if m.Ready != nil {
		m.Ready <- ln.Addr().String()
	}

	sessionStore := sessions.Store.(*sqlstore.SessionStore)
	runner := jobs.NewRunner(sqlstore.NewJobStore(a.db), time.Now, logger, append(append(refs.Jobs(cfg.RulesEvery), onboard.Jobs(time.Hour)...),
		jobs.Job{Name: "deliver-email", Every: 5 * time.Second, Lease: 2 * time.Minute, Run: func(ctx context.Context, _ time.Time) error {
			_, _, err := outbox.DeliverDue(ctx)
			return err
		}},
		jobs.Job{Name: "delete-expired-sessions", Every: time.Hour, Run: func(ctx context.Context, _ time.Time) error {
			_, err := sessionStore.DeleteExpired(ctx)
			return err
		}})...,
	)
	go runner.Start(ctx, 5*time.Second)
	// The website checks take minutes, so they tick on their own and never
	// hold up email. Each run checks the websites due (up to a batch);
	// claims keep each entry to one check per CHECK_EVERY.
	checkRunner := jobs.NewRunner(sqlstore.NewJobStore(a.db), time.Now, logger, checker.Job(min(cfg.CheckEvery, time.Hour)))
	go checkRunner.Start(ctx, time.Minute)

	errc := make(chan error, 1)
	go func() {
		if cfg.TLSCert != "" {
			errc <- hs.ServeTLS(ln, cfg.TLSCert, cfg.TLSKey)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("stopped")
	return nil
}
