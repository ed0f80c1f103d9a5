package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/postcode"
)

// feedWhere builds the conditions a feed filter puts on service s.
func (s *DirectoryStore) feedWhere(f directory.ListFilter) ([]string, []any) {
	where := []string{"s.status IN ('published', 'frozen')", "s.visibility = 'listed'"}
	var args []any
	if terms := (directory.SearchQuery{Text: f.Text}).Terms(); len(terms) > 0 {
		cond, arg := s.db.dialect.textFilter(terms)
		where, args = append(where, cond), append(args, arg)
	}
	if f.TaxonomyTermID != "" {
		where = append(where, "EXISTS (SELECT 1 FROM service_taxonomy st WHERE st.service_id = s.id AND st.taxonomy_term_id = ?)")
		args = append(args, f.TaxonomyTermID)
	}
	if f.TaxonomyID != "" {
		where = append(where, `EXISTS (SELECT 1 FROM service_taxonomy st JOIN taxonomy_term tt ON tt.id = st.taxonomy_term_id
			WHERE st.service_id = s.id AND tt.taxonomy_id = ?)`)
		args = append(args, f.TaxonomyID)
	}
	if f.MinimumAge != nil {
		where = append(where, "(s.maximum_age IS NULL OR s.maximum_age >= ?)")
		args = append(args, *f.MinimumAge)
	}
	if f.MaximumAge != nil {
		where = append(where, "(s.minimum_age IS NULL OR s.minimum_age <= ?)")
		args = append(args, *f.MaximumAge)
	}
	if f.Day != "" || f.StartTime != "" || f.EndTime != "" {
		cond := []string{"sc.service_id = s.id"}
		if f.Day != "" {
			cond = append(cond, "sc.byday LIKE ?")
			args = append(args, "%"+f.Day+"%")
		}
		if f.StartTime != "" {
			cond = append(cond, "sc.closes_at > ?")
			args = append(args, f.StartTime)
		}
		if f.EndTime != "" {
			cond = append(cond, "sc.opens_at <> '' AND sc.opens_at < ?")
			args = append(args, f.EndTime)
		}
		where = append(where, "EXISTS (SELECT 1 FROM schedule sc WHERE "+strings.Join(cond, " AND ")+")")
	}
	return where, args
}

// ListPublicServiceIDs returns one page of the ids of public, listed services
// matching f, in id order (stable, and cheap on the primary key), and how
// many match in all.
func (s *DirectoryStore) ListPublicServiceIDs(ctx context.Context, f directory.ListFilter) ([]string, int, error) {
	where, args := s.feedWhere(f)
	c := s.db.reader()
	cond := strings.Join(where, " AND ")
	var total int
	if err := c.queryRow(ctx, "SELECT COUNT(*) FROM service s WHERE "+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count services: %w", mapError(err))
	}
	// Walk the (id, status, visibility) index in order rather than sort every
	// public service: "|| ''" keeps SQLite from choosing the status index.
	cond = strings.Replace(cond, "s.status IN", "(s.status || '') IN", 1)
	ids, err := columnStrings(ctx, c, "SELECT s.id FROM service s WHERE "+cond+" ORDER BY s.id LIMIT ? OFFSET ?",
		append(args, f.Limit, f.Offset))
	if err != nil {
		return nil, 0, fmt.Errorf("list services: %w", err)
	}
	return ids, total, nil
}

// FindServices loads services by id, everything about them when full is
// true, with one query per kind of part however many services there are.
func (s *DirectoryStore) FindServices(ctx context.Context, ids []string, full bool) (map[string]*directory.Service, error) {
	m, err := loadServices(ctx, s.db.reader(), ids, full)
	if err != nil {
		return nil, fmt.Errorf("load services: %w", err)
	}
	return m, nil
}

// ListTaxonomies returns one page of taxonomies by name, and their number.
func (s *DirectoryStore) ListTaxonomies(ctx context.Context, offset, limit int) ([]directory.Taxonomy, int, error) {
	c := s.db.reader()
	var total int
	if err := c.queryRow(ctx, "SELECT COUNT(*) FROM taxonomy").Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count taxonomies: %w", err)
	}
	var out []directory.Taxonomy
	err := eachRow(ctx, c, "SELECT id, name, description, uri, version FROM taxonomy ORDER BY name, id LIMIT ? OFFSET ?",
		[]any{limit, offset}, func(r rowScanner) error {
			var t directory.Taxonomy
			err := r.Scan(&t.ID, &t.Name, &t.Description, &t.URI, &t.Version)
			out = append(out, t)
			return err
		})
	if err != nil {
		return nil, 0, fmt.Errorf("list taxonomies: %w", err)
	}
	return out, total, nil
}

// FindTaxonomy returns a taxonomy and its terms. Errors: ENOTFOUND.
func (s *DirectoryStore) FindTaxonomy(ctx context.Context, id string) (*directory.Taxonomy, []directory.TaxonomyTerm, error) {
	var t directory.Taxonomy
	err := s.db.reader().queryRow(ctx, "SELECT id, name, description, uri, version FROM taxonomy WHERE id = ?", id).
		Scan(&t.ID, &t.Name, &t.Description, &t.URI, &t.Version)
	if err != nil {
		return nil, nil, notFound(err, "taxonomy")
	}
	terms, _, err := s.listTerms(ctx, "WHERE t.taxonomy_id = ?", []any{id}, 0, 100000)
	return &t, terms, err
}

// ListTaxonomyTerms returns one page of taxonomy terms by name.
func (s *DirectoryStore) ListTaxonomyTerms(ctx context.Context, offset, limit int) ([]directory.TaxonomyTerm, int, error) {
	return s.listTerms(ctx, "", nil, offset, limit)
}

// FindTaxonomyTerm returns one taxonomy term. Errors: ENOTFOUND.
func (s *DirectoryStore) FindTaxonomyTerm(ctx context.Context, id string) (*directory.TaxonomyTerm, error) {
	terms, _, err := s.listTerms(ctx, "WHERE t.id = ?", []any{id}, 0, 1)
	if err != nil {
		return nil, err
	}
	if len(terms) == 0 {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "There is no taxonomy term with that id")
	}
	return &terms[0], nil
}

func (s *DirectoryStore) listTerms(ctx context.Context, where string, args []any, offset, limit int) ([]directory.TaxonomyTerm, int, error) {
	c := s.db.reader()
	var total int
	if err := c.queryRow(ctx, "SELECT COUNT(*) FROM taxonomy_term t "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count taxonomy terms: %w", err)
	}
	var out []directory.TaxonomyTerm
	err := eachRow(ctx, c, `SELECT t.id, t.taxonomy_id, t.code, t.name, t.description, COALESCE(CAST(t.parent_id AS TEXT), '')
		FROM taxonomy_term t `+where+` ORDER BY t.name, t.id LIMIT ? OFFSET ?`, append(args, limit, offset), func(r rowScanner) error {
		var t directory.TaxonomyTerm
		err := r.Scan(&t.ID, &t.TaxonomyID, &t.Code, &t.Name, &t.Description, &t.ParentID)
		out = append(out, t)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list taxonomy terms: %w", err)
	}
	return out, total, nil
}

const salColumns = `sal.id, sal.service_id, l.id, l.name, l.description, l.latitude, l.longitude,
	a.id, a.address_1, a.city, a.state_province, a.postal_code, a.country`

func scanSAL(r rowScanner) (directory.ServiceAtLocation, error) {
	var x directory.ServiceAtLocation
	l := &x.Location
	a := &l.Address
	err := r.Scan(&x.ID, &x.ServiceID, &l.ID, &l.Name, &l.Description, &l.Latitude, &l.Longitude,
		&a.ID, &a.Address1, &a.City, &a.StateProvince, &a.PostalCode, &a.Country)
	l.ServiceAtLocationID = x.ID
	return x, err
}

// ListServiceAtLocations returns one page of the places public, listed
// services matching f are delivered, nearest first when f.Near is set (then
// only those within f.WithinMetres), otherwise by service name.
func (s *DirectoryStore) ListServiceAtLocations(ctx context.Context, f directory.ListFilter) ([]directory.ServiceAtLocation, int, error) {
	where, args := s.feedWhere(f)
	from := ` FROM service_at_location sal JOIN service s ON s.id = sal.service_id
		JOIN location l ON l.id = sal.location_id JOIN address a ON a.location_id = l.id`
	c := s.db.reader()
	if f.Near == nil {
		cond := strings.Join(where, " AND ")
		var total int
		if err := c.queryRow(ctx, "SELECT COUNT(*)"+from+" WHERE "+cond, args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count services at locations: %w", mapError(err))
		}
		var out []directory.ServiceAtLocation
		err := eachRow(ctx, c, "SELECT "+salColumns+from+" WHERE "+cond+" ORDER BY s.name, sal.id LIMIT ? OFFSET ?",
			append(args, f.Limit, f.Offset), func(r rowScanner) error {
				x, err := scanSAL(r)
				out = append(out, x)
				return err
			})
		if err != nil {
			return nil, 0, fmt.Errorf("list services at locations: %w", err)
		}
		return out, total, nil
	}
	miles := f.WithinMetres / 1609.344
	minLat, maxLat, minLon, maxLon := postcode.BoundingBox(*f.Near, miles)
	where = append(where, "l.latitude BETWEEN ? AND ?", "l.longitude BETWEEN ? AND ?")
	args = append(args, minLat, maxLat, minLon, maxLon)
	var all []directory.ServiceAtLocation
	err := eachRow(ctx, c, "SELECT "+salColumns+from+" WHERE "+strings.Join(where, " AND "), args, func(r rowScanner) error {
		x, err := scanSAL(r)
		if err != nil {
			return err
		}
		m := postcode.Metres(*f.Near, postcode.Point{Lat: x.Location.Latitude, Lon: x.Location.Longitude})
		if m <= f.WithinMetres {
			m = math.Round(m)
			x.Metres = &m
			all = append(all, x)
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list services at locations near: %w", err)
	}
	sort.Slice(all, func(i, j int) bool {
		if *all[i].Metres != *all[j].Metres {
			return *all[i].Metres < *all[j].Metres
		}
		return all[i].ID < all[j].ID
	})
	total := len(all)
	if f.Offset >= total {
		return nil, total, nil
	}
	return all[f.Offset:min(f.Offset+f.Limit, total)], total, nil
}

// FindServiceAtLocation returns one service at location of a public, listed
// service. Errors: ENOTFOUND.
func (s *DirectoryStore) FindServiceAtLocation(ctx context.Context, id string) (*directory.ServiceAtLocation, error) {
	row := s.db.reader().queryRow(ctx, "SELECT "+salColumns+` FROM service_at_location sal JOIN service s ON s.id = sal.service_id
		JOIN location l ON l.id = sal.location_id JOIN address a ON a.location_id = l.id
		WHERE sal.id = ? AND s.status IN ('published', 'frozen') AND s.visibility = 'listed'`, id)
	x, err := scanSAL(row)
	if err != nil {
		return nil, notFound(err, "service at location")
	}
	return &x, nil
}

// notFound maps sql.ErrNoRows to ENOTFOUND and wraps anything else.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return waymark.Errorf(waymark.ENOTFOUND, "There is no %s with that id", what)
	}
	return fmt.Errorf("find %s: %w", what, mapError(err))
}
