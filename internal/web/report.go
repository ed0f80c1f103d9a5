package web

import (
	"net/http"
	"net/url"
	"time"

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
	if r.URL.Query().Get("sent") != "" {
		s.render(w, r, http.StatusOK, "message", messageView{page: s.page(r, "Thank you for telling us"), Heading: "Thank you for telling us",
			Lines: []string{"Our moderators will look at the listing and, if something is wrong, ask the provider to put it right. The listing stays as it is until then."},
			Link:  &link{Href: "/services/" + url.PathEscape(svc.ID), Text: "Back to " + svc.DisplayName()}})
		return
	}
	v := reportView{formView: s.form(r, "Report something wrong"), ServiceID: svc.ID, ServiceName: svc.DisplayName()}
	v.Form.Set("form_token", newFormToken())
	s.render(w, r, http.StatusOK, "report", v)
}

// Reports are slowed per connection (10, then one every 6 minutes) and per
// entry (3, then one an hour), so nobody can flood the moderators' queue.
const (
	reportsPerConnection = 10
	reportConnectionRate = 6 * time.Minute
	reportsPerEntry      = 3
	reportEntryRate      = time.Hour
)

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
	thanks := func(string) string { return "/services/" + url.PathEscape(svc.ID) + "/report?sent=1" }
	if s.sentBefore(w, r, "report", thanks) {
		return
	}
	fail := func(status int, field, message string) {
		showMessage(&v.page, v.FieldErrs, field, message, []string{"reason", "email"})
		s.render(w, r, status, "report", v)
	}
	now := s.deps.Now()
	if !s.limits.allowOne("report:"+clientIP(r), reportConnectionRate, reportsPerConnection, now) {
		w.Header().Set("Retry-After", "360")
		fail(http.StatusTooManyRequests, "form", "Too many reports have been sent from this connection. Wait a few minutes and try again.")
		return
	}
	if !s.limits.allowOne("report-entry:"+svc.ID, reportEntryRate, reportsPerEntry, now) {
		w.Header().Set("Retry-After", "3600")
		fail(http.StatusTooManyRequests, "form", "We already have several reports about this listing and our moderators are looking at it. Try again in an hour if you need to add something.")
		return
	}
	if _, err := s.deps.Reports.Report(withFormToken(ctx, r), svc.ID, r.PostForm.Get("reason"), r.PostForm.Get("email")); err != nil {
		if waymark.ErrorCode(err) == waymark.ECONFLICT && s.sentBefore(w, r, "report", thanks) {
			return
		}
		status, ok := showProblems(&v.page, v.FieldErrs, err, []string{"reason", "email"})
		if !ok {
			s.renderError(w, r, err)
			return
		}
		s.render(w, r, status, "report", v)
		return
	}
	http.Redirect(w, r, thanks(""), http.StatusSeeOther)
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
