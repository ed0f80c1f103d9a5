package web

import (
	"net/http"
	"net/url"
	"strings"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/referral"
)

// formBuilderView is a provider's referral form editor. It works without
// JavaScript: every change is a small form posted to the server.
type formBuilderView struct {
	formView
	Service   *directory.Service
	Questions []referral.Question
	Editing   *referral.Question // the question in the edit form; new when its ID is ""
	Types     []struct {
		Type  referral.QuestionType
		Label string
	}
	Saved string
	// NewQuestion is the id the "add a question" form gives its question,
	// so that sending the form twice adds it once.
	NewQuestion string
}

func (s *Server) formBuilder(w http.ResponseWriter, r *http.Request) (*formBuilderView, bool) {
	svc, err := s.deps.Lifecycle.Listing(r.Context(), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return nil, false
	}
	form, err := s.deps.Referrals.Form(r.Context(), svc.ID)
	if err != nil {
		s.renderError(w, r, err)
		return nil, false
	}
	v := &formBuilderView{formView: s.form(r, "Referral form"), Service: svc, Questions: form.Questions, Types: referral.QuestionTypes}
	v.Breadcrumbs = crumbs(link{Href: "/provider", Text: "Your listings"})
	v.Editing = &referral.Question{Type: referral.ShortText}
	v.NewQuestion = referral.NewQuestionID()
	if n := r.PostForm.Get("new_question"); newQuestionID(n) {
		v.NewQuestion = n // the form re-shown after an error keeps its id
	}
	if id := r.URL.Query().Get("edit"); id != "" {
		if q, ok := form.Question(id); ok {
			v.Editing = &q
			v.Form.Set("label", q.Label)
			v.Form.Set("help", q.Help)
			v.Form.Set("options", strings.Join(q.Options, "\n"))
			if q.Required {
				v.Form.Set("required", "yes")
			}
		}
	}
	v.Saved = r.URL.Query().Get("saved")
	return v, true
}

func (s *Server) handleFormBuilder(w http.ResponseWriter, r *http.Request) {
	if v, ok := s.formBuilder(w, r); ok {
		s.render(w, r, http.StatusOK, "formbuilder", v)
	}
}

// handleFormEdit adds, changes, moves or removes a question.
func (s *Server) handleFormEdit(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"))
		return
	}
	f := r.PostForm
	id := r.PathValue("id")
	var edit func(*referral.Form) error
	saved := "Question saved"
	switch f.Get("op") {
	case "up", "down":
		delta := -1
		if f.Get("op") == "down" {
			delta = 1
		}
		edit = func(form *referral.Form) error { return form.Move(f.Get("question"), delta) }
		saved = "Question moved"
	case "remove":
		if !s.confirmFirst(w, r, "Remove this question?", []string{"People will no longer be asked it. Answers already given to it stay with their referrals."},
			"Yes, remove the question", link{Href: "/provider/services/" + url.PathEscape(id) + "/form", Text: "No, keep it"}) {
			return
		}
		edit = func(form *referral.Form) error { return form.Remove(f.Get("question")) }
		saved = "Question removed"
	case "save":
		q := referral.Question{ID: f.Get("question"), Type: referral.QuestionType(f.Get("type")), Label: f.Get("label"), Help: f.Get("help"),
			Required: f.Get("required") == "yes", Options: strings.Split(strings.ReplaceAll(f.Get("options"), "\r\n", "\n"), "\n")}
		if q.ID == "" {
			// A new question takes the id its form was given: the same form
			// sent again puts the same question, not a second one.
			q.ID = referral.NewQuestionID()
			if n := f.Get("new_question"); newQuestionID(n) {
				q.ID = n
			}
		}
		edit = func(form *referral.Form) error {
			if _, ok := form.Question(q.ID); !ok && f.Get("question") != "" {
				return waymark.Errorf(waymark.ENOTFOUND, "That question is not on the form")
			}
			if existing, ok := form.Question(q.ID); ok {
				q.Type = existing.Type // the type of a question cannot change once asked
			}
			return form.Put(q)
		}
	default:
		s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "Choose what to do with the form"))
		return
	}
	if _, err := s.deps.Referrals.EditForm(r.Context(), id, edit); err != nil {
		var e *waymark.Error
		if !asError(err, &e) || e.Code != waymark.EINVALID {
			s.renderError(w, r, err)
			return
		}
		v, ok := s.formBuilder(w, r)
		if !ok {
			return
		}
		v.Form = f
		if q, ok := (&referral.Form{Questions: v.Questions}).Question(f.Get("question")); ok {
			v.Editing = &q
		} else {
			v.Editing = &referral.Question{Type: referral.QuestionType(f.Get("type"))}
		}
		field := e.Field
		if field == "" {
			field = "label"
		}
		showMessage(&v.page, v.FieldErrs, field, e.Message, []string{"type", "label", "help", "options"})
		s.render(w, r, http.StatusBadRequest, "formbuilder", v)
		return
	}
	http.Redirect(w, r, "/provider/services/"+id+"/form?saved="+strings.ReplaceAll(saved, " ", "+")+"#questions", http.StatusSeeOther)
}

// handleFormPreview shows the form as people will see it, without sending.
func (s *Server) handleFormPreview(w http.ResponseWriter, r *http.Request) {
	svc, err := s.deps.Lifecycle.Listing(r.Context(), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	form, err := s.deps.Referrals.Form(r.Context(), svc.ID)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := &referView{formView: s.form(r, "Preview: refer yourself"), Service: svc, Questions: form.Questions, Preview: true}
	v.NoIndex = true
	v.Breadcrumbs = crumbs(link{Href: "/provider/services/" + svc.ID + "/form", Text: "Referral form"})
	s.render(w, r, http.StatusOK, "refer", v)
}

// newQuestionID reports whether s looks like an id NewQuestionID makes:
// 12 lower-case hex digits.
func newQuestionID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}
