package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"waymark"
	"waymark/internal/directory"
)

// serviceToForm fills the listing form from a service.
func serviceToForm(svc *directory.Service) map[string][]string {
	f := map[string][]string{
		"title": {svc.Name}, "description": {svc.Description}, "email": {svc.Email}, "website": {svc.Website},
		"access_criteria": {svc.AccessCriteria}, "keywords": {strings.Join(svc.Keywords, ", ")},
		"external_form_url": {svc.ExternalFormURL}, "visibility": {string(svc.Visibility)},
		"accessibility": svc.Accessibility, "accessibility_note": {svc.AccessibilityNote},
		"languages": svc.Languages, "delivery": svc.Delivery,
	}
	if svc.Name == svc.Email {
		f["title"] = []string{""}
	}
	f["cost"] = []string{"paid"}
	if svc.Free {
		f["cost"] = []string{"free"}
	}
	for _, c := range svc.CostOptions {
		f["cost_description"] = []string{c.AmountDescription}
	}
	if svc.WaitingWeeks != nil {
		f["waiting_weeks"] = []string{strconv.Itoa(*svc.WaitingWeeks)}
	}
	switch svc.Pathway {
	case directory.PathwayNone:
		f["kind"] = []string{"signposting"}
	default:
		f["kind"] = []string{string(svc.Pathway)}
	}
	if len(svc.Locations) > 0 {
		a := svc.Locations[0].Address
		f["postcode"], f["address"], f["town"] = []string{a.PostalCode}, []string{a.Address1}, []string{a.City}
	}
	for _, c := range svc.Contacts {
		for _, p := range c.Phones {
			f["phone"] = []string{p.Number}
		}
	}
	for _, c := range svc.Categories {
		f["category"] = append(f["category"], c.ID)
	}
	for _, sc := range svc.Schedules {
		if sc.Freq == "WEEKLY" && len(f["days"]) == 0 {
			f["days"] = strings.Split(sc.ByDay, ",")
			f["opens_at"], f["closes_at"] = []string{sc.OpensAt}, []string{sc.ClosesAt}
		}
	}
	return f
}

func (s *Server) handleEditListingForm(w http.ResponseWriter, r *http.Request) {
	svc, err := s.deps.Lifecycle.Listing(r.Context(), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v, err := s.listingForm(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v.Title, v.NeedOrg, v.Edit, v.Action = "Change "+svc.DisplayName(), false, true, "/provider/services/"+svc.ID+"/edit"
	v.Live = svc.Status.Public() || svc.Status == directory.StatusSuspended
	shown := svc
	if v.Live {
		rev, err := s.deps.Revisions.PendingChange(r.Context(), svc.ID)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		if rev != nil {
			v.PendingSince, shown = &rev.SubmittedAt, rev.Proposed
		}
	}
	for k, vals := range serviceToForm(shown) {
		v.Form[k] = vals
	}
	s.render(w, r, http.StatusOK, "listing-new", v)
}

func (s *Server) handleEditListing(w http.ResponseWriter, r *http.Request) {
	v, err := s.listingForm(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	id := r.PathValue("id")
	v.NeedOrg, v.Edit, v.Action = false, true, "/provider/services/"+id+"/edit"
	if err := parseListingForm(r); err != nil {
		s.failListing(w, r, v, err)
		return
	}
	v.Form = r.PostForm
	proposed, err := s.readListing(r, v.Categories)
	if err != nil {
		s.failListing(w, r, v, err)
		return
	}
	revision, err := s.deps.Revisions.Edit(r.Context(), id, proposed)
	if err != nil {
		if code := waymark.ErrorCode(err); code == waymark.EFORBIDDEN || code == waymark.ENOTFOUND {
			s.renderError(w, r, err)
			return
		}
		s.failListing(w, r, v, err)
		return
	}
	done := "changed"
	if revision {
		done = "revision"
	}
	http.Redirect(w, r, "/provider?done="+done, http.StatusSeeOther)
}

type revisionView struct {
	formView
	Revision *directory.Revision
	Current  *directory.Service
	Rows     []compareRow
}

func (s *Server) handleRevision(w http.ResponseWriter, r *http.Request) {
	s.renderRevision(w, r, http.StatusOK, nil)
}

// renderRevision shows a provider's change beside the live entry, with a
// refused decision's message when fail is set.
func (s *Server) renderRevision(w http.ResponseWriter, r *http.Request, status int, fail *waymark.Error) {
	ctx := r.Context()
	rev, err := s.deps.Revisions.Find(ctx, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	current, err := s.deps.Lifecycle.Listing(ctx, rev.ServiceID)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	cats, err := s.categoryNames(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := revisionView{formView: s.form(r, "Changes to "+current.DisplayName()), Revision: rev, Current: current}
	v.Rows = compareServices(current, rev.Proposed, cats)
	v.Breadcrumbs = crumbs(link{Href: "/moderation", Text: "Moderation"})
	if fail != nil {
		v.Form = r.PostForm
		showMessage(&v.page, v.FieldErrs, "note", fail.Message, nil)
	}
	s.render(w, r, status, "revision", v)
}

// categoryNames names the category terms by id.
func (s *Server) categoryNames(r *http.Request) (map[string]string, error) {
	terms, err := s.deps.Directory.Categories(r.Context())
	cats := map[string]string{}
	for _, t := range terms {
		cats[t.ID] = t.Name
	}
	return cats, err
}

func (s *Server) handleDecideRevision(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"))
		return
	}
	approve := r.PathValue("decision") == "approve"
	if !approve && r.PathValue("decision") != "decline" {
		s.notFound(w, r)
		return
	}
	rev, err := s.deps.Revisions.Decide(r.Context(), r.PathValue("id"), approve, strings.TrimSpace(r.PostForm.Get("note")))
	if err != nil {
		var e *waymark.Error
		if asError(err, &e) && e.Code == waymark.EINVALID && e.Field == "note" {
			s.renderRevision(w, r, http.StatusBadRequest, e)
			return
		}
		s.renderError(w, r, err)
		return
	}
	done := "changes-declined"
	if approve {
		done = "changes-approved"
	}
	http.Redirect(w, r, "/moderation?done="+done+"&id="+url.QueryEscape(rev.ServiceID), http.StatusSeeOther)
}
