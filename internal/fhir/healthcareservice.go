package fhir

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	models "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/input"
)

// Directory is the public directory the HealthcareService endpoints read;
// *directory.Directory provides it.
type Directory interface {
	// Search runs a public search. Errors: EINVALID with Field "postcode".
	Search(ctx context.Context, q directory.SearchQuery) (*directory.SearchResult, error)
	// PublicService returns a public service. Errors: ENOTFOUND.
	PublicService(ctx context.Context, id string) (*directory.Service, error)
}

// Code systems of the directory's identifiers and categories, under the
// site's address.
const (
	serviceIDPath  = "/fhir/Id/service"
	categoriesPath = "/fhir/CodeSystem/category"
	// locationDistance is the standard extension giving a search match's
	// distance.
	locationDistance = "http://hl7.org/fhir/StructureDefinition/location-distance"
)

// maxDistance is the largest distance, in miles, a search may ask for.
const maxDistance = 50

// handleHealthcareServices answers GET /fhir/R4/HealthcareService: a
// searchset Bundle of public services by name and/or near a postcode.
func (a *API) handleHealthcareServices(w http.ResponseWriter, r *http.Request) {
	if a.deps.Directory == nil {
		a.handleUnknown(w, r)
		return
	}
	q, issues := parseServiceSearch(r.URL.Query())
	if len(issues) > 0 {
		WriteOutcome(w, http.StatusBadRequest, issues...)
		return
	}
	res, err := a.deps.Directory.Search(r.Context(), q)
	if err != nil {
		var e *waymark.Error
		if waymark.ErrorCode(err) == waymark.EINVALID && errors.As(err, &e) && e.Field == "postcode" {
			WriteOutcome(w, http.StatusBadRequest, Issue{Code: "value", Error: "REC_BAD_REQUEST", Diagnostics: e.Message, Expression: []string{ParamPostcode}})
			return
		}
		a.Fail(w, r, err)
		return
	}
	base := a.base(r)
	b := models.Bundle{Id: ptr(newUUID()), Type: code[models.BundleType]("searchset"),
		Timestamp: ptr(a.now().UTC().Format("2006-01-02T15:04:05Z"))}
	if !res.TotalCapped { // otherwise more matched than were counted: no total
		total := res.Total
		b.Total = &total
	}
	self := searchURL(base, r.URL.Query(), q.Page)
	b.Link = append(b.Link, models.BundleLink{Relation: "self", Url: self})
	if q.Page < res.Pages() {
		b.Link = append(b.Link, models.BundleLink{Relation: "next", Url: searchURL(base, r.URL.Query(), q.Page+1)})
	}
	for _, hit := range res.Hits {
		svc := hit.Service
		raw, err := HealthcareService(base, &svc)
		if err != nil {
			a.Fail(w, r, fmt.Errorf("healthcare service: %w", err))
			return
		}
		e := models.BundleEntry{FullUrl: ptr(base + Prefix + "/HealthcareService/" + svc.ID), Resource: raw,
			Search: &models.BundleEntrySearch{Mode: ptr(code[models.SearchEntryMode]("match"))}}
		if hit.DistanceMiles != nil {
			miles := json.Number(strconv.FormatFloat(math.Round(*hit.DistanceMiles*10)/10, 'f', -1, 64))
			e.Search.Extension = []models.Extension{{Url: locationDistance, ValueDistance: &models.Distance{
				Value: &miles, Unit: ptr("mi"), System: ptr("http://unitsofmeasure.org"), Code: ptr("[mi_i]")}}}
		}
		b.Entry = append(b.Entry, e)
	}
	writeJSON(w, http.StatusOK, b)
}

// parseServiceSearch reads the HealthcareService search parameters,
// refusing unknown ones.
func parseServiceSearch(v url.Values) (directory.SearchQuery, []Issue) {
	q := directory.SearchQuery{Sort: directory.SortRelevance, Page: 1, PerPage: directory.DefaultPerPage, RadiusMiles: directory.DefaultRadius}
	var issues []Issue
	bad := func(param, msg string) {
		issues = append(issues, Issue{Code: "value", Error: "REC_BAD_REQUEST", Diagnostics: msg, Expression: []string{param}})
	}
	names := make([]string, 0, len(v))
	for name := range v {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		switch name {
		case ParamName, ParamPostcode, ParamDistance, ParamCount, ParamPage, "_format":
			if len(v[name]) > 1 {
				bad(name, name+" is given more than once")
			}
		default:
			issues = append(issues, Issue{Code: "not-supported", Error: "REC_BAD_REQUEST", Expression: []string{name},
				Diagnostics: "Unknown search parameter " + strconv.Quote(truncate(name, 40)) + ": use name, " + ParamPostcode + ", distance, _count or page"})
		}
	}
	if f := v.Get("_format"); f != "" && f != "json" && !strings.HasPrefix(f, "application/fhir+json") && f != "application/json" {
		bad("_format", "Only JSON is served: _format=json")
	}
	if text, err := input.Line("name", v.Get(ParamName), directory.MaxQueryLength); err != nil {
		bad(ParamName, waymark.ErrorMessage(err))
	} else {
		q.Text = strings.Join(strings.Fields(text), " ")
	}
	if pc := strings.TrimSpace(v.Get(ParamPostcode)); pc != "" {
		if len(pc) > 16 {
			bad(ParamPostcode, "The postcode must be 8 characters or fewer, like DE4 3AG")
		} else {
			q.Postcode, q.Sort = pc, directory.SortDistance
		}
	}
	number := func(param string, min, max int, into *int) {
		s := v.Get(param)
		if s == "" {
			return
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < min || n > max {
			bad(param, fmt.Sprintf("%s must be a whole number from %d to %d", param, min, max))
			return
		}
		*into = n
	}
	number(ParamDistance, 1, maxDistance, &q.RadiusMiles)
	number(ParamCount, 1, directory.MaxPerPage, &q.PerPage)
	number(ParamPage, 1, directory.MaxPage, &q.Page)
	if v.Get(ParamDistance) != "" && q.Postcode == "" {
		bad(ParamDistance, "distance needs "+ParamPostcode)
	}
	return q, issues
}

// searchURL is the address of a page of a search.
func searchURL(base string, v url.Values, page int) string {
	keep := url.Values{}
	for _, k := range []string{ParamName, ParamPostcode, ParamDistance, ParamCount} {
		if s := v.Get(k); s != "" {
			keep.Set(k, s)
		}
	}
	keep.Set(ParamPage, strconv.Itoa(page))
	return base + Prefix + "/HealthcareService?" + keep.Encode()
}

// handleHealthcareService answers GET /fhir/R4/HealthcareService/{id}.
func (a *API) handleHealthcareService(w http.ResponseWriter, r *http.Request) {
	if a.deps.Directory == nil {
		a.handleUnknown(w, r)
		return
	}
	svc, err := a.deps.Directory.PublicService(r.Context(), r.PathValue("id"))
	if err != nil {
		if waymark.ErrorCode(err) == waymark.ENOTFOUND {
			WriteOutcome(w, http.StatusNotFound, Issue{Code: "not-found", Error: "REC_NOT_FOUND",
				Diagnostics: "There is no public HealthcareService with this id"})
			return
		}
		a.Fail(w, r, err)
		return
	}
	raw, err := HealthcareService(a.base(r), svc)
	if err != nil {
		a.Fail(w, r, fmt.Errorf("healthcare service: %w", err))
		return
	}
	writeJSON(w, http.StatusOK, raw)
}

// HealthcareService maps a directory service to a HealthcareService with
// its Organization and Locations contained, for a site whose public address
// is base, as JSON.
func HealthcareService(base string, svc *directory.Service) (json.RawMessage, error) {
	hs := models.HealthcareService{
		Id:         ptr(svc.ID),
		Active:     ptr(true),
		Identifier: []models.Identifier{{System: ptr(base + serviceIDPath), Value: ptr(svc.ID)}},
		Name:       ptr(svc.DisplayName()),
	}
	if d := strings.TrimSpace(svc.Description); d != "" {
		hs.Comment = ptr(firstLine(d, 300))
		hs.ExtraDetails = ptr(d)
	}
	var contained []json.RawMessage
	if o := svc.Organization; o != nil {
		org := models.Organization{Id: ptr("org"), Active: ptr(true), Name: ptr(o.Name)}
		org.Telecom = telecoms(o.Phone, o.Email, o.Website)
		if raw, err := json.Marshal(org); err == nil {
			contained = append(contained, raw)
			hs.ProvidedBy = &models.Reference{Reference: ptr("#org"), Display: ptr(o.Name)}
		}
	}
	for i, l := range svc.Locations {
		id := "loc" + strconv.Itoa(i+1)
		loc := models.Location{Id: ptr(id), Status: ptr(code[models.LocationStatus]("active"))}
		if l.Name != "" {
			loc.Name = ptr(l.Name)
		}
		if addr := address(l.Address); addr != nil {
			loc.Address = addr
		}
		if l.Latitude != 0 || l.Longitude != 0 {
			loc.Position = &models.LocationPosition{
				Latitude:  json.Number(strconv.FormatFloat(l.Latitude, 'f', 6, 64)),
				Longitude: json.Number(strconv.FormatFloat(l.Longitude, 'f', 6, 64)),
			}
		}
		raw, err := json.Marshal(loc)
		if err != nil {
			continue
		}
		contained = append(contained, raw)
		ref := models.Reference{Reference: ptr("#" + id)}
		if l.Name != "" {
			ref.Display = ptr(l.Name)
		}
		hs.Location = append(hs.Location, ref)
	}
	for _, c := range svc.Categories {
		hs.Type = append(hs.Type, models.CodeableConcept{
			Coding: []models.Coding{{System: ptr(base + categoriesPath), Code: ptr(c.Code), Display: ptr(c.Name)}}, Text: ptr(c.Name)})
	}
	phone := ""
	for _, c := range svc.Contacts {
		for _, p := range c.Phones {
			if phone == "" {
				phone = p.Number
			}
		}
	}
	hs.Telecom = telecoms(phone, svc.Email, svc.Website)
	if ac := strings.TrimSpace(svc.AccessCriteria); ac != "" {
		hs.Eligibility = []models.HealthcareServiceEligibility{{Comment: ptr(ac)}}
	}
	return withContained(hs, contained)
}

// withContained returns a resource's JSON with the contained resources
// added (the samply structs have no contained element).
func withContained(resource any, contained []json.RawMessage) (json.RawMessage, error) {
	if len(contained) == 0 {
		return json.Marshal(resource)
	}
	raw, err := json.Marshal(contained)
	if err != nil {
		return nil, err
	}
	return reshape(resource, map[string]json.RawMessage{"contained": raw})
}

// reshape returns a resource's JSON with elements set (a nil value drops
// the element): for what the samply structs cannot say, such as contained
// resources, or to leave out a required-by-struct element that FHIR makes
// a choice (MessageHeader's eventUri beside eventCoding).
func reshape(resource any, set map[string]json.RawMessage) (json.RawMessage, error) {
	raw, err := json.Marshal(resource)
	if err != nil {
		return nil, err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, err
	}
	for k, v := range set {
		if v == nil {
			delete(fields, k)
		} else {
			fields[k] = v
		}
	}
	return json.Marshal(fields)
}

// telecoms returns the contact points that are set.
func telecoms(phone, email, website string) []models.ContactPoint {
	var out []models.ContactPoint
	add := func(system, value string) {
		if value = strings.TrimSpace(value); value != "" {
			out = append(out, models.ContactPoint{System: ptr(code[models.ContactPointSystem](system)), Value: ptr(value)})
		}
	}
	add("phone", phone)
	add("email", email)
	add("url", website)
	return out
}

// address returns a location's address, nil when it has none.
func address(ad directory.Address) *models.Address {
	var lines []string
	if s := strings.TrimSpace(ad.Address1); s != "" {
		lines = append(lines, s)
	}
	out := models.Address{Line: lines, Use: ptr(code[models.AddressUse]("work"))}
	set := func(dst **string, s string) {
		if s = strings.TrimSpace(s); s != "" {
			*dst = ptr(s)
		}
	}
	set(&out.City, ad.City)
	set(&out.District, ad.StateProvince)
	set(&out.PostalCode, ad.PostalCode)
	set(&out.Country, ad.Country)
	if len(lines) == 0 && out.City == nil && out.PostalCode == nil {
		return nil
	}
	return &out
}

// firstLine returns s up to its first line break, at most n characters.
func firstLine(s string, n int) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return truncate(strings.TrimSpace(s), n)
}
