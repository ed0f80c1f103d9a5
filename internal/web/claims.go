package web

import (
	"net/http"

	"waymark/internal/onboarding"
)

// claimsView is the moderators' list of imported organisations whose
// entries wait to be claimed.
type claimsView struct {
	page
	Unclaimed []unclaimedRow
	Sent      bool
}

type unclaimedRow struct {
	onboarding.Unclaimed
	Expired bool
}

func (s *Server) handleClaims(w http.ResponseWriter, r *http.Request) {
	list, err := s.deps.Onboarding.Unclaimed(r.Context())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := claimsView{page: s.page(r, "Entries waiting to be claimed"), Sent: r.URL.Query().Get("sent") == "1"}
	v.Breadcrumbs = crumbs(link{Href: "/account", Text: "Your account"})
	now := s.deps.Now()
	for _, u := range list {
		v.Unclaimed = append(v.Unclaimed, unclaimedRow{Unclaimed: u, Expired: u.Expired(now)})
	}
	s.render(w, r, http.StatusOK, "claims", v)
}

func (s *Server) handleReissueClaim(w http.ResponseWriter, r *http.Request) {
	if err := s.deps.Onboarding.Reissue(r.Context(), r.PathValue("id")); err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/moderation/claims?sent=1", http.StatusSeeOther)
}
