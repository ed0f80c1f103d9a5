package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// `waymark fhir send` sends the documented example as the demo connected
// system through the whole server: the referral is made once, the same
// answer comes back when sent again, and a refusal is printed and fails.
func TestFhirSendPostsTheDocumentedExampleAsTheDemoSystem(t *testing.T) {
	r := startServer(t)
	m := demoSystemLine.FindStringSubmatch(r.Stdout.String())
	site := regexp.MustCompile(`Waymark is running at (http://\S+?)/?\s`).FindStringSubmatch(r.Stdout.String())
	if m == nil || site == nil {
		t.Fatalf("seed or serve did not print the demo system and address: %s", r.Stdout.String())
	}
	send := func(file string) (string, error) {
		var out bytes.Buffer
		cli := &Main{Stdout: &out, Stderr: io.Discard, Getenv: env(r.Vars)}
		err := cli.Run(context.Background(), []string{"fhir", "send", "--url", site[1], "--system", m[1], "--key", m[2], file})
		return out.String(), err
	}
	example := filepath.Join("..", "..", "docs", "examples", "fhir-referral-bundle.json")
	first, err := send(example)
	if err != nil {
		t.Fatalf("send: %v\n%s", err, first)
	}
	var answer struct {
		Entry []struct {
			Resource struct{ ResourceType, ID string }
		}
	}
	if err := json.Unmarshal([]byte(first), &answer); err != nil || len(answer.Entry) < 2 ||
		answer.Entry[1].Resource.ResourceType != "ServiceRequest" || len(answer.Entry[1].Resource.ID) != 36 {
		t.Fatalf("the answer has no ServiceRequest with the referral's id: %v %s", err, first)
	}
	again, err := send(example)
	if err != nil || again != first {
		t.Errorf("sent again: %v, answer differs:\n%s", err, again)
	}
	body, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, bytes.ReplaceAll(body, []byte("9434765919"), []byte("9434765918")), 0o600); err != nil {
		t.Fatal(err)
	}
	refused, err := send(bad)
	if err == nil || !strings.Contains(err.Error(), "400") || !strings.Contains(refused, `"resourceType": "OperationOutcome"`) ||
		!strings.Contains(refused, "check digit") {
		t.Errorf("a bad NHS number: %v\n%s", err, refused)
	}
	if err := (&Main{Stdout: io.Discard, Stderr: io.Discard, Getenv: env(r.Vars)}).Run(context.Background(), []string{"fhir", "send", example}); err == nil ||
		!strings.Contains(err.Error(), "usage") {
		t.Errorf("without --system and --key: %v", err)
	}
}
