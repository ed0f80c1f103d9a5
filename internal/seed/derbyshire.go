package seed

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark/internal/directory"
)

// assuredBase is when the demo entries were last confirmed, give or take.
var assuredBase = time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)

// Derbyshire returns the demo directory: 46 fictional organisations and their
// 93 services in real Derbyshire towns at real postcodes, across every
// category, with a mix of costs, pathways, schedules and ages. Nearly all are
// published and listed; two are unlisted, one is frozen with a note about its
// waiting list and one is pending review. Most were last confirmed (AssuredAt)
// on fixed dates between March and October 2026. Locations carry only
// postcodes; the directory geocodes them when they are created.
func Derbyshire() ([]directory.Organization, []*directory.Service) {
	_, terms := Categories()
	catID := map[string]string{}
	for _, t := range terms {
		catID[t.Code] = t.ID
	}
	var orgs []directory.Organization
	var services []*directory.Service
	for i, o := range derbyshireOrgs {
		slug := slugify(o.name)
		email := "hello@" + slug + ".example"
		org := directory.Organization{ID: id("organization", o.name), Name: o.name, Description: o.about, Email: email, Website: o.web, Phone: o.phone}
		orgs = append(orgs, org)
		defs := append(append([]svcDef(nil), o.services...), moreServices[o.name]...)
		for j, d := range defs {
			services = append(services, expand(o, d, org, email, catID, i*7+j))
		}
	}
	for name := range moreServices {
		if !slices.ContainsFunc(derbyshireOrgs, func(o orgDef) bool { return o.name == name }) {
			panic("seed: moreServices names an unknown organisation: " + name)
		}
	}
	return orgs, services
}

// expand turns the compact definition of one service into a Service. n varies
// the contact name and the date the entry was last confirmed.
func expand(o orgDef, d svcDef, org directory.Organization, email string, catID map[string]string, n int) *directory.Service {
	svc := &directory.Service{
		ID:             id("service", o.name+"/"+d.title),
		OrganizationID: org.ID,
		Name:           d.title,
		Description:    d.about,
		Email:          email,
		AccessCriteria: d.criteria,
		Status:         directory.StatusPublished,
		Visibility:     directory.VisibilityListed,
		Free:           d.cost == "",
	}
	if o.web != "" {
		svc.Website = o.web + "/" + slugify(d.title)
	}
	switch d.path {
	case "sign":
		svc.Kind, svc.Pathway = directory.KindSignposting, directory.PathwayNone
	case "form":
		svc.Kind, svc.Pathway = directory.KindReferral, directory.PathwayWaymarkForm
	case "ext":
		svc.Kind, svc.Pathway = directory.KindReferral, directory.PathwayExternalForm
		svc.ExternalFormURL = "https://" + slugify(o.name) + ".example/refer"
	case "pro":
		svc.Kind, svc.Pathway = directory.KindReferral, directory.PathwayProfessionalOnly
	default:
		panic("seed: unknown path " + d.path)
	}
	switch d.status {
	case "":
	case "unlisted":
		svc.Visibility = directory.VisibilityUnlisted
	case "frozen":
		svc.Status, svc.StatusNote = directory.StatusFrozen, d.note
	case "pending":
		svc.Status = directory.StatusPendingReview
	}
	if d.wait > 0 {
		w := d.wait
		svc.WaitingWeeks = &w
	}
	if d.minAge > 0 {
		a := d.minAge
		svc.MinimumAge = &a
	}
	if d.maxAge > 0 {
		a := d.maxAge
		svc.MaximumAge = &a
	}
	for _, k := range strings.Split(d.keywords, ",") {
		if k = strings.TrimSpace(k); k != "" {
			svc.Keywords = append(svc.Keywords, k)
		}
	}
	for _, c := range strings.Split(d.cats, ",") {
		cid, ok := catID[c]
		if !ok {
			panic("seed: unknown category " + c)
		}
		svc.Categories = append(svc.Categories, directory.TaxonomyTerm{ID: cid})
	}
	first := place{street: o.street, town: o.town, postcode: o.postcode}
	if d.postcode != "" {
		first.street, first.postcode = d.street, d.postcode
	}
	if d.town != "" {
		first.town = d.town
	}
	svc.Locations = []directory.Location{location(svc.ID, "", first)}
	if d.also != nil {
		svc.Locations = append(svc.Locations, location(svc.ID, "2", *d.also))
	}
	contact := directory.Contact{ID: id("contact", svc.ID), Name: contactNames[n%len(contactNames)], Title: "Coordinator", Email: email}
	if o.phone != "" {
		contact.Phones = []directory.Phone{{ID: id("phone", svc.ID), Number: o.phone}}
	}
	svc.Contacts = []directory.Contact{contact}
	if d.when != "" {
		svc.Schedules = parseWhen(svc.ID, d.when)
	}
	if d.cost != "" {
		co := directory.CostOption{ID: id("cost", svc.ID), Option: "Cost", AmountDescription: d.cost}
		var pounds, pence int
		if _, err := fmt.Sscanf(d.cost, "£%d.%d", &pounds, &pence); err == nil {
			a := float64(pounds) + float64(pence)/100
			co.Amount = &a
		} else if _, err := fmt.Sscanf(d.cost, "£%d", &pounds); err == nil {
			a := float64(pounds)
			co.Amount = &a
		}
		svc.CostOptions = []directory.CostOption{co}
	}
	if n%9 != 8 { // most entries were confirmed recently; a few are older
		at := assuredBase.AddDate(0, 0, -(n*5)%200)
		svc.AssuredAt = &at
	}
	access := demoAccess[d.title]
	svc.Delivery = strings.Fields(access.delivery)
	if len(svc.Delivery) == 0 {
		svc.Delivery = []string{"in_person"}
	}
	svc.Languages = strings.Fields(access.langs)
	if len(svc.Languages) == 0 {
		svc.Languages = []string{"en"}
	}
	svc.Accessibility, svc.AccessibilityNote = strings.Fields(access.features), access.note
	return svc
}

// demoAccess is how some demo services are given, the access at their
// place and their languages; the others are given in person, in English.
var demoAccess = map[string]struct{ delivery, features, langs, note string }{
	"Matlock health walks":      {"in_person", "step_free accessible_toilet", "en", "The walks keep to flat, firm paths. Toilets are in Hall Leys Park."},
	"Telephone befriending":     {"phone", "", "en pl", ""},
	"Digital help for over 50s": {"in_person online", "step_free hearing_loop accessible_toilet", "en", ""},
	"Drop-in art club":          {"in_person", "step_free hearing_loop", "en bfi", "A ramp at the side door; the studio is on the ground floor."},
	"Creative writing circle":   {"in_person online", "", "en cy", ""},
	"Walk and talk for men":     {"in_person", "", "en ur pa", ""},
}

// location makes a location at a place, with ids stable for the service and
// the location's number (n).
func location(serviceID, n string, p place) directory.Location {
	key := serviceID + n
	return directory.Location{
		ID:                  id("location", key),
		ServiceAtLocationID: id("service_at_location", key),
		Name:                p.street + ", " + p.town,
		Address: directory.Address{ID: id("address", key), Address1: p.street, City: p.town,
			StateProvince: "Derbyshire", PostalCode: p.postcode, Country: "GB"},
	}
}

// parseWhen reads "TU,FR 10:00-11:30" (weekly) or "1WE 14:00-16:00" (monthly).
func parseWhen(serviceID, when string) []directory.Schedule {
	days, times, _ := strings.Cut(when, " ")
	opens, closes, _ := strings.Cut(times, "-")
	freq := "WEEKLY"
	if days != "" && days[0] >= '1' && days[0] <= '5' {
		freq = "MONTHLY"
	}
	return []directory.Schedule{{ID: id("schedule", serviceID), Freq: freq, ByDay: days, OpensAt: opens, ClosesAt: closes}}
}

var contactNames = []string{"Sam Taylor", "Priya Shah", "Jo Walker", "Chris Green", "Amira Khan", "Pat Morgan", "Lee Hughes", "Ruth Bennett"}

// slugify turns a name into a lower-case, hyphenated slug.
func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch r {
		case '\'', '’':
			continue // "people's" becomes "peoples"
		case 'é', 'è', 'ê':
			r = 'e'
		}
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
