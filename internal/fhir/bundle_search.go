package fhir

import (
	"encoding/json"

	models "github.com/samply/golang-fhir-models/fhir-models/fhir"
)

// searchset is a search result Bundle of resources, each with its
// absolute fullUrl (base + /fhir/R4/Type/id).
func searchset(base string, resources []searchEntry) (models.Bundle, error) {
	b := models.Bundle{Type: models.BundleTypeSearchset, Total: ptr(len(resources)), Entry: make([]models.BundleEntry, 0, len(resources))}
	match := models.SearchEntryModeMatch
	for _, r := range resources {
		raw, err := json.Marshal(r.resource)
		if err != nil {
			return b, err
		}
		b.Entry = append(b.Entry, models.BundleEntry{FullUrl: ptr(base + Prefix + "/" + r.path), Resource: raw,
			Search: &models.BundleEntrySearch{Mode: &match}})
	}
	return b, nil
}

// searchEntry is one resource of a searchset and its Type/id.
type searchEntry struct {
	path     string
	resource any
}
