package web

import (
	"net/http"
	"strings"

	"waymark"
	"waymark/internal/gp"
)

// A provider's GP pathway settings for a service: accept direct referrals
// from GP practices, from every practice or only those listed.
// gp.Service checks the user provides the service (or is an
// administrator); anyone else gets 404.

func gpPathwayPath(serviceID string) string { return "/provider/services/" + serviceID + "/gp-pathway" }

func (s *Server) gpPathwayView(r *http.Request, p *gp.Pathway) cwFormView {
	enabled := ""
	if p.Enabled {
		enabled = "yes"
	}
	v := cwFormView{page: s.page(r, "GP pathway"), Caption: p.ServiceName, Heading: "GP pathway", Action: gpPathwayPath(p.ServiceID),
		FormID: newFormToken(), Submit: "Save", Cancel: "/provider",
		Intro: []string{"If you have agreed a pathway with GP practices, they can refer patients straight to this service from the practice app or their clinical system. " +
			"Referrals come to your referrals page like any other; your referral form's questions are not asked.",
			"Without a GP pathway, practices refer to their social prescribing team, whose link workers can refer on to you."},
		Fields: []cwField{
			{Name: "enabled", Label: "Accept direct referrals from GP practices", Type: "checkbox", Value: enabled},
			{Name: "practices", Label: "Only from these practices", Type: "textarea", Optional: true, Value: strings.Join(p.Practices, "\n"),
				Hint: "The practices' ODS codes, one a line, like C81001. Leave empty to accept referrals from every practice."},
		}}
	v.Breadcrumbs, v.NoIndex = crumbs(link{Href: "/provider", Text: "Your listings"}), true
	return v
}

func (s *Server) handleGPPathwayForm(w http.ResponseWriter, r *http.Request) {
	p, err := s.deps.GP.Pathway(r.Context(), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := s.gpPathwayView(r, p)
	if r.URL.Query().Get("saved") != "" {
		v.Warning = ""
		v.Intro = append([]string{"Saved."}, v.Intro...)
	}
	s.render(w, r, http.StatusOK, "cw-form", v)
}

func (s *Server) handleGPPathway(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	p, err := s.deps.GP.Pathway(r.Context(), id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"))
		return
	}
	f := r.PostForm
	ctx := r.Context()
	if t := f.Get("form_id"); len(t) == 32 {
		ctx = waymark.WithFormToken(ctx, t)
	}
	saved := gpPathwayPath(id) + "?saved=1"
	_, err = s.deps.GP.SavePathway(ctx, id, f.Get("enabled") == "yes", f.Get("practices"))
	switch {
	case err == nil, waymark.ErrorCode(err) == waymark.ECONFLICT: // saved, now or by the same form sent before
		http.Redirect(w, r, saved, http.StatusSeeOther)
		return
	case waymark.ErrorCode(err) != waymark.EINVALID:
		s.renderError(w, r, err)
		return
	}
	v := s.gpPathwayView(r, p)
	v.FormID = f.Get("form_id")
	fill(v.Fields, f)
	s.showForm(w, r, http.StatusBadRequest, v, map[string]string{"practices": waymark.ErrorMessage(err)})
}
