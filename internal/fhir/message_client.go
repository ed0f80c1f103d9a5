package fhir

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Client sends BaRS messages to a Waymark server as a connected clinical
// system: it gets an access token with a client assertion signed by the
// system's private key, then posts to $process-message. `waymark fhir send`
// uses it; so can a test or a script.
type Client struct {
	// BaseURL is the server's public address, such as
	// https://waymark.example.org (the token URL is BaseURL/oauth2/token).
	BaseURL string
	// SystemID is the client id an administrator was given on registering
	// the system.
	SystemID string
	// Key is the system's private key; KeyID its kid, if the registered
	// key set names keys.
	Key   *rsa.PrivateKey
	KeyID string
	// HTTP is the client to use (http.DefaultClient when nil).
	HTTP *http.Client
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Token gets an access token from the server's token endpoint.
func (c *Client) Token(ctx context.Context) (string, error) {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	t := now()
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return "", err
	}
	tokenURL := strings.TrimSuffix(c.BaseURL, "/") + TokenPath
	tok := jwt.NewWithClaims(jwt.GetSigningMethod(SigningMethod), jwt.RegisteredClaims{
		Issuer: c.SystemID, Subject: c.SystemID, Audience: jwt.ClaimStrings{tokenURL}, ID: hex.EncodeToString(jti),
		IssuedAt: jwt.NewNumericDate(t), ExpiresAt: jwt.NewNumericDate(t.Add(4 * time.Minute))})
	if c.KeyID != "" {
		tok.Header["kid"] = c.KeyID
	}
	assertion, err := tok.SignedString(c.Key)
	if err != nil {
		return "", fmt.Errorf("sign the client assertion: %w", err)
	}
	form := url.Values{"grant_type": {GrantType}, "client_assertion_type": {AssertionType}, "client_assertion": {assertion}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	status, body, err := c.do(req)
	if err != nil {
		return "", err
	}
	var answer struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.Unmarshal(body, &answer); err != nil || status != http.StatusOK || answer.AccessToken == "" {
		if answer.Error != "" {
			return "", fmt.Errorf("token endpoint %s answered %d: %s: %s", tokenURL, status, answer.Error, answer.Description)
		}
		return "", fmt.Errorf("token endpoint %s answered %d: %.200s", tokenURL, status, body)
	}
	return answer.AccessToken, nil
}

// Send posts a message Bundle to $process-message with a new token and
// returns the HTTP status and body of the answer (the message Bundle, or
// an OperationOutcome).
func (c *Client) Send(ctx context.Context, bundle []byte) (int, []byte, error) {
	token, err := c.Token(ctx)
	if err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(c.BaseURL, "/")+Prefix+"/$process-message", bytes.NewReader(bundle))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/fhir+json")
	req.Header.Set("Accept", "application/fhir+json")
	req.Header.Set("Authorization", "Bearer "+token)
	return c.do(req)
}

// maxAnswer bounds what the client reads of an answer.
const maxAnswer = 4 << 20

func (c *Client) do(req *http.Request) (int, []byte, error) {
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("read the answer of %s: %w", req.URL, err)
	}
	return resp.StatusCode, body, nil
}

// ParsePrivateKey reads an RSA private key in PEM: PKCS#8 ("PRIVATE KEY")
// or PKCS#1 ("RSA PRIVATE KEY").
func ParsePrivateKey(b []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, errors.New("no PEM block: the key file must hold a PEM private key")
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		return x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, err
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, errors.New("the key is not an RSA key: sign with RS512")
		}
		return rk, nil
	}
	return nil, fmt.Errorf("a PEM %q is not a private key", block.Type)
}
