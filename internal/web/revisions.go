package web

import (
	"net/http"
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
		s.failListing(w, r, v, waymark.Errorf(waymark.EINVALID, "The form could not be read (an image must be smaller than 800 KB): try again"))
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

// compareRow is one field of a revision beside the live entry.
type compareRow struct {
	Field, Current, Proposed string
	Changed                  bool
}

type revisionView struct {
	page
	Revision *directory.Revision
	Current  *directory.Service
	Rows     []compareRow
}

func describeForCompare(svc *directory.Service, cats map[string]string) map[string]string {
	f := serviceToForm(svc)
	get := func(k string) string { return strings.Join(f[k], ", ") }
	var names []string
	for _, id := range f["category"] {
		names = append(names, cats[id])
	}
	return map[string]string{"Title": svc.DisplayName(), "Description": get("description"), "Email": get("email"),
		"Website": get("website"), "Phone": get("phone"), "Address": strings.TrimSpace(get("address") + " " + get("town") + " " + get("postcode")),
		"Cost": strings.TrimSpace(get("cost") + " " + get("cost_description")), "How people get help": get("kind"),
		"Who can find it": get("visibility"), "Waiting time (weeks)": get("waiting_weeks"), "Who it is for": get("access_criteria"),
		"Keywords": get("keywords"), "Categories": strings.Join(names, ", ")}
}

var compareOrder = []string{"Title", "Description", "Email", "Website", "Phone", "Address", "Cost", "How people get help",
	"Who can find it", "Waiting time (weeks)", "Who it is for", "Keywords", "Categories"}

func (s *Server) handleRevision(w http.ResponseWriter, r *http.Request) {
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
	terms, err := s.deps.Directory.Categories(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	cats := map[string]string{}
	for _, t := range terms {
		cats[t.ID] = t.Name
	}
	a, b := describeForCompare(current, cats), describeForCompare(rev.Proposed, cats)
	v := revisionView{page: s.page(r, "Changes to "+current.DisplayName()), Revision: rev, Current: current}
	for _, k := range compareOrder {
		v.Rows = append(v.Rows, compareRow{Field: k, Current: a[k], Proposed: b[k], Changed: a[k] != b[k]})
	}
	s.render(w, r, http.StatusOK, "revision", v)
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
		s.renderError(w, r, err)
		return
	}
	if approve && s.deps.Reports != nil {
		if err := s.deps.Reports.ReopenAfterEdit(r.Context(), rev.ServiceID); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	http.Redirect(w, r, "/moderation", http.StatusSeeOther)
}
