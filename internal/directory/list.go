package directory

import "waymark/internal/postcode"

// ListFilter selects public, listed services for machine-readable feeds (the
// Open Referral UK API). The zero filter selects every one.
type ListFilter struct {
	Text           string // full-text search words
	TaxonomyTermID string
	TaxonomyID     string
	// MinimumAge and MaximumAge keep services whose age range overlaps them.
	MinimumAge *int
	MaximumAge *int
	// Day (MO..SU) keeps services with a schedule on that day; StartTime and
	// EndTime (HH:MM) keep services open at some point between them.
	Day       string
	StartTime string
	EndTime   string
	// Near and WithinMetres keep locations within that distance (service at
	// location lists only).
	Near         *postcode.Point
	WithinMetres float64
	Offset       int
	Limit        int
}

// ServiceAtLocation is one service delivered at one location.
type ServiceAtLocation struct {
	ID        string
	ServiceID string
	Location  Location
	Metres    *float64 // distance from ListFilter.Near, when given
}
