package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/fhir"
	"waymark/internal/sqlstore"
)

// demoSystemKeyFile is the demo connected system's private key, written
// beside a SQLite database (else in the working directory). Demo only.
const demoSystemKeyFile = "waymark-demo-system-DEMO-ONLY.key"

// demoSystemPractices are the demo practices the demo system acts for.
const demoSystemPractices = "C81001, C81002"

// seedDemoSystem registers a connected demo clinical system with a new key
// pair for trying the FHIR interface, writes its private key to a file and
// prints the file and the client id. Development only.
func (m *Main) seedDemoSystem(ctx context.Context, a *app, cfg Config, admin waymark.Actor) error {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return fmt.Errorf("demo system key: %w", err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return fmt.Errorf("demo system key: %w", err)
	}
	priv, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("demo system key: %w", err)
	}
	systems := fhir.NewSystems(sqlstore.NewFHIRStore(a.db), time.Now, uuid.NewString)
	sys, err := systems.Register(waymark.WithActor(ctx, admin), fhir.NewSystem{Name: "Demo clinical system (DEMO ONLY)",
		PublicKey: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})), Practices: demoSystemPractices})
	if err != nil {
		return fmt.Errorf("demo system: %w", err)
	}
	dir := "."
	if !strings.Contains(cfg.DatabaseURL, "://") {
		dir = filepath.Dir(cfg.DatabaseURL)
	}
	path := filepath.Join(dir, demoSystemKeyFile)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: priv}), 0o600); err != nil {
		return fmt.Errorf("demo system key: %w", err)
	}
	fmt.Fprintf(m.Stdout, "Demo connected clinical system for practices %s: client id %s, private key (demo only) in %s; see docs/fhir.md.\n",
		demoSystemPractices, sys.ID, path)
	return nil
}
