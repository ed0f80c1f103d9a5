package web

import (
	"net/http"
	"time"

	"waymark"
	"waymark/internal/directory"
)

// addServicePath is the public form to ask the team to add a service.
const addServicePath = "/add-your-service"

// requestFields are the request form's fields, in order.
var requestFields = []string{"form", "organisation", "service", "description", "contact_name", "email", "phone", "website", "postcode"}

func (s *Server) handleRequestForm(w http.ResponseWriter, r *http.Request) {
	v := s.form(r, "Ask us to add your service")
	v.Token = newFormToken()
	v.Breadcrumbs = crumbs()
	s.render(w, r, http.StatusOK, "add-service", v)
}

func (s *Server) handleRequest(w http.ResponseWriter, r *http.Request) {
	v := s.form(r, "Ask us to add your service")
	v.Breadcrumbs = crumbs()
	if err := r.ParseForm(); err != nil {
		s.failForm(w, r, "add-service", v, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"), requestFields)
		return
	}
	v.Form, v.Token = r.PostForm, r.PostForm.Get("token")
	if !s.limits.allowOne("service-request:"+clientIP(r), 10*time.Minute, 5, s.deps.Now()) {
		w.Header().Set("Retry-After", "600")
		showMessage(&v.page, v.FieldErrs, "form", "Too many requests from this connection: wait 10 minutes and try again", requestFields)
		s.render(w, r, http.StatusTooManyRequests, "add-service", v)
		return
	}
	f := r.PostForm
	_, err := s.deps.Requests.Submit(r.Context(), directory.ServiceRequest{Token: f.Get("token"), Organisation: f.Get("organisation"),
		Service: f.Get("service"), ContactName: f.Get("contact_name"), Email: f.Get("email"), Phone: f.Get("phone"),
		Website: f.Get("website"), Postcode: f.Get("postcode"), Description: f.Get("description")})
	if err != nil {
		if waymark.ErrorCode(err) == waymark.EINVALID && v.Token == "" {
			v.Token = newFormToken()
		}
		s.failForm(w, r, "add-service", v, err, requestFields)
		return
	}
	http.Redirect(w, r, addServicePath+"/sent", http.StatusSeeOther)
}

func (s *Server) handleRequestSent(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "message", messageView{page: s.page(r, "Request sent"), Heading: "Request sent",
		Lines: []string{"Thank you. Our team will check the details and add the service, usually within a week.",
			"We will email you if we have a question, and when the service is listed."},
		Link: &link{Href: "/", Text: "Find community support"}})
}

// requestsView is the moderators' queue of requests to add a service.
type requestsView struct {
	page
	Requests []directory.ServiceRequest
	Done     bool
}

func (s *Server) handleRequests(w http.ResponseWriter, r *http.Request) {
	list, err := s.deps.Requests.Open(r.Context())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := requestsView{page: s.page(r, "Requests to add a service"), Requests: list, Done: r.URL.Query().Get("done") == "1"}
	v.Breadcrumbs = crumbs(link{Href: "/account", Text: "Your account"})
	s.render(w, r, http.StatusOK, "requests", v)
}

func (s *Server) handleRequestDone(w http.ResponseWriter, r *http.Request) {
	if err := s.deps.Requests.Handle(r.Context(), r.PathValue("id")); err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/moderation/requests?done=1", http.StatusSeeOther)
}
