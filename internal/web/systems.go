package web

import (
	"net/http"
	"net/url"
	"strings"

	"waymark"
	"waymark/internal/fhir"
)

// systemsPath is the administrators' list of connected clinical systems.
const systemsPath = "/admin/systems"

// systemFields are the register form's fields, in order.
var systemFields = []string{"form", "name", "public_key", "endpoint", "practices"}

// systemsView lists the connected systems, with the form to register one.
type systemsView struct {
	formView
	Systems []fhir.System
	Done    string
}

// systemView is one connected system with its latest outcome deliveries.
type systemView struct {
	page
	System     fhir.System
	Deliveries []fhir.Delivery
	Calls      []fhir.Call
	Failing    int // outcomes whose latest attempt in the list failed
	TokenURL   string
	FHIRBase   string
	Done       string
}

func (s *Server) systemsView(r *http.Request, v formView) (systemsView, error) {
	list, err := s.deps.Systems.List(r.Context())
	v.Breadcrumbs = crumbs(link{Href: "/account", Text: "Your account"})
	return systemsView{formView: v, Systems: list, Done: r.URL.Query().Get("done")}, err
}

func (s *Server) handleSystems(w http.ResponseWriter, r *http.Request) {
	v := s.form(r, "Connected clinical systems")
	v.Form.Set("form_token", newFormToken())
	sv, err := s.systemsView(r, v)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "systems", sv)
}

func (s *Server) handleRegisterSystem(w http.ResponseWriter, r *http.Request) {
	v := s.form(r, "Connected clinical systems")
	v.Form = r.PostForm
	again := func(id string) string { return systemsPath + "/" + url.PathEscape(id) + "?done=registered" }
	if s.sentBefore(w, r, "fhir_system", again) {
		return
	}
	f := r.PostForm
	sys, err := s.deps.Systems.Register(withFormToken(r.Context(), r), fhir.NewSystem{Name: f.Get("name"), PublicKey: f.Get("public_key"),
		Endpoint: f.Get("endpoint"), Practices: f.Get("practices")})
	if err != nil {
		if waymark.ErrorCode(err) == waymark.ECONFLICT && s.sentBefore(w, r, "fhir_system", again) {
			return
		}
		sv, lerr := s.systemsView(r, v)
		if lerr != nil {
			s.renderError(w, r, lerr)
			return
		}
		status, ok := showProblems(&sv.page, sv.FieldErrs, err, systemFields)
		if !ok {
			s.renderError(w, r, err)
			return
		}
		s.render(w, r, status, "systems", sv)
		return
	}
	http.Redirect(w, r, again(sys.ID), http.StatusSeeOther)
}

func (s *Server) handleSystem(w http.ResponseWriter, r *http.Request) {
	d, err := s.deps.Systems.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := systemView{page: s.page(r, d.Name), System: d.System, Deliveries: d.Deliveries, Calls: d.Calls, TokenURL: s.cfg.PublicURL + fhir.TokenPath,
		FHIRBase: s.cfg.PublicURL + fhir.Prefix, Done: r.URL.Query().Get("done")}
	latest := map[string]bool{} // the list is newest first
	for _, d := range d.Deliveries {
		if !latest[d.OutcomeID] && d.Error != "" {
			v.Failing++
		}
		latest[d.OutcomeID] = true
	}
	v.Breadcrumbs = crumbs(link{Href: "/account", Text: "Your account"}, link{Href: systemsPath, Text: "Connected clinical systems"})
	s.render(w, r, http.StatusOK, "system", v)
}

func (s *Server) handleSystemAction(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var enabled bool
	switch r.PathValue("action") {
	case "disable":
	case "enable":
		enabled = true
	default:
		s.notFound(w, r)
		return
	}
	if err := s.deps.Systems.SetEnabled(r.Context(), id, enabled); err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, systemsPath+"/"+url.PathEscape(id)+"?done="+r.PathValue("action")+"d", http.StatusSeeOther)
}

func (s *Server) handleEditSystemForm(w http.ResponseWriter, r *http.Request) {
	d, err := s.deps.Systems.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := s.form(r, "Change "+d.Name)
	v.Form = url.Values{"id": {d.ID}, "current_name": {d.Name}, "name": {d.Name}, "public_key": {d.PublicKey},
		"endpoint": {d.Endpoint}, "practices": {strings.Join(d.Practices, ", ")}}
	s.renderSystemEdit(w, r, http.StatusOK, v)
}

func (s *Server) handleEditSystem(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	f := r.PostForm
	v := s.form(r, "Change "+f.Get("current_name"))
	v.Form = f
	v.Form.Set("id", id)
	_, err := s.deps.Systems.Change(r.Context(), id, fhir.NewSystem{Name: f.Get("name"), PublicKey: f.Get("public_key"),
		Endpoint: f.Get("endpoint"), Practices: f.Get("practices")})
	if err != nil {
		status, ok := showProblems(&v.page, v.FieldErrs, err, systemFields)
		if !ok {
			s.renderError(w, r, err)
			return
		}
		s.renderSystemEdit(w, r, status, v)
		return
	}
	http.Redirect(w, r, systemsPath+"/"+url.PathEscape(id)+"?done=changed", http.StatusSeeOther)
}

func (s *Server) renderSystemEdit(w http.ResponseWriter, r *http.Request, status int, v formView) {
	v.Breadcrumbs = crumbs(link{Href: "/account", Text: "Your account"}, link{Href: systemsPath, Text: "Connected clinical systems"},
		link{Href: systemsPath + "/" + url.PathEscape(v.Form.Get("id")), Text: v.Form.Get("current_name")})
	s.render(w, r, status, "system-edit", v)
}
