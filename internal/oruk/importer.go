package oruk

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/input"
	"waymark/internal/postcode"
	"waymark/internal/sitecheck"
)

// ImportStore is what importing a feed needs from storage.
type ImportStore interface {
	EnsureFeed(ctx context.Context, baseURL string, trusted bool, now time.Time) (*directory.Feed, error)
	ImportService(ctx context.Context, imp *directory.Import) (string, error)
	RetireUnseen(ctx context.Context, feedID string, before, now time.Time) (int, error)
	FinishFeedRun(ctx context.Context, feedID, summary string, now time.Time) error
	// RefreshStatistics refreshes the database's statistics after a run
	// that changed many services.
	RefreshStatistics(ctx context.Context) error
}

// refreshAfter is the number of services a run must create or update for
// the database's statistics to be refreshed after it.
const refreshAfter = 500

// Importer walks a remote ORUK 3.0 feed and brings its services into the
// directory.
type Importer struct {
	Store ImportStore
	Geo   directory.Geocoder
	// Client fetches the feed; nil for one with a 20-second timeout that
	// refuses non-public addresses (sitecheck.NewGuardedClient).
	Client *http.Client
	// AllowLoopback lets the default Client reach loopback addresses, for
	// tests against httptest servers only (CHECKER_ALLOW_LOOPBACK).
	AllowLoopback bool
	Now           func() time.Time
	Log           *slog.Logger
	MaxPages      int           // stop after this many list pages (0: 200)
	PerPage       int           // items per list page asked for (0: 50)
	Retries       int           // extra attempts after a failed request (0: 3)
	Backoff       time.Duration // first wait between attempts, doubling (0: 500ms)
}

// Rejection is a remote record that was not imported, and why.
type Rejection struct {
	RemoteID string
	Reason   string
}

// Summary says what an import did.
type Summary struct {
	Feed      string
	Pages     int
	Created   int
	Updated   int
	Unchanged int
	Removed   int // no longer in the feed: marked inactive (suspended)
	Truncated bool
	Rejected  []Rejection
}

// String is the one-line report.
func (s *Summary) String() string {
	t := ""
	if s.Truncated {
		t = " (stopped at the page limit: nothing was retired)"
	}
	return fmt.Sprintf("%s: %d pages, %d created, %d updated, %d unchanged, %d removed, %d rejected%s",
		s.Feed, s.Pages, s.Created, s.Updated, s.Unchanged, s.Removed, len(s.Rejected), t)
}

func (im *Importer) defaults() {
	if im.Client == nil {
		im.Client = sitecheck.NewGuardedClient(20*time.Second, im.AllowLoopback)
	}
	if im.Now == nil {
		im.Now = time.Now
	}
	if im.MaxPages <= 0 {
		im.MaxPages = 200
	}
	if im.PerPage <= 0 {
		im.PerPage = 50
	}
	if im.Retries <= 0 {
		im.Retries = 3
	}
	if im.Backoff <= 0 {
		im.Backoff = 500 * time.Millisecond
	}
	if im.Log == nil {
		im.Log = slog.New(slog.DiscardHandler)
	}
}

// ErrFetch is wrapped by Run's error when the feed could not be fetched at
// all. Its details (addresses, ports, why a connection failed) are for the
// log and the command line, not for web pages.
var ErrFetch = errors.New("the feed could not be fetched")

// errNotFound is a 404 from the feed.
var errNotFound = errors.New("not found")

// maxBody bounds one response from a feed.
const maxBody = 8 << 20

// get fetches a URL, retrying network errors, 429 and 5xx with backoff.
func (im *Importer) get(ctx context.Context, u string) ([]byte, error) {
	var last error
	wait := im.Backoff
	for attempt := 0; attempt <= im.Retries; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(wait):
			}
			wait *= 2
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", "Waymark-ORUK-importer/1.0")
		resp, err := im.Client.Do(req)
		if err != nil {
			last = err
			continue
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
		resp.Body.Close()
		switch {
		case err != nil:
			last = err
		case len(body) > maxBody:
			return nil, fmt.Errorf("response over %d bytes", maxBody)
		case resp.StatusCode == http.StatusNotFound:
			return nil, errNotFound
		case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
			last = fmt.Errorf("status %d", resp.StatusCode)
		case resp.StatusCode != http.StatusOK:
			return nil, fmt.Errorf("status %d", resp.StatusCode)
		default:
			return body, nil
		}
	}
	return nil, fmt.Errorf("after %d attempts: %w", im.Retries+1, last)
}

// Run imports a feed. Untrusted feeds' entries go to moderation (pending
// review); trusted ones are published. Entries that were imported from the
// feed before and are no longer in it are suspended.
func (im *Importer) Run(ctx context.Context, baseURL string, trusted bool) (*Summary, error) {
	im.defaults()
	base, err := url.Parse(strings.TrimSuffix(strings.TrimSpace(baseURL), "/"))
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, fmt.Errorf("feed address %q is not an http(s) URL", baseURL)
	}
	start := im.Now().UTC()
	feed, err := im.Store.EnsureFeed(ctx, base.String(), trusted, start)
	if err != nil {
		return nil, err
	}
	sum := &Summary{Feed: base.String()}
	seen := map[string]bool{}
	for page := 1; ; page++ {
		if page > im.MaxPages {
			sum.Truncated = true
			break
		}
		body, err := im.get(ctx, fmt.Sprintf("%s/services?page=%d&per_page=%d", base, page, im.PerPage))
		if err != nil {
			return sum, fmt.Errorf("read %s/services page %d: %w: %w", base, page, ErrFetch, err)
		}
		sum.Pages++
		var p struct {
			TotalPages int               `json:"total_pages"`
			LastPage   *bool             `json:"last_page"`
			Contents   []json.RawMessage `json:"contents"`
		}
		if err := json.Unmarshal(body, &p); err != nil {
			return sum, fmt.Errorf("read %s/services page %d: not a page of services: %w", base, page, err)
		}
		for i, raw := range p.Contents {
			var item struct {
				ID any `json:"id"`
			}
			json.Unmarshal(raw, &item)
			id, _ := item.ID.(string)
			if !validUUID(id) {
				sum.Rejected = append(sum.Rejected, Rejection{RemoteID: fmt.Sprintf("page %d item %d", page, i+1), Reason: "id is missing or not a UUID"})
				continue
			}
			if seen[id] {
				continue
			}
			seen[id] = true
			im.importOne(ctx, base.String(), feed, id, trusted, start, sum)
		}
		if len(p.Contents) == 0 || (p.LastPage != nil && *p.LastPage) || page >= p.TotalPages {
			break
		}
	}
	if !sum.Truncated {
		n, err := im.Store.RetireUnseen(ctx, feed.ID, start, im.Now().UTC())
		if err != nil {
			return sum, err
		}
		sum.Removed = n
	}
	if err := im.Store.FinishFeedRun(ctx, feed.ID, sum.String(), im.Now().UTC()); err != nil {
		return sum, err
	}
	if sum.Created+sum.Updated >= refreshAfter {
		if err := im.Store.RefreshStatistics(ctx); err != nil {
			im.Log.Warn("statistics not refreshed after feed import", "feed", sum.Feed, "err", err)
		}
	}
	im.Log.Info("feed imported", "feed", sum.Feed, "created", sum.Created, "updated", sum.Updated,
		"unchanged", sum.Unchanged, "removed", sum.Removed, "rejected", len(sum.Rejected))
	return sum, nil
}

func (im *Importer) importOne(ctx context.Context, base string, feed *directory.Feed, id string, trusted bool, seenAt time.Time, sum *Summary) {
	reject := func(format string, args ...any) {
		sum.Rejected = append(sum.Rejected, Rejection{RemoteID: id, Reason: fmt.Sprintf(format, args...)})
	}
	body, err := im.get(ctx, base+"/services/"+url.PathEscape(id))
	if errors.Is(err, errNotFound) {
		reject("the feed lists it but /services/%s is not found", id)
		return
	}
	if err != nil {
		im.Log.Warn("feed service not read", "feed", base, "remote_id", id, "err", err)
		reject("could not read it")
		return
	}
	imp, reason := im.mapService(body, trusted)
	if reason != "" {
		reject("%s", reason)
		return
	}
	imp.FeedID, imp.RemoteID, imp.SeenAt = feed.ID, id, seenAt
	sumHash := sha256.Sum256(body)
	imp.Hash = hex.EncodeToString(sumHash[:])
	outcome, err := im.Store.ImportService(ctx, imp)
	if err != nil {
		reject("could not store it: %v", err)
		return
	}
	switch outcome {
	case "created":
		sum.Created++
	case "updated":
		sum.Updated++
	default:
		sum.Unchanged++
	}
}

// mapService checks a feed's service and turns it into an Import. reason
// says why it cannot be imported.
func (im *Importer) mapService(body []byte, trusted bool) (*directory.Import, string) {
	var r Service
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&r); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, fmt.Sprintf("%s has the wrong type (%s, want %s)", te.Field, te.Value, te.Type)
		}
		return nil, "not a JSON service: " + err.Error()
	}
	if msg := uncleanText(&r); msg != "" {
		return nil, msg
	}
	name := strings.TrimSpace(r.Name)
	switch {
	case name == "":
		return nil, "name is missing"
	case r.URL != "" && !webAddress(r.URL):
		return nil, fmt.Sprintf("url %q is not a web address", r.URL)
	case r.Email != "" && !emailAddress(r.Email):
		return nil, fmt.Sprintf("email %q is not an email address", r.Email)
	case r.Organization == nil || !validUUID(r.Organization.ID) || strings.TrimSpace(r.Organization.Name) == "":
		return nil, "organization (with an id and a name) is missing"
	case r.Organization.Email != "" && !emailAddress(r.Organization.Email):
		return nil, fmt.Sprintf("organization email %q is not an email address", r.Organization.Email)
	}
	now := im.Now().UTC()
	svc := &directory.Service{
		Name: name, Description: strings.TrimSpace(r.Description), Website: r.URL, Email: r.Email,
		MinimumAge: r.MinimumAge, MaximumAge: r.MaximumAge,
		Kind: directory.KindSignposting, Pathway: directory.PathwayNone, Visibility: directory.VisibilityListed,
		Status: directory.StatusPendingReview, CreatedAt: now, UpdatedAt: now,
	}
	if trusted {
		svc.Status = directory.StatusPublished
	}
	if r.Status != "" && r.Status != "active" {
		svc.Status, svc.StatusNote = directory.StatusSuspended, "The source feed says this service is "+r.Status+"."
	}
	if d, err := time.Parse(time.DateOnly, r.AssuredDate); err == nil {
		svc.AssuredAt = &d
	}
	fees := strings.ToLower(r.Fees)
	svc.Free = strings.Contains(fees, "free") || (fees == "" && len(r.CostOptions) == 0)
	if r.Fees != "" && !svc.Free {
		svc.CostOptions = append(svc.CostOptions, directory.CostOption{Option: "Fees", AmountDescription: r.Fees})
	}
	for _, c := range r.CostOptions {
		svc.CostOptions = append(svc.CostOptions, directory.CostOption{Option: c.Option, Amount: c.Amount, AmountDescription: c.AmountDescription})
	}
	for _, s := range r.Schedules {
		if s.Freq != "WEEKLY" && s.Freq != "MONTHLY" {
			continue
		}
		svc.Schedules = append(svc.Schedules, directory.Schedule{Freq: s.Freq, ByDay: s.ByDay, OpensAt: hhmm(s.OpensAt), ClosesAt: hhmm(s.ClosesAt), Description: s.Description})
	}
	for _, c := range r.Contacts {
		if c.Name != "" || c.Title != "" {
			svc.Contacts = append(svc.Contacts, directory.Contact{Name: c.Name, Title: c.Title})
		}
	}
	for _, sal := range r.ServiceAtLocations {
		if l, ok := im.mapLocation(sal.Location); ok {
			svc.Locations = append(svc.Locations, l)
		}
	}
	imp := &directory.Import{
		OrgRemoteID: r.Organization.ID,
		Org: directory.Organization{Name: strings.TrimSpace(r.Organization.Name), Description: r.Organization.Description,
			Email: r.Organization.Email, Website: r.Organization.Website},
		Service: svc,
	}
	for _, l := range r.Languages {
		code := strings.ToLower(strings.TrimSpace(l.Code))
		if directory.OptionLabel(directory.Languages, code) != "" && !slices.Contains(svc.Languages, code) {
			svc.Languages = append(svc.Languages, code)
		}
	}
	for _, a := range r.Attributes {
		t := a.TaxonomyTerm
		if t != nil && t.TaxonomyID == directory.DeliveryTaxonomyID {
			// How it is delivered, from a feed that uses Waymark's delivery
			// methods: a field of the entry, not a category.
			if directory.OptionLabel(directory.DeliveryModes, t.Term) != "" && !slices.Contains(svc.Delivery, t.Term) {
				svc.Delivery = append(svc.Delivery, t.Term)
			}
			continue
		}
		if t == nil || !validUUID(t.ID) || t.Name == "" {
			continue
		}
		taxID := t.TaxonomyID
		if taxID == "" {
			taxID = "untyped"
		}
		code := t.Term
		if code == "" {
			code = t.Name
		}
		imp.Terms = append(imp.Terms, directory.ImportedTerm{RemoteID: t.ID, RemoteTaxonomyID: taxID, TaxonomyName: t.Taxonomy,
			Name: t.Name, Description: t.Description, Code: slug(code)})
	}
	return imp, ""
}

// mapLocation keeps a location with usable coordinates, or whose postcode
// geocodes.
func (im *Importer) mapLocation(l *Location) (directory.Location, bool) {
	if l == nil {
		return directory.Location{}, false
	}
	out := directory.Location{Name: l.Name, Description: l.Description}
	if len(l.Addresses) > 0 {
		a := l.Addresses[0]
		out.Address = directory.Address{Address1: a.Address1, City: a.City, StateProvince: a.StateProvince, PostalCode: a.PostalCode, Country: a.Country}
	}
	if l.Latitude != nil && l.Longitude != nil && *l.Latitude >= 49 && *l.Latitude <= 61 && *l.Longitude >= -9 && *l.Longitude <= 2 {
		out.Latitude, out.Longitude = *l.Latitude, *l.Longitude
		return out, true
	}
	if pc, err := postcode.Parse(out.Address.PostalCode); err == nil && im.Geo != nil {
		if pt, ok := im.Geo.Lookup(pc); ok {
			out.Latitude, out.Longitude = pt.Lat, pt.Lon
			out.Address.PostalCode = pc.String()
			return out, true
		}
	}
	return directory.Location{}, false
}

func webAddress(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && input.Check("url", s) == nil
}

func emailAddress(s string) bool {
	e, err := input.Email(s)
	return err == nil && e == s
}

// uncleanText checks a feed's service text with the input package's rules,
// as a form's would be: names on one line and within the directory's
// lengths, no control characters or invalid UTF-8 anywhere (PostgreSQL
// refuses them; SQLite would store them). It returns why the service is
// skipped, or "".
func uncleanText(r *Service) string {
	type text struct {
		what, v   string
		max       int
		multiline bool
	}
	texts := []text{{"name", r.Name, 150, false}, {"description", r.Description, 10000, true}, {"fees", r.Fees, 500, true}}
	if r.Organization != nil {
		texts = append(texts, text{"organization name", r.Organization.Name, 150, false},
			text{"organization description", r.Organization.Description, 10000, true})
	}
	for _, c := range r.Contacts {
		texts = append(texts, text{"contact name", c.Name, 200, false}, text{"contact title", c.Title, 200, false})
	}
	for _, sal := range r.ServiceAtLocations {
		if l := sal.Location; l != nil {
			texts = append(texts, text{"location name", l.Name, 200, false}, text{"location description", l.Description, 2000, true})
			for _, a := range l.Addresses {
				texts = append(texts, text{"address", a.Address1, 200, false}, text{"city", a.City, 100, false},
					text{"state_province", a.StateProvince, 100, false}, text{"postal_code", a.PostalCode, 16, false})
			}
		}
	}
	for _, s := range r.Schedules {
		texts = append(texts, text{"schedule description", s.Description, 1000, true})
	}
	for _, c := range r.CostOptions {
		texts = append(texts, text{"cost option", c.Option, 200, false}, text{"cost description", c.AmountDescription, 500, true})
	}
	for _, a := range r.Attributes {
		if t := a.TaxonomyTerm; t != nil {
			texts = append(texts, text{"taxonomy term name", t.Name, 200, false}, text{"taxonomy term description", t.Description, 2000, true})
		}
	}
	for _, t := range texts {
		clean := input.Line
		if t.multiline {
			clean = input.Lines
		}
		if _, err := clean(t.what, t.v, t.max); err != nil {
			return strings.ToLower(waymark.ErrorMessage(err)[:1]) + waymark.ErrorMessage(err)[1:]
		}
	}
	return ""
}

// hhmm keeps HH:MM of a time like 09:30 or 09:30:00.
func hhmm(s string) string {
	if len(s) >= 5 && s[2] == ':' {
		if _, err := strconv.Atoi(s[:2]); err == nil {
			return s[:5]
		}
	}
	return ""
}

func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimSuffix(b.String(), "-")
	if len(out) > 40 {
		out = out[:40]
	}
	if out == "" {
		out = "term"
	}
	return out
}
