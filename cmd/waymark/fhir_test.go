package main

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// demoSystemLine is what seed prints about the demo connected system.
var demoSystemLine = regexp.MustCompile(`client id ([0-9a-f-]{36}), private key \(demo only\) in (\S+);`)

func TestTheDemoConnectedSystemGetsATokenAndReadsTheDirectoryThroughTheServer(t *testing.T) {
	r := startServer(t)
	m := demoSystemLine.FindStringSubmatch(r.Stdout.String())
	if m == nil {
		t.Fatalf("seed did not print the demo system: %s", r.Stdout.String())
	}
	clientID, keyFile := m[1], m[2]
	// The token endpoint's address is the one the server prints (its
	// public URL), which the assertion names as audience.
	site := regexp.MustCompile(`Waymark is running at (http://\S+?)/?\s`).FindStringSubmatch(r.Stdout.String())
	if site == nil {
		t.Fatalf("no address printed: %s", r.Stdout.String())
	}
	base := site[1]
	pemBytes, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(pemBytes)
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	assertion, err := jwt.NewWithClaims(jwt.SigningMethodRS512, jwt.MapClaims{"iss": clientID, "sub": clientID,
		"aud": base + "/oauth2/token", "jti": uuid.NewString(), "exp": time.Now().Add(4 * time.Minute).Unix()}).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.PostForm(base+"/oauth2/token", url.Values{"grant_type": {"client_credentials"},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {assertion}})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error_description"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if resp.StatusCode != 200 || tok.AccessToken == "" {
		t.Fatalf("token through the server: %d %s", resp.StatusCode, tok.Error)
	}
	get := func(path, token string) (int, string) {
		req, _ := http.NewRequest("GET", r.URL+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, body := get("/fhir/R4/metadata", ""); status != 200 || !strings.Contains(body, `"resourceType":"CapabilityStatement"`) {
		t.Errorf("metadata: %d", status)
	}
	if status, body := get("/fhir/R4/HealthcareService?name=walking&location.address-postalcode=DE4+3AG", tok.AccessToken); status != 200 ||
		!strings.Contains(body, "Nordic walking for beginners") {
		t.Errorf("HealthcareService search: %d %.300s", status, body)
	}
	if status, body := get("/fhir/R4/HealthcareService", ""); status != 401 || !strings.Contains(body, "OperationOutcome") {
		t.Errorf("without a token: %d %.200s", status, body)
	}
	// The input guard answers a control character with an OperationOutcome.
	if status, body := get("/fhir/R4/HealthcareService?name=%00", tok.AccessToken); status != 400 || !strings.Contains(body, "OperationOutcome") {
		t.Errorf("a NUL in a parameter: %d %.200s", status, body)
	}
	// So does the token endpoint, as an OAuth error.
	resp, err = http.PostForm(base+"/oauth2/token", url.Values{"grant_type": {"client_credentials\x00"}})
	if err != nil {
		t.Fatal(err)
	}
	var refused struct {
		Error string `json:"error"`
	}
	json.NewDecoder(resp.Body).Decode(&refused)
	resp.Body.Close()
	if resp.StatusCode != 400 || refused.Error != "invalid_request" {
		t.Errorf("a NUL in the token form: %d %q", resp.StatusCode, refused.Error)
	}
	// The documented script gets a token with openssl and curl.
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("no openssl to try scripts/fhir-token.sh")
	}
	out, err := exec.Command("bash", filepath.Join("..", "..", "scripts", "fhir-token.sh"), base, clientID, keyFile).CombinedOutput()
	if err != nil || !strings.Contains(string(out), `"access_token"`) {
		t.Errorf("scripts/fhir-token.sh: %v %s", err, out)
	}
}
