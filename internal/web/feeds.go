package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"waymark"
	"waymark/internal/directory"
)

// Feeds lets moderators import Open Referral UK feeds.
type Feeds struct {
	List func(ctx context.Context) ([]directory.Feed, error)
	// Import walks a feed now and returns its summary and rejections.
	Import func(ctx context.Context, baseURL string, trusted bool) (summary string, rejected []string, err error)
}

type feedsView struct {
	formView
	Feeds    []directory.Feed
	Summary  string
	Rejected []string
}

func (s *Server) handleFeeds(w http.ResponseWriter, r *http.Request) {
	list, err := s.deps.Feeds.List(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "feeds", feedsView{formView: s.form(r, "Other directories' feeds"), Feeds: list})
}

func (s *Server) handleAddFeed(w http.ResponseWriter, r *http.Request) {
	v := feedsView{formView: s.form(r, "Other directories' feeds")}
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"))
		return
	}
	v.Form = r.PostForm
	addr := strings.TrimSpace(r.PostForm.Get("url"))
	u, err := url.Parse(addr)
	status := http.StatusOK
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(addr) > 500 {
		v.FieldErrs["url"] = "Enter the feed's web address, like https://directory.example.org/api"
		status = http.StatusBadRequest
	} else {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Minute)
		defer cancel()
		v.Summary, v.Rejected, err = s.deps.Feeds.Import(ctx, addr, r.PostForm.Get("trusted") == "yes")
		if err != nil {
			v.FieldErrs["url"] = "The feed could not be read: " + err.Error()
			status = http.StatusBadGateway
		}
	}
	v.Errors = summary(v.FieldErrs, nil)
	if v.Feeds, err = s.deps.Feeds.List(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, status, "feeds", v)
}
