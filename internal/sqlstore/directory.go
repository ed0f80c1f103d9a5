package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"waymark"
	"waymark/internal/directory"
)

// DirectoryStore keeps the community directory. It implements directory.Store.
type DirectoryStore struct {
	db *DB
	// maxCounted is where counting a search near a postcode stops
	// (directory.MaxCounted; smaller in tests).
	maxCounted int
}

// NewDirectoryStore returns a DirectoryStore on db.
func NewDirectoryStore(db *DB) *DirectoryStore {
	return &DirectoryStore{db: db, maxCounted: directory.MaxCounted}
}

var _ directory.Store = (*DirectoryStore)(nil)

// CreateOrganizations stores new organisations in one transaction. Errors:
// ECONFLICT for a duplicate id.
func (s *DirectoryStore) CreateOrganizations(ctx context.Context, list []directory.Organization) error {
	return s.db.inTx(ctx, func(c conn) error { return insertOrganizations(ctx, c, list) })
}

// insertOrganizations stores new organisations in a few multi-row statements.
func insertOrganizations(ctx context.Context, c conn, list []directory.Organization) error {
	var rows []any
	for _, o := range list {
		rows = append(rows, o.ID, o.Name, o.Description, o.Email, o.Website, o.Phone, o.CreatedAt, o.UpdatedAt)
	}
	if err := insertRows(ctx, c, "INSERT INTO organization (id, name, description, email, website, phone, created_at, updated_at)", "", 8, rows); err != nil {
		return fmt.Errorf("insert organisations: %w", err)
	}
	return nil
}

// CreateTaxonomy stores a taxonomy and its terms, or updates them if they
// already exist, so it can run at every start-up.
func (s *DirectoryStore) CreateTaxonomy(ctx context.Context, t *directory.Taxonomy, terms []directory.TaxonomyTerm) error {
	return s.db.inTx(ctx, func(c conn) error {
		err := c.exec(ctx, `INSERT INTO taxonomy (id, name, description, uri, version) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
				uri = excluded.uri, version = excluded.version`,
			t.ID, t.Name, t.Description, t.URI, t.Version)
		if err != nil {
			return fmt.Errorf("upsert taxonomy %s: %w", t.ID, err)
		}
		for _, term := range terms {
			err := c.exec(ctx, `INSERT INTO taxonomy_term (id, taxonomy_id, code, name, description, parent_id)
				VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (id) DO UPDATE SET code = excluded.code, name = excluded.name,
					description = excluded.description, parent_id = excluded.parent_id`,
				term.ID, t.ID, term.Code, term.Name, term.Description, nullString(term.ParentID))
			if err != nil {
				return fmt.Errorf("upsert taxonomy term %s: %w", term.Code, err)
			}
		}
		return nil
	})
}

// ListCategories returns the terms of Waymark's category taxonomy by name.
func (s *DirectoryStore) ListCategories(ctx context.Context) ([]directory.TaxonomyTerm, error) {
	rows, err := s.db.reader().query(ctx, `SELECT id, taxonomy_id, code, name, description, COALESCE(CAST(parent_id AS TEXT), '')
		FROM taxonomy_term WHERE taxonomy_id = ? ORDER BY name`, directory.CategoryTaxonomyID)
	if err != nil {
		return nil, fmt.Errorf("list categories: %w", err)
	}
	defer rows.Close()
	var out []directory.TaxonomyTerm
	for rows.Next() {
		var t directory.TaxonomyTerm
		if err := rows.Scan(&t.ID, &t.TaxonomyID, &t.Code, &t.Name, &t.Description, &t.ParentID); err != nil {
			return nil, fmt.Errorf("scan category: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// CountServices returns the number of services in any status.
func (s *DirectoryStore) CountServices(ctx context.Context) (int, error) {
	var n int
	if err := s.db.reader().queryRow(ctx, `SELECT COUNT(*) FROM service`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count services: %w", err)
	}
	return n, nil
}

// CreateServices stores new services with all their parts in one transaction.
// Errors: ECONFLICT for a duplicate id, EINVALID for an unknown organisation
// or category; ECONFLICT too when the form that sent a single new listing
// (the token in ctx) was sent before.
func (s *DirectoryStore) CreateServices(ctx context.Context, list []*directory.Service) error {
	return s.db.inTx(ctx, func(c conn) error {
		if err := insertServices(ctx, c, list); err != nil {
			return err
		}
		if len(list) == 1 {
			return claimFormToken(ctx, c, "listing", list[0].ID, list[0].CreatedAt)
		}
		return nil
	})
}

// insertService stores one new service with all its parts and indexes it.
func insertService(ctx context.Context, c conn, svc *directory.Service) error {
	return insertServices(ctx, c, []*directory.Service{svc})
}

// insertServices stores new services with all their parts and indexes
// them, with a few multi-row statements per kind of row whatever the
// number of services.
func insertServices(ctx context.Context, c conn, list []*directory.Service) error {
	var rows []any
	for _, svc := range list {
		rows = append(rows, svc.ID, svc.OrganizationID, svc.Name, svc.Description, svc.Website, svc.Email,
			svc.AccessCriteria, svc.MinimumAge, svc.MaximumAge, string(svc.Kind), string(svc.Pathway), svc.ExternalFormURL,
			string(svc.Visibility), string(svc.Status), svc.StatusNote, suspendedBy(svc), svc.WaitingWeeks, svc.Free,
			strings.Join(svc.Keywords, ", "), svc.CreatedAt, svc.UpdatedAt, svc.AssuredAt,
			codes(svc.Accessibility), svc.AccessibilityNote, codes(svc.Languages), codes(svc.Delivery))
	}
	err := insertRows(ctx, c, `INSERT INTO service (id, organization_id, name, description, url, email,
			eligibility_description, minimum_age, maximum_age, kind, pathway, external_form_url,
			visibility, status, status_note, suspended_by, waiting_weeks, free, keywords, created_at, updated_at, assured_at,
			accessibility, accessibility_note, languages, delivery)`, "", 26, rows)
	if err != nil {
		return fmt.Errorf("insert services: %w", err)
	}
	if err := insertServiceParts(ctx, c, list...); err != nil {
		return err
	}
	return indexServices(ctx, c, list)
}

// codes joins a list of option codes as the service table keeps them.
func codes(list []string) string { return strings.Join(list, " ") }

// insertServiceParts inserts services' locations, contacts, schedules,
// cost options, categories and images, one multi-row statement per kind.
func insertServiceParts(ctx context.Context, c conn, list ...*directory.Service) error {
	var locs, addrs, sals, contacts, phones, schedules, costs, cats, images []any
	for _, svc := range list {
		for i, l := range svc.Locations {
			a := l.Address
			locs = append(locs, l.ID, l.Name, l.Description, l.Latitude, l.Longitude)
			addrs = append(addrs, a.ID, l.ID, a.Address1, a.City, a.StateProvince, a.PostalCode, defaultString(a.Country, "GB"))
			sals = append(sals, l.ServiceAtLocationID, svc.ID, l.ID, i)
		}
		for i, ct := range svc.Contacts {
			contacts = append(contacts, ct.ID, svc.ID, ct.Name, ct.Title, ct.Email, i)
			for j, p := range ct.Phones {
				phones = append(phones, p.ID, ct.ID, p.Number, p.Description, j)
			}
		}
		for i, sc := range svc.Schedules {
			schedules = append(schedules, sc.ID, svc.ID, defaultString(sc.Freq, "WEEKLY"), sc.ByDay, sc.OpensAt, sc.ClosesAt, sc.Description, i)
		}
		for i, co := range svc.CostOptions {
			costs = append(costs, co.ID, svc.ID, co.Option, co.Amount, co.AmountDescription, i)
		}
		for _, cat := range svc.Categories {
			cats = append(cats, svc.ID, cat.ID)
		}
		for i, im := range svc.Images {
			images = append(images, im.ID, svc.ID, im.URL, im.Alt, im.ContentType, i)
		}
	}
	for _, ins := range []struct {
		what, head, row string
		width           int
		args            []any
	}{
		{"location", "INSERT INTO location (id, location_type, name, description, latitude, longitude)", "(?, 'physical', ?, ?, ?, ?)", 5, locs},
		{"address", "INSERT INTO address (id, location_id, address_1, city, state_province, postal_code, country)", "", 7, addrs},
		{"service_at_location", "INSERT INTO service_at_location (id, service_id, location_id, position)", "", 4, sals},
		{"contact", "INSERT INTO contact (id, service_id, name, title, email, position)", "", 6, contacts},
		{"phone", "INSERT INTO phone (id, contact_id, number, description, position)", "", 5, phones},
		{"schedule", "INSERT INTO schedule (id, service_id, freq, byday, opens_at, closes_at, description, position)", "", 8, schedules},
		{"cost option", "INSERT INTO cost_option (id, service_id, option, amount, amount_description, position)", "", 6, costs},
		{"category", "INSERT INTO service_taxonomy (service_id, taxonomy_term_id)", "", 2, cats},
		{"image", "INSERT INTO service_image (id, service_id, url, alt, content_type, position)", "", 6, images},
	} {
		if err := insertRows(ctx, c, ins.head, ins.row, ins.width, ins.args); err != nil {
			return fmt.Errorf("insert %s: %w", ins.what, err)
		}
	}
	return nil
}

// indexServices writes new services' full-text entries and points. It
// reads their keys, organisations' names and category codes in one query
// each.
func indexServices(ctx context.Context, c conn, list []*directory.Service) error {
	var ids, orgIDs, termIDs []string
	for _, svc := range list {
		ids = append(ids, svc.ID)
		orgIDs = append(orgIDs, svc.OrganizationID)
		for _, t := range svc.Categories {
			termIDs = append(termIDs, t.ID)
		}
	}
	keys := map[string]any{}
	if k := c.db.dialect.serviceKey(); k == "id" {
		for _, id := range ids {
			keys[id] = id
		}
	} else if err := pairs(ctx, c, "SELECT id, "+k+" FROM service WHERE id IN ", ids, func(id string, key int64) { keys[id] = key }); err != nil {
		return fmt.Errorf("index services: %w", err)
	}
	orgs, codes := map[string]string{}, map[string]string{}
	if err := pairs(ctx, c, "SELECT id, name FROM organization WHERE id IN ", orgIDs, func(id string, name string) { orgs[id] = name }); err != nil {
		return fmt.Errorf("index services: %w", err)
	}
	if err := pairs(ctx, c, "SELECT id, code FROM taxonomy_term WHERE id IN ", termIDs, func(id string, code string) { codes[id] = code }); err != nil {
		return fmt.Errorf("index services: %w", err)
	}
	entries := make([]indexEntry, 0, len(list))
	for _, svc := range list {
		var cats []string
		for _, t := range svc.Categories {
			cats = append(cats, codes[t.ID])
		}
		entries = append(entries, newIndexEntry(keys[svc.ID], svc, orgs[svc.OrganizationID], cats))
	}
	return c.db.dialect.index(ctx, c, entries)
}

// pairs runs query (ending "IN ") for the distinct ids, a thousand at a
// time, and calls fn with each row's two columns.
func pairs[V any](ctx context.Context, c conn, query string, ids []string, fn func(id string, v V)) error {
	seen := map[string]bool{}
	var distinct []string
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			distinct = append(distinct, id)
		}
	}
	for start := 0; start < len(distinct); start += 1000 {
		chunk := distinct[start:min(start+1000, len(distinct))]
		err := eachRow(ctx, c, query+"("+placeholders(len(chunk))+")", anys(chunk), func(r rowScanner) error {
			var id string
			var v V
			if err := r.Scan(&id, &v); err != nil {
				return err
			}
			fn(id, v)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// maxArgs bounds the arguments of one statement, under SQLite's limit
// (32,766) and PostgreSQL's (65,535).
const maxArgs = 30_000

// insertRows runs head (an INSERT naming its columns) with VALUES for
// every row in args, width arguments a row, in as few statements as
// maxArgs allows. row is one row's VALUES tuple; empty means width
// placeholders.
func insertRows(ctx context.Context, c conn, head, row string, width int, args []any) error {
	if len(args) == 0 {
		return nil
	}
	if row == "" {
		row = "(" + placeholders(width) + ")"
	}
	per := maxArgs / width * width
	for start := 0; start < len(args); start += per {
		end := min(start+per, len(args))
		var b strings.Builder
		b.WriteString(head)
		b.WriteString(" VALUES ")
		for i := 0; i < (end-start)/width; i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(row)
		}
		if err := c.exec(ctx, b.String(), args[start:end]...); err != nil {
			return err
		}
	}
	return nil
}

// deleteServiceParts removes everything insertServiceParts inserts.
func deleteServiceParts(ctx context.Context, c conn, id string) error {
	for _, q := range []string{
		`DELETE FROM location WHERE id IN (SELECT location_id FROM service_at_location WHERE service_id = ?)`,
		`DELETE FROM contact WHERE service_id = ?`,
		`DELETE FROM schedule WHERE service_id = ?`,
		`DELETE FROM cost_option WHERE service_id = ?`,
		`DELETE FROM service_taxonomy WHERE service_id = ?`,
		`DELETE FROM service_image WHERE service_id = ?`,
	} {
		if err := c.exec(ctx, q, id); err != nil {
			return fmt.Errorf("delete parts of service %s: %w", id, err)
		}
	}
	return nil
}

// FindServiceByID returns a service with its organisation, locations,
// contacts, schedules, cost options, categories and images. Errors: ENOTFOUND.
func (s *DirectoryStore) FindServiceByID(ctx context.Context, id string) (*directory.Service, error) {
	m, err := loadServices(ctx, s.db.reader(), []string{id}, true)
	if err != nil {
		return nil, fmt.Errorf("load service %s: %w", id, err)
	}
	svc, ok := m[id]
	if !ok {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "There is no service at this address")
	}
	return svc, nil
}

const serviceColumns = `s.id, s.organization_id, s.name, s.description, s.url, s.email, s.eligibility_description,
	s.minimum_age, s.maximum_age, s.kind, s.pathway, s.external_form_url, s.visibility, s.status, s.status_note, s.suspended_by,
	s.waiting_weeks, s.free, s.keywords, s.created_at, s.updated_at, s.assured_at,
	s.accessibility, s.accessibility_note, s.languages, s.delivery,
	o.name, o.description, o.email, o.website, o.phone`

// loadServices loads the services with the given ids, keyed by id. With full
// false it loads what a search result shows (organisation, categories,
// locations); with full true, everything. It runs one query per kind of part,
// never one per service.
func loadServices(ctx context.Context, c conn, ids []string, full bool) (map[string]*directory.Service, error) {
	if len(ids) == 0 {
		return map[string]*directory.Service{}, nil
	}
	in, args := placeholders(len(ids)), anys(ids)
	out, err := loadServiceRows(ctx, c, in, args)
	if err != nil || len(out) == 0 {
		return out, err
	}
	parts := []func(context.Context, conn, string, []any, map[string]*directory.Service) error{
		loadCategories, loadLocations,
	}
	if full {
		parts = append(parts, loadSchedules, loadCostOptions, loadImages, loadContacts)
	}
	for _, load := range parts {
		if err := load(ctx, c, in, args, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// loadServiceRows reads the service rows themselves, with their organisation,
// for the ids bound to the placeholders in.
func loadServiceRows(ctx context.Context, c conn, in string, args []any) (map[string]*directory.Service, error) {
	out := make(map[string]*directory.Service, len(args))
	err := eachRow(ctx, c, `SELECT `+serviceColumns+`
		FROM service s JOIN organization o ON o.id = s.organization_id WHERE s.id IN (`+in+`)`, args, func(r rowScanner) error {
		svc, err := scanService(r)
		if err != nil {
			return err
		}
		out[svc.ID] = svc
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("select services: %w", err)
	}
	return out, nil
}

// scanService reads one row of serviceColumns.
func scanService(r rowScanner) (*directory.Service, error) {
	var (
		svc      directory.Service
		org      directory.Organization
		min, max sql.NullInt64
		wait     sql.NullInt64
		assured  sql.NullTime
		keywords string
		access   string
		langs    string
		delivery string
	)
	err := r.Scan(&svc.ID, &svc.OrganizationID, &svc.Name, &svc.Description, &svc.Website, &svc.Email,
		&svc.AccessCriteria, &min, &max, &svc.Kind, &svc.Pathway, &svc.ExternalFormURL, &svc.Visibility,
		&svc.Status, &svc.StatusNote, &svc.SuspendedBy, &wait, &svc.Free, &keywords, &svc.CreatedAt, &svc.UpdatedAt, &assured,
		&access, &svc.AccessibilityNote, &langs, &delivery,
		&org.Name, &org.Description, &org.Email, &org.Website, &org.Phone)
	if err != nil {
		return nil, fmt.Errorf("scan service: %w", err)
	}
	org.ID = svc.OrganizationID
	svc.Organization = &org
	svc.MinimumAge, svc.MaximumAge, svc.WaitingWeeks = intPtr(min), intPtr(max), intPtr(wait)
	if assured.Valid {
		t := assured.Time
		svc.AssuredAt = &t
	}
	if keywords != "" {
		svc.Keywords = strings.Split(keywords, ", ")
	}
	svc.Accessibility, svc.Languages, svc.Delivery = strings.Fields(access), strings.Fields(langs), strings.Fields(delivery)
	return &svc, nil
}

// loadCategories adds each service's taxonomy terms, by name.
func loadCategories(ctx context.Context, c conn, in string, args []any, out map[string]*directory.Service) error {
	err := eachRow(ctx, c, `SELECT st.service_id, t.id, t.taxonomy_id, t.code, t.name, t.description
		FROM service_taxonomy st JOIN taxonomy_term t ON t.id = st.taxonomy_term_id
		WHERE st.service_id IN (`+in+`) ORDER BY t.name`, args, func(r rowScanner) error {
		var sid string
		var t directory.TaxonomyTerm
		if err := r.Scan(&sid, &t.ID, &t.TaxonomyID, &t.Code, &t.Name, &t.Description); err != nil {
			return err
		}
		if svc := out[sid]; svc != nil {
			svc.Categories = append(svc.Categories, t)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("select categories: %w", err)
	}
	return nil
}

// loadLocations adds each service's locations and their addresses, in order.
func loadLocations(ctx context.Context, c conn, in string, args []any, out map[string]*directory.Service) error {
	err := eachRow(ctx, c, `SELECT sal.service_id, sal.id, l.id, l.name, l.description, l.latitude, l.longitude,
			a.id, a.address_1, a.city, a.state_province, a.postal_code, a.country
		FROM service_at_location sal JOIN location l ON l.id = sal.location_id
		JOIN address a ON a.location_id = l.id
		WHERE sal.service_id IN (`+in+`) ORDER BY sal.position`, args, func(r rowScanner) error {
		var sid string
		var l directory.Location
		a := &l.Address
		if err := r.Scan(&sid, &l.ServiceAtLocationID, &l.ID, &l.Name, &l.Description, &l.Latitude, &l.Longitude,
			&a.ID, &a.Address1, &a.City, &a.StateProvince, &a.PostalCode, &a.Country); err != nil {
			return err
		}
		if svc := out[sid]; svc != nil {
			svc.Locations = append(svc.Locations, l)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("select locations: %w", err)
	}
	return nil
}

// loadSchedules adds each service's opening times, in order.
func loadSchedules(ctx context.Context, c conn, in string, args []any, out map[string]*directory.Service) error {
	err := eachRow(ctx, c, `SELECT service_id, id, freq, byday, opens_at, closes_at, description
		FROM schedule WHERE service_id IN (`+in+`) ORDER BY position`, args, func(r rowScanner) error {
		var sid string
		var sc directory.Schedule
		if err := r.Scan(&sid, &sc.ID, &sc.Freq, &sc.ByDay, &sc.OpensAt, &sc.ClosesAt, &sc.Description); err != nil {
			return err
		}
		out[sid].Schedules = append(out[sid].Schedules, sc)
		return nil
	})
	if err != nil {
		return fmt.Errorf("select schedules: %w", err)
	}
	return nil
}

// loadCostOptions adds each service's costs, in order.
func loadCostOptions(ctx context.Context, c conn, in string, args []any, out map[string]*directory.Service) error {
	err := eachRow(ctx, c, `SELECT service_id, id, option, amount, amount_description
		FROM cost_option WHERE service_id IN (`+in+`) ORDER BY position`, args, func(r rowScanner) error {
		var sid string
		var co directory.CostOption
		var amount sql.NullFloat64
		if err := r.Scan(&sid, &co.ID, &co.Option, &amount, &co.AmountDescription); err != nil {
			return err
		}
		if amount.Valid {
			v := amount.Float64
			co.Amount = &v
		}
		out[sid].CostOptions = append(out[sid].CostOptions, co)
		return nil
	})
	if err != nil {
		return fmt.Errorf("select cost options: %w", err)
	}
	return nil
}

// loadImages adds each service's images, in order.
func loadImages(ctx context.Context, c conn, in string, args []any, out map[string]*directory.Service) error {
	err := eachRow(ctx, c, `SELECT service_id, id, url, alt, content_type
		FROM service_image WHERE service_id IN (`+in+`) ORDER BY position`, args, func(r rowScanner) error {
		var sid string
		var im directory.Image
		if err := r.Scan(&sid, &im.ID, &im.URL, &im.Alt, &im.ContentType); err != nil {
			return err
		}
		out[sid].Images = append(out[sid].Images, im)
		return nil
	})
	if err != nil {
		return fmt.Errorf("select images: %w", err)
	}
	return nil
}

// loadContacts adds each service's contacts and their phones, in one query.
func loadContacts(ctx context.Context, c conn, in string, args []any, out map[string]*directory.Service) error {
	err := eachRow(ctx, c, `SELECT c.service_id, c.id, c.name, c.title, c.email,
			COALESCE(p.id, c.id), COALESCE(p.number, ''), COALESCE(p.description, '')
		FROM contact c LEFT JOIN phone p ON p.contact_id = c.id
		WHERE c.service_id IN (`+in+`) ORDER BY c.position, p.position`, args, func(r rowScanner) error {
		var sid, pid, number, pdesc string
		var ct directory.Contact
		if err := r.Scan(&sid, &ct.ID, &ct.Name, &ct.Title, &ct.Email, &pid, &number, &pdesc); err != nil {
			return err
		}
		svc := out[sid]
		n := len(svc.Contacts)
		if n == 0 || svc.Contacts[n-1].ID != ct.ID {
			svc.Contacts = append(svc.Contacts, ct)
			n++
		}
		if number != "" {
			svc.Contacts[n-1].Phones = append(svc.Contacts[n-1].Phones, directory.Phone{ID: pid, Number: number, Description: pdesc})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("select contacts: %w", err)
	}
	return nil
}

// eachRow runs a query and calls fn for every row.
// columnStrings runs a query whose rows are one text column and returns
// them in order.
func columnStrings(ctx context.Context, c conn, query string, args []any) ([]string, error) {
	var out []string
	err := eachRow(ctx, c, query, args, func(r rowScanner) error {
		var v string
		err := r.Scan(&v)
		out = append(out, v)
		return err
	})
	return out, err
}

func eachRow(ctx context.Context, c conn, query string, args []any, fn func(rowScanner) error) error {
	rows, err := c.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ListOfflineHelp returns the offline help list by area then name.
func (s *DirectoryStore) ListOfflineHelp(ctx context.Context) ([]directory.OfflineHelp, error) {
	var out []directory.OfflineHelp
	err := eachRow(ctx, s.db.reader(), `SELECT id, name, website, phones, address, area FROM offline_help ORDER BY name`, nil,
		func(r rowScanner) error {
			var h directory.OfflineHelp
			var phones string
			if err := r.Scan(&h.ID, &h.Name, &h.Website, &phones, &h.Address, &h.Area); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(phones), &h.Phones); err != nil {
				return fmt.Errorf("decode phones of %s: %w", h.ID, err)
			}
			out = append(out, h)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("list offline help: %w", err)
	}
	return out, nil
}

// ReplaceOfflineHelp replaces the whole offline help list in one transaction.
func (s *DirectoryStore) ReplaceOfflineHelp(ctx context.Context, list []directory.OfflineHelp) error {
	return s.db.inTx(ctx, func(c conn) error {
		if err := c.exec(ctx, `DELETE FROM offline_help`); err != nil {
			return fmt.Errorf("clear offline help: %w", err)
		}
		for _, h := range list {
			phones, err := json.Marshal(h.Phones)
			if err != nil {
				return fmt.Errorf("encode phones: %w", err)
			}
			if err := c.exec(ctx, `INSERT INTO offline_help (id, name, website, phones, address, area) VALUES (?, ?, ?, ?, ?, ?)`,
				h.ID, h.Name, h.Website, string(phones), h.Address, h.Area); err != nil {
				return fmt.Errorf("insert offline help %s: %w", h.Name, err)
			}
		}
		return nil
	})
}

func intPtr(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func defaultString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// ListOrganizations returns every organisation, by name.
func (s *DirectoryStore) ListOrganizations(ctx context.Context) ([]directory.Organization, error) {
	var out []directory.Organization
	err := eachRow(ctx, s.db.reader(), `SELECT id, name FROM organization ORDER BY name, id`, nil, func(r rowScanner) error {
		var o directory.Organization
		err := r.Scan(&o.ID, &o.Name)
		out = append(out, o)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list organisations: %w", err)
	}
	return out, nil
}

// InTx runs fn in one transaction; see DB.InTx.
func (s *DirectoryStore) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, fn)
}

// suspendedBy is what a new service row records as having suspended it:
// its SuspendedBy, or BySystem for a suspended entry that does not say.
func suspendedBy(svc *directory.Service) string {
	switch {
	case svc.Status != directory.StatusSuspended:
		return ""
	case svc.SuspendedBy == "":
		return string(directory.BySystem)
	}
	return string(svc.SuspendedBy)
}

// FirstServiceWithIDPrefix returns the id of the first created service
// whose id's hex digits start with prefix, or "". It reads the id index by
// range, which both databases order as the canonical text form.
func (s *DirectoryStore) FirstServiceWithIDPrefix(ctx context.Context, prefix string) (string, error) {
	lo, hi := directory.IDRange(prefix)
	ids, err := columnStrings(ctx, s.db.reader(), `SELECT CAST(id AS TEXT) FROM service WHERE id >= ? AND id <= ?
		ORDER BY created_at, id LIMIT 1`, []any{lo, hi})
	if err != nil {
		return "", fmt.Errorf("find service by id prefix: %w", err)
	}
	if len(ids) == 0 {
		return "", nil
	}
	return ids[0], nil
}
