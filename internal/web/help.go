package web

import (
	"net/http"

	"waymark/internal/directory"
)

type offlineView struct {
	page
	Organisations []directory.OfflineHelp
}

// handleOfflineHelp lists the organisations people without internet access
// can phone or visit.
func (s *Server) handleOfflineHelp(w http.ResponseWriter, r *http.Request) {
	list, err := s.deps.Directory.OfflineHelp(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := offlineView{page: s.page(r, "Help without the internet"), Organisations: list}
	v.Breadcrumbs = crumbs()
	s.render(w, r, http.StatusOK, "offline", v)
}
