package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/input"
	"waymark/internal/referral"
)

// providerView is a provider's list of their listings.
type providerView struct {
	page
	Services []*directory.Service
	Done     string
	// Stats are each referral-taking listing's referral statistics, by
	// service ID.
	Stats map[string]*referral.Stats
	// Pending are the changes waiting for review, by service ID.
	Pending map[string]*directory.Revision
	Actions actionState
	// GP is true when providers can agree GP pathways.
	GP bool
}

func (s *Server) handleProvider(w http.ResponseWriter, r *http.Request) {
	s.renderProvider(w, r, http.StatusOK, actionState{Base: "/provider", Errs: map[string]string{}})
}

func (s *Server) renderProvider(w http.ResponseWriter, r *http.Request, status int, st actionState) {
	list, err := s.deps.Lifecycle.Mine(r.Context())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := providerView{page: s.page(r, "Your listings"), Services: list, Stats: map[string]*referral.Stats{}, Pending: map[string]*directory.Revision{}, Actions: st,
		GP: s.deps.GP != nil}
	for _, svc := range list {
		if s.deps.Revisions != nil && (svc.Status.Public() || svc.Status == directory.StatusSuspended) {
			rev, err := s.deps.Revisions.PendingChange(r.Context(), svc.ID)
			if err != nil {
				s.renderError(w, r, err)
				return
			}
			if rev != nil {
				v.Pending[svc.ID] = rev
			}
		}
		if svc.Pathway == directory.PathwayWaymarkForm || svc.Pathway == directory.PathwayProfessionalOnly {
			if st := s.statsFor(r.Context(), svc); st != nil {
				v.Stats[svc.ID] = st
			}
		}
	}
	v.markErrors(st.Errs, nil)
	q := r.URL.Query()
	switch done := q.Get("done"); done {
	case "draft":
		v.Done = "Your listing is saved as a draft. Post it when it is ready."
	case "posted":
		v.Done = "Your listing has been sent for review. We usually review listings within 48 hours."
	case "changed":
		v.Done = "Your listing has been updated."
	case "revision":
		v.Done = "Your changes have been sent for review. The listing stays as it was until they are approved."
	case "sent-before":
		v.Done = "That form was already sent and your listing saved: it is below. Nothing was added twice."
	default:
		for _, svc := range list {
			if svc.ID == q.Get("id") {
				v.Done = doneMessage(done, svc.DisplayName())
			}
		}
		if done == "delete" && v.Done == "" {
			v.Done = doneMessage(done, "Your listing")
		}
	}
	s.render(w, r, status, "provider", v)
}

// listingForm is the new listing form.
type listingForm struct {
	formView
	Categories []directory.TaxonomyTerm
	NeedOrg    bool
	Orgs       []string
	Edit       bool   // changing an existing listing
	Live       bool   // the listing is live: changes wait for review
	Correcting bool   // a moderator's correction, applied at once
	Action     string // where the form posts
	// PendingSince is when the change the form shows was sent for review;
	// nil when the form shows the listing as it is.
	PendingSince *time.Time
}

func (s *Server) listingForm(r *http.Request) (listingForm, error) {
	cats, err := s.deps.Directory.Categories(r.Context())
	v := listingForm{formView: s.form(r, "New service"), Categories: cats, Action: "/provider/services/new"}
	for _, m := range waymark.ActorFrom(r.Context()).Memberships {
		if m.Role == waymark.RoleProvider {
			v.Orgs = append(v.Orgs, m.OrganizationID)
		}
	}
	v.NeedOrg = len(v.Orgs) == 0
	return v, err
}

func (s *Server) handleNewListingForm(w http.ResponseWriter, r *http.Request) {
	v, err := s.listingForm(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v.Form.Set("kind", "signposting")
	v.Form.Set("visibility", "listed")
	v.Form.Set("cost", "free")
	v.Form.Set("form_token", newFormToken())
	s.render(w, r, http.StatusOK, "listing-new", v)
}

func (s *Server) handleNewListing(w http.ResponseWriter, r *http.Request) {
	v, err := s.listingForm(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := parseListingForm(r); err != nil {
		s.failListing(w, r, v, err)
		return
	}
	f := r.PostForm
	v.Form = f
	// The same form sent again (a refresh, a retry) leads to the listings.
	again := func(id string) string { return "/provider?done=sent-before&id=" + url.QueryEscape(id) }
	if s.sentBefore(w, r, "listing", again) {
		return
	}
	ctx := r.Context()
	a := waymark.ActorFrom(ctx)
	orgID := ""
	if v.NeedOrg {
		name := strings.TrimSpace(f.Get("organisation"))
		if name == "" {
			s.failListing(w, r, v, waymark.FieldErrorf(waymark.EINVALID, "organisation", "Enter the name of your group or organisation"))
			return
		}
		org := directory.Organization{Name: name, Email: strings.TrimSpace(f.Get("email"))}
		if err := s.deps.Directory.CreateOrganization(ctx, &org); err != nil {
			s.failListing(w, r, v, err)
			return
		}
		if err := s.deps.Accounts.JoinAsProvider(ctx, a.UserID, org.ID); err != nil {
			s.serverError(w, r, err)
			return
		}
		a.Memberships = append(a.Memberships, waymark.Membership{OrganizationID: org.ID, Role: waymark.RoleProvider})
		a.Roles = append(a.Roles, waymark.RoleProvider)
		ctx = waymark.WithActor(ctx, a)
		orgID = org.ID
	} else {
		orgID = v.Orgs[0]
		if o := f.Get("organization_id"); o != "" {
			orgID = o
		}
	}
	svc, err := s.readListing(r, v.Categories)
	if err != nil {
		s.failListing(w, r, v, err)
		return
	}
	svc.OrganizationID = orgID
	if err := s.deps.Directory.CreateListing(withFormToken(ctx, r), svc); err != nil {
		if waymark.ErrorCode(err) == waymark.ECONFLICT && s.sentBefore(w, r, "listing", again) {
			return
		}
		s.failListing(w, r, v, err)
		return
	}
	done := "draft"
	if f.Get("action") == "post" {
		if _, err := s.deps.Lifecycle.Apply(ctx, svc.ID, directory.ActionSubmit, ""); err != nil {
			s.renderError(w, r, err)
			return
		}
		done = "posted"
	}
	http.Redirect(w, r, "/provider?done="+done, http.StatusSeeOther)
}

func (s *Server) failListing(w http.ResponseWriter, r *http.Request, v listingForm, err error) {
	if _, ok := showProblems(&v.page, v.FieldErrs, err, nil); !ok {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusBadRequest, "listing-new", v)
}

// listingFromForm reads the new listing form. Only an email address and a
// postcode are required (a signposting entry); the rest is checked when given.
func listingFromForm(f url.Values, cats []directory.TaxonomyTerm) (*directory.Service, error) {
	bad := func(field, msg string) error { return waymark.FieldErrorf(waymark.EINVALID, field, "%s", msg) }
	svc := &directory.Service{
		Name: strings.TrimSpace(f.Get("title")), Description: strings.TrimSpace(f.Get("description")),
		Email: strings.TrimSpace(f.Get("email")), Website: strings.TrimSpace(f.Get("website")),
		AccessCriteria: strings.TrimSpace(f.Get("access_criteria")), Free: f.Get("cost") != "paid",
		ExternalFormURL:   strings.TrimSpace(f.Get("external_form_url")),
		Accessibility:     f["accessibility"],
		AccessibilityNote: strings.TrimSpace(f.Get("accessibility_note")),
		Languages:         f["languages"],
		Delivery:          f["delivery"],
	}
	if svc.Website != "" {
		w, err := input.Website(svc.Website)
		if err != nil {
			return nil, bad("website", waymark.ErrorMessage(err))
		}
		svc.Website = w
	}
	switch f.Get("kind") {
	case "", "signposting":
		svc.Kind, svc.Pathway = directory.KindSignposting, directory.PathwayNone
	case "waymark_form":
		svc.Kind, svc.Pathway = directory.KindReferral, directory.PathwayWaymarkForm
	case "external_form":
		svc.Kind, svc.Pathway = directory.KindReferral, directory.PathwayExternalForm
	case "professional_only":
		svc.Kind, svc.Pathway = directory.KindReferral, directory.PathwayProfessionalOnly
	default:
		return nil, bad("kind", "Choose how people get help from the service")
	}
	switch f.Get("visibility") {
	case "", "listed":
		svc.Visibility = directory.VisibilityListed
	case "unlisted":
		svc.Visibility = directory.VisibilityUnlisted
	default:
		return nil, bad("visibility", "Choose whether the listing appears in search")
	}
	if c := strings.TrimSpace(f.Get("cost_description")); c != "" && !svc.Free {
		svc.CostOptions = []directory.CostOption{{Option: "Cost", AmountDescription: c}}
	}
	if w := strings.TrimSpace(f.Get("waiting_weeks")); w != "" {
		n, err := strconv.Atoi(w)
		if err != nil || n < 0 || n > 104 {
			return nil, bad("waiting_weeks", "Waiting time must be a whole number of weeks, from 0 to 104")
		}
		svc.WaitingWeeks = &n
	}
	keywords, err := input.Keywords(f.Get("keywords"))
	if err != nil {
		return nil, bad("keywords", waymark.ErrorMessage(err))
	}
	svc.Keywords = keywords
	known := map[string]bool{}
	for _, c := range cats {
		known[c.ID] = true
	}
	for _, id := range f["category"] {
		if !known[id] {
			return nil, bad("category", "Choose categories from the list")
		}
		svc.Categories = append(svc.Categories, directory.TaxonomyTerm{ID: id})
	}
	pc := strings.TrimSpace(f.Get("postcode"))
	svc.Locations = []directory.Location{{Name: strings.TrimSpace(f.Get("address")),
		Address: directory.Address{Address1: strings.TrimSpace(f.Get("address")), City: strings.TrimSpace(f.Get("town")), PostalCode: pc, Country: "GB"}}}
	if days := f["days"]; len(days) > 0 {
		valid := map[string]bool{"MO": true, "TU": true, "WE": true, "TH": true, "FR": true, "SA": true, "SU": true}
		for _, d := range days {
			if !valid[d] {
				return nil, bad("days", "Choose days from the list")
			}
		}
		opens, closes := strings.TrimSpace(f.Get("opens_at")), strings.TrimSpace(f.Get("closes_at"))
		if !clockTime(opens) {
			return nil, bad("opens_at", "Enter the start time like 10:00")
		}
		if !clockTime(closes) || closes <= opens {
			return nil, bad("closes_at", "Enter the finish time like 12:00, after the start time")
		}
		svc.Schedules = []directory.Schedule{{Freq: "WEEKLY", ByDay: strings.Join(days, ","), OpensAt: opens, ClosesAt: closes}}
	}
	if phone := strings.TrimSpace(f.Get("phone")); phone != "" {
		digits, err := input.Phone(phone)
		if err != nil {
			return nil, bad("phone", waymark.ErrorMessage(err))
		}
		svc.Contacts = []directory.Contact{{Phones: []directory.Phone{{Number: input.FormatPhone(digits)}}, Email: svc.Email}}
	}
	return svc, nil
}

// moderationView is the review queue.
type moderationView struct {
	page
	Pending   []directory.Pending
	Revisions []directory.Revision
	Reported  []directory.Reported
	Now       time.Time
	Checks    bool // manual checks are on: link to their queue
	Done      string
	Actions   actionState
}

func (s *Server) handleModeration(w http.ResponseWriter, r *http.Request) {
	s.renderModeration(w, r, http.StatusOK, actionState{Base: "/moderation/reports", Errs: map[string]string{}})
}

func (s *Server) renderModeration(w http.ResponseWriter, r *http.Request, status int, st actionState) {
	ctx := r.Context()
	list, err := s.deps.Lifecycle.Queue(ctx)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := moderationView{page: s.page(r, "Listings to review"), Pending: list, Now: s.deps.Now(), Checks: s.deps.Checks != nil, Actions: st}
	if s.deps.Revisions != nil {
		if v.Revisions, err = s.deps.Revisions.Pending(ctx); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	if s.deps.Reports != nil {
		if v.Reported, err = s.deps.Reports.Queue(ctx); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	q := r.URL.Query()
	if id := q.Get("id"); id != "" && q.Get("done") != "" {
		if svc, err := s.deps.Lifecycle.Listing(ctx, id); err == nil {
			v.Done = doneMessage(q.Get("done"), svc.DisplayName())
		}
	}
	v.markErrors(st.Errs, nil)
	s.render(w, r, status, "moderation", v)
}

// clockTime reports whether s is a 24-hour time like 09:30.
func clockTime(s string) bool {
	if len(s) != 5 || s[2] != ':' {
		return false
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	return err1 == nil && err2 == nil && h >= 0 && h < 24 && m >= 0 && m < 60
}

// readListing reads the listing's fields and its optional new image from a
// parsed listing form.
func (s *Server) readListing(r *http.Request, cats []directory.TaxonomyTerm) (*directory.Service, error) {
	svc, err := listingFromForm(r.PostForm, cats)
	if err != nil {
		return nil, err
	}
	img, err := s.formImage(r)
	if err != nil {
		return nil, err
	}
	if img != nil {
		svc.Images = []directory.Image{*img}
	}
	return svc, nil
}
