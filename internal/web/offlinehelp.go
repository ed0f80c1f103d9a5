package web

import (
	"net/http"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/directory"
)

// offlineHelpPath is where moderators edit the offline help list.
const offlineHelpPath = "/moderation/offline-help"

// offlineFields are the offline help form's fields, in order.
var offlineFields = []string{"form", "name", "area", "phone1", "phone1_for", "phone2", "phone2_for", "website", "address"}

// offlineListView is the moderators' view of the offline help list.
type offlineListView struct {
	page
	Organisations []directory.OfflineHelp
	Done          string
}

func (s *Server) handleOfflineHelpList(w http.ResponseWriter, r *http.Request) {
	list, err := s.deps.Directory.OfflineHelp(r.Context())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := offlineListView{page: s.page(r, "Edit the help without the internet list"), Organisations: list}
	v.Breadcrumbs = crumbs(link{Href: "/account", Text: "Your account"})
	switch r.URL.Query().Get("done") {
	case "saved":
		v.Done = "The list has been saved. People see it now on the help without the internet page."
	case "removed":
		v.Done = "The organisation has been taken off the list."
	}
	s.render(w, r, http.StatusOK, "offline-list", v)
}

// offlineForm is the form to add or change an organisation: its hidden
// "id" (a new one when adding, so sending twice adds once) and "create".
func (s *Server) offlineForm(r *http.Request, title string) formView {
	v := s.form(r, title)
	v.Breadcrumbs = crumbs(link{Href: offlineHelpPath, Text: "Help without the internet list"})
	return v
}

func (s *Server) handleOfflineHelpNew(w http.ResponseWriter, r *http.Request) {
	v := s.offlineForm(r, "Add an organisation")
	v.Form.Set("id", uuid.NewString())
	v.Form.Set("create", "1")
	s.render(w, r, http.StatusOK, "offline-edit", v)
}

func (s *Server) handleOfflineHelpEdit(w http.ResponseWriter, r *http.Request) {
	e, err := s.deps.Directory.OfflineHelpEntry(r.Context(), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := s.offlineForm(r, "Change "+e.Name)
	f := v.Form
	f.Set("id", e.ID)
	f.Set("name", e.Name)
	f.Set("area", e.Area)
	f.Set("website", e.Website)
	f.Set("address", e.Address)
	for i, p := range e.Phones {
		if i < 2 {
			n := string(rune('1' + i))
			f.Set("phone"+n, p.Number)
			f.Set("phone"+n+"_for", p.Description)
		}
	}
	s.render(w, r, http.StatusOK, "offline-edit", v)
}

// handleOfflineHelpSave adds (POST .../new) or changes an organisation.
func (s *Server) handleOfflineHelpSave(w http.ResponseWriter, r *http.Request) {
	create := r.PathValue("id") == ""
	v := s.offlineForm(r, "Add an organisation")
	if !create {
		v.Title = "Change an organisation"
	}
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"))
		return
	}
	f := r.PostForm
	v.Form = f
	id := r.PathValue("id")
	if create {
		id = f.Get("id")
		f.Set("create", "1")
	} else {
		f.Set("id", id)
	}
	e := directory.OfflineHelp{ID: id, Name: f.Get("name"), Area: f.Get("area"), Website: f.Get("website"), Address: f.Get("address"),
		Phones: []directory.Phone{{Number: f.Get("phone1"), Description: f.Get("phone1_for")}, {Number: f.Get("phone2"), Description: f.Get("phone2_for")}}}
	if _, err := s.deps.Directory.SaveOfflineHelp(r.Context(), e, create); err != nil {
		if c := waymark.ErrorCode(err); c != waymark.EINVALID {
			s.renderError(w, r, err)
			return
		}
		s.failForm(w, r, "offline-edit", v, err, offlineFields)
		return
	}
	http.Redirect(w, r, offlineHelpPath+"?done=saved", http.StatusSeeOther)
}

func (s *Server) handleOfflineHelpRemoveForm(w http.ResponseWriter, r *http.Request) {
	e, err := s.deps.Directory.OfflineHelpEntry(r.Context(), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := s.offlineForm(r, "Take "+e.Name+" off the list?")
	v.Form.Set("id", e.ID)
	v.Form.Set("name", e.Name)
	s.render(w, r, http.StatusOK, "offline-remove", v)
}

func (s *Server) handleOfflineHelpRemove(w http.ResponseWriter, r *http.Request) {
	if err := s.deps.Directory.RemoveOfflineHelp(r.Context(), r.PathValue("id")); err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, offlineHelpPath+"?done=removed", http.StatusSeeOther)
}
