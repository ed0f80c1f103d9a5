package web

import (
	"net/http"
	"net/url"
	"strings"

	"waymark"
	"waymark/internal/directory"
)

type feedsView struct {
	formView
	Feeds []directory.Feed
}

type feedRunView struct {
	page
	Run *directory.FeedImportRun
}

func (s *Server) handleFeeds(w http.ResponseWriter, r *http.Request) {
	list, err := s.deps.Feeds.Feeds(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := feedsView{formView: s.form(r, "Other directories' feeds"), Feeds: list}
	v.Form.Set("form_token", newFormToken())
	s.render(w, r, http.StatusOK, "feeds", v)
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
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(addr) > 500 {
		showMessage(&v.page, v.FieldErrs, "url", "Enter the feed's web address, like https://directory.example.org/api", nil)
		if v.Feeds, err = s.deps.Feeds.Feeds(r.Context()); err != nil {
			s.serverError(w, r, err)
			return
		}
		s.render(w, r, http.StatusBadRequest, "feeds", v)
		return
	}
	// The same form sent again (a refresh, a retry) queues one import and
	// leads to its page.
	run := func(id string) string { return "/moderation/feeds/runs/" + url.PathEscape(id) }
	if s.sentBefore(w, r, "feed_run", run) {
		return
	}
	id, err := s.deps.Feeds.Queue(withFormToken(r.Context(), r), addr, r.PostForm.Get("trusted") == "yes")
	if waymark.ErrorCode(err) == waymark.ECONFLICT && s.sentBefore(w, r, "feed_run", run) {
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/moderation/feeds/runs/"+url.PathEscape(id), http.StatusSeeOther)
}

func (s *Server) handleFeedRun(w http.ResponseWriter, r *http.Request) {
	run, err := s.deps.Feeds.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "feed-run", feedRunView{page: s.page(r, "Feed import"), Run: run})
}
