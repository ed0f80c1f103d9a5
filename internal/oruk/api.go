package oruk

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/input"
	"waymark/internal/postcode"
)

// Paging limits. per_page is capped so one request stays cheap.
const (
	DefaultPerPage = 50
	MaxPerPage     = 100
	maxPage        = 1_000_000
	// DefaultProximity is used when a postcode is given without a distance.
	DefaultProximity = 16_093 // metres, 10 miles
	maxProximity     = 200_000
)

// Version and Profile are what GET / declares, so the ORUK validator picks
// the 3.0 specification.
const (
	Version = "HSDS-UK-3.0"
	Profile = "https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md"
)

//go:embed openapi.json
var openAPI []byte

// Store is the directory data the API reads.
type Store interface {
	ListPublicServiceIDs(ctx context.Context, f directory.ListFilter) ([]string, int, error)
	FindServices(ctx context.Context, ids []string, full bool) (map[string]*directory.Service, error)
	ListTaxonomies(ctx context.Context, offset, limit int) ([]directory.Taxonomy, int, error)
	FindTaxonomy(ctx context.Context, id string) (*directory.Taxonomy, []directory.TaxonomyTerm, error)
	ListTaxonomyTerms(ctx context.Context, offset, limit int) ([]directory.TaxonomyTerm, int, error)
	FindTaxonomyTerm(ctx context.Context, id string) (*directory.TaxonomyTerm, error)
	ListServiceAtLocations(ctx context.Context, f directory.ListFilter) ([]directory.ServiceAtLocation, int, error)
	FindServiceAtLocation(ctx context.Context, id string) (*directory.ServiceAtLocation, error)
}

// API serves the Open Referral UK endpoints.
type API struct {
	store   Store
	geo     directory.Geocoder
	log     *slog.Logger
	baseURL string // scheme://host of the public site, "" to use the request's
}

// NewAPI returns the API. baseURL, when set, is the public address used for
// absolute URLs (e.g. https://waymark.example.org).
func NewAPI(store Store, geo directory.Geocoder, logger *slog.Logger, baseURL string) *API {
	return &API{store: store, geo: geo, log: logger, baseURL: strings.TrimSuffix(baseURL, "/")}
}

// Prefix is where the API is mounted.
const Prefix = "/api/oruk"

// Routes returns the API's handlers by route pattern, for the web server to
// register with its middleware.
func (a *API) Routes() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"GET " + Prefix + "/{$}":                       a.cors(a.handleRoot),
		"GET " + Prefix:                                a.cors(a.handleRoot),
		"GET " + Prefix + "/openapi.json":              a.cors(a.handleOpenAPI),
		"GET " + Prefix + "/services":                  a.cors(a.handleServices),
		"GET " + Prefix + "/services/{id}":             a.cors(a.handleService),
		"GET " + Prefix + "/taxonomies":                a.cors(a.handleTaxonomies),
		"GET " + Prefix + "/taxonomies/{id}":           a.cors(a.handleTaxonomy),
		"GET " + Prefix + "/taxonomy_terms":            a.cors(a.handleTaxonomyTerms),
		"GET " + Prefix + "/taxonomy_terms/{id}":       a.cors(a.handleTaxonomyTerm),
		"GET " + Prefix + "/service_at_locations":      a.cors(a.handleServiceAtLocations),
		"GET " + Prefix + "/service_at_locations/{id}": a.cors(a.handleServiceAtLocation),
		"OPTIONS " + Prefix + "/":                      a.cors(a.handlePreflight),
		Prefix + "/":                                   a.cors(a.handleUnknown),
	}
}

func (a *API) cors(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Cache-Control", "public, max-age=60")
		h(w, r)
	}
}

func (a *API) handlePreflight(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Methods", "GET, OPTIONS")
	w.Header().Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) handleUnknown(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, OPTIONS")
		a.problem(w, r, http.StatusMethodNotAllowed, "Method not allowed", "This API is read-only: use GET.", nil)
		return
	}
	a.problem(w, r, http.StatusNotFound, "Not found", "There is no such endpoint. See "+a.base(r)+Prefix+"/openapi.json", nil)
}

func (a *API) base(r *http.Request) string {
	if a.baseURL != "" {
		return a.baseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (a *API) handleRoot(w http.ResponseWriter, r *http.Request) {
	a.json(w, APIDetails{Version: Version, Profile: Profile, OpenAPIURL: a.base(r) + Prefix + "/openapi.json",
		Description: "Waymark community directory: social prescribing services, in the Open Referral UK format."})
}

func (a *API) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPI)
}

// InvalidParam is one bad query parameter in a problem body.
type InvalidParam struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// problem writes an RFC 9457 problem details body.
func (a *API) problem(w http.ResponseWriter, r *http.Request, status int, title, detail string, params []InvalidParam) {
	WriteProblem(w, r, status, title, detail, params)
}

// WriteProblem writes an RFC 9457 problem details body for a request to the
// API, naming the bad parameters when there are any.
func WriteProblem(w http.ResponseWriter, r *http.Request, status int, title, detail string, params []InvalidParam) {
	body := struct {
		Type          string         `json:"type"`
		Title         string         `json:"title"`
		Status        int            `json:"status"`
		Detail        string         `json:"detail,omitempty"`
		Instance      string         `json:"instance,omitempty"`
		InvalidParams []InvalidParam `json:"invalid_params,omitempty"`
	}{"about:blank", title, status, detail, r.URL.Path, params}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

// fail writes the problem for err: 404 for ENOTFOUND, 400 for EINVALID, and a
// logged 500 for anything else.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch waymark.ErrorCode(err) {
	case waymark.ENOTFOUND:
		a.problem(w, r, http.StatusNotFound, "Not found", waymark.ErrorMessage(err), nil)
	case waymark.EINVALID:
		var params []InvalidParam
		var e *waymark.Error
		if asError(err, &e) && e.Field != "" {
			params = []InvalidParam{{Name: e.Field, Reason: e.Message}}
		}
		a.problem(w, r, http.StatusBadRequest, "Invalid request", waymark.ErrorMessage(err), params)
	default:
		a.log.Error("oruk api error", "route", r.Pattern, "error", err)
		a.problem(w, r, http.StatusInternalServerError, "Internal error", "Something went wrong on our side.", nil)
	}
}

func (a *API) json(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encoding error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

// paging is a validated page request.
type paging struct {
	page, perPage int
}

func (p paging) offset() int { return (p.page - 1) * p.perPage }

// params reads and checks query parameters, collecting every problem.
type params struct {
	v    url.Values
	errs []InvalidParam
}

func (p *params) bad(name, reason string) { p.errs = append(p.errs, InvalidParam{name, reason}) }

func (p *params) int(name string, def, min, max int) int {
	s := p.v.Get(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < min || n > max {
		p.bad(name, "must be a whole number from "+strconv.Itoa(min)+" to "+strconv.Itoa(max))
		return def
	}
	return n
}

func (p *params) optInt(name string, min, max int) *int {
	if p.v.Get(name) == "" {
		return nil
	}
	n := p.int(name, -1, min, max)
	if n < 0 {
		return nil
	}
	return &n
}

func (p *params) uuid(name string) string {
	s := p.v.Get(name)
	if s == "" {
		return ""
	}
	if !validUUID(s) {
		p.bad(name, "must be a UUID")
		return ""
	}
	return strings.ToLower(s)
}

func (p *params) paging() paging {
	return paging{page: p.int("page", 1, 1, maxPage), perPage: p.int("per_page", DefaultPerPage, 1, MaxPerPage)}
}

var days = map[string]string{"mo": "MO", "monday": "MO", "tu": "TU", "tuesday": "TU", "we": "WE", "wednesday": "WE",
	"th": "TH", "thursday": "TH", "fr": "FR", "friday": "FR", "sa": "SA", "saturday": "SA", "su": "SU", "sunday": "SU"}

func (p *params) time(name string) string {
	s := p.v.Get(name)
	if s == "" {
		return ""
	}
	if len(s) == 8 && s[5] == ':' { // HH:MM:SS
		s = s[:5]
	}
	if len(s) != 5 || s[2] != ':' {
		p.bad(name, "must be a time like 09:30")
		return ""
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || h > 23 || m > 59 || h < 0 || m < 0 {
		p.bad(name, "must be a time like 09:30")
		return ""
	}
	return s
}

// filter reads the service filters shared by /services and /service_at_locations.
func (a *API) filter(p *params) directory.ListFilter {
	var f directory.ListFilter
	if s := p.v.Get("search"); s != "" {
		if text, err := input.Line("search", s, directory.MaxQueryLength); err != nil {
			p.bad("search", "must be text of "+strconv.Itoa(directory.MaxQueryLength)+" characters or fewer")
		} else {
			f.Text = text
		}
	}
	f.TaxonomyTermID = p.uuid("taxonomy_term_id")
	f.TaxonomyID = p.uuid("taxonomy_id")
	f.MinimumAge = p.optInt("minimum_age", 0, 150)
	f.MaximumAge = p.optInt("maximum_age", 0, 150)
	if d := p.v.Get("day"); d != "" {
		if code, ok := days[strings.ToLower(d)]; ok {
			f.Day = code
		} else {
			p.bad("day", "must be a day of the week, like MO or monday")
		}
	}
	f.StartTime = p.time("start_time")
	f.EndTime = p.time("end_time")
	return f
}

func pageOf[T any](items []T, total int, pg paging) Page[T] {
	if items == nil {
		items = []T{}
	}
	pages := int(math.Ceil(float64(total) / float64(pg.perPage)))
	return Page[T]{TotalItems: total, TotalPages: pages, PageNumber: pg.page, Size: len(items),
		FirstPage: pg.page == 1, LastPage: pg.page >= pages, Empty: len(items) == 0, Contents: items}
}

func (a *API) handleServices(w http.ResponseWriter, r *http.Request) {
	p := &params{v: r.URL.Query()}
	pg := p.paging()
	f := a.filter(p)
	if len(p.errs) > 0 {
		a.problem(w, r, http.StatusBadRequest, "Invalid query parameters", "Some query parameters are not valid.", p.errs)
		return
	}
	f.Offset, f.Limit = pg.offset(), pg.perPage
	ids, total, err := a.store.ListPublicServiceIDs(r.Context(), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	m, err := a.store.FindServices(r.Context(), ids, false)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := make([]Service, 0, len(ids))
	for _, id := range ids {
		if s, ok := m[id]; ok {
			items = append(items, listItem(s))
		}
	}
	a.json(w, pageOf(items, total, pg))
}

func (a *API) taxonomyNames(ctx context.Context) (map[string]directory.Taxonomy, error) {
	list, _, err := a.store.ListTaxonomies(ctx, 0, 1000)
	if err != nil {
		return nil, err
	}
	out := make(map[string]directory.Taxonomy, len(list))
	for _, t := range list {
		out[t.ID] = t
	}
	return out, nil
}

func (a *API) handleService(w http.ResponseWriter, r *http.Request) {
	id, ok := a.pathID(w, r, "A service")
	if !ok {
		return
	}
	m, err := a.store.FindServices(r.Context(), []string{id}, true)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	s, ok := m[id]
	if !ok || !s.Status.Public() || s.Visibility != directory.VisibilityListed {
		a.problem(w, r, http.StatusNotFound, "Not found", "There is no service with that id.", nil)
		return
	}
	tax, err := a.taxonomyNames(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.json(w, fullService(s, tax))
}

func (a *API) handleTaxonomies(w http.ResponseWriter, r *http.Request) {
	p := &params{v: r.URL.Query()}
	pg := p.paging()
	if len(p.errs) > 0 {
		a.problem(w, r, http.StatusBadRequest, "Invalid query parameters", "Some query parameters are not valid.", p.errs)
		return
	}
	list, total, err := a.store.ListTaxonomies(r.Context(), pg.offset(), pg.perPage)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := make([]Taxonomy, 0, len(list))
	for _, t := range list {
		items = append(items, taxonomyFrom(t))
	}
	a.json(w, pageOf(items, total, pg))
}

func (a *API) handleTaxonomy(w http.ResponseWriter, r *http.Request) {
	id, ok := a.pathID(w, r, "A taxonomy")
	if !ok {
		return
	}
	t, terms, err := a.store.FindTaxonomy(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := taxonomyFrom(*t)
	tax := map[string]directory.Taxonomy{t.ID: *t}
	for _, term := range terms {
		out.TaxonomyTerms = append(out.TaxonomyTerms, termFrom(term, tax))
	}
	a.json(w, out)
}

func (a *API) handleTaxonomyTerms(w http.ResponseWriter, r *http.Request) {
	p := &params{v: r.URL.Query()}
	pg := p.paging()
	if len(p.errs) > 0 {
		a.problem(w, r, http.StatusBadRequest, "Invalid query parameters", "Some query parameters are not valid.", p.errs)
		return
	}
	list, total, err := a.store.ListTaxonomyTerms(r.Context(), pg.offset(), pg.perPage)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	tax, err := a.taxonomyNames(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := make([]TaxonomyTerm, 0, len(list))
	for _, t := range list {
		items = append(items, termFrom(t, tax))
	}
	a.json(w, pageOf(items, total, pg))
}

func (a *API) handleTaxonomyTerm(w http.ResponseWriter, r *http.Request) {
	id, ok := a.pathID(w, r, "A taxonomy term")
	if !ok {
		return
	}
	t, err := a.store.FindTaxonomyTerm(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	tax, err := a.taxonomyNames(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.json(w, termFrom(*t, tax))
}

func (a *API) handleServiceAtLocations(w http.ResponseWriter, r *http.Request) {
	p := &params{v: r.URL.Query()}
	pg := p.paging()
	f := a.filter(p)
	if pc := p.v.Get("postcode"); pc != "" {
		code, err := postcode.Parse(pc)
		if err != nil {
			p.bad("postcode", waymark.ErrorMessage(err))
		} else if pt, ok := a.geo.Lookup(code); !ok {
			p.bad("postcode", "is not a postcode we know")
		} else {
			f.Near = &pt
			f.WithinMetres = float64(p.int("proximity", DefaultProximity, 1, maxProximity))
		}
	} else if p.v.Get("proximity") != "" {
		p.bad("proximity", "needs a postcode to measure from")
	}
	if len(p.errs) > 0 {
		a.problem(w, r, http.StatusBadRequest, "Invalid query parameters", "Some query parameters are not valid.", p.errs)
		return
	}
	f.Offset, f.Limit = pg.offset(), pg.perPage
	list, total, err := a.store.ListServiceAtLocations(r.Context(), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ids := make([]string, 0, len(list))
	for _, x := range list {
		ids = append(ids, x.ServiceID)
	}
	m, err := a.store.FindServices(r.Context(), ids, false)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := make([]ServiceAtLocation, 0, len(list))
	for _, x := range list {
		item := ServiceAtLocation{ID: x.ID, ServiceID: x.ServiceID, LocationID: x.Location.ID, Location: location(x.Location)}
		item.Location.Addresses = nil // the list schema has no addresses
		if s, ok := m[x.ServiceID]; ok {
			svc := listItem(s)
			item.Service = &svc
		}
		items = append(items, item)
	}
	a.json(w, pageOf(items, total, pg))
}

func (a *API) handleServiceAtLocation(w http.ResponseWriter, r *http.Request) {
	id, ok := a.pathID(w, r, "A service at location")
	if !ok {
		return
	}
	x, err := a.store.FindServiceAtLocation(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	m, err := a.store.FindServices(r.Context(), []string{x.ServiceID}, true)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := ServiceAtLocation{ID: x.ID, ServiceID: x.ServiceID, LocationID: x.Location.ID, Location: location(x.Location)}
	if s, ok := m[x.ServiceID]; ok {
		svc := listItem(s)
		svc.Schedules = schedules(s)
		out.Service = &svc
	}
	a.json(w, out)
}

// pathID reads the {id} path value, which must be a UUID; otherwise it
// writes a 400 problem naming what (e.g. "A service") and returns false.
func (a *API) pathID(w http.ResponseWriter, r *http.Request, what string) (string, bool) {
	id := r.PathValue("id")
	if !validUUID(id) {
		a.problem(w, r, http.StatusBadRequest, "Invalid id", what+" id is a UUID.", []InvalidParam{{"id", "must be a UUID"}})
		return "", false
	}
	return strings.ToLower(id), true
}

func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	_, err := uuid.Parse(s)
	return err == nil
}

func asError(err error, target **waymark.Error) bool { return errors.As(err, target) }
