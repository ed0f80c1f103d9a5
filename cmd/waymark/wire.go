package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"waymark/internal/account"
	"waymark/internal/casework"
	"waymark/internal/directory"
	"waymark/internal/email"
	"waymark/internal/fhir"
	"waymark/internal/freshness"
	"waymark/internal/gp"
	"waymark/internal/insights"
	"waymark/internal/jobs"
	"waymark/internal/media"
	"waymark/internal/notify"
	"waymark/internal/onboarding"
	"waymark/internal/oruk"
	"waymark/internal/pcn"
	"waymark/internal/postcode"
	"waymark/internal/referral"
	"waymark/internal/sitecheck"
	"waymark/internal/sqlstore"
	"waymark/internal/web"
)

// services are the domain services the server runs, wired to the database.
type services struct {
	outbox    *email.Outbox
	registry  *prometheus.Registry
	accounts  *account.Service
	sessions  *scs.SessionManager
	life      *directory.Lifecycle
	reports   *directory.Reports
	onboard   *onboarding.Service
	refs      *referral.Referrals
	checker   *freshness.Checker
	checks    *freshness.ManualChecks
	casework  *casework.Service
	insights  *insights.Insights
	feedRuns  *oruk.Runs
	gp        *gp.Service
	systems   *fhir.Systems
	fhirAPI   *fhir.API
	delivery  *fhir.Deliverer
	publicURL string
}

// wire builds the domain services on the opened app.
func wire(ctx context.Context, a *app, cfg Config, publicURL string, logger *slog.Logger) (*services, error) {
	outbox, err := newOutbox(a, cfg, logger)
	if err != nil {
		return nil, err
	}
	secret, err := a.db.Secret(ctx, "link-signing")
	if err != nil {
		return nil, err
	}
	claimSecret, err := a.db.Secret(ctx, "claim-links")
	if err != nil {
		return nil, err
	}
	s := &services{outbox: outbox, registry: newRegistry(a), sessions: newSessions(a, cfg), publicURL: publicURL}
	mail := email.Mailer{Sender: outbox, PublicURL: publicURL}
	s.accounts = newAccounts(a, cfg, mail, logger)
	s.life = directory.NewLifecycle(a.store, mail, time.Now, uuid.NewString)
	s.reports = directory.NewReports(a.store, s.life, secret)
	system := directory.NewSystem(s.life, s.reports)
	s.onboard = onboarding.NewService(onboarding.Config{Store: sqlstore.NewOnboardingStore(a.db), Geocoder: a.postcodes,
		Categories: a.store.ListCategories, Listings: system, Secret: claimSecret, PublicURL: publicURL, Now: time.Now, Logger: logger})
	s.refs = referral.NewReferrals(sqlstore.NewReferralStore(a.db), system.As(directory.ByReferralRule),
		referral.Config{Rules: cfg.Rules, PublicURL: publicURL, Secret: secret, MinStatsCount: cfg.StatsMinCount}, time.Now, logger)
	freshStore := sqlstore.NewFreshnessStore(a.db)
	s.checker = freshness.NewChecker(freshStore, system.As(directory.ByWebsiteCheck), outbox, freshness.CheckerConfig{
		PublicURL: publicURL,
		Every:     cfg.CheckEvery,
		Fetch:     sitecheck.Options{AllowLoopback: cfg.CheckerAllowLoopback},
	}, logger)
	s.checks = freshness.NewManualChecks(freshStore, system.As(directory.ByManualCheck), outbox,
		freshness.ManualConfig{PublicURL: publicURL, Months: cfg.ManualCheckMonths}, time.Now, uuid.NewString, logger)
	s.insights = insights.NewInsights(sqlstore.NewInsightsStore(a.db), insights.Config{FirstContactDays: cfg.FirstContactDays}, time.Now)
	s.casework = casework.NewService(sqlstore.NewCaseworkStore(a.db), time.Now,
		casework.Config{NewID: uuid.NewString, Postcodes: a.postcodes, Mail: outbox, RetentionYears: cfg.CaseworkRetentionYears,
			FirstContactDays: cfg.FirstContactDays, Logger: logger})
	s.feedRuns = oruk.NewRuns(a.store, func() *oruk.Importer {
		return &oruk.Importer{Store: a.store, Geo: a.postcodes, Log: logger, Now: time.Now, AllowLoopback: cfg.CheckerAllowLoopback}
	}, time.Now, uuid.NewString, logger)
	s.gp = gp.NewService(gp.Config{Store: sqlstore.NewGPStore(a.db), Team: s.casework, Market: s.refs, Services: a.store,
		NewID: uuid.NewString, Now: time.Now, Logger: logger})
	s.systems = fhir.NewSystems(sqlstore.NewFHIRStore(a.db), time.Now, uuid.NewString)
	s.delivery = fhir.NewDeliverer(s.systems, s.gp, fhir.DeliveryConfig{BaseURL: publicURL, Now: time.Now, Logger: logger,
		AllowLoopback: cfg.CheckerAllowLoopback})
	messages := 4 // SQLite: one writer at a time
	if a.db.Dialect() == sqlstore.Postgres {
		messages = 16
	}
	if s.fhirAPI, err = fhir.NewAPI(fhir.Config{BaseURL: publicURL, Messages: messages, Now: time.Now, Logger: logger, ClientAddr: web.ClientAddr},
		fhir.Deps{Systems: s.systems, Directory: a.directory, Referrals: s.gp}); err != nil {
		return nil, err
	}
	// The FHIR schema takes a second to compile: do it now rather than on
	// the first message.
	go func() {
		if err := fhir.LoadSchema(); err != nil {
			logger.Error("fhir schema", "error", err)
		}
	}()
	return s, nil
}

// newOutbox returns the outbox with its senders. Email goes by SMTP when
// SMTP_URL is set, else by GOV.UK Notify when it has an email template;
// texts by Notify when it has a text template. In development what has no
// sender stays in the database for /dev/mail; in production a message is
// never marked sent without being delivered, so a text with no sender
// goes by email or not at all.
func newOutbox(a *app, cfg Config, logger *slog.Logger) (*email.Outbox, error) {
	var mailer, texter email.Transport
	if cfg.Dev {
		mailer, texter = email.DevTransport{}, email.DevTransport{}
	}
	if cfg.Notify.APIKey != "" {
		client, err := notify.NewClient(cfg.Notify.APIKey, cfg.Notify.BaseURL, time.Now)
		if err != nil {
			return nil, err
		}
		if cfg.Notify.EmailTemplate != "" {
			mailer = notify.EmailTransport{Client: client, Template: cfg.Notify.EmailTemplate}
		}
		if cfg.Notify.SMSTemplate != "" {
			texter = notify.SMSTransport{Client: client, Template: cfg.Notify.SMSTemplate}
		}
	}
	if cfg.SMTPURL != "" {
		var err error
		if mailer, err = email.NewSMTP(cfg.SMTPURL, cfg.EmailFrom); err != nil {
			return nil, err
		}
	}
	if mailer == nil {
		return nil, fmt.Errorf("no SMTP_URL or Notify email template: in production email is never marked sent without being delivered")
	}
	o := email.NewOutbox(sqlstore.NewEmailStore(a.db), mailer, time.Now, logger)
	o.SetTransport(email.ChannelSMS, texter)
	return o, nil
}

// newSessions returns the session manager, keeping sessions in the
// database.
func newSessions(a *app, cfg Config) *scs.SessionManager {
	sessions := scs.New()
	sessions.Store = sqlstore.NewSessionStore(a.db, time.Now)
	sessions.Lifetime = 12 * time.Hour
	sessions.IdleTimeout = 2 * time.Hour
	sessions.Cookie.Name = "waymark_session"
	sessions.Cookie.HttpOnly = true
	sessions.Cookie.SameSite = http.SameSiteLaxMode
	sessions.Cookie.Secure = cfg.HTTPS
	return sessions
}

// newRegistry returns the metrics registry with the Go, process and
// database collectors.
func newRegistry(a *app) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reg.MustRegister(collectors.NewDBStatsCollector(a.db.SQL(), string(a.db.Dialect())))
	return reg
}

// webConfig is the web server's configuration.
func webConfig(cfg Config) web.Config {
	return web.Config{
		TileURL:            cfg.TileURL,
		Secure:             cfg.HTTPS,
		MetricsToken:       cfg.MetricsToken,
		HideMetrics:        cfg.MetricsAddr != "" || (!cfg.Dev && cfg.MetricsToken == ""),
		Attribution:        postcode.Attribution,
		Dev:                cfg.Dev,
		Operator:           cfg.Operator,
		TrustedProxyHeader: cfg.TrustedProxyHeader,
		TrustedProxies:     cfg.TrustedProxies,
	}
}

// webDeps are the web server's dependencies.
func (s *services) webDeps(a *app, cfg Config, logger *slog.Logger) web.Deps {
	return web.Deps{
		Directory: a.directory,
		Ready:     a.db.Ping,
		Logger:    logger,
		Registry:  s.registry,
		Now:       time.Now,
		API: mergeRoutes(oruk.NewAPI(a.store, a.postcodes, logger, s.publicURL).Routes(), s.fhirAPI.Routes(),
			notify.Callbacks(cfg.Notify.CallbackToken, s.outbox, time.Now, logger)),
		Accounts:   s.accounts,
		Sessions:   s.sessions,
		Outbox:     s.outbox,
		Lifecycle:  s.life,
		Reports:    s.reports,
		Referrals:  s.refs,
		Checks:     s.checks,
		Onboarding: s.onboard,
		Requests:   directory.NewServiceRequests(a.store, time.Now, uuid.NewString),
		Casework:   s.casework,
		Insights:   s.insights,
		GP:         s.gp,
		Revisions:  directory.NewRevisions(a.store, a.directory, s.life),
		Images:     media.NewImages(a.store, time.Now, uuid.NewString),
		Feeds:      s.feedRuns,
		FormTokens: a.db,
		Systems:    s.systems,
		PCNs:       pcn.NewService(sqlstore.NewPCNStore(a.db), uuid.NewString, time.Now),
	}
}

// mergeRoutes returns every route of the maps in one map.
func mergeRoutes(maps ...map[string]http.HandlerFunc) map[string]http.HandlerFunc {
	out := map[string]http.HandlerFunc{}
	for _, m := range maps {
		for pattern, h := range m {
			out[pattern] = h
		}
	}
	return out
}

// startJobs starts the background runners: one for the referral rules,
// onboarding, email and sessions, and one of its own for the website
// checks.
func (s *services) startJobs(ctx context.Context, a *app, cfg Config, logger *slog.Logger) {
	sessionStore := s.sessions.Store.(*sqlstore.SessionStore)
	runner := jobs.NewRunner(sqlstore.NewJobStore(a.db), time.Now, logger, append(append(s.refs.Jobs(cfg.RulesEvery), append(append(s.onboard.Jobs(time.Hour), s.casework.Jobs(time.Hour)...), append(s.gp.Jobs(time.Minute), s.insights.Jobs(10*time.Minute)...)...)...),
		jobs.Job{Name: "delete-expired-sessions", Every: time.Hour, Run: func(ctx context.Context, _ time.Time) error {
			_, err := sessionStore.DeleteExpired(ctx)
			return err
		}},
		// Expired FHIR access tokens and client assertion ids are forgotten.
		jobs.Job{Name: "delete-expired-fhir-tokens", Every: time.Hour, Run: s.systems.Cleanup},
		// A form is not sent again in earnest after a month: forget its token.
		jobs.Job{Name: "delete-old-form-tokens", Every: 24 * time.Hour, Run: func(ctx context.Context, now time.Time) error {
			_, err := a.db.DeleteFormTokensBefore(ctx, now.AddDate(0, -1, 0))
			return err
		}})...,
	)
	go runner.Start(ctx, 5*time.Second)
	// Email is delivered on its own, in every instance at once (each
	// message is claimed), so no job waits for a backlog to drain.
	go s.outbox.Start(ctx, 5*time.Second)
	// The website checks take minutes, so they tick on their own and never
	// hold up email. Each run checks the websites due (up to a batch);
	// claims keep each entry to one check per CHECK_EVERY.
	checkRunner := jobs.NewRunner(sqlstore.NewJobStore(a.db), time.Now, logger, s.checker.Job(min(cfg.CheckEvery, time.Hour)))
	go checkRunner.Start(ctx, time.Minute)
	// Feed imports asked for on the moderation page run on their own too:
	// one can take minutes.
	feedRunner := jobs.NewRunner(sqlstore.NewJobStore(a.db), time.Now, logger,
		jobs.Job{Name: "import-feeds", Every: 10 * time.Second, Lease: 30 * time.Minute, Run: s.feedRuns.Work})
	go feedRunner.Start(ctx, 5*time.Second)
	// Connected systems' endpoints get the GP referral outcomes (failed
	// ones again with backoff) on a runner of their own: a slow endpoint
	// can hold a run for up to two minutes.
	deliveryRunner := jobs.NewRunner(sqlstore.NewJobStore(a.db), time.Now, logger, s.delivery.Job(time.Minute))
	go deliveryRunner.Start(ctx, 10*time.Second)
}

// newAccounts returns the account service with its bound on password
// hashes at once.
func newAccounts(a *app, cfg Config, mail email.Mailer, logger *slog.Logger) *account.Service {
	accounts := account.NewService(sqlstore.NewAccountStore(a.db), mail, time.Now, logger)
	accounts.SetHashLimiter(account.NewHashLimiter(cfg.HashConcurrency, cfg.HashWait))
	return accounts
}

// noMail is the mailer of commands that send no email, such as creating an
// account directly.
func noMail() email.Mailer { return email.Mailer{} }
