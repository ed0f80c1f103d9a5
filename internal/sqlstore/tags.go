package sqlstore

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"waymark"
	"waymark/internal/directory"
)

// Filter tokens are indexed beside a service's words so that one full-text
// index answers a whole search: words, filters and area together, with the
// engine intersecting posting lists instead of the database joining rows.
// They start with "zq1", which no English word does.
const tagPrefix = "zq1"

// Map grid cells: fine cells of 0.1 degree for searches up to fineRadius
// miles, coarse cells of 0.5 degree beyond.
const (
	fineCellsPerDegree   = 10
	coarseCellsPerDegree = 2
	fineRadius           = 10
)

func cellToken(kind string, lat, lon float64, perDegree float64) string {
	return tagPrefix + kind + signed(int(math.Floor(lat*perDegree))) + "x" + signed(int(math.Floor(lon*perDegree)))
}

func signed(n int) string {
	if n < 0 {
		return "m" + strconv.Itoa(-n)
	}
	return strconv.Itoa(n)
}

// serviceTags are the filter tokens of one service.
func serviceTags(status, visibility, kind, pathway string, free bool, categories []string, points [][2]float64) string {
	var t []string
	public := directory.Status(status).Public() && visibility == string(directory.VisibilityListed)
	if public {
		t = append(t, tagPrefix+"pub")
	}
	if free {
		t = append(t, tagPrefix+"free")
	}
	switch directory.Pathway(pathway) {
	case directory.PathwayNone:
		t = append(t, tagPrefix+"sign")
	case directory.PathwayWaymarkForm, directory.PathwayExternalForm:
		t = append(t, tagPrefix+"self")
	}
	if kind == string(directory.KindReferral) {
		t = append(t, tagPrefix+"pro")
	}
	for _, c := range categories {
		t = append(t, categoryTag(c))
	}
	for _, p := range points {
		if !public {
			break // only public entries are on the map, so cells imply "pub"
		}
		t = append(t, cellToken("f", p[0], p[1], fineCellsPerDegree), cellToken("g", p[0], p[1], coarseCellsPerDegree))
	}
	return strings.Join(t, " ")
}

func categoryTag(code string) string {
	return tagPrefix + "c" + strings.ReplaceAll(code, "-", "")
}

// Option tokens: an accessibility feature ("a"), a language ("l") or a
// delivery mode ("d"), with the code's underscores dropped so that the
// engines keep each token whole.
func optionTag(kind, code string) string {
	return tagPrefix + kind + strings.ReplaceAll(code, "_", "")
}

// optionTags are the option tokens of a service's accessibility features,
// languages and delivery modes (each a space-separated list of codes).
func optionTags(access, langs, delivery string) []string {
	var t []string
	for kind, list := range map[string]string{"a": access, "l": langs, "d": delivery} {
		for _, code := range strings.Fields(list) {
			t = append(t, optionTag(kind, code))
		}
	}
	return t
}

// optionFilters are the option tokens a search requires.
func optionFilters(q directory.SearchQuery) []string {
	var t []string
	for _, a := range q.Access {
		t = append(t, optionTag("a", a))
	}
	if q.Language != "" {
		t = append(t, optionTag("l", q.Language))
	}
	if q.Delivery != "" {
		t = append(t, optionTag("d", q.Delivery))
	}
	return t
}

// filterTags returns the tokens a search requires (all of them) and the
// cells it may be in (any of them). None says the entry is public: in an
// area, only public entries have cells; elsewhere the search looks at the
// service row of each match it takes (see SearchServices), as requiring
// the "pub" token every public entry has would make ranking read its
// posting list, the whole directory's, every time.
func filterTags(q directory.SearchQuery, minLat, maxLat, minLon, maxLon float64) (all, anyCell []string) {
	if q.FreeOnly {
		all = append(all, tagPrefix+"free")
	}
	switch q.ReferralType {
	case directory.ReferralSignposting:
		all = append(all, tagPrefix+"sign")
	case directory.ReferralSelf:
		all = append(all, tagPrefix+"self")
	case directory.ReferralProfessional:
		all = append(all, tagPrefix+"pro")
	}
	if q.Category != "" {
		all = append(all, categoryTag(q.Category))
	}
	all = append(all, optionFilters(q)...)
	if q.Near == nil {
		return all, nil
	}
	kind, per := "f", float64(fineCellsPerDegree)
	if q.RadiusMiles > fineRadius {
		kind, per = "g", coarseCellsPerDegree
	}
	for la := math.Floor(minLat * per); la <= math.Floor(maxLat*per); la++ {
		for lo := math.Floor(minLon * per); lo <= math.Floor(maxLon*per); lo++ {
			anyCell = append(anyCell, tagPrefix+kind+signed(int(la))+"x"+signed(int(lo)))
		}
	}
	return all, anyCell
}

// indexEntry is what the full-text index and service_point hold of one
// service.
type indexEntry struct {
	key                                             any // see dialect.serviceKey
	name, description, keywords, organization, tags string
	points                                          [][2]float64
}

// newIndexEntry returns a service's index entry: its filter tokens, and its
// points when it is public and listed (search shows no others).
func newIndexEntry(key any, svc *directory.Service, orgName string, categories []string) indexEntry {
	var points [][2]float64
	for _, l := range svc.Locations {
		points = append(points, [2]float64{l.Latitude, l.Longitude})
	}
	e := indexEntry{key: key, name: svc.Name, description: svc.Description, keywords: strings.Join(svc.Keywords, ", "),
		organization: orgName, points: points,
		tags: strings.Join(append([]string{serviceTags(string(svc.Status), string(svc.Visibility), string(svc.Kind), string(svc.Pathway), svc.Free, categories, points)},
			optionTags(codes(svc.Accessibility), codes(svc.Languages), codes(svc.Delivery))...), " ")}
	if !svc.Status.Public() || svc.Visibility != directory.VisibilityListed {
		e.points = nil
	}
	return e
}

// reindexService refreshes a service's full-text entry and points from its
// current rows.
func reindexService(ctx context.Context, c conn, id string) error {
	m, err := loadServices(ctx, c, []string{id}, false)
	if err != nil {
		return fmt.Errorf("index service: %w", err)
	}
	svc, ok := m[id]
	if !ok {
		return fmt.Errorf("index service %s: %w", id, waymark.Errorf(waymark.ENOTFOUND, "There is no service at this address"))
	}
	var key any = id
	if k := c.db.dialect.serviceKey(); k != "id" {
		if err := c.queryRow(ctx, `SELECT `+k+` FROM service WHERE id = ?`, id).Scan(&key); err != nil {
			return fmt.Errorf("index service: %w", mapError(err))
		}
	}
	var cats []string
	for _, t := range svc.Categories {
		cats = append(cats, t.Code)
	}
	if err := c.db.dialect.unindex(ctx, c, key); err != nil {
		return err
	}
	return c.db.dialect.index(ctx, c, []indexEntry{newIndexEntry(key, svc, svc.Organization.Name, cats)})
}
