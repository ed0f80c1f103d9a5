package directory

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/input"
	"waymark/internal/postcode"
)

// Store is the persistence the directory needs.
type Store interface {
	// SearchServices returns one page of publicly visible, listed services matching
	// q. q is already validated; q.Near is set when a postcode was given.
	SearchServices(ctx context.Context, q SearchQuery) (*SearchResult, error)
	// FindServiceByID returns a service with everything about it, or ENOTFOUND.
	FindServiceByID(ctx context.Context, id string) (*Service, error)
	// ListCategories returns the terms of the category taxonomy, by name.
	ListCategories(ctx context.Context) ([]TaxonomyTerm, error)
	// CreateTaxonomy stores a taxonomy and its terms.
	CreateTaxonomy(ctx context.Context, t *Taxonomy, terms []TaxonomyTerm) error
	// CreateOrganizations stores new organisations in one transaction.
	CreateOrganizations(ctx context.Context, list []Organization) error
	// CreateServices stores new services, each with its locations, contacts,
	// schedules, cost options, categories (by term ID) and images, in one
	// transaction.
	CreateServices(ctx context.Context, s []*Service) error
	// CountServices returns the number of services in any status.
	CountServices(ctx context.Context) (int, error)
	// ListOrganizations returns every organisation, by name.
	ListOrganizations(ctx context.Context) ([]Organization, error)
	// ListOfflineHelp returns the organisations people without internet can call
	// or visit, by name.
	ListOfflineHelp(ctx context.Context) ([]OfflineHelp, error)
	// ReplaceOfflineHelp replaces the offline help list.
	ReplaceOfflineHelp(ctx context.Context, list []OfflineHelp) error
	// PublicText returns the names, descriptions, keywords and category
	// names of the public, listed entries, for spelling suggestions.
	PublicText(ctx context.Context) ([]string, error)
	// FirstServiceWithIDPrefix returns the id of the first created service
	// (in any status) whose id's hex digits start with prefix (lower-case
	// hex), or "" when there is none.
	FirstServiceWithIDPrefix(ctx context.Context, prefix string) (string, error)
}

// Geocoder finds the centre of a postcode or outward code.
type Geocoder interface {
	Lookup(p postcode.Postcode) (postcode.Point, bool)
}

// CategoryTaxonomyID is the id of Waymark's own category taxonomy.
const CategoryTaxonomyID = "5a1e6c1e-6f0a-4b7e-9a43-1c0de0ca7e90"

// Directory provides the directory's operations with their rules. (The
// entries themselves are Service values, as in HSDS.)
type Directory struct {
	store  Store
	geo    Geocoder
	now    func() time.Time
	logger *slog.Logger
	vocab  vocabulary // the words of public entries, for suggestions
}

// NewDirectory returns a Directory. now is the clock.
func NewDirectory(store Store, geo Geocoder, now func() time.Time, logger *slog.Logger) *Directory {
	return &Directory{store: store, geo: geo, now: now, logger: logger}
}

// Search runs a public search. It geocodes the postcode and checks the
// category. Errors: EINVALID with Field "postcode" or "category".
func (s *Directory) Search(ctx context.Context, q SearchQuery) (*SearchResult, error) {
	if q.Postcode != "" {
		pc, err := postcode.Parse(q.Postcode)
		if err != nil {
			return nil, err
		}
		pt, ok := s.geo.Lookup(pc)
		if !ok {
			return nil, waymark.FieldErrorf(waymark.EINVALID, "postcode",
				"We could not find the postcode %s. Check it and try again", pc.String())
		}
		q.Postcode = pc.String()
		q.Near = &pt
	} else {
		q.Near = nil
		if q.Sort == SortDistance {
			q.Sort = SortRelevance
		}
	}
	if q.Category != "" {
		cats, err := s.store.ListCategories(ctx)
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		found := false
		for _, c := range cats {
			found = found || c.Code == q.Category
		}
		if !found {
			return nil, waymark.FieldErrorf(waymark.EINVALID, "category", "Choose a category from the list")
		}
	}
	q.ConfirmedSince = time.Time{}
	if q.RecentlyConfirmed {
		q.ConfirmedSince = s.now().UTC().Add(-ConfirmedWithin)
	}
	if q.Page < 1 {
		q.Page = 1
	}
	if q.PerPage < 1 || q.PerPage > MaxPerPage {
		q.PerPage = DefaultPerPage
	}
	res, err := s.store.SearchServices(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return res, nil
}

// DistanceFrom returns how far a service's nearest location is from a
// postcode or outward code, and the postcode in normal form. ok is false when
// the postcode is invalid or unknown, or the service has no location.
func (s *Directory) DistanceFrom(svc *Service, pc string) (miles float64, normal string, ok bool) {
	p, err := postcode.Parse(pc)
	if err != nil {
		return 0, "", false
	}
	at, found := s.geo.Lookup(p)
	if !found || len(svc.Locations) == 0 {
		return 0, "", false
	}
	best := -1.0
	for _, l := range svc.Locations {
		d := postcode.Miles(at, postcode.Point{Lat: l.Latitude, Lon: l.Longitude})
		if best < 0 || d < best {
			best = d
		}
	}
	return math.Round(best*10) / 10, p.String(), true
}

// Categories returns the category terms, by name.
func (s *Directory) Categories(ctx context.Context) ([]TaxonomyTerm, error) {
	return s.store.ListCategories(ctx)
}

// PublicService returns a service as the public sees it: published or frozen
// entries, listed or unlisted (unlisted ones open by direct link). Errors:
// ENOTFOUND for unknown ids, malformed ids and entries not public.
func (s *Directory) PublicService(ctx context.Context, id string) (*Service, error) {
	if _, err := uuid.Parse(id); err != nil || len(id) != 36 {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "There is no service at this address")
	}
	svc, err := s.store.FindServiceByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !svc.Status.Public() {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "There is no service at this address")
	}
	return svc, nil
}

// CreateOrganization validates and stores a new organisation, giving it an id.
// Errors: EINVALID.
func (s *Directory) CreateOrganization(ctx context.Context, o *Organization) error {
	list := []Organization{*o}
	if err := s.CreateOrganizations(ctx, list); err != nil {
		return err
	}
	*o = list[0]
	return nil
}

// CreateOrganizations validates and stores several organisations at once,
// giving each an id if it has none. Errors: EINVALID, ECONFLICT.
func (s *Directory) CreateOrganizations(ctx context.Context, list []Organization) error {
	now := s.now().UTC()
	for i := range list {
		o := &list[i]
		o.Name = strings.TrimSpace(o.Name)
		if o.Name == "" {
			return waymark.FieldErrorf(waymark.EINVALID, "name", "Enter the organisation's name")
		}
		if o.ID == "" {
			o.ID = uuid.NewString()
		}
		o.CreatedAt, o.UpdatedAt = now, now
	}
	return s.store.CreateOrganizations(ctx, list)
}

// CreateService validates and stores a new service, giving it and its parts
// ids. Errors: EINVALID with the field at fault.
func (s *Directory) CreateService(ctx context.Context, svc *Service) error {
	return s.CreateServices(ctx, []*Service{svc})
}

// CreateServices validates and stores several new services in one go (used for
// demo data and imports). Nothing is stored if any is invalid. Errors: EINVALID.
func (s *Directory) CreateServices(ctx context.Context, list []*Service) error {
	for i, svc := range list {
		if err := s.prepare(svc); err != nil {
			return fmt.Errorf("service %d (%s): %w", i+1, svc.Name, err)
		}
	}
	return s.store.CreateServices(ctx, list)
}

// Count returns how many services there are, in any status.
func (s *Directory) Count(ctx context.Context) (int, error) { return s.store.CountServices(ctx) }

// OfflineHelp returns the phone and drop-in list for people without internet.
func (s *Directory) OfflineHelp(ctx context.Context) ([]OfflineHelp, error) {
	return s.store.ListOfflineHelp(ctx)
}

// ReplaceOfflineHelp replaces the phone and drop-in list. Errors: EINVALID.
func (s *Directory) ReplaceOfflineHelp(ctx context.Context, list []OfflineHelp) error {
	for i := range list {
		if strings.TrimSpace(list[i].Name) == "" || len(list[i].Phones) == 0 {
			return waymark.Errorf(waymark.EINVALID, "Offline help entry %d needs a name and a phone number", i+1)
		}
		if list[i].ID == "" {
			list[i].ID = uuid.NewString()
		}
	}
	return s.store.ReplaceOfflineHelp(ctx, list)
}

func (s *Directory) prepare(svc *Service) error {
	if err := svc.Validate(); err != nil {
		return err
	}
	for i := range svc.Locations {
		l := &svc.Locations[i]
		if l.Latitude == 0 && l.Longitude == 0 && l.Address.PostalCode != "" {
			pc, err := postcode.Parse(l.Address.PostalCode)
			if err != nil {
				return err
			}
			pt, ok := s.geo.Lookup(pc)
			if !ok {
				return waymark.FieldErrorf(waymark.EINVALID, "postcode", "We could not find the postcode %s", pc.String())
			}
			l.Address.PostalCode = pc.String()
			l.Latitude, l.Longitude = pt.Lat, pt.Lon
		}
	}
	svc.AssignIDs()
	now := s.now().UTC()
	if svc.CreatedAt.IsZero() {
		svc.CreatedAt = now
	}
	svc.UpdatedAt = now
	return nil
}

// AssignIDs gives the service and each of its parts a new UUID where it has none.
func (svc *Service) AssignIDs() {
	set := func(id *string) {
		if *id == "" {
			*id = uuid.NewString()
		}
	}
	set(&svc.ID)
	for i := range svc.Locations {
		set(&svc.Locations[i].ID)
		set(&svc.Locations[i].ServiceAtLocationID)
		set(&svc.Locations[i].Address.ID)
	}
	for i := range svc.Contacts {
		set(&svc.Contacts[i].ID)
		for j := range svc.Contacts[i].Phones {
			set(&svc.Contacts[i].Phones[j].ID)
		}
	}
	for i := range svc.Schedules {
		set(&svc.Schedules[i].ID)
	}
	for i := range svc.CostOptions {
		set(&svc.CostOptions[i].ID)
	}
	for i := range svc.Images {
		set(&svc.Images[i].ID)
	}
}

// Validate checks a service entry. A signposting entry needs only an email
// address and a postcode; other fields are checked when given. Errors: EINVALID
// with Field set.
func (svc *Service) Validate() error {
	bad := func(field, format string, args ...any) error {
		return waymark.FieldErrorf(waymark.EINVALID, field, format, args...)
	}
	if err := svc.cleanText(); err != nil {
		return err
	}
	if err := svc.cleanAccess(); err != nil {
		return err
	}
	if svc.OrganizationID == "" {
		return bad("organization", "Choose the organisation that runs the service")
	}
	if svc.Email == "" {
		return bad("email", "Enter an email address, like name@example.org")
	}
	e, err := input.Email(svc.Email)
	if err != nil {
		return bad("email", "Enter an email address in the correct format, like name@example.org")
	}
	svc.Email = e
	if len(svc.Locations) == 0 || svc.Locations[0].Address.PostalCode == "" {
		return bad("postcode", "Enter the postcode where the service runs")
	}
	for field, u := range map[string]string{"website": svc.Website, "external_form_url": svc.ExternalFormURL} {
		if u == "" {
			continue
		}
		if p, err := url.Parse(u); err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
			return bad(field, "Enter a full web address starting with https://")
		}
	}
	if svc.WaitingWeeks != nil && (*svc.WaitingWeeks < 0 || *svc.WaitingWeeks > 104) {
		return bad("waiting_weeks", "Waiting time must be between 0 and 104 weeks")
	}
	if svc.MinimumAge != nil && svc.MaximumAge != nil && *svc.MinimumAge > *svc.MaximumAge {
		return bad("minimum_age", "Minimum age must not be more than the maximum age")
	}
	switch svc.Kind {
	case "":
		svc.Kind = KindSignposting
		fallthrough
	case KindSignposting:
		if svc.Pathway == "" {
			svc.Pathway = PathwayNone
		}
		if svc.Pathway != PathwayNone {
			return bad("pathway", "A signposting entry has no referral pathway")
		}
	case KindReferral:
		switch svc.Pathway {
		case PathwayWaymarkForm, PathwayProfessionalOnly:
		case PathwayExternalForm:
			if svc.ExternalFormURL == "" {
				return bad("external_form_url", "Enter the web address of your referral form")
			}
		default:
			return bad("pathway", "Choose how people are referred")
		}
	default:
		return bad("kind", "Choose signposting or referral")
	}
	switch svc.Visibility {
	case "":
		svc.Visibility = VisibilityListed
	case VisibilityListed, VisibilityUnlisted:
	default:
		return bad("visibility", "Choose listed or unlisted")
	}
	switch svc.Status {
	case "":
		svc.Status = StatusDraft
	case StatusDraft, StatusPendingReview, StatusPublished, StatusDeclined, StatusFrozen, StatusSuspended, StatusDeleted:
	default:
		return bad("status", "Unknown status %q", svc.Status)
	}
	if svc.Name == "" {
		svc.Name = strings.TrimSpace(svc.Email)
	}
	return nil
}

// DisplayName is the name to show for a service; signposting entries made with
// only an email address fall back to their organisation's name.
func (svc *Service) DisplayName() string {
	if svc.Name != "" && svc.Name != svc.Email {
		return svc.Name
	}
	if svc.Organization != nil && svc.Organization.Name != "" {
		return svc.Organization.Name
	}
	return svc.Name
}

// ProviderEmail is where the service's provider is emailed: the service's
// address, else its organisation's; "" for neither.
func (svc *Service) ProviderEmail() string {
	if svc.Email != "" {
		return svc.Email
	}
	if svc.Organization != nil {
		return svc.Organization.Email
	}
	return ""
}

// CreateListing stores a provider's new entry as a draft. The actor must be a
// provider in the entry's organisation (or an admin). Errors: EFORBIDDEN,
// EINVALID with the field at fault.
func (s *Directory) CreateListing(ctx context.Context, svc *Service) error {
	a := waymark.ActorFrom(ctx)
	if !a.In(svc.OrganizationID, waymark.RoleProvider) && !a.Has(waymark.RoleAdmin) {
		return waymark.Errorf(waymark.EFORBIDDEN, "You can add listings only for your own organisation")
	}
	svc.ID = ""
	svc.Status = StatusDraft
	return s.CreateService(ctx, svc)
}

// Organizations returns every organisation, by name.
func (s *Directory) Organizations(ctx context.Context) ([]Organization, error) {
	return s.store.ListOrganizations(ctx)
}
