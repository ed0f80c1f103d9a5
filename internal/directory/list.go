package directory

import (
	"time"

	"waymark/internal/postcode"
)

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

// Feed is a remote Open Referral UK feed that is imported into the directory.
type Feed struct {
	ID          string
	BaseURL     string
	Trusted     bool // entries are published directly instead of going to moderation
	CreatedAt   time.Time
	LastRunAt   *time.Time
	LastSummary string
}

// Import is one service read from a feed, ready to store: what it maps to
// here and what it was there.
type Import struct {
	FeedID      string
	RemoteID    string
	Hash        string // of the remote record, to tell unchanged records
	OrgRemoteID string
	Org         Organization
	Service     *Service // Categories are filled from Terms
	Terms       []ImportedTerm
	SeenAt      time.Time
}

// ImportedTerm is a taxonomy term a feed's service is tagged with.
type ImportedTerm struct {
	RemoteID         string
	RemoteTaxonomyID string
	TaxonomyName     string
	Name             string
	Description      string
	Code             string
}
