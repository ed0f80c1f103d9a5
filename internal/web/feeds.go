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

// feedFailed is all a moderator is told when a feed cannot be imported.
const feedFailed = "The feed could not be fetched. Check the address is the feed's public web address and try again later"

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
			// The same words whatever went wrong: the details (an address
			// refused, a port closed or open) would let the form probe the
			// network behind the server. They go to the log.
			s.log.WarnContext(r.Context(), "feed import failed", "err", err)
			v.FieldErrs["url"] = feedFailed
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
