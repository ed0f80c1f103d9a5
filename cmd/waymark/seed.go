package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"waymark/internal/seed"
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
		if err := seed.Load(ctx, a.directory, orgs, services, 1000); err != nil {
			return fmt.Errorf("load synthetic data: %w", err)
		}
		fmt.Fprintf(m.Stdout, "Generated %d synthetic services from %d organisations in %s.\n", len(services), len(orgs), time.Since(start).Round(time.Millisecond))
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
	return nil
}
