package fhir

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/time/rate"

	"waymark"
)

// The OAuth 2.0 client credentials grant with a JWT client assertion
// (RFC 7523), as NHS APIs use it.
const (
	GrantType     = "client_credentials"
	AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	// SigningMethod is the only algorithm accepted for client assertions.
	SigningMethod = "RS512"
	// MaxAssertionLifetime is how far ahead an assertion's exp may be.
	MaxAssertionLifetime = 5 * time.Minute
)

// clockSkew is how far a client's clock may be behind or ahead of ours.
const clockSkew = 30 * time.Second

// AccessToken is an access token issued to a connected system.
type AccessToken struct {
	Token    string
	SystemID string
	Expires  time.Time
}

// tokenError is a refusal of the token endpoint (RFC 6749 section 5.2).
type tokenError struct {
	Status      int
	Code        string // invalid_request, invalid_client, unsupported_grant_type
	Description string
}

func (e *tokenError) Error() string { return e.Code + ": " + e.Description }

func invalidClient(desc string) *tokenError {
	return &tokenError{Status: http.StatusUnauthorized, Code: "invalid_client", Description: desc}
}

// Exchange checks a client assertion and issues an access token lasting
// lifetime. The assertion must be a JWT signed RS512 with a key of an
// enabled system, whose iss and sub are the system's id (clientID too when
// given), whose aud is the token URL (audience), which expires within
// MaxAssertionLifetime, and whose jti the system has not used before. It
// returns the id of the system the assertion named, when there is one,
// also on failure, so that the refusal can be audited.
func (s *Systems) Exchange(ctx context.Context, assertion, clientID, audience string, lifetime time.Duration) (*AccessToken, string, error) {
	now := s.now().UTC()
	var sys *System
	var lookupErr error
	keyfunc := func(t *jwt.Token) (any, error) {
		claims := t.Claims.(*jwt.RegisteredClaims)
		if !plainText(claims.Issuer, 100) {
			return nil, invalidClient("The assertion's issuer (iss) must be your client id")
		}
		sys, lookupErr = s.store.FindSystem(ctx, claims.Issuer)
		if lookupErr != nil {
			return nil, lookupErr
		}
		keys, err := ParseKeys(sys.PublicKey)
		if err != nil {
			return nil, err
		}
		kid, _ := t.Header["kid"].(string)
		var set jwt.VerificationKeySet
		for _, k := range keys {
			if kid == "" || k.ID == "" || k.ID == kid {
				set.Keys = append(set.Keys, k.Key)
			}
		}
		if len(set.Keys) == 0 {
			return nil, invalidClient("No registered key has the assertion's key id (kid)")
		}
		return set, nil
	}
	var claims jwt.RegisteredClaims
	_, err := jwt.ParseWithClaims(assertion, &claims, keyfunc,
		jwt.WithValidMethods([]string{SigningMethod}), jwt.WithAudience(audience), jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(func() time.Time { return now }), jwt.WithLeeway(clockSkew))
	systemID := ""
	if sys != nil {
		systemID = sys.ID
	}
	if lookupErr != nil {
		if waymark.ErrorCode(lookupErr) == waymark.ENOTFOUND {
			return nil, "", invalidClient("There is no connected system with this client id (iss)")
		}
		return nil, "", lookupErr
	}
	if err != nil {
		return nil, systemID, assertionError(err)
	}
	switch {
	case !sys.Enabled:
		return nil, systemID, invalidClient("This connected system is disabled: ask the Waymark administrators")
	case claims.Subject != claims.Issuer:
		return nil, systemID, invalidClient("The assertion's sub must equal its iss (your client id)")
	case clientID != "" && clientID != claims.Issuer:
		return nil, systemID, invalidClient("client_id does not match the assertion's iss")
	case claims.ExpiresAt.Time.After(now.Add(MaxAssertionLifetime + clockSkew)):
		return nil, systemID, invalidClient("The assertion's exp must be at most 5 minutes ahead")
	case !plainText(claims.ID, 200):
		return nil, systemID, invalidClient("The assertion needs a unique jti (at most 200 characters, no control characters)")
	}
	if err := s.store.UseAssertion(ctx, sys.ID, claims.ID, claims.ExpiresAt.Time.Add(clockSkew)); err != nil {
		if waymark.ErrorCode(err) == waymark.ECONFLICT {
			return nil, systemID, invalidClient("This assertion's jti was used before: sign a new assertion with a new jti")
		}
		return nil, systemID, err
	}
	tok := &AccessToken{Token: randomToken(), SystemID: sys.ID, Expires: now.Add(lifetime)}
	if err := s.store.CreateToken(ctx, hashToken(tok.Token), sys.ID, tok.Expires); err != nil {
		return nil, systemID, err
	}
	return tok, systemID, nil
}

// plainText reports whether s is 1 to max bytes of UTF-8 without control
// characters, fit to look up and store (PostgreSQL refuses a NUL).
func plainText(s string, max int) bool {
	if s == "" || len(s) > max || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// assertionError says why jwt refused an assertion.
func assertionError(err error) error {
	var te *tokenError
	switch {
	case errors.As(err, &te):
		return te
	case waymark.ErrorCode(err) == waymark.EINVALID:
		return invalidClient("The system's registered key cannot be used: " + waymark.ErrorMessage(err))
	case errors.Is(err, jwt.ErrTokenMalformed):
		return &tokenError{Status: http.StatusBadRequest, Code: "invalid_request", Description: "client_assertion is not a JWT"}
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return invalidClient("The assertion's signature does not match the system's registered key, or it is not signed " + SigningMethod)
	case errors.Is(err, jwt.ErrTokenExpired):
		return invalidClient("The assertion has expired")
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return invalidClient("The assertion needs an exp")
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return invalidClient("The assertion's aud must be this token endpoint's URL")
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return invalidClient("The assertion is not valid yet")
	}
	return invalidClient("The assertion is not valid")
}

// Authenticate returns the enabled system an unexpired access token was
// issued to. Errors: ENOTFOUND for an unknown, expired or revoked token.
func (s *Systems) Authenticate(ctx context.Context, token string) (*System, error) {
	if token == "" || len(token) > 200 {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "No such access token")
	}
	return s.store.TokenSystem(ctx, hashToken(token), s.now().UTC())
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashToken is how a token is kept: only its hash is stored.
func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

// TokenURL is the token endpoint's absolute URL, the audience client
// assertions must name.
func (a *API) TokenURL(r *http.Request) string { return a.base(r) + TokenPath }

// handleToken is the OAuth 2.0 token endpoint.
func (a *API) handleToken(w http.ResponseWriter, r *http.Request) {
	if !a.tokens.allow(a.cfg.ClientAddr(r), a.now()) {
		w.Header().Set("Retry-After", "1")
		writeTokenError(w, &tokenError{http.StatusTooManyRequests, "invalid_request", "Too many token requests from this address: a token lasts minutes, reuse it"})
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		writeTokenError(w, &tokenError{http.StatusBadRequest, "invalid_request", "Send the request as application/x-www-form-urlencoded"})
		return
	}
	if err := r.ParseForm(); err != nil {
		writeTokenError(w, &tokenError{http.StatusBadRequest, "invalid_request", "The form could not be read"})
		return
	}
	f := r.PostForm
	switch {
	case f.Get("grant_type") != GrantType:
		writeTokenError(w, &tokenError{http.StatusBadRequest, "unsupported_grant_type", "grant_type must be " + GrantType})
		return
	case f.Get("client_assertion_type") != AssertionType:
		writeTokenError(w, &tokenError{http.StatusBadRequest, "invalid_request", "client_assertion_type must be " + AssertionType})
		return
	case f.Get("client_assertion") == "":
		writeTokenError(w, &tokenError{http.StatusBadRequest, "invalid_request", "client_assertion is missing: a JWT signed " + SigningMethod})
		return
	}
	tok, systemID, err := a.deps.Systems.Exchange(r.Context(), f.Get("client_assertion"), f.Get("client_id"), a.TokenURL(r), a.cfg.TokenLifetime)
	var te *tokenError
	switch {
	case err == nil:
		a.audit(r, systemID, http.StatusOK)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Pragma", "no-cache")
		json.NewEncoder(w).Encode(map[string]any{"access_token": tok.Token, "token_type": "Bearer",
			"expires_in": int(tok.Expires.Sub(a.now()).Round(time.Second).Seconds())})
	case errors.As(err, &te):
		if systemID != "" {
			a.audit(r, systemID, te.Status)
		}
		writeTokenError(w, te)
	default:
		a.log.Error("fhir token", "error", err)
		writeTokenError(w, &tokenError{http.StatusInternalServerError, "server_error", "Something went wrong on our side: try again later"})
	}
}

func (a *API) handleTokenMethod(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Allow", "POST")
	writeTokenError(w, &tokenError{http.StatusMethodNotAllowed, "invalid_request", "Use POST"})
}

func writeTokenError(w http.ResponseWriter, e *tokenError) {
	WriteTokenError(w, e.Status, e.Code, e.Description)
}

// WriteTokenError answers a token request with an OAuth 2.0 error (RFC 6749
// section 5.2), such as invalid_request or invalid_client.
func WriteTokenError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_client"`)
	}
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": description})
}

type systemKey struct{}

// SystemFrom returns the id of the connected system calling, when the
// request came through Auth.
func SystemFrom(ctx context.Context) (systemID string, ok bool) {
	systemID, ok = ctx.Value(systemKey{}).(string)
	return systemID, ok
}

// Actor is the actor a connected system acts as.
func (s *System) Actor() waymark.Actor {
	return waymark.Actor{UserID: "system:" + s.ID, Roles: []waymark.Role{waymark.RoleGPSystem}, Practices: append([]string(nil), s.Practices...)}
}

// Auth wraps a FHIR handler: it checks the bearer token (401 with an
// OperationOutcome when it is missing, expired, revoked or forged), rate
// limits each system (429), puts the system into the request's context as
// its Actor (and SystemFrom), and audits the call with its status.
func (a *API) Auth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || strings.TrimSpace(token) == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="waymark"`)
			WriteOutcome(w, http.StatusUnauthorized, Issue{Code: "login", Error: "SEND_UNAUTHORIZED",
				Diagnostics: "No access token was provided: get one at " + a.TokenURL(r) + " and send it as Authorization: Bearer."})
			return
		}
		sys, err := a.deps.Systems.Authenticate(r.Context(), strings.TrimSpace(token))
		if err != nil {
			if waymark.ErrorCode(err) != waymark.ENOTFOUND {
				a.Fail(w, r, err)
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="waymark", error="invalid_token"`)
			WriteOutcome(w, http.StatusUnauthorized, Issue{Code: "expired", Error: "SEND_UNAUTHORIZED",
				Diagnostics: "The access token has expired or is not valid: get a new one at " + a.TokenURL(r) + "."})
			return
		}
		if !a.limits.allow(sys.ID, a.now()) {
			a.audit(r, sys.ID, http.StatusTooManyRequests)
			w.Header().Set("Retry-After", "1")
			WriteOutcome(w, http.StatusTooManyRequests, Issue{Code: "throttled", Error: "SEND_TOO_MANY_REQUESTS",
				Diagnostics: "Too many requests from this system: slow down and try again in a second."})
			return
		}
		ctx := waymark.WithActor(r.Context(), sys.Actor())
		ctx = context.WithValue(ctx, systemKey{}, sys.ID)
		sw := &statusWriter{ResponseWriter: w}
		h(sw, r.WithContext(ctx))
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		a.audit(r, sys.ID, sw.status)
	}
}

// audit records a call of a system; a failure is logged (the answer has
// gone by then).
func (a *API) audit(r *http.Request, systemID string, status int) {
	route := r.Pattern
	if route == "" {
		route = r.Method
	}
	c := Call{SystemID: systemID, Route: route, Status: status, At: a.now().UTC()}
	if err := a.deps.Systems.store.AuditCall(context.WithoutCancel(r.Context()), c); err != nil {
		a.log.Error("fhir audit", "route", route, "error", err)
	}
}

// statusWriter records the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// limiters holds a token bucket per key: per connected system for calls,
// per client address for token requests.
type limiters struct {
	mu    sync.Mutex
	rate  rate.Limit
	burst int
	by    map[string]*rate.Limiter
}

func newLimiters(r rate.Limit, burst int) *limiters {
	return &limiters{rate: r, burst: burst, by: map[string]*rate.Limiter{}}
}

// maxBuckets bounds the buckets kept: past it they all start afresh, which
// at worst lets each key a burst more.
const maxBuckets = 10000

// allow reports whether key (a system, a client address) may go on now.
func (l *limiters) allow(key string, now time.Time) bool {
	l.mu.Lock()
	lim, ok := l.by[key]
	if !ok {
		if len(l.by) >= maxBuckets {
			l.by = map[string]*rate.Limiter{}
		}
		lim = rate.NewLimiter(l.rate, l.burst)
		l.by[key] = lim
	}
	l.mu.Unlock()
	return lim.AllowN(now, 1)
}
