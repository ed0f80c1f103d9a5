package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"

	"waymark"
	"waymark/internal/directory"
)

// searchView is the home and search page.
type searchView struct {
	page
	Form     url.Values // what was typed, to fill the form again
	Query    directory.SearchQuery
	Searched bool // any criteria given
	// FiltersOpen shows the filters when one is set or wrong, or before any
	// search, so nobody has to look for them.
	FiltersOpen bool
	Result      *directory.SearchResult
	Categories  []directory.TaxonomyTerm
	Radii       []int
	FieldErrs   map[string]string
	Pages       []pageLink
	Prev, Next  string
	LastPage    string // when the page asked for is beyond the last, a link to the last
	MapData     string // JSON markers for the map enhancement
	HasMarkers  bool   // any result has a location to show on the map
	// After a search that found nothing: a search with the spelling
	// corrected, related searches, and whether the postcode is outside the
	// area the directory covers.
	Spelling    *link
	Related     []link
	OutsideArea bool
	MaxRadius   int // the largest search distance, in miles
}

type pageLink struct {
	Number  int
	URL     string
	Current bool
	Gap     bool
}

// handleSearch is the home page: the search form and, when criteria are
// given, one page of results.
func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	form := r.URL.Query()
	cats, err := s.deps.Directory.Categories(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	q, errs := directory.ParseSearch(form)
	v := searchView{page: s.page(r, "Find community support near you"), Form: form, Query: q,
		Categories: cats, Radii: directory.RadiusChoices, FieldErrs: errs.Map()}
	if v.FieldErrs == nil {
		v.FieldErrs = map[string]string{}
	}
	for _, k := range []string{"q", "postcode", "category", "free", "confirmed", "referral", "access", "delivery", "language", "page"} {
		v.Searched = v.Searched || form.Get(k) != ""
	}
	// Search even when some fields are wrong (they are left at their
	// defaults), so that the postcode and category are checked too and every
	// problem is reported at once; results are shown only when all is well.
	status := http.StatusOK
	res, err := s.deps.Directory.Search(ctx, q)
	var werr *waymark.Error
	switch {
	case err == nil:
	case waymark.ErrorCode(err) == waymark.EINVALID && asError(err, &werr) && werr.Field != "":
		if _, dup := v.FieldErrs[werr.Field]; !dup {
			v.FieldErrs[werr.Field] = werr.Message
		}
	default:
		s.renderError(w, r, err)
		return
	}
	switch {
	case len(v.FieldErrs) > 0:
		status = http.StatusBadRequest
	case q.Page > 1 && q.Page > res.Pages():
		last := res.Pages()
		status = http.StatusNotFound
		v.FieldErrs["page"] = fmt.Sprintf("There is no page %d of results: there %s", q.Page, pagesPhrase(last))
		if last > 0 {
			v.LastPage = pageURL(form, last)
		}
	default:
		v.Result = res
		v.Query = res.Query
	}
	v.FiltersOpen = !v.Searched || q.Filtered() || q.Sort == directory.SortDistance
	for _, k := range []string{"category", "free", "confirmed", "referral", "delivery", "access", "language", "sort"} {
		v.FiltersOpen = v.FiltersOpen || v.FieldErrs[k] != ""
	}
	v.markErrors(v.FieldErrs, []string{"q", "postcode", "radius", "category", "free", "confirmed", "referral", "delivery", "access", "language", "sort", "page"})
	if v.Result != nil {
		for _, w := range directory.RelatedSearches(v.Query) {
			v.Related = append(v.Related, link{Href: withText(v.Form, w), Text: w})
		}
	}
	if v.Result != nil && v.Result.Total == 0 {
		if v.Searched && v.Query.Page == 1 {
			// Unmet need: kept by district and words, never the person.
			if err := s.deps.Directory.NoteNothingFound(ctx, v.Query); err != nil {
				s.log.Error("internal error", "route", r.Pattern, "error", err)
			}
		}
		if err := s.suggest(r, &v); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if v.Result != nil {
		v.Pages, v.Prev, v.Next = pagination(form, v.Query.Page, v.Result.Pages())
		v.MapData, v.HasMarkers = mapData(v.Result)
	}
	s.render(w, r, status, "search", v)
}

func pagesPhrase(n int) string {
	switch n {
	case 0:
		return "are no results"
	case 1:
		return "is only 1 page"
	}
	return "are only " + strconv.Itoa(n) + " pages"
}

// summary orders field messages for the error summary.
func summary(errs map[string]string, order []string) []fieldError {
	var out []fieldError
	seen := map[string]bool{}
	for _, f := range order {
		if m, ok := errs[f]; ok {
			out = append(out, fieldError{Field: f, Message: m})
			seen[f] = true
		}
	}
	var rest []string
	for f := range errs {
		if !seen[f] {
			rest = append(rest, f)
		}
	}
	sort.Strings(rest)
	for _, f := range rest {
		out = append(out, fieldError{Field: f, Message: errs[f]})
	}
	return out
}

// pagination returns numbered links around the current page, keeping every
// other parameter of the search.
func pagination(form url.Values, current, total int) (links []pageLink, prev, next string) {
	if total <= 1 {
		return nil, "", ""
	}
	link := func(n int) string { return pageURL(form, n) }
	for n := 1; n <= total; n++ {
		if n == 1 || n == total || (n >= current-2 && n <= current+2) {
			links = append(links, pageLink{Number: n, URL: link(n), Current: n == current})
		} else if len(links) > 0 && !links[len(links)-1].Gap {
			links = append(links, pageLink{Gap: true})
		}
	}
	if current > 1 {
		prev = link(current - 1)
	}
	if current < total {
		next = link(current + 1)
	}
	return links, prev, next
}

// suggest fills in the help after a search that found nothing.
func (s *Server) suggest(r *http.Request, v *searchView) error {
	sg, err := s.deps.Directory.Suggest(r.Context(), v.Query)
	if err != nil {
		return err
	}
	if sg.Spelling != "" {
		v.Spelling = &link{Href: withText(v.Form, sg.Spelling), Text: sg.Spelling}
	}
	v.OutsideArea, v.MaxRadius = sg.OutsideArea, directory.RadiusChoices[len(directory.RadiusChoices)-1]
	return nil
}

// withText is the address of the same search with other words.
func withText(form url.Values, text string) string {
	v := url.Values{}
	for k, vals := range form {
		v[k] = vals
	}
	v.Del("page")
	v.Set("q", text)
	return "/?" + v.Encode()
}

// pageURL is the address of page n of a search, with every other parameter
// kept.
func pageURL(form url.Values, n int) string {
	v := url.Values{}
	for k, vals := range form {
		v[k] = vals
	}
	v.Del("page")
	if n > 1 {
		v.Set("page", strconv.Itoa(n))
	}
	return "/?" + v.Encode()
}

// mapData is the JSON the map enhancement reads: one marker per result with
// a location. ok is false when there is none.
func mapData(res *directory.SearchResult) (data string, ok bool) {
	type marker struct {
		Name string  `json:"name"`
		URL  string  `json:"url"`
		Lat  float64 `json:"lat"`
		Lon  float64 `json:"lon"`
	}
	ms := []marker{}
	for _, h := range res.Hits {
		if h.Nearest != nil && (h.Nearest.Latitude != 0 || h.Nearest.Longitude != 0) {
			ms = append(ms, marker{Name: h.Service.DisplayName(), URL: "/services/" + h.Service.ID, Lat: h.Nearest.Latitude, Lon: h.Nearest.Longitude})
		}
	}
	b, _ := json.Marshal(ms) // plain structs: cannot fail
	return string(b), len(ms) > 0
}
