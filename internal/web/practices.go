package web

import (
	"net/http"

	"waymark"
	"waymark/internal/gp"
)

// The administrators' list of GP practices: those the social prescribing
// teams serve and those recorded here, with their postcodes, so practice
// accounts can be invited to them.

// practicesView lists the practices with a form to record one.
type practicesView struct {
	formView
	Practices []gp.Practice
	Saved     string
	PCNs      bool // networks are on: link to them
}

func (s *Server) practicesPage(w http.ResponseWriter, r *http.Request, status int, err error) {
	v := practicesView{formView: s.form(r, "GP practices"), Saved: r.URL.Query().Get("saved"), PCNs: s.deps.PCNs != nil}
	if r.Method == http.MethodPost {
		v.Form = r.PostForm
		if status, ok := showProblems(&v.page, v.FieldErrs, err, []string{"ods", "practice_name", "postcode"}); ok {
			s.renderPractices(w, r, status, v)
			return
		}
		s.renderError(w, r, err)
		return
	}
	s.renderPractices(w, r, status, v)
}

func (s *Server) renderPractices(w http.ResponseWriter, r *http.Request, status int, v practicesView) {
	var err error
	if v.Practices, err = s.deps.GP.Practices(r.Context()); err != nil {
		s.renderError(w, r, err)
		return
	}
	v.Breadcrumbs, v.NoIndex = crumbs(link{Href: "/admin", Text: "Administration"}), true
	s.render(w, r, status, "practices", v)
}

func (s *Server) handlePractices(w http.ResponseWriter, r *http.Request) {
	s.practicesPage(w, r, http.StatusOK, nil)
}

func (s *Server) handleSavePractice(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"))
		return
	}
	f := r.PostForm
	p := gp.Practice{ODSCode: f.Get("ods"), Name: f.Get("practice_name"), Postcode: f.Get("postcode")}
	if err := s.deps.GP.SavePractice(r.Context(), p); err != nil {
		s.practicesPage(w, r, http.StatusBadRequest, err)
		return
	}
	http.Redirect(w, r, "/admin/practices?saved=1", http.StatusSeeOther)
}
