// Package fhir is Waymark's FHIR R4 interface for GP clinical systems,
// following the NHS Booking and Referral Standard (BaRS) 1.4.0: the OAuth 2.0
// token endpoint for connected systems, the bearer-token checks, rate limits
// and audit of every call, the CapabilityStatement, the directory as
// HealthcareService resources, referrals as BaRS messages, and the outcome
// messages sent back to a practice's system.
//
// Resources are the R4 structs of github.com/samply/golang-fhir-models.
package fhir

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	models "github.com/samply/golang-fhir-models/fhir-models/fhir"
	"golang.org/x/time/rate"

	"waymark"
)

// Prefix is where the FHIR endpoints are mounted.
const Prefix = "/fhir/R4"

// TokenPath is the OAuth 2.0 token endpoint: a connected system posts its
// signed JWT client assertion here for an access token. Its absolute URL is
// the audience (aud) the assertion must name.
const TokenPath = "/oauth2/token"

// ContentType is the media type of every FHIR body Waymark writes.
const ContentType = "application/fhir+json; charset=utf-8"

// Config is the FHIR interface's configuration.
type Config struct {
	// BaseURL is the public scheme://host of the site
	// (https://waymark.example.org): the token URL the client assertions
	// name as audience, and the base of fullUrls. "" uses the request's
	// host, which is only right in tests and local trials.
	BaseURL string
	// TokenLifetime is how long an access token lasts: 10 minutes when 0.
	TokenLifetime time.Duration
	// Rate is the calls per second each connected system may make, with
	// Burst calls at once: 20 a second and 40 at once when 0.
	Rate  rate.Limit
	Burst int
	// TokenRate is the token requests per second one client address may
	// make, with TokenBurst at once: 1 a second and 20 at once when 0.
	TokenRate  rate.Limit
	TokenBurst int
	// ClientAddr is the address a request came from, to limit token
	// requests per client (the web server's, which knows trusted proxies);
	// the connection's address when nil.
	ClientAddr func(*http.Request) string
	// Messages is how many $process-message referrals are made at once
	// (4 when 0): the others wait their turn. SQLite takes one writer at a
	// time and serves waiting writers in no order, so more only queue in
	// the database; PostgreSQL gains from more.
	Messages int
	// Now is the clock (time.Now when nil).
	Now    func() time.Time
	Logger *slog.Logger
}

// Deps are the services behind the FHIR interface.
type Deps struct {
	// Systems is the registry of connected systems and their tokens.
	Systems *Systems
	// Directory answers HealthcareService searches and reads.
	Directory Directory
	// Referrals makes and reads the referrals of BaRS messages (gp.Service);
	// nil leaves $process-message, ServiceRequest and Task out.
	Referrals Referrals
}

// API serves the FHIR endpoints. Build it with NewAPI.
type API struct {
	cfg    Config
	deps   Deps
	log    *slog.Logger
	now    func() time.Time
	limits *limiters // calls, per system
	tokens *limiters // token requests, per client address
	// messageSlots bounds the messages processed at once (message.go).
	messageSlots chan struct{}
}

// NewAPI returns the FHIR interface. It fails when Systems is missing.
func NewAPI(cfg Config, deps Deps) (*API, error) {
	if deps.Systems == nil {
		return nil, errors.New("fhir: Systems is required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.TokenLifetime <= 0 {
		cfg.TokenLifetime = 10 * time.Minute
	}
	if cfg.Messages <= 0 {
		cfg.Messages = 4
	}
	if cfg.Rate <= 0 {
		cfg.Rate = 20
	}
	if cfg.Burst <= 0 {
		cfg.Burst = 40
	}
	if cfg.TokenRate <= 0 {
		cfg.TokenRate = 1
	}
	if cfg.TokenBurst <= 0 {
		cfg.TokenBurst = 20
	}
	if cfg.ClientAddr == nil {
		cfg.ClientAddr = remoteHost
	}
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	return &API{cfg: cfg, deps: deps, log: cfg.Logger, now: cfg.Now, limits: newLimiters(cfg.Rate, cfg.Burst),
		tokens: newLimiters(cfg.TokenRate, cfg.TokenBurst), messageSlots: make(chan struct{}, cfg.Messages)}, nil
}

// Routes returns the handlers by route pattern, for the web server to
// register with its middleware. Every route but the token endpoint and
// the CapabilityStatement needs a bearer token (a.Auth).
func (a *API) Routes() map[string]http.HandlerFunc {
	m := map[string]http.HandlerFunc{
		"POST " + TokenPath:                         a.handleToken,
		TokenPath:                                   a.handleTokenMethod,
		"GET " + Prefix + "/metadata":               a.handleMetadata,
		"GET " + Prefix + "/HealthcareService":      a.Auth(a.handleHealthcareServices),
		"GET " + Prefix + "/HealthcareService/{id}": a.Auth(a.handleHealthcareService),
		Prefix + "/":                                a.handleUnknown,
	}
	if a.deps.Referrals != nil {
		for pattern, h := range a.messageRoutes() {
			m[pattern] = h
		}
	}
	return m
}

func (a *API) handleUnknown(w http.ResponseWriter, r *http.Request) {
	WriteOutcome(w, http.StatusNotFound, Issue{Code: "not-supported", Error: "REC_NOT_FOUND",
		Diagnostics: "There is no such endpoint or method: " + Prefix + "/metadata lists what this server supports."})
}

// base is the public scheme://host.
func (a *API) base(r *http.Request) string {
	if a.cfg.BaseURL != "" {
		return a.cfg.BaseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// BaRS http-error-codes (https://fhir.nhs.uk/Codesystem/http-error-codes).
const errorCodeSystem = "https://fhir.nhs.uk/Codesystem/http-error-codes"

// Issue is one issue of an OperationOutcome.
type Issue struct {
	// Severity is fatal, error (the default when ""), warning or information.
	Severity string
	// Code is the FHIR issue type: invalid, required, value, security,
	// login, expired, forbidden, not-found, duplicate, throttled,
	// not-supported, exception... ("processing" when "").
	Code string
	// Error is the BaRS http-error-code, such as REC_BAD_REQUEST or
	// SEND_UNAUTHORIZED; "" for none.
	Error string
	// Diagnostics says what is wrong in words.
	Diagnostics string
	// Expression names the elements at fault (FHIRPath).
	Expression []string
}

// Outcome returns the OperationOutcome of the issues.
func Outcome(issues ...Issue) models.OperationOutcome {
	out := models.OperationOutcome{Issue: make([]models.OperationOutcomeIssue, 0, len(issues))}
	for _, is := range issues {
		var oi models.OperationOutcomeIssue
		sev, code := is.Severity, is.Code
		if sev == "" {
			sev = "error"
		}
		if code == "" {
			code = "processing"
		}
		if err := json.Unmarshal([]byte(strconv.Quote(sev)), &oi.Severity); err != nil {
			oi.Severity = models.IssueSeverityError
		}
		if err := json.Unmarshal([]byte(strconv.Quote(code)), &oi.Code); err != nil {
			oi.Code = models.IssueTypeProcessing
		}
		if is.Error != "" {
			oi.Details = &models.CodeableConcept{Coding: []models.Coding{{System: ptr(errorCodeSystem), Code: ptr(is.Error)}}}
		}
		if is.Diagnostics != "" {
			oi.Diagnostics = ptr(is.Diagnostics)
		}
		oi.Expression = is.Expression
		out.Issue = append(out.Issue, oi)
	}
	return out
}

// WriteOutcome answers with an OperationOutcome of the issues.
func WriteOutcome(w http.ResponseWriter, status int, issues ...Issue) {
	writeJSON(w, status, Outcome(issues...))
}

// Fail answers err as an OperationOutcome: 400 for EINVALID (naming the
// field), 404 for ENOTFOUND, 403 for EFORBIDDEN, 401 for EUNAUTHORIZED,
// 409 for ECONFLICT, 503 for EUNAVAILABLE, and a logged 500 for anything
// else.
func (a *API) Fail(w http.ResponseWriter, r *http.Request, err error) {
	msg := waymark.ErrorMessage(err)
	switch waymark.ErrorCode(err) {
	case waymark.EINVALID:
		is := Issue{Code: "invalid", Error: "REC_BAD_REQUEST", Diagnostics: msg}
		var e *waymark.Error
		if errors.As(err, &e) && e.Field != "" {
			is.Expression = []string{e.Field}
		}
		WriteOutcome(w, http.StatusBadRequest, is)
	case waymark.ENOTFOUND:
		WriteOutcome(w, http.StatusNotFound, Issue{Code: "not-found", Error: "REC_NOT_FOUND", Diagnostics: msg})
	case waymark.EFORBIDDEN:
		WriteOutcome(w, http.StatusForbidden, Issue{Code: "forbidden", Error: "REC_FORBIDDEN", Diagnostics: msg})
	case waymark.EUNAUTHORIZED:
		WriteOutcome(w, http.StatusUnauthorized, Issue{Code: "security", Error: "SEND_UNAUTHORIZED", Diagnostics: msg})
	case waymark.ECONFLICT:
		WriteOutcome(w, http.StatusConflict, Issue{Code: "conflict", Error: "REC_CONFLICT", Diagnostics: msg})
	case waymark.EUNAVAILABLE:
		w.Header().Set("Retry-After", "5")
		WriteOutcome(w, http.StatusServiceUnavailable, Issue{Code: "transient", Error: "REC_SERVICE_UNAVAILABLE", Diagnostics: msg})
	default:
		a.log.Error("fhir api error", "route", r.Pattern, "error", err)
		WriteOutcome(w, http.StatusInternalServerError, Issue{Code: "exception", Error: "REC_SERVER_ERROR",
			Diagnostics: "Something went wrong on our side: try again later."})
	}
}

// writeJSON writes a FHIR resource.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"exception"}]}`)
	}
	w.Header().Set("Content-Type", ContentType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b)
}

func ptr[T any](v T) *T { return &v }

// remoteHost is the host of the connection's address.
func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func newUUID() string { return uuid.NewString() }
