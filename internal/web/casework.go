package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/input"
)

// Case management pages: caseloads, client search, the client record with
// its timeline, and a form for every kind of entry. Every page about a
// client goes through casework.Service, which checks the reader is in the
// client's team and audits the access.

const cwBase = "/casework"

func clientPath(id string, more ...string) string {
	return cwBase + "/clients/" + id + strings.Join(more, "")
}

// cwField is one field of a case management form.
type cwField struct {
	Name, Label, Hint string
	// Type is text, email, tel, number, textarea, radios, checkboxes,
	// select, checkbox, date (day, month, year inputs) or datetime (date
	// plus a time input).
	Type     string
	Options  []casework.Option
	Value    string
	Values   []string // checkboxes
	Date     [3]string
	Time     string
	Error    string
	Width    string // an nhsuk-input--width class suffix
	Optional bool
}

// Checked reports whether an option of a radios, select or checkboxes field is chosen.
func (f cwField) Checked(key string) bool {
	if f.Type == "checkboxes" {
		for _, v := range f.Values {
			if v == key {
				return true
			}
		}
		return false
	}
	return f.Value == key
}

// cwFormView is a case management form page.
type cwFormView struct {
	page
	Caption string // the client's name, above the heading
	Heading string
	Intro   []string
	Warning string // for confirmation pages
	Action  string
	FormID  string // makes sending the form twice harmless
	Fields  []cwField
	Submit  string
	Danger  bool // a red button for destructive actions
	Cancel  string
	Extra   []casework.CaseloadRow // possible duplicates
}

// cwFormSpec is how to show and handle one form about a client.
type cwFormSpec struct {
	title  string
	intro  []string
	submit string
	danger bool
	// fields returns the form's fields, prefilled from the client.
	fields func(r *http.Request, c *casework.Client) []cwField
	// save handles the posted form.
	save func(r *http.Request, id string, f url.Values) error
	// order lists field names for the error summary.
	warning string
}

// fill puts posted values into fields.
func fill(fields []cwField, f url.Values) {
	for i := range fields {
		fd := &fields[i]
		switch fd.Type {
		case "checkboxes":
			fd.Values = f[fd.Name]
		case "date", "datetime":
			fd.Date = [3]string{f.Get(fd.Name + "_day"), f.Get(fd.Name + "_month"), f.Get(fd.Name + "_year")}
			fd.Time = f.Get(fd.Name + "_time")
		case "checkbox":
			fd.Value = f.Get(fd.Name)
		default:
			fd.Value = f.Get(fd.Name)
		}
	}
}

// fieldOrder lists the fields' names, for the error summary.
func fieldOrder(fields []cwField) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.Name
	}
	return out
}

// showForm renders a form with its errors.
func (s *Server) showForm(w http.ResponseWriter, r *http.Request, status int, v cwFormView, errs map[string]string) {
	for i := range v.Fields {
		v.Fields[i].Error = errs[v.Fields[i].Name]
	}
	v.markErrors(errs, fieldOrder(v.Fields))
	s.render(w, r, status, "cw-form", v)
}

// clientForm serves GET and POST of a form about a client.
func (s *Server) clientForm(spec cwFormSpec) (get, post http.HandlerFunc) {
	view := func(r *http.Request, c *casework.Client) cwFormView {
		v := cwFormView{page: s.page(r, spec.title), Caption: c.Name(), Heading: spec.title, Intro: spec.intro,
			Action: r.URL.Path, FormID: uuid.NewString(), Fields: spec.fields(r, c), Submit: spec.submit, Danger: spec.danger,
			Cancel: clientPath(c.ID), Warning: spec.warning}
		v.Breadcrumbs = crumbs(link{Href: cwBase, Text: "Caseload"}, link{Href: clientPath(c.ID), Text: c.Name()})
		v.NoIndex = true
		return v
	}
	get = func(w http.ResponseWriter, r *http.Request) {
		c, err := s.deps.Casework.Client(r.Context(), r.PathValue("id"))
		if err != nil {
			s.clientError(w, r, err)
			return
		}
		s.render(w, r, http.StatusOK, "cw-form", view(r, c))
	}
	post = func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if err := r.ParseForm(); err != nil {
			s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"))
			return
		}
		ctx := r.Context()
		formID := r.PostForm.Get("form_id")
		if _, err := uuid.Parse(formID); err == nil {
			ctx = casework.WithRequestID(ctx, formID)
		}
		err := spec.save(r.WithContext(ctx), id, r.PostForm)
		if err == nil || (formID != "" && s.deps.Casework.AlreadyDone(r.Context(), err, formID)) {
			http.Redirect(w, r, clientPath(id)+"?saved=1", http.StatusSeeOther)
			return
		}
		var e *waymark.Error
		if !errors.As(err, &e) || (e.Code != waymark.EINVALID && e.Code != waymark.ECONFLICT) {
			s.clientError(w, r, err)
			return
		}
		c, cerr := s.deps.Casework.Client(r.Context(), id)
		if cerr != nil {
			s.clientError(w, r, cerr)
			return
		}
		v := view(r, c)
		v.FormID = formID
		fill(v.Fields, r.PostForm)
		field := e.Field
		if field == "" && len(v.Fields) > 0 {
			field = v.Fields[0].Name
		} else if field == "" {
			field = "form"
		}
		s.showForm(w, r, errorStatus(e), v, map[string]string{field: e.Message})
	}
	return get, post
}

// clientError shows an error about a client record: administrators who
// may break the glass are sent to its form.
func (s *Server) clientError(w http.ResponseWriter, r *http.Request, err error) {
	if casework.NeedsBreakGlass(err) && r.PathValue("id") != "" {
		http.Redirect(w, r, clientPath(r.PathValue("id"), "/break-glass"), http.StatusSeeOther)
		return
	}
	s.renderError(w, r, err)
}

// formDate reads a date field.
func formDate(f url.Values, name string) (time.Time, bool) {
	return casework.ParseDate(f.Get(name+"_day"), f.Get(name+"_month"), f.Get(name+"_year"))
}

// formDateTime reads a date and a time (HH:MM, UK time) field.
func formDateTime(f url.Values, name string) (time.Time, bool) {
	d, ok := formDate(f, name)
	if !ok {
		return time.Time{}, false
	}
	hm, err := time.Parse("15:04", strings.TrimSpace(strings.ReplaceAll(f.Get(name+"_time"), ".", ":")))
	if err != nil {
		return time.Time{}, false
	}
	return time.Date(d.Year(), d.Month(), d.Day(), hm.Hour(), hm.Minute(), 0, 0, london), true
}

func dateParts(t time.Time) [3]string {
	if t.IsZero() {
		return [3]string{}
	}
	return [3]string{strconv.Itoa(t.Day()), strconv.Itoa(int(t.Month())), strconv.Itoa(t.Year())}
}

func formInt(f url.Values, name string) int {
	n, err := strconv.Atoi(strings.TrimSpace(f.Get(name)))
	if err != nil {
		return -1
	}
	return n
}

var scoreOptions = func() []casework.Option {
	var out []casework.Option
	for i := 1; i <= 10; i++ {
		out = append(out, casework.Option{Key: strconv.Itoa(i), Label: strconv.Itoa(i)})
	}
	return out
}()

func rangeOptions(lo, hi int, labels []string) []casework.Option {
	var out []casework.Option
	for i := lo; i <= hi; i++ {
		l := strconv.Itoa(i)
		if labels != nil {
			l = fmt.Sprintf("%d: %s", i, labels[i-lo])
		}
		out = append(out, casework.Option{Key: strconv.Itoa(i), Label: l})
	}
	return out
}

// ---- the client's details ----

func clientFields(c *casework.Client) []cwField {
	if c == nil {
		c = &casework.Client{}
	}
	interpreter := ""
	if c.Interpreter {
		interpreter = "yes"
	}
	return []cwField{
		{Name: "given_name", Label: "First name", Type: "text", Value: c.GivenName},
		{Name: "family_name", Label: "Last name", Type: "text", Value: c.FamilyName},
		{Name: "preferred_name", Label: "Preferred name", Type: "text", Value: c.PreferredName, Optional: true, Hint: "What they like to be called, if different"},
		{Name: "dob", Label: "Date of birth", Type: "date", Date: dateParts(c.DateOfBirth), Hint: "For example, 15 3 1948"},
		{Name: "nhs_number", Label: "NHS number", Type: "text", Value: casework.FormatNHSNumber(c.NHSNumber), Optional: true, Width: "10", Hint: "10 digits, like 485 777 3456"},
		{Name: "address", Label: "Address", Type: "textarea", Value: c.Address, Optional: true, Hint: "Without the postcode"},
		{Name: "postcode", Label: "Postcode", Type: "text", Value: c.Postcode, Optional: true, Width: "10"},
		{Name: "phone", Label: "Phone number", Type: "tel", Value: input.FormatPhone(c.Phone), Optional: true, Width: "20",
			Hint: "Appointment reminders go by text to a mobile only: a landline gets no texts"},
		{Name: "email", Label: "Email address", Type: "email", Value: c.Email, Optional: true},
		{Name: "preferred_contact", Label: "How they prefer to be contacted", Type: "radios", Options: casework.ContactMethods, Value: c.PreferredContact},
		{Name: "gp_practice", Label: "GP practice ODS code", Type: "text", Value: c.GPPractice, Optional: true, Width: "10", Hint: "A letter and five letters or numbers, like C81001"},
		{Name: "interpreter", Label: "They need an interpreter", Type: "checkbox", Value: interpreter, Optional: true},
		{Name: "language", Label: "Language", Type: "text", Value: c.Language, Optional: true, Width: "20"},
		{Name: "formats", Label: "Accessible formats they need", Type: "checkboxes", Options: casework.AccessibleFormats, Values: c.AccessibleFormats, Optional: true},
		{Name: "next_of_kin", Label: "Next of kin or carer", Type: "textarea", Value: c.NextOfKin, Optional: true, Hint: "Name, relationship and how to reach them"},
		{Name: "ethnicity", Label: "Ethnic group", Type: "select", Options: casework.Ethnicities, Value: c.Ethnicity, Optional: true},
		{Name: "gender", Label: "Gender", Type: "select", Options: casework.Genders, Value: c.Gender, Optional: true},
		{Name: "sexual_orientation", Label: "Sexual orientation", Type: "select", Options: casework.SexualOrientations, Value: c.SexualOrientation, Optional: true},
		{Name: "disability", Label: "Do they consider themselves to have a disability?", Type: "select", Options: casework.Disabilities, Value: c.Disability, Optional: true},
	}
}

// clientFromForm reads the details form.
func clientFromForm(f url.Values) (casework.Client, error) {
	c := casework.Client{GivenName: f.Get("given_name"), FamilyName: f.Get("family_name"), PreferredName: f.Get("preferred_name"),
		NHSNumber: f.Get("nhs_number"), Address: f.Get("address"), Postcode: f.Get("postcode"), Phone: f.Get("phone"), Email: f.Get("email"),
		PreferredContact: f.Get("preferred_contact"), GPPractice: f.Get("gp_practice"), Interpreter: f.Get("interpreter") == "yes",
		Language: f.Get("language"), AccessibleFormats: f["formats"], NextOfKin: f.Get("next_of_kin"), Ethnicity: f.Get("ethnicity"),
		Gender: f.Get("gender"), SexualOrientation: f.Get("sexual_orientation"), Disability: f.Get("disability")}
	if strings.TrimSpace(f.Get("dob_day")+f.Get("dob_month")+f.Get("dob_year")) != "" {
		d, ok := formDate(f, "dob")
		if !ok {
			return c, waymark.FieldErrorf(waymark.EINVALID, "dob", "Date of birth must be a real date, like 15 3 1948")
		}
		c.DateOfBirth = d
	}
	return c, nil
}

// newClientForm is the form for adding a client to a team.
func (s *Server) newClientView(r *http.Request, teamID string) cwFormView {
	fields := append([]cwField{{Name: "team", Type: "hidden", Value: teamID}}, clientFields(nil)...)
	v := cwFormView{page: s.page(r, "Add a client"), Heading: "Add a client", Action: cwBase + "/clients/new", FormID: uuid.NewString(),
		Fields: fields, Submit: "Add client", Cancel: cwBase,
		Intro: []string{"Record the person's details. Only your team can see them, and every look at the record is logged."}}
	v.Breadcrumbs, v.NoIndex = crumbs(link{Href: cwBase, Text: "Caseload"}), true
	return v
}

func (s *Server) handleNewClientForm(w http.ResponseWriter, r *http.Request) {
	team, err := s.currentTeam(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "cw-form", s.newClientView(r, team.TeamID))
}

func (s *Server) handleNewClient(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"))
		return
	}
	f := r.PostForm
	ctx := r.Context()
	formID := f.Get("form_id")
	if _, err := uuid.Parse(formID); err == nil {
		ctx = casework.WithRequestID(ctx, formID)
	}
	c, err := clientFromForm(f)
	var res *casework.NewClient
	if err == nil {
		res, err = s.deps.Casework.CreateClient(ctx, f.Get("team"), c, f.Get("confirm") == "yes")
	}
	if err == nil {
		http.Redirect(w, r, clientPath(res.Client.ID)+"?saved=1", http.StatusSeeOther)
		return
	}
	if id, ok := s.deps.Casework.DoneClient(r.Context(), err, formID); ok {
		http.Redirect(w, r, clientPath(id)+"?saved=1", http.StatusSeeOther)
		return
	}
	var e *waymark.Error
	if !errors.As(err, &e) || (e.Code != waymark.EINVALID && e.Code != waymark.ECONFLICT) {
		s.renderError(w, r, err)
		return
	}
	v := s.newClientView(r, f.Get("team"))
	v.FormID = formID
	if e.Field == "confirm" {
		v.Fields = append(v.Fields, cwField{Name: "confirm", Label: "I have checked: this is a different person", Type: "checkbox"})
		v.Warning = "Someone with this name and date of birth already has a record in Waymark. Search for them first; add this record only if it is a different person."
	}
	fill(v.Fields, f)
	s.showForm(w, r, errorStatus(e), v, map[string]string{defaultField(e.Field, "given_name"): e.Message})
}

// errorStatus is 409 for a conflict, else 400.
func errorStatus(e *waymark.Error) int {
	if e.Code == waymark.ECONFLICT {
		return http.StatusConflict
	}
	return http.StatusBadRequest
}

func defaultField(f, def string) string {
	if f == "" {
		return def
	}
	return f
}
