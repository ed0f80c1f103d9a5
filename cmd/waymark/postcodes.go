package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"waymark/internal/postcode"
)

// postcodes runs 'waymark postcodes import FILE': it builds a postcode table
// from an ONSPD/NSPL (or postcode,lat,long) CSV, optionally gzipped, checks it,
// and installs it at POSTCODES_FILE, where the server loads it at start-up in
// place of the built-in table.
func (m *Main) postcodes(_ context.Context, cfg Config, args []string) error {
	if len(args) != 2 || args[0] != "import" {
		return fmt.Errorf("usage: waymark postcodes import FILE")
	}
	if cfg.PostcodesFile == "" {
		return fmt.Errorf("set POSTCODES_FILE to where the imported table should be kept")
	}
	in, err := os.Open(args[1])
	if err != nil {
		return fmt.Errorf("open %s: %w", args[1], err)
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(cfg.PostcodesFile), ".postcodes-*.bin")
	if err != nil {
		return fmt.Errorf("create postcode table: %w", err)
	}
	defer os.Remove(tmp.Name())
	n, err := postcode.Build(in, tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("import %s: %w", args[1], err)
	}
	if n == 0 {
		return fmt.Errorf("import %s: no postcodes with a location found", args[1])
	}
	if _, err := postcode.Open(tmp.Name()); err != nil {
		return fmt.Errorf("check imported table: %w", err)
	}
	if err := os.Rename(tmp.Name(), cfg.PostcodesFile); err != nil {
		return fmt.Errorf("install postcode table: %w", err)
	}
	fmt.Fprintf(m.Stdout, "Imported %d postcodes into %s. Restart the server to use them.\n", n, cfg.PostcodesFile)
	return nil
}
