package web

import (
	"net/http"
	"net/url"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/freshness"
)

// handleCorrectForm shows a moderator the listing form filled from an
// entry, to correct it. From the manual checks queue (check=changed) the
// check is recorded when the correction is saved.
func (s *Server) handleCorrectForm(w http.ResponseWriter, r *http.Request) {
	svc, err := s.deps.Lifecycle.Listing(r.Context(), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v, err := s.correctForm(r, svc)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for k, vals := range serviceToForm(svc) {
		v.Form[k] = vals
	}
	if r.URL.Query().Get("check") == string(freshness.OutcomeChanged) {
		v.Form.Set("check", string(freshness.OutcomeChanged))
	}
	s.render(w, r, http.StatusOK, "listing-new", v)
}

func (s *Server) correctForm(r *http.Request, svc *directory.Service) (listingForm, error) {
	v, err := s.listingForm(r)
	v.Title, v.NeedOrg, v.Edit, v.Correcting = "Correct "+svc.DisplayName(), false, true, true
	v.Action = "/moderation/services/" + svc.ID + "/edit"
	v.Breadcrumbs = crumbs(link{Href: "/moderation", Text: "Moderation"}, link{Href: "/moderation/services/" + svc.ID, Text: svc.DisplayName()})
	return v, err
}

// handleCorrect saves a moderator's correction at once, records it in the
// entry's history with the fields it changed and, when it came from the
// manual checks queue, records the check.
func (s *Server) handleCorrect(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	svc, err := s.deps.Lifecycle.Listing(ctx, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v, err := s.correctForm(r, svc)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
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
	cats, err := s.categoryNames(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	describe := func(before, after *directory.Service) string {
		return changedFields(compareServices(before, after, cats))
	}
	if err := s.deps.Revisions.Correct(ctx, svc.ID, proposed, r.PostForm.Get("note"), describe); err != nil {
		if code := waymark.ErrorCode(err); code == waymark.EFORBIDDEN || code == waymark.ENOTFOUND {
			s.renderError(w, r, err)
			return
		}
		s.failListing(w, r, v, err)
		return
	}
	if r.PostForm.Get("check") == string(freshness.OutcomeChanged) && s.deps.Checks != nil {
		if err := s.deps.Checks.Record(ctx, svc.ID, freshness.OutcomeChanged, r.PostForm.Get("note")); err != nil {
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, "/moderation/checks?done="+url.QueryEscape(string(freshness.OutcomeChanged)), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/moderation/services/"+url.PathEscape(svc.ID)+"?done=correct", http.StatusSeeOther)
}
