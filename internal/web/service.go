package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/referral"
)

// serviceView is a service's page.
type serviceView struct {
	page
	Service  *directory.Service
	Miles    float64
	From     string // the postcode the distance is from
	HasMiles bool
	Back     string // link back to the search results
	// Unconfirmed is true when nobody has confirmed the entry is still
	// running within staleAfter.
	Unconfirmed bool
	// CanReport shows the "report something wrong" link.
	CanReport bool
	// CanRefer shows the self-referral button; CanReferClient the
	// professionals' referral link.
	CanRefer, CanReferClient bool
	// Professional shows the box for professionals and the service's
	// providers, with the referral statistics.
	Professional bool
	Stats        *referral.Stats
	// GPPathway shows a practice account the link to refer through the GP
	// pathway the provider agreed with their practice.
	GPPathway bool
	// Paused says why a suspended entry is out of search; Alternatives are
	// similar services near it.
	Paused       string
	Alternatives []directory.Hit
	// Review is the moderators' panel above the entry on its moderation
	// page; nil on the public page.
	Review *reviewPanel
	// Share is the service's short link, to share it; ShareText is it
	// without its scheme, to read out or write down.
	Share, ShareText string
}

// staleAfter is how long after its last confirmation an entry's page warns
// that it may be out of date.
const staleAfter = 365 * 24 * time.Hour

// handleService shows a service entry: published, frozen or unlisted ones by
// direct link; anything else is not found.
func (s *Server) handleService(w http.ResponseWriter, r *http.Request) {
	svc, err := s.deps.Directory.ServicePage(r.Context(), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := serviceView{page: s.page(r, svc.DisplayName()), Service: svc, CanReport: s.deps.Reports != nil && svc.Status.Public()}
	// Unlisted entries are for people given the link, not for search engines.
	v.NoIndex = svc.Visibility == directory.VisibilityUnlisted
	if svc.Status == directory.StatusSuspended {
		// A paused entry's page stays, for links already sent, and says why
		// and what else is near.
		v.NoIndex = true
		v.Paused = pausedReason(svc)
		if v.Alternatives, err = s.deps.Directory.Alternatives(r.Context(), svc, 3); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if s.deps.Referrals != nil && s.deps.Accounts != nil {
		a := waymark.ActorFrom(r.Context())
		open := svc.Status == directory.StatusPublished
		v.CanRefer = open && svc.Pathway == directory.PathwayWaymarkForm
		v.CanReferClient = open && referral.IsProfessional(a) && (svc.Pathway == directory.PathwayWaymarkForm || svc.Pathway == directory.PathwayProfessionalOnly)
		v.Stats = s.statsFor(r.Context(), svc)
		v.Professional = v.Stats != nil
	}
	if v.GPPathway, err = s.gpPathwayFor(r, svc); err != nil {
		s.serverError(w, r, err)
		return
	}
	code, err := s.deps.Directory.ShortCode(r.Context(), svc.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v.Share = s.cfg.PublicURL + "/s/" + code
	v.ShareText = strings.TrimPrefix(strings.TrimPrefix(v.Share, "https://"), "http://")
	v.Unconfirmed = svc.AssuredAt == nil || s.deps.Now().Sub(*svc.AssuredAt) > staleAfter
	if pc := r.URL.Query().Get("postcode"); pc != "" {
		v.Miles, v.From, v.HasMiles = s.deps.Directory.DistanceFrom(svc, pc)
	}
	v.Breadcrumbs = crumbs()
	if back := r.URL.Query().Get("back"); len(back) < 600 && len(back) > 1 && back[0] == '/' && back[1] == '?' {
		v.Back = back
		v.Breadcrumbs = crumbs(link{Href: back, Text: "Search results"})
	}
	s.render(w, r, http.StatusOK, "service", v)
}

// pausedReason says to the public why a suspended entry is paused: its
// provider's own words when they paused it, else what Waymark is doing.
func pausedReason(svc *directory.Service) string {
	if svc.SuspendedBy == directory.ByProvider && svc.StatusNote != "" {
		return svc.StatusNote
	}
	return svc.SuspendedBy.PublicReason()
}

// handleShortLink leads a service's short link (/s/{code}) to its page.
func (s *Server) handleShortLink(w http.ResponseWriter, r *http.Request) {
	id, err := s.deps.Directory.ResolveShortCode(r.Context(), r.PathValue("code"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/services/"+id, http.StatusFound)
}

func asError(err error, target **waymark.Error) bool { return errors.As(err, target) }

// gpPathwayFor reports whether the signed-in practice account may refer to
// the listed service through a GP pathway agreed with its practice.
func (s *Server) gpPathwayFor(r *http.Request, svc *directory.Service) (bool, error) {
	a := waymark.ActorFrom(r.Context())
	if s.deps.GP == nil || len(a.Practices) == 0 || !svc.Status.Public() || !(a.Has(waymark.RoleGP) || a.Has(waymark.RolePracticeStaff)) {
		return false, nil
	}
	list, err := s.deps.GP.PathwayServices(r.Context(), a.Practices[0])
	if err != nil {
		return false, err
	}
	for _, ps := range list {
		if ps.ServiceID == svc.ID {
			return true, nil
		}
	}
	return false, nil
}
