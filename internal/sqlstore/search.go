package sqlstore

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	"waymark/internal/directory"
	"waymark/internal/postcode"
)

// searchSQL is the FROM and WHERE of a public search, with its arguments and
// the relevance expression (higher is better).
type searchSQL struct {
	from  string
	where []string
	args  []any
	rank  string
}

// buildSearch turns a query into SQL. A search with words or an area goes
// through the full-text index alone: the words, the filters and the map cells
// are all terms of one full-text query (see tags.go). A search with neither
// filters the service table. cells are the map grid cells a search near a
// postcode may match.
func (s *DirectoryStore) buildSearch(q directory.SearchQuery, cells []string) searchSQL {
	terms := q.Terms()
	if len(terms) == 0 && len(cells) == 0 {
		b := searchSQL{from: "service s", rank: "0"}
		b.where = append(b.where, "s.status IN ('published', 'frozen')", "s.visibility = 'listed'")
		if q.FreeOnly {
			b.where = append(b.where, "s.free = TRUE")
		}
		switch q.ReferralType {
		case directory.ReferralSignposting:
			b.where = append(b.where, "s.kind = 'signposting'")
		case directory.ReferralSelf:
			b.where = append(b.where, "s.pathway IN ('waymark_form', 'external_form')")
		case directory.ReferralProfessional:
			b.where = append(b.where, "s.kind = 'referral'")
		}
		if q.Category != "" {
			b.where = append(b.where, `EXISTS (SELECT 1 FROM service_taxonomy st JOIN taxonomy_term tt ON tt.id = st.taxonomy_term_id
				WHERE st.service_id = s.id AND tt.code = ?)`)
			b.args = append(b.args, q.Category)
		}
		confirmedSince(&b, q)
		return b
	}
	all, _ := filterTags(q, 0, 0, 0, 0)
	b := s.db.dialect.search(terms, all, cells)
	confirmedSince(&b, q)
	return b
}

// confirmedSince keeps entries last confirmed at or after
// q.ConfirmedSince, when set. It is a condition on the service row rather
// than a filter token, as the date moves on every day.
func confirmedSince(b *searchSQL, q directory.SearchQuery) {
	if q.ConfirmedSince.IsZero() {
		return
	}
	b.where = append(b.where, "s.assured_at >= ?")
	b.args = append(b.args, q.ConfirmedSince.UTC())
}

// SearchServices returns one page of published or frozen, listed services that
// match q. With a postcode, candidates inside the radius's bounding box come
// from SQL and exact distances are computed here.
func (s *DirectoryStore) SearchServices(ctx context.Context, q directory.SearchQuery) (*directory.SearchResult, error) {
	if q.Near != nil {
		return s.searchNear(ctx, q)
	}
	b := s.buildSearch(q, nil)
	c := s.db.reader()
	where := strings.Join(b.where, " AND ")
	countArgs := b.args[s.db.dialect.rankArgs(b):]
	res := &directory.SearchResult{Query: q}
	if err := c.queryRow(ctx, "SELECT COUNT(*) FROM "+b.from+" WHERE "+where, countArgs...).Scan(&res.Total); err != nil {
		return nil, fmt.Errorf("count search results: %w", mapError(err))
	}
	if res.Total == 0 || q.Offset() >= res.Total {
		return res, nil
	}
	var ids []string
	err := eachRow(ctx, c, "SELECT s.id, "+b.rank+" AS score FROM "+b.from+" WHERE "+where+
		" ORDER BY score DESC, s.name, s.id LIMIT ? OFFSET ?", append(b.args, q.PerPage, q.Offset()), func(r rowScanner) error {
		var id string
		var score float64
		if err := r.Scan(&id, &score); err != nil {
			return err
		}
		ids = append(ids, id)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return s.hits(ctx, res, ids, nil)
}

type candidate struct {
	id    string
	score float64
	miles float64
}

func (s *DirectoryStore) searchNear(ctx context.Context, q directory.SearchQuery) (*directory.SearchResult, error) {
	near := *q.Near
	minLat, maxLat, minLon, maxLon := postcode.BoundingBox(near, float64(q.RadiusMiles))
	_, cells := filterTags(q, minLat, maxLat, minLon, maxLon)
	b := s.buildSearch(q, cells)
	b.from += s.db.dialect.pointJoin()
	b.where = append(b.where, "l.latitude BETWEEN ? AND ?", "l.longitude BETWEEN ? AND ?")
	b.args = append(b.args, minLat, maxLat, minLon, maxLon)

	best := map[string]*candidate{}
	err := eachRow(ctx, s.db.reader(), "SELECT s.id, "+b.rank+", l.latitude, l.longitude FROM "+b.from+
		" WHERE "+strings.Join(b.where, " AND "), b.args, func(r rowScanner) error {
		var c candidate
		var lat, lon float64
		if err := r.Scan(&c.id, &c.score, &lat, &lon); err != nil {
			return err
		}
		c.miles = postcode.Miles(near, postcode.Point{Lat: lat, Lon: lon})
		if c.miles > float64(q.RadiusMiles) {
			return nil
		}
		if prev, ok := best[c.id]; !ok || c.miles < prev.miles {
			best[c.id] = &c
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("search near: %w", err)
	}
	list := make([]*candidate, 0, len(best))
	for _, c := range best {
		list = append(list, c)
	}
	byDistance := q.Sort == directory.SortDistance || len(q.Terms()) == 0
	if !byDistance {
		// Best match near a postcode: text relevance, discounted with distance so
		// an equally good match nearby comes first.
		for _, c := range list {
			c.score = c.score / (1 + c.miles/float64(q.RadiusMiles))
		}
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if !byDistance && a.score != b.score {
			return a.score > b.score
		}
		if a.miles != b.miles {
			return a.miles < b.miles
		}
		return a.id < b.id
	})
	res := &directory.SearchResult{Query: q, Total: len(list)}
	start := q.Offset()
	if start >= len(list) {
		return res, nil
	}
	list = list[start:min(start+q.PerPage, len(list))]
	ids := make([]string, len(list))
	miles := make(map[string]float64, len(list))
	for i, c := range list {
		ids[i] = c.id
		miles[c.id] = c.miles
	}
	return s.hits(ctx, res, ids, miles)
}

// hits loads the summaries of the services in ids, in that order, and fills
// res.Hits. miles, when not nil, holds each service's distance.
func (s *DirectoryStore) hits(ctx context.Context, res *directory.SearchResult, ids []string, miles map[string]float64) (*directory.SearchResult, error) {
	m, err := loadServices(ctx, s.db.reader(), ids, false)
	if err != nil {
		return nil, fmt.Errorf("load search results: %w", err)
	}
	for _, id := range ids {
		svc, ok := m[id]
		if !ok {
			continue // deleted between the two queries
		}
		h := directory.Hit{Service: *svc}
		if d, ok := miles[id]; ok {
			d := math.Round(d*10) / 10
			h.DistanceMiles = &d
		}
		h.Nearest = nearest(svc.Locations, res.Query.Near)
		res.Hits = append(res.Hits, h)
	}
	return res, nil
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
