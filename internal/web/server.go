// Package web serves Waymark's HTML pages: the public marketplace search,
// service pages, the offline help list, and the operations endpoints. Pages
// use the NHS.UK design system and work without JavaScript.
package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/prometheus/client_golang/prometheus"

	"waymark"
	"waymark/internal/account"
	"waymark/internal/casework"
	"waymark/internal/directory"
	"waymark/internal/email"
	"waymark/internal/fhir"
	"waymark/internal/freshness"
	"waymark/internal/gp"
	"waymark/internal/insights"
	"waymark/internal/media"
	"waymark/internal/onboarding"
	"waymark/internal/oruk"
	"waymark/internal/pcn"
	"waymark/internal/referral"
)

//go:embed templates
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config is the web server's configuration.
type Config struct {
	// TileURL is a map tile URL template ({z}/{x}/{y}); empty for no map tiles.
	TileURL string
	// Secure is true when the site is served over HTTPS (here or by a
	// proxy in front); it turns on HSTS.
	Secure bool
	// MetricsToken, when set, is the bearer token /metrics asks for.
	MetricsToken string
	// HideMetrics leaves /metrics off the site: it is served on an address
	// of its own (MetricsHandler), or not at all.
	HideMetrics bool
	// Attribution lines shown in the footer for the postcode data.
	Attribution []string
	// Dev turns on development pages (the email outbox at /dev/mail).
	Dev bool
	// Operator is who runs the site: named on the privacy, accessibility and
	// contact pages, with their support address in the footer.
	Operator Operator
	// TrustedProxyHeader names the header in which a proxy in front of the
	// site gives the client's address (X-Forwarded-For, X-Real-IP); ""
	// to count clients by the connection's address. It is read only on
	// connections from TrustedProxies.
	TrustedProxyHeader string
	// TrustedProxies are the proxies' networks.
	TrustedProxies []netip.Prefix
	// PublicURL is the site's address (scheme://host), for the short links
	// pages show to share and the FHIR addresses shown to administrators
	// (never the request's Host header); "" shows them as paths.
	PublicURL string
}

// Deps are the services the web server uses.
type Deps struct {
	Directory *directory.Directory
	// Ready reports whether the database answers.
	Ready    func(context.Context) error
	Logger   *slog.Logger
	Registry *prometheus.Registry
	Now      func() time.Time
	// API holds other handlers to serve by route pattern, such as the Open
	// Referral UK API, so they share the middleware and metrics.
	API map[string]http.HandlerFunc
	// Accounts, Sessions and Outbox turn on accounts: registering, signing
	// in and out, and resetting passwords. All three or none.
	Accounts *account.Service
	Sessions *scs.SessionManager
	Outbox   *email.Outbox
	// Lifecycle manages listings (providers' and moderators' pages); it needs
	// accounts.
	Lifecycle *directory.Lifecycle
	// Reports handles "report something wrong"; it needs Lifecycle.
	Reports *directory.Reports
	// Revisions is providers' changes to live listings and their review;
	// it needs Lifecycle.
	Revisions *directory.Revisions
	// Images takes uploaded images (served at /media/{id}).
	Images *media.Images
	// Feeds lets moderators import other directories' (Open Referral UK)
	// feeds; imports run in the background: the form queues one and shows
	// its page.
	Feeds *oruk.Runs
	// Referrals turns on referrals: self-referral, professionals'
	// referrals, the providers' inbox and referral forms. It needs
	// accounts.
	Referrals *referral.Referrals
	// Checks is the moderators' queue of listings without a website due a
	// manual check; it needs accounts.
	Checks *freshness.ManualChecks
	// Sleep waits d or until ctx ends; it slows down sign-ins to an account
	// under attack. Tests record the waits instead.
	Sleep func(ctx context.Context, d time.Duration)
	// Onboarding turns on bulk onboarding: administrators and moderators
	// import spreadsheets at /admin/import and providers claim entries at
	// /claim/{id}. It needs accounts.
	Onboarding *onboarding.Service
	// Requests takes the public's requests to add a service (no account
	// needed) into the moderators' queue; it needs accounts.
	Requests *directory.ServiceRequests
	// Casework turns on case management for social prescribing teams at
	// /casework and the administrators' team and audit pages. It needs
	// accounts.
	Casework *casework.Service
	// Insights turns on the dashboards at /insights for commissioners,
	// team leads, providers and the platform team. It needs accounts.
	Insights *insights.Insights
	// GP turns on the practice web app at /practice (GP and practice staff
	// accounts) and providers' GP pathway settings. It needs accounts.
	GP *gp.Service
	// FormTokens makes the forms that create something (referrals, new
	// listings, reports, messages) safe to send twice.
	FormTokens FormTokens
	// Systems turns on the administrators' pages of connected clinical
	// systems (the FHIR interface's clients) at /admin/systems. It needs
	// accounts.
	Systems *fhir.Systems
	// PCNs turns on the administrators' pages of primary care networks at
	// /admin/pcns, and choosing a commissioner's network when inviting
	// them. It needs accounts.
	PCNs *pcn.Service
}

// Server serves the pages. Build it with New.
type Server struct {
	cfg         Config
	deps        Deps
	log         *slog.Logger
	pages       map[string]*template.Template
	mux         *http.ServeMux
	metrics     *metrics
	tileSource  string // the CSP source of the map tiles, "" for none
	staticFS    fs.FS
	fingerprint string // of the static files, in their addresses
	limits      rateLimits
	signIns     signInLimits
	routeAccess []routeRule // who may use each route registered with route
	patterns    []string    // every route pattern, in the order registered
	uploads     busy        // users with a spreadsheet upload under way
}

// NewServer checks the configuration, parses the templates and registers the
// routes. It fails when a required dependency is missing, when TileURL is not
// an https URL template, or when the embedded templates do not parse.
func NewServer(cfg Config, deps Deps) (*Server, error) {
	if deps.Directory == nil || deps.Logger == nil || deps.Registry == nil || deps.Ready == nil {
		return nil, errors.New("web: Directory, Ready, Logger and Registry are required")
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if cfg.Operator.Name == "" {
		cfg.Operator.Name = "The Waymark team"
	}
	if cfg.Operator.Email == "" {
		cfg.Operator.Email = "support@waymark.example"
	}
	if deps.Sleep == nil {
		deps.Sleep = sleep
	}
	if (cfg.TrustedProxyHeader == "") != (len(cfg.TrustedProxies) == 0) {
		return nil, errors.New("web: TrustedProxyHeader and TrustedProxies go together")
	}
	if (deps.Accounts == nil) != (deps.Sessions == nil) || (deps.Accounts == nil) != (deps.Outbox == nil) {
		return nil, errors.New("web: Accounts, Sessions and Outbox go together")
	}
	s := &Server{cfg: cfg, deps: deps, log: deps.Logger, mux: http.NewServeMux()}
	var err error
	if s.tileSource, err = tileSource(cfg.TileURL); err != nil {
		return nil, err
	}
	if s.staticFS, err = fs.Sub(staticFS, "static"); err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	if s.fingerprint, err = fingerprint(s.staticFS); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	if s.pages, err = parseTemplates(s.templateFuncs()); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	if s.metrics, err = newMetrics(deps.Registry); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	s.routes()
	return s, nil
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// tileSource returns the Content-Security-Policy source that allows the map
// tiles of a tile URL template: its scheme and host, with a wildcard for a
// {s} subdomain ("https://*.tile.example").
func tileSource(tileURL string) (string, error) {
	if tileURL == "" {
		return "", nil
	}
	bad := fmt.Errorf("web: TileURL must be an https URL template like https://tile.example/{z}/{x}/{y}.png: %q", tileURL)
	u, err := url.Parse(strings.NewReplacer("{z}", "0", "{x}", "0", "{y}", "0", "{r}", "", "{s}", "s9").Replace(tileURL))
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		return "", bad
	}
	host := u.Host
	if strings.Contains(host, "s9") {
		first, rest, ok := strings.Cut(host, ".")
		if !ok || first != "s9" || !strings.Contains(rest, ".") {
			return "", bad
		}
		host = "*." + rest
	}
	return "https://" + host, nil
}

// Handler returns the server's handler with every middleware applied.
func (s *Server) Handler() http.Handler {
	var h http.Handler = s.mux
	if s.deps.Sessions != nil {
		h = s.withActor(h)
		h = s.deps.Sessions.LoadAndSave(h)
	}
	h = s.checkInput(h)
	h = http.NewCrossOriginProtection().Handler(h)
	h = s.withClientAddr(h)
	h = s.limitBody(h)
	h = s.recover(h)
	h = s.securityHeaders(h)
	return h
}

// handle registers a handler for a pattern, with metrics and logging by the
// pattern (never the raw path or query, which may hold a postcode).
func (s *Server) handle(pattern string, h http.HandlerFunc) {
	s.patterns = append(s.patterns, pattern)
	s.mux.Handle(pattern, s.observe(pattern, h))
}

// page is what every page's view has.
type page struct {
	Title       string
	Attribution []string
	Support     string // the operator's support email address, for the footer
	TileURL     string
	Path        string       // of the request, to mark the current navigation item
	Breadcrumbs []link       // above the main content, none on the home page
	NoIndex     bool         // asks search engines not to index the page
	Errors      []fieldError // for the error summary
	UserName    string       // of the signed-in user, "" when signed out
	Accounts    bool         // accounts are on: show sign-in links
	Referrals   bool         // the user has referrals: show the referrals link
	Practice    bool         // the user belongs to a GP practice: show the practice app's link
	AddService  bool         // show the "Add your service" link
	Insights    bool         // the user is a commissioner: show the insights link
	// Home is the signed-in user's pages by role (their account page lists
	// them); nil when signed out.
	Home []homeSection
}

// crumbs returns breadcrumbs starting from the home page.
func crumbs(more ...link) []link {
	return append([]link{{Href: "/", Text: "Home"}}, more...)
}

// fieldError is one message about a form field: in the error summary,
// linked to the field, and above the field, with the id "<field>-error" its
// aria-describedby names.
type fieldError struct {
	Field   string
	Message string
}

// ID is the field's id, for the message's id.
func (e fieldError) ID() string { return e.Field }

// Anchor is the id the error summary links to: the field's, or for a group
// of radios the first radio's.
func (e fieldError) Anchor() string {
	if e.Field == "referral" {
		return "referral-0"
	}
	return e.Field
}

func (s *Server) page(r *http.Request, title string) page {
	a := waymark.ActorFrom(r.Context())
	p := page{Title: title, Attribution: s.cfg.Attribution, Support: s.cfg.Operator.Email, TileURL: s.cfg.TileURL, Path: r.URL.Path,
		UserName: userName(r.Context()), Accounts: s.deps.Accounts != nil,
		Referrals: s.deps.Referrals != nil && (a.Has(waymark.RoleProvider) || a.Has(waymark.RoleLinkWorker) || a.Has(waymark.RoleGP))}
	if !a.Anonymous() {
		p.Home = s.homeSections(a)
	}
	p.Practice = s.deps.GP != nil && len(a.Practices) > 0 && (a.Has(waymark.RoleGP) || a.Has(waymark.RolePracticeStaff))
	p.Insights = s.deps.Insights != nil && a.Has(waymark.RoleCommissioner)
	p.AddService = s.deps.Requests != nil && s.deps.Accounts != nil && len(a.Roles) == 0
	return p
}

// render writes a page with a status.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, view any) {
	t, ok := s.pages[name]
	if !ok {
		s.serverError(w, r, fmt.Errorf("no template %q", name))
		return
	}
	var buf strings.Builder
	if err := t.ExecuteTemplate(&buf, "layout", view); err != nil {
		s.serverError(w, r, fmt.Errorf("render %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	fmt.Fprint(w, buf.String())
}

// errorView is the view of an error page.
type errorView struct {
	page
	Heading string
	Message string
}

// renderError shows an error page for err: 404 for ENOTFOUND, 400 for
// EINVALID, 500 (logged) for anything else.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	switch waymark.ErrorCode(err) {
	case waymark.ENOTFOUND:
		s.notFound(w, r)
	case waymark.EINVALID, waymark.ECONFLICT:
		status := http.StatusBadRequest
		if waymark.ErrorCode(err) == waymark.ECONFLICT {
			status = http.StatusConflict
		}
		v := errorView{page: s.page(r, "There is a problem"), Heading: "There is a problem", Message: waymark.ErrorMessage(err)}
		s.render(w, r, status, "error", v)
	case waymark.EFORBIDDEN:
		v := errorView{page: s.page(r, "You cannot do this"), Heading: "You cannot do this", Message: waymark.ErrorMessage(err)}
		s.render(w, r, http.StatusForbidden, "error", v)
	case waymark.EUNAUTHORIZED:
		http.Redirect(w, r, "/sign-in?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
	case waymark.EUNAVAILABLE:
		w.Header().Set("Retry-After", "5")
		v := errorView{page: s.page(r, "The service is busy"), Heading: "The service is busy", Message: waymark.ErrorMessage(err)}
		s.render(w, r, http.StatusServiceUnavailable, "error", v)
	default:
		s.serverError(w, r, err)
	}
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	v := errorView{page: s.page(r, "Page not found"), Heading: "Page not found",
		Message: "If you typed the web address, check it is correct. If you pasted the web address, check you copied the entire address."}
	s.render(w, r, http.StatusNotFound, "error", v)
}

func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("internal error", "method", r.Method, "route", r.Pattern, "error", err)
	v := errorView{page: s.page(r, "Sorry, there is a problem with the service"), Heading: "Sorry, there is a problem with the service",
		Message: "Try again later. If you need help now, call one of the organisations on our help without the internet page."}
	t := s.pages["error"]
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusInternalServerError)
	if t != nil {
		t.ExecuteTemplate(w, "layout", v)
	}
}
