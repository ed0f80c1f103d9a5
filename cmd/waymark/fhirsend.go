package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"waymark/internal/fhir"
)

const fhirUsage = "usage: waymark fhir send --system CLIENT_ID --key PRIVATE_KEY_FILE [--url BASE_URL] BUNDLE_FILE"

// fhirCommand runs 'waymark fhir send FILE': as a connected clinical
// system, it gets an access token with the system's private key and posts
// the BaRS message Bundle in FILE to $process-message, printing the answer.
// An answer that is not 2xx is an error (exit status 1) after printing it.
func (m *Main) fhirCommand(ctx context.Context, cfg Config, args []string) error {
	if len(args) < 1 || args[0] != "send" {
		return fmt.Errorf("%s", fhirUsage)
	}
	fs := flag.NewFlagSet("fhir send", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	base := cfg.PublicURL
	if base == "" {
		base = "http://" + cfg.Addr
	}
	baseURL := fs.String("url", base, "the Waymark server (PUBLIC_URL, else http://ADDR)")
	system := fs.String("system", "", "the connected system's client id, as its admin page shows it")
	keyFile := fs.String("key", "", "the system's RSA private key (PEM)")
	keyID := fs.String("kid", "", "the key's id, when the registered key set names its keys")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 || *system == "" || *keyFile == "" {
		return fmt.Errorf("%s", fhirUsage)
	}
	pemKey, err := os.ReadFile(*keyFile)
	if err != nil {
		return err
	}
	key, err := fhir.ParsePrivateKey(pemKey)
	if err != nil {
		return fmt.Errorf("%s: %w", *keyFile, err)
	}
	bundle, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	c := &fhir.Client{BaseURL: *baseURL, SystemID: *system, Key: key, KeyID: *keyID, HTTP: &http.Client{Timeout: 30 * time.Second}}
	status, body, err := c.Send(ctx, bundle)
	if err != nil {
		return err
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, body, "", "  ") != nil {
		pretty.Reset()
		pretty.Write(body)
	}
	fmt.Fprintf(m.Stdout, "%s\n", strings.TrimSpace(pretty.String()))
	if status < 200 || status > 299 {
		return fmt.Errorf("the server refused the message: %d %s", status, http.StatusText(status))
	}
	fmt.Fprintf(m.Stderr, "%d %s\n", status, http.StatusText(status))
	return nil
}
