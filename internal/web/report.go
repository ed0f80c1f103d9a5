package web

import (
	"net/http"
	"net/url"

	"waymark"
)

// reportView is the "report something wrong" form and the provider's
// confirmation page.
type reportView struct {
	formView
	ServiceID   string
	ServiceName string
	Expires     string
	Sig         string
}

func (s *Server) handleReportForm(w http.ResponseWriter, r *http.Request) {
	svc, err := s.deps.Directory.PublicService(r.Context(), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := reportView{formView: s.form(r, "Report something wrong"), ServiceID: svc.ID, ServiceName: svc.DisplayName()}
	s.render(w, r, http.StatusOK, "report", v)
}

func (s *Server) handleReport(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	svc, err := s.deps.Directory.PublicService(ctx, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := reportView{formView: s.form(r, "Report something wrong"), ServiceID: svc.ID, ServiceName: svc.DisplayName()}
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"))
		return
	}
	v.Form = r.PostForm
	if _, err := s.deps.Reports.Report(ctx, svc.ID, r.PostForm.Get("reason"), r.PostForm.Get("email")); err != nil {
		status, ok := showProblems(&v.page, v.FieldErrs, err, []string{"reason", "email"})
		if !ok {
			s.renderError(w, r, err)
			return
		}
		s.render(w, r, status, "report", v)
		return
	}
	s.render(w, r, http.StatusOK, "message", messageView{page: s.page(r, "Thank you for telling us"), Heading: "Thank you for telling us",
		Lines: []string{"We have taken the listing out of search and asked the provider to check it."}, Link: &link{Href: "/", Text: "Find community support"}})
}

func (s *Server) handleConfirmForm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := reportView{formView: s.form(r, "Is this service still running?"), ServiceID: r.PathValue("id"), Expires: q.Get("expires"), Sig: q.Get("sig")}
	v.NoIndex = true
	s.render(w, r, http.StatusOK, "confirm", v)
}

func (s *Server) handleConfirm(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"))
		return
	}
	svc, err := s.deps.Reports.Confirm(r.Context(), r.PathValue("id"), r.PostForm.Get("expires"), r.PostForm.Get("sig"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "message", messageView{page: s.page(r, "Thank you"), Heading: "Thank you",
		Lines: []string{"\"" + svc.DisplayName() + "\" is back in search."}, Link: &link{Href: "/services/" + url.PathEscape(svc.ID), Text: "See your listing"}})
}
