package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"waymark/internal/directory"
	"waymark/internal/postcode"
)

// Public search runs in the database, behind indexes, with LIMIT and
// COUNT in SQL, and then loads the page's rows in one query:
//
//   - words (with or without filters or a postcode): the full-text index
//     matches the words, the filter tokens and, near a postcode, the map
//     cells (see tags.go), and ranks the matches itself; only the page's
//     services are read from the service table, and the count reads the
//     index alone. Near a postcode, each match's nearest point comes from
//     service_point by key and the radius, the distance and the order are
//     computed in SQL.
//   - a postcode alone: the spatial index (an R*Tree in SQLite, GiST with
//     the nearest-first operator <-> in PostgreSQL) finds the nearest
//     services and counts those in the radius, without touching service.
//   - filters alone, or nothing: the service table, by its indexes.
//
// TestSearchPlansProbeIndexes reads each query's plan on both databases.

// ftsSQL is a full-text query: the services matching a search's words,
// filters and area, and their relevance.
type ftsSQL struct {
	key       string // the matching service's key (see dialect.serviceKey)
	from      string
	where     string
	whereArgs []any
	rank      string // relevance, higher is better; "0" without words
	rankArgs  []any
}

// selectSQL returns the query of each match's key (k) and relevance (score).
func (f ftsSQL) selectSQL() (string, []any) {
	return "SELECT " + f.key + " AS k, " + f.rank + " AS score FROM " + f.from + " WHERE " + f.where, concat(f.rankArgs, f.whereArgs)
}

// confirmedSince keeps entries last confirmed at or after
// q.ConfirmedSince, when set. It is a condition on the service row rather
// than a filter token, as the date moves on every day.
func (s *DirectoryStore) confirmedSince(f *ftsSQL, q directory.SearchQuery) {
	if q.ConfirmedSince.IsZero() {
		return
	}
	f.where += " AND " + f.key + " IN (SELECT " + s.db.dialect.serviceKey() + " FROM service WHERE assured_at >= ?)"
	f.whereArgs = append(f.whereArgs, q.ConfirmedSince.UTC())
}

// SearchServices returns one page of published or frozen, listed services that
// match q.
func (s *DirectoryStore) SearchServices(ctx context.Context, q directory.SearchQuery) (*directory.SearchResult, error) {
	if q.Near != nil {
		return s.searchNear(ctx, q)
	}
	res := &directory.SearchResult{Query: q}
	var page string
	var args []any
	terms := q.Terms()
	if len(terms) == 0 {
		where, wargs := s.browseWhere(q)
		if err := s.db.reader().queryRow(ctx, "SELECT COUNT(*) FROM service s WHERE "+where, wargs...).Scan(&res.Total); err != nil {
			return nil, fmt.Errorf("count search results: %w", mapError(err))
		}
		page = "SELECT s." + s.db.dialect.serviceKey() + ", 0 FROM service s WHERE " + where + " ORDER BY s.name, s.id LIMIT ? OFFSET ?"
		args = wargs
	} else {
		all, _ := filterTags(q, 0, 0, 0, 0)
		f := s.db.dialect.fts(terms, all, nil)
		// Public entries only: each match taken is looked up by key.
		f.where += " AND EXISTS (SELECT 1 FROM service s WHERE s." + s.db.dialect.serviceKey() + " = " + f.key +
			" AND s.status IN ('published', 'frozen') AND s.visibility = 'listed')"
		s.confirmedSince(&f, q)
		// Words alone, all over the directory: the count stops past
		// s.maxCounted, and the matches ranked are the first s.maxCounted
		// the index gives (in the order the services were added): ranking
		// every match of a common word in a national directory would take
		// longer than the page is worth (docs/decisions.md, section 2).
		if err := s.db.reader().queryRow(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM "+f.from+" WHERE "+f.where+" LIMIT ?) n",
			append(f.whereArgs, s.maxCounted+1)...).Scan(&res.Total); err != nil {
			return nil, fmt.Errorf("count search results: %w", mapError(err))
		}
		if res.Total > s.maxCounted {
			res.Total, res.TotalCapped = s.maxCounted, true
		}
		matches, margs := f.selectSQL()
		page = "SELECT k, score FROM (" + matches + " LIMIT ?) c ORDER BY score DESC, k LIMIT ? OFFSET ?"
		args = append(margs, s.maxCounted)
	}
	if res.Total == 0 || q.Offset() >= res.Total {
		return res, nil
	}
	var keys []string
	err := eachRow(ctx, s.db.reader(), page, append(args, q.PerPage, q.Offset()), func(r rowScanner) error {
		var k string
		var score float64
		err := r.Scan(&k, &score)
		keys = append(keys, k)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return s.hits(ctx, res, keys, nil)
}

// browseWhere is the condition on service s of a search with neither
// words nor a postcode.
func (s *DirectoryStore) browseWhere(q directory.SearchQuery) (string, []any) {
	where := []string{"s.status IN ('published', 'frozen')", "s.visibility = 'listed'"}
	var args []any
	if q.FreeOnly {
		where = append(where, "s.free = TRUE")
	}
	switch q.ReferralType {
	case directory.ReferralSignposting:
		where = append(where, "s.kind = 'signposting'")
	case directory.ReferralSelf:
		where = append(where, "s.pathway IN ('waymark_form', 'external_form')")
	case directory.ReferralProfessional:
		where = append(where, "s.kind = 'referral'")
	}
	if q.Category != "" {
		where = append(where, `EXISTS (SELECT 1 FROM service_taxonomy st JOIN taxonomy_term tt ON tt.id = st.taxonomy_term_id
			WHERE st.service_id = s.id AND tt.code = ?)`)
		args = append(args, q.Category)
	}
	// Accessibility features, language and delivery mode: each column is a
	// space-separated list of codes.
	has := func(column, code string) {
		where = append(where, "(' ' || s."+column+" || ' ') LIKE ?")
		args = append(args, "% "+code+" %")
	}
	for _, a := range q.Access {
		has("accessibility", a)
	}
	if q.Language != "" {
		has("languages", q.Language)
	}
	if q.Delivery != "" {
		has("delivery", q.Delivery)
	}
	if !q.ConfirmedSince.IsZero() {
		where = append(where, "s.assured_at >= ?")
		args = append(args, q.ConfirmedSince.UTC())
	}
	return strings.Join(where, " AND "), args
}

// searchNear is a search within q.RadiusMiles of q.Near. With words or
// filters, the full-text index finds the candidates in the area's map
// cells and SQL measures, filters, ranks and counts them; with neither,
// the spatial index does it all (searchArea). Where more than
// s.maxCounted services match in the radius, the count stops there and
// the page comes from the nearest matches: a smaller radius holding at
// least the pages up to this one and, where it can, no more than
// s.maxCounted services, so a common word in a dense city ranks a
// bounded number of matches.
func (s *DirectoryStore) searchNear(ctx context.Context, q directory.SearchQuery) (*directory.SearchResult, error) {
	radius := float64(q.RadiusMiles)
	if len(q.Terms()) == 0 && q.ConfirmedSince.IsZero() {
		if all, _ := filterTags(q, 0, 0, 0, 0); len(all) == 0 {
			return s.searchArea(ctx, q)
		}
	}
	res := &directory.SearchResult{Query: q}
	n, err := s.countNear(ctx, q, radius)
	if err != nil {
		return nil, err
	}
	res.Total = n
	if n > s.maxCounted {
		res.Total, res.TotalCapped = s.maxCounted, true
	}
	need := q.Offset() + q.PerPage
	if res.Total == 0 || q.Offset() >= res.Total {
		return res, nil
	}
	// Past the limit, the page comes first from a radius a third of one
	// that would hold need, or half the limit if more, were there four
	// times the limit in the whole radius (a city centre holds thirty times
	// the limit, and every match in the radius is read and ranked); when
	// that does not fill the page, from a radius three times as large, up
	// to the whole. Everything outside a radius is farther than everything
	// in it.
	r := radius
	if res.TotalCapped {
		r = radius * math.Sqrt(float64(max(need, s.maxCounted/2))/float64(4*s.maxCounted)) / 3
	}
	perPage := min(q.PerPage, res.Total-q.Offset()) // the pages end at the count
	for {
		keys, miles, err := s.pageNear(ctx, q, r, perPage)
		if err != nil {
			return nil, err
		}
		if len(keys) == perPage || r == radius {
			return s.hits(ctx, res, keys, miles)
		}
		r = math.Min(radius, r*3)
	}
}

// pageNear reads the keys and distances of one page of the services
// matching q within r miles of q.Near, in the order of q.Sort.
func (s *DirectoryStore) pageNear(ctx context.Context, q directory.SearchQuery, r float64, perPage int) ([]string, map[string]float64, error) {
	query, args := s.nearSQL(q, r, false)
	var keys []string
	miles := map[string]float64{}
	err := eachRow(ctx, s.db.reader(), query, append(args, perPage, q.Offset()), func(row rowScanner) error {
		var k string
		var m float64
		if err := row.Scan(&k, &m); err != nil {
			return err
		}
		keys = append(keys, k)
		miles[k] = m
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("search near: %w", err)
	}
	return keys, miles, nil
}

// countNear counts the services matching q with a point within r miles
// of q.Near, up to s.maxCounted + 1.
func (s *DirectoryStore) countNear(ctx context.Context, q directory.SearchQuery, r float64) (int, error) {
	query, args := s.nearSQL(q, r, true)
	var n int
	if err := s.db.reader().queryRow(ctx, query, append(args, s.maxCounted+1)...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count services near: %w", mapError(err))
	}
	return n, nil
}

// nearSQL is the query of the services matching q's words and filters
// with a point within r miles of q.Near: with count, the number of them
// (up to a LIMIT placeholder); else their keys and distances in the order
// of q.Sort, ending with LIMIT and OFFSET placeholders. Relevance is
// discounted with distance on the scale of q.RadiusMiles, whatever r.
func (s *DirectoryStore) nearSQL(q directory.SearchQuery, r float64, count bool) (string, []any) {
	near, d := *q.Near, s.db.dialect
	minLat, maxLat, minLon, maxLon := postcode.BoundingBox(near, r)
	area := q
	area.RadiusMiles = int(math.Ceil(r)) // picks the size of map cell
	all, cells := filterTags(area, minLat, maxLat, minLon, maxLon)
	terms := q.Terms()
	f := d.fts(terms, all, cells)
	s.confirmedSince(&f, q)
	dist, distArgs, within, withinArgs := d.distance("p.", near, r)
	box := `p.latitude BETWEEN ? AND ? AND p.longitude BETWEEN ? AND ? AND ` + within
	boxArgs := concat([]any{minLat, maxLat, minLon, maxLon}, withinArgs)
	if count {
		return `SELECT COUNT(*) FROM (SELECT ` + f.key + ` AS k FROM ` + f.from + ` WHERE ` + f.where + ` AND EXISTS (
			SELECT 1 FROM service_point p WHERE p.` + d.pointKey() + ` = ` + f.key + ` AND ` + box + `) LIMIT ?) n`,
			concat(f.whereArgs, boxArgs)
	}
	matches, matchArgs := f.selectSQL()
	// Best match: text relevance discounted with distance, so an equally
	// good match nearby comes first. Without words, nearest first.
	order, orderArgs := "score / (1 + miles / ?) DESC, miles, k", []any{float64(q.RadiusMiles)}
	if q.Sort == directory.SortDistance || len(terms) == 0 {
		order, orderArgs = "miles, k", nil
	}
	return `SELECT k, miles FROM (
		SELECT c.k, c.score, MIN(` + dist + `) AS miles
		FROM (` + matches + `) c JOIN service_point p ON p.` + d.pointKey() + ` = c.k
		WHERE ` + box + `
		GROUP BY c.k, c.score) m
		ORDER BY ` + order + ` LIMIT ? OFFSET ?`, concat(distArgs, matchArgs, boxArgs, orderArgs)
}

// searchArea is a search near a postcode with no words and no filters:
// every public service with a point in the radius, nearest first, from
// the spatial index alone, counted up to s.maxCounted. With an index that reads points nearest first
// (PostgreSQL) it reads more points until the page is full; otherwise it
// starts with a radius expected to hold about two pages and widens it until
// the page is full or it reaches the whole radius: everything outside a
// radius is farther than everything inside it.
func (s *DirectoryStore) searchArea(ctx context.Context, q directory.SearchQuery) (*directory.SearchResult, error) {
	near, radius := *q.Near, float64(q.RadiusMiles)
	d := s.db.dialect
	res := &directory.SearchResult{Query: q}
	_, _, countQuery, countArgs := d.nearestSQL(near, radius)
	// Up to two points a service are read; when that many points hold no
	// more than the limit of services, all are read.
	for limit := 2 * (s.maxCounted + 1); ; limit = math.MaxInt32 {
		var points int
		if err := s.db.reader().queryRow(ctx, countQuery, append(countArgs, limit)...).Scan(&res.Total, &points); err != nil {
			return nil, fmt.Errorf("count services near: %w", mapError(err))
		}
		if res.Total > s.maxCounted {
			res.Total, res.TotalCapped = s.maxCounted, true
		}
		if res.TotalCapped || points < limit {
			break
		}
	}
	need := q.Offset() + q.PerPage
	if res.Total == 0 || q.Offset() >= res.Total {
		return res, nil
	}
	r, limit := radius, need
	if d.knn() {
		limit = need * 2 // points; a service may have several
	} else if res.Total > 2*need {
		r = radius * math.Sqrt(2*float64(need)/float64(res.Total)) // two pages if services were spread evenly
		if res.TotalCapped {
			// Past the limit the count says only that there are more: a
			// city centre holds two hundred times more (central London, a
			// fifth of a national directory within 10 miles), so start an
			// eighth as far out, a few hundred points there, and widen.
			r /= 8
		}
	}
	for {
		var keys []string
		miles := map[string]float64{}
		query, args, _, _ := d.nearestSQL(near, r)
		rows, past := 0, false
		err := eachRow(ctx, s.db.reader(), query, append(args, limit), func(row rowScanner) error {
			var k string
			var m float64
			if err := row.Scan(&k, &m, &past); err != nil {
				return err
			}
			rows++
			if past {
				return errPast
			}
			if _, seen := miles[k]; !seen && m <= radius {
				keys = append(keys, k)
				miles[k] = m
			}
			return nil
		})
		if err != nil && !errors.Is(err, errPast) {
			return nil, fmt.Errorf("search near: %w", err)
		}
		switch {
		case len(keys) < need && r < radius:
			r = math.Min(radius, r*3)
		case len(keys) < need && rows == limit && !past:
			limit *= 4
		default:
			if len(keys) <= q.Offset() {
				return res, nil
			}
			return s.hits(ctx, res, keys[q.Offset():min(need, len(keys))], miles)
		}
	}
}

// errPast stops reading points nearest first at the first beyond the radius.
var errPast = errors.New("past the radius")

// milesSQL is the great-circle (haversine) distance in miles from a point
// to the columns lat and lon, as postcode.Miles measures it; its
// arguments are milesArgs.
func milesSQL(d dialect, lat, lon string) string {
	return fmt.Sprintf("%f * asin(%s(1, sqrt(power(sin((radians(%s) - ?) / 2), 2) + ? * cos(radians(%s)) * power(sin((radians(%s) - ?) / 2), 2))))",
		2*postcode.Miles(postcode.Point{}, postcode.Point{Lat: 180 / math.Pi}), d.least(), lat, lat, lon)
}

// milesArgs are the arguments of milesSQL for distances from p.
func milesArgs(p postcode.Point) []any {
	lat := p.Lat * math.Pi / 180
	return []any{lat, math.Cos(lat), p.Lon * math.Pi / 180}
}

// concat joins argument lists.
func concat(lists ...[]any) []any {
	var out []any
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// hits loads the summaries of the services with keys (see
// dialect.serviceKey), in that order, and fills res.Hits. miles, when not
// nil, holds each service's distance by key.
func (s *DirectoryStore) hits(ctx context.Context, res *directory.SearchResult, keys []string, miles map[string]float64) (*directory.SearchResult, error) {
	m, err := s.loadPage(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("load search results: %w", err)
	}
	for _, k := range keys {
		svc, ok := m[k]
		if !ok {
			continue // deleted between the two queries
		}
		h := directory.Hit{Service: *svc}
		if d, ok := miles[k]; ok {
			d := math.Round(d*10) / 10
			h.DistanceMiles = &d
		}
		h.Nearest = nearest(svc.Locations, res.Query.Near)
		res.Hits = append(res.Hits, h)
	}
	return res, nil
}

// loadPage loads what a search result shows of the services with keys
// (organisation, categories by name, locations in order), keyed by key,
// in one query.
func (s *DirectoryStore) loadPage(ctx context.Context, keys []string) (map[string]*directory.Service, error) {
	out := make(map[string]*directory.Service, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	d := s.db.dialect
	query := `SELECT CAST(s.` + d.serviceKey() + ` AS TEXT), ` + serviceColumns + `,
		(SELECT ` + d.jsonRows("t.id, t.taxonomy_id, t.code, t.name, t.description", "t.name") + `
			FROM service_taxonomy st JOIN taxonomy_term t ON t.id = st.taxonomy_term_id WHERE st.service_id = s.id),
		(SELECT ` + d.jsonRows("sal.id, l.id, l.name, l.description, l.latitude, l.longitude, a.id, a.address_1, a.city, a.state_province, a.postal_code, a.country", "sal.position") + `
			FROM service_at_location sal JOIN location l ON l.id = sal.location_id JOIN address a ON a.location_id = l.id
			WHERE sal.service_id = s.id)
		FROM service s JOIN organization o ON o.id = s.organization_id
		WHERE s.` + d.serviceKey() + ` IN (` + placeholders(len(keys)) + `)`
	err := eachRow(ctx, s.db.reader(), query, anys(keys), func(r rowScanner) error {
		var key, cats, locs string
		svc, err := scanService(wrapScan{r, []any{&key}, []any{&cats, &locs}})
		if err != nil {
			return err
		}
		var rows [][]any
		if err := json.Unmarshal([]byte(cats), &rows); err != nil {
			return fmt.Errorf("categories of %s: %w", svc.ID, err)
		}
		for _, c := range rows {
			svc.Categories = append(svc.Categories, directory.TaxonomyTerm{ID: jsonString(c, 0), TaxonomyID: jsonString(c, 1),
				Code: jsonString(c, 2), Name: jsonString(c, 3), Description: jsonString(c, 4)})
		}
		rows = nil
		if err := json.Unmarshal([]byte(locs), &rows); err != nil {
			return fmt.Errorf("locations of %s: %w", svc.ID, err)
		}
		for _, l := range rows {
			lat, _ := l[4].(float64)
			lon, _ := l[5].(float64)
			svc.Locations = append(svc.Locations, directory.Location{ServiceAtLocationID: jsonString(l, 0), ID: jsonString(l, 1),
				Name: jsonString(l, 2), Description: jsonString(l, 3), Latitude: lat, Longitude: lon,
				Address: directory.Address{ID: jsonString(l, 6), Address1: jsonString(l, 7), City: jsonString(l, 8),
					StateProvince: jsonString(l, 9), PostalCode: jsonString(l, 10), Country: jsonString(l, 11)}})
		}
		out[key] = svc
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("select page: %w", err)
	}
	return out, nil
}

// jsonString returns the i-th value of a JSON array row as a string ("" when missing or not a string).
func jsonString(row []any, i int) string {
	if i >= len(row) {
		return ""
	}
	s, _ := row[i].(string)
	return s
}

// wrapScan scans columns before and after those its caller scans.
type wrapScan struct {
	r           rowScanner
	before, aft []any
}

func (w wrapScan) Scan(dest ...any) error {
	return w.r.Scan(concat(w.before, dest, w.aft)...)
}

// nearest returns the location closest to p, or the first when p is nil.
func nearest(ls []directory.Location, p *postcode.Point) *directory.Location {
	if len(ls) == 0 {
		return nil
	}
	best := 0
	if p != nil {
		d := math.Inf(1)
		for i, l := range ls {
			if m := postcode.Miles(*p, postcode.Point{Lat: l.Latitude, Lon: l.Longitude}); m < d {
				best, d = i, m
			}
		}
	}
	l := ls[best]
	return &l
}
