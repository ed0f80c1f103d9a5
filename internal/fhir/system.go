package fhir

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	"waymark"
	"waymark/internal/input"
)

// System is a connected clinical system (a GP practice's EMIS or SystmOne,
// or a supplier's integration) registered by an administrator. Its ID is
// its OAuth client id.
type System struct {
	ID   string
	Name string
	// PublicKey is what the administrator pasted: a PEM RSA public key or
	// a JWKS document (JSON with "keys"). The client assertions it signs
	// are checked with it.
	PublicKey string
	// Endpoint is the https URL outcome messages are posted to; "" when
	// the practices read outcomes in the web app.
	Endpoint string
	// Practices are the ODS codes of the practices the system acts for.
	Practices []string
	Enabled   bool
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
	// Failing is how many outcomes' latest delivery attempt failed; only
	// List fills it.
	Failing int
}

// NewSystem is what an administrator types to register a system.
type NewSystem struct {
	Name      string
	PublicKey string
	Endpoint  string
	// Practices are ODS codes separated by commas, spaces or new lines.
	Practices string
}

// Call is one audited call to the FHIR interface: who, which route and
// the status, never the path or query (which may hold an NHS number).
type Call struct {
	SystemID string
	Route    string // the route pattern, "GET /fhir/R4/HealthcareService"
	Status   int
	At       time.Time
}

// Delivery is one attempt to post an outcome message to a system's
// endpoint.
type Delivery struct {
	OutcomeID string
	SystemID  string
	Attempt   int    // 1 for the first
	Status    int    // the endpoint's HTTP status, 0 when it did not answer
	Error     string // why it failed, "" when delivered
	At        time.Time
	RetryAt   time.Time // when it is tried again, zero when delivered or given up
}

// SystemStore keeps the connected systems, their tokens and the audit of
// their calls.
type SystemStore interface {
	// CreateSystem stores a new system (and the form token in ctx), and
	// audits it as its CreatedBy's. Errors: ECONFLICT when the form was
	// sent before.
	CreateSystem(ctx context.Context, s *System) error
	// UpdateSystem saves a system's name, key, endpoint and practices,
	// audited as by's. Errors: ENOTFOUND.
	UpdateSystem(ctx context.Context, s *System, by string) error
	// ListSystems returns every system by name, with Failing.
	ListSystems(ctx context.Context) ([]System, error)
	// FindSystem returns a system. Errors: ENOTFOUND.
	FindSystem(ctx context.Context, id string) (*System, error)
	// SetSystemEnabled enables or disables a system, audited as by's;
	// disabling revokes its tokens. Errors: ENOTFOUND.
	SetSystemEnabled(ctx context.Context, id string, enabled bool, by string, at time.Time) error
	// UseAssertion records a client assertion's jti until it expires.
	// Errors: ECONFLICT when the system used it before.
	UseAssertion(ctx context.Context, systemID, jti string, expires time.Time) error
	// CreateToken stores the hash of an access token.
	CreateToken(ctx context.Context, hash, systemID string, expires time.Time) error
	// TokenSystem returns the enabled system whose token has this hash and
	// has not expired at now. Errors: ENOTFOUND.
	TokenSystem(ctx context.Context, hash string, now time.Time) (*System, error)
	// DeleteExpired forgets tokens and assertion ids expired before now,
	// and delivery attempts older than deliveryKept.
	DeleteExpired(ctx context.Context, now time.Time) error
	// AuditCall records a call in the audit log.
	AuditCall(ctx context.Context, c Call) error
	// RecordDelivery records an attempt to deliver an outcome.
	RecordDelivery(ctx context.Context, d Delivery) error
	// DeliveryAttempts counts the attempts to deliver an outcome so far.
	DeliveryAttempts(ctx context.Context, outcomeID string) (int, error)
	// Deliveries returns a system's latest delivery attempts, newest first.
	Deliveries(ctx context.Context, systemID string, limit int) ([]Delivery, error)
	// Calls returns a system's latest audited calls, newest first.
	Calls(ctx context.Context, systemID string, limit int) ([]Call, error)
}

// Systems is the registry of connected systems. Build it with NewSystems.
type Systems struct {
	store SystemStore
	now   func() time.Time
	newID func() string
}

// NewSystems returns the registry.
func NewSystems(store SystemStore, now func() time.Time, newID func() string) *Systems {
	return &Systems{store: store, now: now, newID: newID}
}

// Register adds a connected system, enabled. Only administrators may.
// Errors: EUNAUTHORIZED, EFORBIDDEN; EINVALID with Field name, public_key,
// endpoint or practices; ECONFLICT when the form was sent before.
func (s *Systems) Register(ctx context.Context, in NewSystem) (*System, error) {
	a, err := admin(ctx)
	if err != nil {
		return nil, err
	}
	sys, err := in.validate()
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	sys.ID, sys.Enabled, sys.CreatedBy, sys.CreatedAt, sys.UpdatedAt = s.newID(), true, a.UserID, now, now
	if err := s.store.CreateSystem(ctx, sys); err != nil {
		return nil, err
	}
	return sys, nil
}

// Change replaces a system's name, public key, endpoint and practices
// (checked as Register checks them). New practices and a new key apply at
// once; tokens already issued stay valid until they expire. Only
// administrators may. Errors: EUNAUTHORIZED, EFORBIDDEN, ENOTFOUND, and
// EINVALID as Register.
func (s *Systems) Change(ctx context.Context, id string, in NewSystem) (*System, error) {
	a, err := admin(ctx)
	if err != nil {
		return nil, err
	}
	old, err := s.store.FindSystem(ctx, id)
	if err != nil {
		return nil, err
	}
	sys, err := in.validate()
	if err != nil {
		return nil, err
	}
	sys.ID, sys.Enabled, sys.CreatedBy, sys.CreatedAt, sys.UpdatedAt = old.ID, old.Enabled, old.CreatedBy, old.CreatedAt, s.now().UTC()
	if err := s.store.UpdateSystem(ctx, sys, a.UserID); err != nil {
		return nil, err
	}
	return sys, nil
}

// List returns every connected system. Only administrators may.
// Errors: EUNAUTHORIZED, EFORBIDDEN.
func (s *Systems) List(ctx context.Context) ([]System, error) {
	if _, err := admin(ctx); err != nil {
		return nil, err
	}
	return s.store.ListSystems(ctx)
}

// SystemDetail is a connected system with its latest outcome deliveries
// and calls, for its administrators' page.
type SystemDetail struct {
	System
	Deliveries []Delivery
	Calls      []Call
}

// Get returns a connected system with its latest 50 delivery attempts and
// 50 calls. Only administrators may. Errors: EUNAUTHORIZED, EFORBIDDEN,
// ENOTFOUND.
func (s *Systems) Get(ctx context.Context, id string) (*SystemDetail, error) {
	if _, err := admin(ctx); err != nil {
		return nil, err
	}
	sys, err := s.store.FindSystem(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &SystemDetail{System: *sys}
	if d.Deliveries, err = s.store.Deliveries(ctx, id, 50); err != nil {
		return nil, err
	}
	if d.Calls, err = s.store.Calls(ctx, id, 50); err != nil {
		return nil, err
	}
	return d, nil
}

// SetEnabled enables or disables a system. A disabled system's tokens stop
// working at once and it gets no new ones. Only administrators may.
// Errors: EUNAUTHORIZED, EFORBIDDEN, ENOTFOUND.
func (s *Systems) SetEnabled(ctx context.Context, id string, enabled bool) error {
	a, err := admin(ctx)
	if err != nil {
		return err
	}
	return s.store.SetSystemEnabled(ctx, id, enabled, a.UserID, s.now().UTC())
}

// Cleanup forgets expired tokens and assertion ids, and delivery
// attempts older than 90 days; the cleanup job runs it.
func (s *Systems) Cleanup(ctx context.Context, now time.Time) error {
	return s.store.DeleteExpired(ctx, now)
}

func admin(ctx context.Context) (waymark.Actor, error) {
	a := waymark.ActorFrom(ctx)
	if a.Anonymous() {
		return a, waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in to manage connected systems")
	}
	if !a.Has(waymark.RoleAdmin) {
		return a, waymark.Errorf(waymark.EFORBIDDEN, "Only administrators manage connected systems")
	}
	return a, nil
}

// odsPattern is an ODS organisation code: letters and digits, 3 to 10 of
// them (a GP practice's is a letter and five digits, such as C81001).
var odsPattern = regexp.MustCompile(`^[A-Z0-9]{3,10}$`)

// validate checks what the administrator typed and returns the system.
func (in NewSystem) validate() (*System, error) {
	p := &waymark.Problems{}
	sys := &System{}
	var err error
	if sys.Name, err = input.Line("Name", in.Name, 120); err == nil && sys.Name == "" {
		err = waymark.Errorf(waymark.EINVALID, "Enter the system's name")
	}
	p.Check("name", err)
	sys.PublicKey = strings.TrimSpace(strings.ReplaceAll(in.PublicKey, "\r\n", "\n"))
	switch {
	case sys.PublicKey == "":
		p.Add("public_key", "Paste the system's public key (PEM) or its JWKS")
	case len(sys.PublicKey) > 20000:
		p.Add("public_key", "The public key must be 20,000 characters or fewer")
	default:
		if _, err := ParseKeys(sys.PublicKey); err != nil {
			p.Add("public_key", waymark.ErrorMessage(err))
		}
	}
	if sys.Endpoint, err = checkEndpoint(in.Endpoint); err != nil {
		p.Add("endpoint", waymark.ErrorMessage(err))
	}
	seen := map[string]bool{}
	for _, code := range strings.FieldsFunc(strings.ToUpper(in.Practices), func(r rune) bool {
		return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t'
	}) {
		if !odsPattern.MatchString(code) {
			p.Add("practices", fmt.Sprintf("%q is not an ODS code: use letters and digits, like C81001", truncate(code, 20)))
			break
		}
		if !seen[code] {
			seen[code] = true
			sys.Practices = append(sys.Practices, code)
		}
	}
	if len(sys.Practices) == 0 && !p.Has("practices") {
		p.Add("practices", "Enter the ODS code of at least one practice the system acts for")
	}
	if len(sys.Practices) > 500 {
		p.Add("practices", "A system can act for at most 500 practices")
	}
	sort.Strings(sys.Practices)
	if err := p.Err(); err != nil {
		return nil, err
	}
	return sys, nil
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// checkEndpoint returns the normalised outcome endpoint URL: "" for none,
// else an https URL, or http to this machine (localhost) for trials.
func checkEndpoint(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil
	}
	bad := waymark.Errorf(waymark.EINVALID, "Enter the endpoint as a full https address, like https://gp-system.example/fhir/outcomes")
	if len(raw) > 500 {
		return "", bad
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" {
		return "", bad
	}
	switch u.Scheme {
	case "https":
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return "", waymark.Errorf(waymark.EINVALID, "The endpoint must use https (plain http only to localhost, for trials)")
		}
	default:
		return "", bad
	}
	return u.String(), nil
}

// Key is one of a system's public keys, with its key id ("" for a PEM key).
type Key struct {
	ID  string
	Key *rsa.PublicKey
}

// minKeyBits is the smallest RSA key accepted.
const minKeyBits = 2048

// ParseKeys reads a PEM RSA public key (PKIX "PUBLIC KEY", PKCS #1 "RSA
// PUBLIC KEY" or a certificate) or a JWKS document of RSA keys. Errors:
// EINVALID saying what is wrong.
func ParseKeys(text string) ([]Key, error) {
	text = strings.TrimSpace(text)
	var keys []Key
	if strings.HasPrefix(text, "{") {
		var doc struct {
			Keys []struct {
				Kty string `json:"kty"`
				Kid string `json:"kid"`
				Use string `json:"use"`
				N   string `json:"n"`
				E   string `json:"e"`
			} `json:"keys"`
		}
		if err := json.Unmarshal([]byte(text), &doc); err != nil {
			return nil, waymark.Errorf(waymark.EINVALID, "The JWKS is not valid JSON")
		}
		for _, k := range doc.Keys {
			if k.Kty != "RSA" || (k.Use != "" && k.Use != "sig") {
				continue
			}
			n, err1 := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.N, "="))
			e, err2 := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.E, "="))
			if err1 != nil || err2 != nil || len(e) == 0 || len(e) > 4 {
				return nil, waymark.Errorf(waymark.EINVALID, "A key in the JWKS has a badly encoded n or e")
			}
			pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
			keys = append(keys, Key{ID: k.Kid, Key: pub})
		}
		if len(keys) == 0 {
			return nil, waymark.Errorf(waymark.EINVALID, "The JWKS holds no RSA signing key")
		}
	} else {
		block, rest := pem.Decode([]byte(text))
		if block == nil || strings.TrimSpace(string(rest)) != "" {
			return nil, waymark.Errorf(waymark.EINVALID, "Paste one PEM public key, from -----BEGIN PUBLIC KEY----- to -----END PUBLIC KEY-----")
		}
		var pub any
		var err error
		switch block.Type {
		case "PUBLIC KEY":
			pub, err = x509.ParsePKIXPublicKey(block.Bytes)
		case "RSA PUBLIC KEY":
			pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
		case "CERTIFICATE":
			var cert *x509.Certificate
			if cert, err = x509.ParseCertificate(block.Bytes); err == nil {
				pub = cert.PublicKey
			}
		default:
			return nil, waymark.Errorf(waymark.EINVALID, "That is a %s, not a public key: paste the public key only", strings.ToLower(block.Type))
		}
		if err != nil {
			return nil, waymark.Errorf(waymark.EINVALID, "The public key could not be read")
		}
		rsaKey, ok := pub.(*rsa.PublicKey)
		if !ok {
			return nil, waymark.Errorf(waymark.EINVALID, "The key must be an RSA key (assertions are signed RS512)")
		}
		keys = []Key{{Key: rsaKey}}
	}
	for _, k := range keys {
		if k.Key.N.BitLen() < minKeyBits || k.Key.E < 3 {
			return nil, waymark.Errorf(waymark.EINVALID, "The RSA key must be at least %d bits", minKeyBits)
		}
	}
	return keys, nil
}
