package oruk

import (
	"strings"
	"time"

	"github.com/google/uuid"

	"waymark/internal/directory"
)

// attributeNamespace makes stable ids for the attribute rows that link
// services to taxonomy terms (Waymark keeps the link as a plain pair).
var attributeNamespace = uuid.MustParse("0e6f2c8a-43b1-4b8e-9f0e-52a1d7b1c0de")

// serviceStatus maps a listing status to the HSDS service status. Frozen
// services still run (they have a waiting list), so they are active with an
// alert.
func serviceStatus(s directory.Status) string {
	if s.Public() {
		return "active"
	}
	return "inactive"
}

func orgFrom(o *directory.Organization) *Organization {
	if o == nil {
		return nil
	}
	desc := strings.TrimSpace(o.Description)
	if desc == "" {
		desc = o.Name // description is required
	}
	return &Organization{ID: o.ID, Name: o.Name, Description: desc, Email: o.Email, Website: o.Website}
}

// listItem maps the one-to-one fields of a service and its organization.
func listItem(s *directory.Service) Service {
	out := Service{
		ID:             s.ID,
		OrganizationID: s.OrganizationID,
		Name:           s.DisplayName(),
		Description:    strings.TrimSpace(s.Description),
		URL:            s.Website,
		Email:          s.Email,
		Status:         serviceStatus(s.Status),
		MinimumAge:     s.MinimumAge,
		MaximumAge:     s.MaximumAge,
		Organization:   orgFrom(s.Organization),
		LastModified:   s.UpdatedAt.UTC().Format(time.RFC3339),
	}
	if s.AssuredAt != nil {
		out.AssuredDate = s.AssuredAt.UTC().Format(time.DateOnly)
	}
	if s.Status == directory.StatusFrozen {
		out.Alert = "This service has a waiting list."
		if s.StatusNote != "" {
			out.Alert = s.StatusNote
		}
	}
	if s.Free {
		out.Fees = "Free"
	} else {
		var fees []string
		for _, c := range s.CostOptions {
			if c.AmountDescription != "" {
				fees = append(fees, c.AmountDescription)
			}
		}
		out.Fees = strings.Join(fees, "; ")
	}
	return out
}

// fullService maps a service with everything about it.
func fullService(s *directory.Service, taxonomies map[string]directory.Taxonomy) Service {
	out := listItem(s)
	out.Schedules = schedules(s)
	for _, l := range s.Locations {
		loc := location(l)
		loc.Accessibility = accessibility(s, l)
		out.ServiceAtLocations = append(out.ServiceAtLocations, ServiceAtLocation{
			ID: l.ServiceAtLocationID, ServiceID: s.ID, LocationID: l.ID, Location: loc,
		})
	}
	for _, code := range s.Languages {
		out.Languages = append(out.Languages, Language{ID: uuid.NewSHA1(attributeNamespace, []byte(s.ID+"/language/"+code)).String(),
			ServiceID: s.ID, Name: directory.OptionLabel(directory.Languages, code), Code: code})
	}
	for _, code := range s.Delivery {
		tax, _ := directory.DeliveryTaxonomy()
		term := TaxonomyTerm{ID: directory.DeliveryTermID(code), Name: directory.OptionLabel(directory.DeliveryModes, code),
			TaxonomyID: tax.ID, Taxonomy: tax.Name, Term: code}
		term.Description = term.Name
		out.Attributes = append(out.Attributes, Attribute{
			ID:     uuid.NewSHA1(attributeNamespace, []byte(s.ID+"/"+term.ID)).String(),
			LinkID: s.ID, LinkType: "service", TaxonomyTermID: term.ID, TaxonomyTerm: &term,
		})
	}
	for _, c := range s.CostOptions {
		out.CostOptions = append(out.CostOptions, CostOption{ID: c.ID, ServiceID: s.ID, Option: c.Option, Amount: c.Amount, AmountDescription: c.AmountDescription})
	}
	for _, c := range s.Contacts {
		out.Contacts = append(out.Contacts, Contact{ID: c.ID, ServiceID: s.ID, Name: c.Name, Title: c.Title})
	}
	for _, t := range s.Categories {
		term := termFrom(t, taxonomies)
		out.Attributes = append(out.Attributes, Attribute{
			ID:     uuid.NewSHA1(attributeNamespace, []byte(s.ID+"/"+t.ID)).String(),
			LinkID: s.ID, LinkType: "service", TaxonomyTermID: t.ID, TaxonomyTerm: &term,
		})
	}
	return out
}

// accessibility is what the service says of access at its places, given
// at each of its locations: the features in words, and its note as the
// details.
func accessibility(s *directory.Service, l directory.Location) []Accessibility {
	features := directory.OptionLabels(directory.AccessFeatures, s.Accessibility)
	if len(features) == 0 && s.AccessibilityNote == "" {
		return nil
	}
	desc := strings.Join(features, ". ")
	if desc != "" {
		desc += "."
	}
	return []Accessibility{{ID: uuid.NewSHA1(attributeNamespace, []byte(l.ID+"/accessibility")).String(), LocationID: l.ID,
		Description: desc, Details: s.AccessibilityNote}}
}

func location(l directory.Location) *Location {
	lat, lon := l.Latitude, l.Longitude
	out := &Location{ID: l.ID, LocationType: "physical", Name: l.Name, Description: l.Description, Latitude: &lat, Longitude: &lon}
	a := l.Address
	if a.ID != "" && a.Address1 != "" && a.City != "" && a.PostalCode != "" {
		state := a.StateProvince
		if state == "" {
			state = a.City // required; the UK has no states
		}
		country := a.Country
		if country == "" {
			country = "GB"
		}
		out.Addresses = []Address{{ID: a.ID, LocationID: l.ID, Address1: a.Address1, City: a.City, StateProvince: state,
			PostalCode: a.PostalCode, Country: country, AddressType: "physical"}}
	}
	return out
}

func termFrom(t directory.TaxonomyTerm, taxonomies map[string]directory.Taxonomy) TaxonomyTerm {
	desc := t.Description
	if desc == "" {
		desc = t.Name
	}
	out := TaxonomyTerm{ID: t.ID, Name: t.Name, Description: desc, ParentID: t.ParentID, TaxonomyID: t.TaxonomyID, Term: t.Code}
	if tx, ok := taxonomies[t.TaxonomyID]; ok {
		out.Taxonomy = tx.Name
	}
	return out
}

func taxonomyFrom(t directory.Taxonomy) Taxonomy {
	desc := t.Description
	if desc == "" {
		desc = t.Name
	}
	return Taxonomy{ID: t.ID, Name: t.Name, Description: desc, URI: t.URI, Version: t.Version}
}

func schedules(s *directory.Service) []Schedule {
	var out []Schedule
	for _, sc := range s.Schedules {
		out = append(out, Schedule{ID: sc.ID, ServiceID: s.ID, Freq: sc.Freq, ByDay: sc.ByDay,
			Description: sc.Description, OpensAt: sc.OpensAt, ClosesAt: sc.ClosesAt})
	}
	return out
}
