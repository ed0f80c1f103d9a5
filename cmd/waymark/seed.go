package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/account"
	"waymark/internal/directory"
	"waymark/internal/pcn"
	"waymark/internal/referral"
	"waymark/internal/seed"
	"waymark/internal/sqlstore"
)

func (m *Main) seed(ctx context.Context, cfg Config, logger *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	ifEmpty := fs.Bool("if-empty", false, "only seed when the database has no services")
	synthetic := fs.Int("synthetic", 0, "generate this many synthetic services over England instead of the Derbyshire demo data")
	randSeed := fs.Int64("seed", 1, "random seed for --synthetic")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *synthetic < 0 || *synthetic > 2_000_000 {
		return fmt.Errorf("--synthetic must be between 1 and 2000000")
	}
	a, err := m.openApp(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer a.db.Close()
	n, err := a.directory.Count(ctx)
	if err != nil {
		return err
	}
	if *ifEmpty && n > 0 {
		fmt.Fprintf(m.Stdout, "The database already has %d services; not seeding.\n", n)
		return nil
	}
	start := time.Now()
	if *synthetic > 0 {
		orgs, services := seed.Synthetic(*synthetic, *randSeed)
		// Into an empty directory the secondary indexes are built once at
		// the end (DB.BulkLoad).
		err := a.db.BulkLoad(ctx, func(ctx context.Context) error { return seed.Load(ctx, a.directory, orgs, services, 5000) })
		if err != nil {
			return fmt.Errorf("load synthetic data: %w", err)
		}
		loaded := time.Since(start)
		// Statistics for the planner and a compact full-text index, as
		// after any bulk load.
		if err := a.db.Optimize(ctx); err != nil {
			return fmt.Errorf("optimise after loading: %w", err)
		}
		fmt.Fprintf(m.Stdout, "Generated %d synthetic services from %d organisations in %s (%s loading, then %s optimising).\n",
			len(services), len(orgs), time.Since(start).Round(time.Millisecond), loaded.Round(time.Millisecond), (time.Since(start) - loaded).Round(time.Millisecond))
		return nil
	}
	orgs, services := seed.Derbyshire()
	if err := seed.Load(ctx, a.directory, orgs, services, 100); err != nil {
		return fmt.Errorf("load demo data: %w", err)
	}
	if err := a.directory.ReplaceOfflineHelp(ctx, seed.OfflineHelp()); err != nil {
		return fmt.Errorf("load offline help: %w", err)
	}
	fmt.Fprintf(m.Stdout, "Loaded the Derbyshire demo data: %d services from %d organisations.\n", len(services), len(orgs))
	if cfg.Dev {
		if err := m.seedDemoAccounts(ctx, a, cfg, orgs, services, logger); err != nil {
			return err
		}
	}
	return nil
}

// DemoPassword is the password of the demo accounts made with the demo
// data, in development only.
const DemoPassword = "waymark demo password"

// seedDemoAccounts makes one account per kind of user, so a newcomer can try
// every part of the demo, and a referral form with questions for one
// service. Development only: production never has these accounts.
func (m *Main) seedDemoAccounts(ctx context.Context, a *app, cfg Config, orgs []directory.Organization, services []*directory.Service, logger *slog.Logger) error {
	store := sqlstore.NewAccountStore(a.db)
	accounts := account.NewService(store, noMail(), time.Now, logger)
	var striders string
	for _, o := range orgs {
		if o.Name == "Matlock Striders" {
			striders = o.ID
		}
	}
	pcnOrg := directory.Organization{Name: "Derbyshire Dales Primary Care Network", Description: "GP practices working together; home of the demo link worker.",
		Email: "pcn@derbyshire-dales.example"}
	if err := a.directory.CreateOrganization(ctx, &pcnOrg); err != nil {
		return fmt.Errorf("demo network: %w", err)
	}
	demo := []struct {
		email, name string
		platform    waymark.Role
		org         string
		role        waymark.Role
	}{
		{"admin@demo.waymark.example", "Ada Admin", waymark.RoleAdmin, "", ""},
		{"moderator@demo.waymark.example", "Mo Moderator", waymark.RoleModerator, "", ""},
		{"commissioner@demo.waymark.example", "Cam Commissioner", waymark.RoleCommissioner, "", ""},
		{"pcncommissioner@demo.waymark.example", "Nia Network Commissioner", waymark.RoleCommissioner, "", ""},
		{"provider@demo.waymark.example", "Pat Provider", "", striders, waymark.RoleProvider},
		{"linkworker@demo.waymark.example", "Lee Link Worker", "", pcnOrg.ID, waymark.RoleLinkWorker},
		{"teamlead@demo.waymark.example", "Tess Team Lead", "", pcnOrg.ID, waymark.RoleLinkWorker},
		{"gp@demo.waymark.example", "Dr Gita Patel", "", pcnOrg.ID, waymark.RoleGP},
		{"practice@demo.waymark.example", "Priya Practice Manager", "", "", ""},
	}
	// The GP and the practice manager belong to the demo practice C81001.
	practiceRoles := map[string]waymark.Role{"gp@demo.waymark.example": waymark.RoleGP, "practice@demo.waymark.example": waymark.RolePracticeStaff}
	actors, names := map[string]waymark.Actor{}, map[string]string{}
	for _, d := range demo {
		u, err := accounts.CreateUser(ctx, d.email, d.name, DemoPassword, d.platform)
		if err != nil {
			return fmt.Errorf("demo account %s: %w", d.email, err)
		}
		if d.org != "" {
			if err := store.AddMembership(ctx, u.ID, d.org, d.role); err != nil {
				return fmt.Errorf("demo account %s: %w", d.email, err)
			}
			u.Memberships = append(u.Memberships, account.Membership{OrganizationID: d.org, Role: d.role})
		}
		if role, ok := practiceRoles[d.email]; ok {
			if err := store.SetPractice(ctx, u.ID, seed.DemoPractices[0].ODSCode, role); err != nil {
				return fmt.Errorf("demo account %s: %w", d.email, err)
			}
			u.Practice, u.PracticeRole = seed.DemoPractices[0].ODSCode, role
		}
		actors[d.email] = u.Actor()
		names[d.email] = d.name
	}
	for _, svc := range services {
		if svc.Name != "Nordic walking for beginners" {
			continue
		}
		form := referral.Form{ServiceID: svc.ID, UpdatedAt: time.Now().UTC()}
		form.Questions = []referral.Question{
			{ID: "poles", Type: referral.YesNo, Label: "Do you have your own walking poles?", Help: "We can lend you a pair for the first four weeks.", Required: true},
			{ID: "group", Type: referral.SingleChoice, Label: "Which group would suit you?", Options: []string{"Tuesday morning", "Saturday morning"}, Required: true},
			{ID: "health", Type: referral.LongText, Label: "Is there anything that makes walking harder for you?", Help: "For example, joint pain or getting out of breath. Only tell us what you are happy to share."},
		}
		if err := sqlstore.NewReferralStore(a.db).SaveForm(ctx, form); err != nil {
			return fmt.Errorf("demo referral form: %w", err)
		}
	}
	// Referrals from the demo clients' records go through the referral
	// service, as Waymark itself for the listings it reads.
	secret, err := a.db.Secret(ctx, "link-signing")
	if err != nil {
		return err
	}
	life := directory.NewLifecycle(a.store, noMail(), time.Now, uuid.NewString)
	listings := directory.NewSystem(life, directory.NewReports(a.store, life, secret)).As(directory.ByReferralRule)
	const lead, worker, provider = "teamlead@demo.waymark.example", "linkworker@demo.waymark.example", "provider@demo.waymark.example"
	if err := seed.Casework(ctx, sqlstore.NewCaseworkStore(a.db), a.postcodes, seed.CaseworkPeople{
		Admin:     actors["admin@demo.waymark.example"],
		LeadEmail: lead, Lead: actors[lead], LeadName: names[lead],
		WorkerEmail: worker, Worker: actors[worker], WorkerName: names[worker],
	}, &seed.CaseworkReferrals{Store: sqlstore.NewReferralStore(a.db), Listings: listings,
		Config:   referral.Config{Rules: cfg.Rules, PublicURL: demoPublicURL(cfg), Secret: secret, MinStatsCount: cfg.StatsMinCount},
		Services: services, Provider: actors[provider], ProviderName: names[provider],
	}, time.Now().UTC()); err != nil {
		return fmt.Errorf("demo casework: %w", err)
	}
	if err := seed.GP(ctx, sqlstore.NewGPStore(a.db), services, time.Now().UTC()); err != nil {
		return err
	}
	if err := m.seedDemoSystem(ctx, a, cfg, actors["admin@demo.waymark.example"]); err != nil {
		return err
	}
	// A year of made-up activity, so every insights dashboard has figures.
	teams, err := sqlstore.NewCaseworkStore(a.db).Teams(ctx)
	if err != nil || len(teams) == 0 {
		return fmt.Errorf("demo team: %v", err)
	}
	const gp = "gp@demo.waymark.example"
	activity := seed.SyntheticActivity(services, seed.ActivityPeople{TeamID: teams[0].ID, Postcode: "DE4",
		LeadID: actors[lead].UserID, LeadName: names[lead], WorkerID: actors[worker].UserID, WorkerName: names[worker],
		GPID: actors[gp].UserID, GPName: names[gp]}, time.Now().UTC(), 1)
	if err := sqlstore.NewActivityStore(a.db).AddActivity(ctx, activity); err != nil {
		return fmt.Errorf("demo activity: %w", err)
	}
	// Two primary care networks: the team and Lime Grove in one, with a
	// commissioner who sees only it; Imperial Road Surgery in the other.
	networks := pcn.NewService(sqlstore.NewPCNStore(a.db), uuid.NewString, time.Now)
	admin := waymark.WithActor(ctx, actors["admin@demo.waymark.example"])
	for _, p := range []pcn.PCN{
		{Name: "Derbyshire Dales PCN (demo)", ODSCode: "U81001", Practices: []string{seed.DemoPractices[0].ODSCode}, Teams: []string{teams[0].ID},
			Commissioners: []string{actors["pcncommissioner@demo.waymark.example"].UserID}},
		{Name: "Matlock South PCN (demo)", ODSCode: "U81002", Practices: []string{seed.DemoPractices[1].ODSCode}},
	} {
		if _, err := networks.Create(admin, p); err != nil {
			return fmt.Errorf("demo network %s: %w", p.Name, err)
		}
	}
	fmt.Fprintf(m.Stdout, "Demo accounts (password %q): admin@, moderator@, commissioner@ (the whole area), pcncommissioner@ (Derbyshire Dales PCN only), provider@ (Matlock Striders), linkworker@, teamlead@ (Derbyshire Dales social prescribing team, with a dozen clients and a year of made-up activity for the insights dashboards), gp@ and practice@demo.waymark.example (Lime Grove Medical Centre, C81001).\n", DemoPassword)
	return nil
}

// demoPublicURL is the address links in the demo's emails point at: the
// configured one, or the address the server listens on.
func demoPublicURL(cfg Config) string {
	switch {
	case cfg.PublicURL != "":
		return cfg.PublicURL
	case strings.HasPrefix(cfg.Addr, ":"):
		return "http://localhost" + cfg.Addr
	}
	return "http://" + cfg.Addr
}
