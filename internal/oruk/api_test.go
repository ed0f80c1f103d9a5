package oruk_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"waymark/internal/directory"
	"waymark/internal/oruk"
	"waymark/internal/postcode"
	"waymark/internal/seed"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

var (
	tableOnce sync.Once
	table     *postcode.Table
)

func postcodes(t testing.TB) *postcode.Table {
	tableOnce.Do(func() {
		var err error
		if table, err = postcode.Embedded(); err != nil {
			panic(err)
		}
	})
	return table
}

// standards is where the shared ORUK schemas live, beside the repository.
func standards(t testing.TB) string {
	dir, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "standards", "oruk"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("ORUK standards not found at %s: %v", dir, err)
	}
	return dir
}

// schemas are the ORUK 3.0 / UK profile schemas the responses must satisfy,
// with format assertions (uuid, uri, email, date, date-time) switched on.
type schemas struct {
	root, page, serviceItem, service, salItem, sal, taxonomy, term *jsonschema.Schema
}

func loadSchemas(t testing.TB) *schemas {
	dir := standards(t)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	compile := func(path string) *jsonschema.Schema {
		s, err := c.Compile("file://" + filepath.ToSlash(filepath.Join(dir, path)))
		if err != nil {
			t.Fatalf("compile %s: %v", path, err)
		}
		return s
	}
	// The Page envelope as the spec defines it, with every field required
	// (HSDS 3.1.1 made empty required too).
	page := map[string]any{
		"type":     "object",
		"required": []any{"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"},
		"properties": map[string]any{
			"total_items": map[string]any{"type": "integer", "minimum": 0}, "total_pages": map[string]any{"type": "integer", "minimum": 0},
			"page_number": map[string]any{"type": "integer", "minimum": 1}, "size": map[string]any{"type": "integer", "minimum": 0},
			"first_page": map[string]any{"type": "boolean"}, "last_page": map[string]any{"type": "boolean"},
			"empty": map[string]any{"type": "boolean"}, "contents": map[string]any{"type": "array"},
		},
	}
	if err := c.AddResource("file:///oruk/page.json", page); err != nil {
		t.Fatal(err)
	}
	return &schemas{
		root:        compile("validator/legacy-schemas-v3.0-uk/api_details.json"),
		page:        c.MustCompile("file:///oruk/page.json"),
		serviceItem: compile("uk-profile/schema/compiled/service_list.json"),
		service:     compile("uk-profile/schema/compiled/service.json"),
		salItem:     compile("uk-profile/schema/compiled/service_at_location_list.json"),
		sal:         compile("uk-profile/schema/compiled/service_at_location.json"),
		taxonomy:    compile("oruk-3.0/schemata/taxonomy.json"),
		term:        compile("oruk-3.0/schemata/taxonomy_term.json"),
	}
}

type apiSite struct {
	*httptest.Server
	db    *sqlstore.DB
	full  *directory.Service
	mini  *directory.Service
	store *sqlstore.DirectoryStore
}

// newAPISite serves the API over the Derbyshire demo data plus a service
// with every field and one with the minimum.
func newAPISite(t *testing.T, db *sqlstore.DB) *apiSite {
	ctx := context.Background()
	store := sqlstore.NewDirectoryStore(db)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	dir := directory.NewDirectory(store, postcodes(t), time.Now, logger)
	tax, terms := seed.Categories()
	if err := store.CreateTaxonomy(ctx, &tax, terms); err != nil {
		t.Fatal(err)
	}
	dtax, dterms := directory.DeliveryTaxonomy()
	if err := store.CreateTaxonomy(ctx, &dtax, dterms); err != nil {
		t.Fatal(err)
	}
	orgs, services := seed.Derbyshire()
	if err := seed.Load(ctx, dir, orgs, services, 100); err != nil {
		t.Fatal(err)
	}
	org := directory.Organization{Name: "Edge Cases Trust"} // no description: the API must still send one
	if err := dir.CreateOrganization(ctx, &org); err != nil {
		t.Fatal(err)
	}
	min, max, weeks, amount := 18, 99, 2, 4.5
	assured := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	full := &directory.Service{OrganizationID: org.ID, Name: "Everything club", Description: "Every field is set.",
		Website: "https://everything.example/club", Email: "club@everything.example", AccessCriteria: "Adults",
		MinimumAge: &min, MaximumAge: &max, Kind: directory.KindReferral, Pathway: directory.PathwayExternalForm,
		ExternalFormURL: "https://everything.example/refer", Status: directory.StatusFrozen, StatusNote: "Waiting list of 2 weeks",
		Visibility: directory.VisibilityListed, WaitingWeeks: &weeks, Keywords: []string{"everything", "club"}, AssuredAt: &assured,
		Categories:    []directory.TaxonomyTerm{{ID: terms[0].ID}, {ID: terms[1].ID}},
		Contacts:      []directory.Contact{{Name: "Ann", Title: "Lead", Email: "ann@everything.example", Phones: []directory.Phone{{Number: "01629 000001"}, {Number: "01629 000002"}}}, {Name: "Bo"}},
		Schedules:     []directory.Schedule{{Freq: "WEEKLY", ByDay: "MO,WE", OpensAt: "09:00", ClosesAt: "12:00"}, {Freq: "MONTHLY", ByDay: "1SA", OpensAt: "10:00", ClosesAt: "16:00", Description: "Open day"}},
		CostOptions:   []directory.CostOption{{Option: "Session", Amount: &amount, AmountDescription: "£4.50 a session"}},
		Images:        []directory.Image{{URL: "/media/x.jpg", Alt: "A club", ContentType: "image/jpeg"}},
		Accessibility: []string{"step_free", "hearing_loop"}, AccessibilityNote: "Ramp at the side door",
		Languages: []string{"en", "pl"}, Delivery: []string{"in_person", "online"},
		Locations: []directory.Location{
			{Name: "Hall", Description: "Main hall", Address: directory.Address{Address1: "1 Bank Road", City: "Matlock", StateProvince: "Derbyshire", PostalCode: "DE4 3AG", Country: "GB"}},
			{Name: "Annexe", Address: directory.Address{Address1: "2 Bath Street", City: "Bakewell", PostalCode: "DE45 1DD"}},
		}}
	mini := &directory.Service{OrganizationID: org.ID, Email: "minimum@everything.example", Status: directory.StatusPublished,
		Locations: []directory.Location{{Address: directory.Address{PostalCode: "DE4 3AG"}}}}
	if err := dir.CreateServices(ctx, []*directory.Service{full, mini}); err != nil {
		t.Fatal(err)
	}
	api := oruk.NewAPI(store, postcodes(t), logger, "")
	mux := http.NewServeMux()
	for pattern, h := range api.Routes() {
		mux.HandleFunc(pattern, h)
	}
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return &apiSite{Server: ts, db: db, full: full, mini: mini, store: store}
}

func (s *apiSite) get(t *testing.T, path string) (int, []byte, http.Header) {
	t.Helper()
	resp, err := http.Get(s.URL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("GET %s: no Access-Control-Allow-Origin: *", path)
	}
	return resp.StatusCode, b, resp.Header
}

// getValid fetches a path, expects 200 and validates the body against schema.
func (s *apiSite) getValid(t *testing.T, path string, schema *jsonschema.Schema) any {
	t.Helper()
	status, body, h := s.get(t, path)
	if status != 200 {
		t.Fatalf("GET %s = %d: %s", path, status, body)
	}
	if !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		t.Errorf("GET %s: Content-Type %q", path, h.Get("Content-Type"))
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	if err := schema.Validate(doc); err != nil {
		t.Errorf("GET %s does not validate: %v", path, err)
	}
	noNullsOrEmpties(t, path, "", doc)
	return doc
}

// noNullsOrEmpties fails for any null or "" value: optional fields without
// a value must be left out.
func noNullsOrEmpties(t *testing.T, path, at string, v any) {
	switch x := v.(type) {
	case nil:
		t.Errorf("GET %s: null at %s", path, at)
	case string:
		if x == "" {
			t.Errorf("GET %s: empty string at %s", path, at)
		}
	case map[string]any:
		for k, e := range x {
			noNullsOrEmpties(t, path, at+"/"+k, e)
		}
	case []any:
		for i, e := range x {
			noNullsOrEmpties(t, path, fmt.Sprintf("%s/%d", at, i), e)
		}
	}
}

// walkList validates a list endpoint as the ORUK validator does: page 1, the
// last page and a middle page, each item against the item schema, then up to
// 10 ids from each page on the /{id} endpoint.
func (s *apiSite) walkList(t *testing.T, sc *schemas, list string, item, one *jsonschema.Schema, perPage int) int {
	t.Helper()
	first := s.getValid(t, fmt.Sprintf("%s?per_page=%d", list, perPage), sc.page).(map[string]any)
	pages := int(first["total_pages"].(json.Number).String()[0] - '0')
	if n, err := first["total_pages"].(json.Number).Int64(); err == nil {
		pages = int(n)
	}
	wanted := []int{1}
	if pages > 1 {
		wanted = append(wanted, pages)
	}
	if pages > 2 {
		wanted = append(wanted, (pages+1)/2)
	}
	checked := 0
	for _, p := range wanted {
		page := s.getValid(t, fmt.Sprintf("%s?page=%d&per_page=%d", list, p, perPage), sc.page).(map[string]any)
		contents := page["contents"].([]any)
		if size, _ := page["size"].(json.Number).Int64(); int(size) != len(contents) {
			t.Errorf("%s page %d: size %d but %d items", list, p, size, len(contents))
		}
		if page["first_page"] != (p == 1) || page["last_page"] != (p == pages) || page["empty"] != (len(contents) == 0) {
			t.Errorf("%s page %d: first %v last %v empty %v", list, p, page["first_page"], page["last_page"], page["empty"])
		}
		for i, c := range contents {
			if err := item.Validate(c); err != nil {
				t.Errorf("%s page %d item %d: %v", list, p, i, err)
			}
			if i < 10 {
				id := c.(map[string]any)["id"].(string)
				s.getValid(t, list+"/"+id, one)
				checked++
			}
		}
	}
	return checked
}

func TestAPIPassesTheValidatorsProcedure(t *testing.T) {
	sc := loadSchemas(t)
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newAPISite(t, db)
		root := s.getValid(t, "/api/oruk/", sc.root).(map[string]any)
		if root["version"] != "HSDS-UK-3.0" {
			t.Errorf("version = %v", root["version"])
		}
		openapi := root["openapi_url"].(string)
		if !strings.HasPrefix(openapi, s.URL+"/") {
			t.Errorf("openapi_url %q is not absolute on this server", openapi)
		}
		resp, err := http.Get(openapi)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || doc["openapi"] == nil {
			t.Errorf("openapi document: %v", err)
		}
		resp.Body.Close()

		if n := s.walkList(t, sc, "/api/oruk/services", sc.serviceItem, sc.service, 20); n < 20 {
			t.Errorf("checked only %d services", n)
		}
		s.walkList(t, sc, "/api/oruk/service_at_locations", sc.salItem, sc.sal, 20)
		s.walkList(t, sc, "/api/oruk/taxonomies", sc.taxonomy, sc.taxonomy, 50)
		s.walkList(t, sc, "/api/oruk/taxonomy_terms", sc.term, sc.term, 5)
	})
}

func TestAPIEdgeCases(t *testing.T) {
	sc := loadSchemas(t)
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newAPISite(t, db)
		full := s.getValid(t, "/api/oruk/services/"+s.full.ID, sc.service).(map[string]any)
		for _, k := range []string{"organization", "schedules", "service_at_locations", "cost_options", "contacts", "attributes", "alert", "assured_date", "fees", "minimum_age", "maximum_age", "url", "email"} {
			if _, ok := full[k]; !ok {
				t.Errorf("full service lacks %s", k)
			}
		}
		if org := full["organization"].(map[string]any); org["description"] != "Edge Cases Trust" {
			t.Errorf("organization without a description: %v", org["description"])
		}
		if sals := full["service_at_locations"].([]any); len(sals) != 2 {
			t.Errorf("%d service_at_locations, want 2", len(sals))
		}
		// Languages, access at each place and how it is given.
		langs, _ := json.Marshal(full["languages"])
		if !strings.Contains(string(langs), `"code":"pl"`) || !strings.Contains(string(langs), `"name":"Polish"`) {
			t.Errorf("languages = %s", langs)
		}
		for _, sal := range full["service_at_locations"].([]any) {
			access, _ := json.Marshal(sal.(map[string]any)["location"].(map[string]any)["accessibility"])
			if !strings.Contains(string(access), `"description":"Step-free access. Hearing loop."`) || !strings.Contains(string(access), `"details":"Ramp at the side door"`) {
				t.Errorf("a location's accessibility = %s", access)
			}
		}
		attrs, _ := json.Marshal(full["attributes"])
		for _, want := range []string{`"taxonomy_term_id":"` + directory.DeliveryTermID("online") + `"`, `"name":"In person"`, `"taxonomy":"Waymark delivery methods"`} {
			if !strings.Contains(string(attrs), want) {
				t.Errorf("attributes lack %s: %s", want, attrs)
			}
		}
		s.getValid(t, "/api/oruk/taxonomy_terms/"+directory.DeliveryTermID("phone"), sc.term)
		mini := s.getValid(t, "/api/oruk/services/"+s.mini.ID, sc.service).(map[string]any)
		for _, k := range []string{"description", "url", "minimum_age", "schedules", "cost_options", "attributes", "alert", "languages"} {
			if _, ok := mini[k]; ok {
				t.Errorf("minimum service has %s", k)
			}
		}
		// An empty page beyond the last.
		page := s.getValid(t, "/api/oruk/services?page=999", sc.page).(map[string]any)
		if page["empty"] != true || len(page["contents"].([]any)) != 0 || page["last_page"] != true {
			t.Errorf("page beyond the last: %v", page)
		}
		// Filters.
		term := seedTerm(t, "physical-activity")
		page = s.getValid(t, "/api/oruk/services?per_page=100&taxonomy_term_id="+term, sc.page).(map[string]any)
		if n, _ := page["total_items"].(json.Number).Int64(); n < 10 {
			t.Errorf("physical activity services: %d", n)
		}
		page = s.getValid(t, "/api/oruk/services?search=walking", sc.page).(map[string]any)
		if n, _ := page["total_items"].(json.Number).Int64(); n < 5 {
			t.Errorf("search=walking found %d", n)
		}
		page = s.getValid(t, "/api/oruk/services?day=saturday&start_time=09:00&end_time=10:00", sc.page).(map[string]any)
		if n, _ := page["total_items"].(json.Number).Int64(); n < 1 {
			t.Errorf("Saturday morning services: %d", n)
		}
		page = s.getValid(t, "/api/oruk/services?minimum_age=70&maximum_age=80", sc.page).(map[string]any)
		for _, c := range page["contents"].([]any) {
			if max, ok := c.(map[string]any)["maximum_age"]; ok {
				if n, _ := max.(json.Number).Int64(); n < 70 {
					t.Errorf("age filter kept a service up to %d", n)
				}
			}
		}
		near := s.getValid(t, "/api/oruk/service_at_locations?postcode=DE45+1AH&proximity=2000", sc.page).(map[string]any)
		if n, _ := near["total_items"].(json.Number).Int64(); n < 2 {
			t.Errorf("within 2 km of DE45 1AH: %d", n)
		}
		// Unlisted and pending entries are not in the API.
		_, body, _ := s.get(t, "/api/oruk/services?per_page=100&search=perinatal")
		if strings.Contains(string(body), "Perinatal") {
			t.Error("unlisted service in the API")
		}
	})
}

func seedTerm(t *testing.T, code string) string {
	_, terms := seed.Categories()
	for _, term := range terms {
		if term.Code == code {
			return term.ID
		}
	}
	t.Fatalf("no term %s", code)
	return ""
}

func TestAPIBadInputGetsProblemDetails(t *testing.T) {
	s := newAPISite(t, sqlstoretest.OpenSQLite(t))
	tests := []struct {
		path   string
		status int
	}{
		{"/api/oruk/services?page=abc", 400},
		{"/api/oruk/services?page=0", 400},
		{"/api/oruk/services?page=99999999999999999999", 400},
		{"/api/oruk/services?per_page=1000", 400},
		{"/api/oruk/services?per_page=-5", 400},
		{"/api/oruk/services?taxonomy_term_id=nope", 400},
		{"/api/oruk/services?minimum_age=old", 400},
		{"/api/oruk/services?day=someday", 400},
		{"/api/oruk/services?start_time=25:00", 400},
		{"/api/oruk/services?search=" + strings.Repeat("x", 300), 400},
		{"/api/oruk/services/not-a-uuid", 400},
		{"/api/oruk/services/7d8a1f52-3a8e-4b7c-9a42-5f0c2b8d9e11", 404},
		{"/api/oruk/taxonomies/7d8a1f52-3a8e-4b7c-9a42-5f0c2b8d9e11", 404},
		{"/api/oruk/taxonomy_terms/xyz", 400},
		{"/api/oruk/service_at_locations/7d8a1f52-3a8e-4b7c-9a42-5f0c2b8d9e11", 404},
		{"/api/oruk/service_at_locations?postcode=NOPE", 400},
		{"/api/oruk/service_at_locations?postcode=ZZ9+9ZZ", 400},
		{"/api/oruk/service_at_locations?postcode=DE4+3AG&proximity=-1", 400},
		{"/api/oruk/service_at_locations?proximity=100", 400},
		{"/api/oruk/organizations", 404},
	}
	for _, tt := range tests {
		status, body, h := s.get(t, tt.path)
		if status != tt.status {
			t.Errorf("GET %s = %d, want %d", tt.path, status, tt.status)
		}
		if h.Get("Content-Type") != "application/problem+json" {
			t.Errorf("GET %s: Content-Type %q", tt.path, h.Get("Content-Type"))
		}
		var p struct {
			Title  string
			Status int
		}
		if err := json.Unmarshal(body, &p); err != nil || p.Status != tt.status || p.Title == "" {
			t.Errorf("GET %s: problem body %s", tt.path, body)
		}
	}
	// Unknown services from another feed are not found; the draft entry too.
	_, services := seed.Derbyshire()
	for _, svc := range services {
		if svc.Status == directory.StatusPendingReview || svc.Visibility == directory.VisibilityUnlisted {
			if status, _, _ := s.get(t, "/api/oruk/services/"+svc.ID); status != 404 {
				t.Errorf("hidden service %s = %d, want 404", svc.Name, status)
			}
		}
	}
}

func TestServiceEndpointRunsAFixedNumberOfQueries(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newAPISite(t, db)
		count := func(id string) int64 {
			before := db.Queries()
			if status, body, _ := s.get(t, "/api/oruk/services/"+id); status != 200 {
				t.Fatalf("status %d: %s", status, body)
			}
			return db.Queries() - before
		}
		full, mini := count(s.full.ID), count(s.mini.ID)
		if full != mini {
			t.Errorf("the service with every part took %d queries, the minimal one %d: queries grow with parts (N+1)", full, mini)
		}
		if full > 10 {
			t.Errorf("%d queries for one service", full)
		}
		before := db.Queries()
		s.get(t, "/api/oruk/services?per_page=100")
		if n := db.Queries() - before; n > 8 {
			t.Errorf("a page of 100 services took %d queries", n)
		}
	})
}

// TestSchemasRejectTheValidatorsFailingFeed proves the schemas the tests use
// really check: the ORUK validator's failing mock feed must not pass them,
// and its passing one must.
func TestSchemasRejectTheValidatorsFailingFeed(t *testing.T) {
	sc := loadSchemas(t)
	mocks := filepath.Join(standards(t), "validator", "mocks")
	read := func(path string) any {
		f, err := os.Open(filepath.Join(mocks, path))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		doc, err := jsonschema.UnmarshalJSON(f)
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}
	if err := sc.root.Validate(read("V3.0-UK-Fail/api_details.json")); err == nil {
		t.Error("the failing feed's / passed")
	}
	if err := sc.root.Validate(read("V3.0-UK-Default/api_details.json")); err != nil {
		t.Errorf("the passing feed's / failed: %v", err)
	}
	failed := 0
	for _, item := range read("V3.0-UK-Fail/service_list.json").(map[string]any)["contents"].([]any) {
		if sc.serviceItem.Validate(item) != nil {
			failed++
		}
	}
	if failed == 0 {
		t.Error("no service of the failing feed failed the schema")
	}
	for _, item := range read("V3.0-UK-Default/service_list.json").(map[string]any)["contents"].([]any) {
		if err := sc.serviceItem.Validate(item); err != nil {
			t.Errorf("a service of the passing feed failed: %v", err)
		}
	}
	if err := sc.service.Validate(read("V3.0-UK-Default/service_full.json")); err != nil {
		t.Errorf("the passing feed's full service failed: %v", err)
	}
}
