package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"waymark/internal/oruk"
)

// importFeed runs 'waymark import oruk BASE_URL': it walks a remote Open
// Referral UK 3.0 feed and brings its services into the directory.
func (m *Main) importFeed(ctx context.Context, cfg Config, logger *slog.Logger, args []string) error {
	if len(args) < 1 || args[0] != "oruk" {
		return fmt.Errorf("usage: waymark import oruk [--trusted] [--max-pages N] BASE_URL")
	}
	fs := flag.NewFlagSet("import oruk", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	trusted := fs.Bool("trusted", false, "publish the feed's entries directly instead of sending them to moderation")
	maxPages := fs.Int("max-pages", 200, "stop after this many pages of services")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("usage: waymark import oruk [--trusted] [--max-pages N] BASE_URL")
	}
	if *maxPages < 1 || *maxPages > 100_000 {
		return fmt.Errorf("--max-pages must be between 1 and 100000")
	}
	a, err := m.openApp(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer a.db.Close()
	im := &oruk.Importer{Store: a.store, Geo: a.postcodes, Log: logger, MaxPages: *maxPages, Now: time.Now,
		AllowLoopback: cfg.CheckerAllowLoopback}
	sum, err := im.Run(ctx, fs.Arg(0), *trusted)
	if sum != nil {
		fmt.Fprintln(m.Stdout, sum.String())
		for _, r := range sum.Rejected {
			fmt.Fprintf(m.Stdout, "  rejected %s: %s\n", r.RemoteID, r.Reason)
		}
	}
	return err
}
