package web

import (
	"net/http"
	"net/url"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/freshness"
)

// checksView is the moderators' queue of entries without a website due a
// manual check.
type checksView struct {
	page
	Due    []*directory.Service
	Total  int // due in all; Due holds the oldest checksShown
	Months int
	Done   string // the outcome just recorded, for the confirmation banner
}

// checksShown is how many due entries the queue page shows at once: a work
// list, done from the top.
const checksShown = 20

// handleChecks lists the entries due a manual check, oldest first.
func (s *Server) handleChecks(w http.ResponseWriter, r *http.Request) {
	list, err := s.deps.Checks.Queue(r.Context())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := checksView{page: s.page(r, "Listings to check"), Due: list, Total: len(list), Months: s.deps.Checks.Months()}
	if len(v.Due) > checksShown {
		v.Due = v.Due[:checksShown]
	}
	v.Breadcrumbs = crumbs(link{Href: "/moderation", Text: "Moderation"})
	switch done := r.URL.Query().Get("done"); freshness.Outcome(done) {
	case freshness.OutcomeRunning, freshness.OutcomeChanged, freshness.OutcomeUnconfirmed:
		v.Done = done
	}
	s.render(w, r, http.StatusOK, "checks", v)
}

// handleRecordCheck records a moderator's manual check. A changed entry
// goes on to the moderators' correction form, which records the check when
// the correction is saved; the others back to the queue.
func (s *Server) handleRecordCheck(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"))
		return
	}
	id := r.PathValue("id")
	outcome := freshness.Outcome(r.PostForm.Get("outcome"))
	if outcome == freshness.OutcomeChanged {
		// Recorded when the correction is saved, not before.
		http.Redirect(w, r, "/moderation/services/"+url.PathEscape(id)+"/edit?check=changed", http.StatusSeeOther)
		return
	}
	if err := s.deps.Checks.Record(r.Context(), id, outcome, r.PostForm.Get("note")); err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/moderation/checks?done="+url.QueryEscape(string(outcome)), http.StatusSeeOther)
}
