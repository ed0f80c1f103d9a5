package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"waymark"
	"waymark/internal/casework"
)

// currentTeam is the team a caseload page is about: ?team= or the user's
// first. Errors: EFORBIDDEN when the user is in no team; ENOTFOUND for a
// team they are not in.
func (s *Server) currentTeam(r *http.Request) (*casework.Member, error) {
	ms, err := s.deps.Casework.MyTeams(r.Context())
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "You are not in a social prescribing team. Ask an administrator to add you to one.")
	}
	want := r.URL.Query().Get("team")
	if want == "" {
		want = r.PostFormValue("team")
	}
	if want == "" {
		return &ms[0], nil
	}
	for _, m := range ms {
		if m.TeamID == want {
			return &m, nil
		}
	}
	return nil, waymark.Errorf(waymark.ENOTFOUND, "Team not found")
}

// caseloadView is my caseload, the team caseload and search results.
type caseloadView struct {
	page
	Heading      string
	Team         *casework.Member
	Teams        []casework.Member
	Rows         []casework.CaseloadRow
	Sort         string
	Sorts        []casework.Option
	TeamView     bool // the lead's whole-team caseload, with transfer
	Members      []casework.Member
	Search       bool
	Query        string
	DOB          [3]string
	Searched     bool
	Saved        string
	TeamInsights bool // the dashboards are on: a lead's team insights link
}

var caseloadSorts = []casework.Option{
	{Key: casework.SortNextAction, Label: "Next action due"}, {Key: casework.SortLastContact, Label: "Last contact (longest ago first)"},
	{Key: casework.SortName, Label: "Name"}, {Key: casework.SortStatus, Label: "Status"},
}

func (s *Server) caseload(w http.ResponseWriter, r *http.Request, team bool) {
	m, err := s.currentTeam(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	q := r.URL.Query()
	f := casework.CaseloadFilter{TeamID: m.TeamID, Sort: q.Get("sort")}
	if st := q.Get("status"); st != "" {
		f.Statuses = []casework.Status{casework.Status(st)}
	} else if !team {
		f.Statuses = []casework.Status{casework.StatusWaiting, casework.StatusActive, casework.StatusOnHold}
	}
	rows, err := s.deps.Casework.Caseload(r.Context(), f, !team)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	title := "Your caseload"
	if team {
		title = "Team caseload"
	}
	v := caseloadView{page: s.page(r, title), Heading: title, Team: m, Rows: rows, Sort: f.Sort, Sorts: caseloadSorts, TeamView: team,
		Saved: q.Get("saved"), TeamInsights: s.deps.Insights != nil}
	if v.Sort == "" {
		v.Sort = casework.SortNextAction
	}
	v.Teams, _ = s.deps.Casework.MyTeams(r.Context())
	if team {
		t, err := s.deps.Casework.Team(r.Context(), m.TeamID)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		v.Members = t.Members
		v.Breadcrumbs = crumbs(link{Href: cwBase, Text: "Caseload"})
	}
	v.NoIndex = true
	s.render(w, r, http.StatusOK, "cw-caseload", v)
}

func (s *Server) handleCaseload(w http.ResponseWriter, r *http.Request)     { s.caseload(w, r, false) }
func (s *Server) handleTeamCaseload(w http.ResponseWriter, r *http.Request) { s.caseload(w, r, true) }

// handleClientSearch shows the client search form (GET) and its results
// (POST). The search is posted so that a name, NHS number or date of birth
// is never in an address, where browsers' histories and proxies keep it.
func (s *Server) handleClientSearch(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		if err := r.ParseForm(); err != nil {
			s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"))
			return
		}
	}
	m, err := s.currentTeam(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	q := r.PostForm
	v := caseloadView{page: s.page(r, "Find a client"), Heading: "Find a client", Team: m, Search: true, Query: q.Get("q"),
		DOB: [3]string{q.Get("dob_day"), q.Get("dob_month"), q.Get("dob_year")}}
	v.Breadcrumbs, v.NoIndex = crumbs(link{Href: cwBase, Text: "Caseload"}), true
	if r.Method == http.MethodPost {
		sq := casework.SearchQuery{Text: v.Query}
		status := http.StatusOK
		if strings.TrimSpace(strings.Join(v.DOB[:], "")) != "" {
			if d, ok := formDate(q, "dob"); ok {
				sq.DateOfBirth = &d
			} else {
				v.Errors = []fieldError{{Field: "dob", Message: "Date of birth must be a real date, like 15 3 1948"}}
			}
		}
		if v.Errors == nil {
			v.Rows, err = s.deps.Casework.Search(r.Context(), sq)
			if waymark.ErrorCode(err) == waymark.EINVALID {
				v.Errors = []fieldError{{Field: "q", Message: waymark.ErrorMessage(err)}}
			} else if err != nil {
				s.renderError(w, r, err)
				return
			}
		}
		if v.Errors != nil {
			status = http.StatusBadRequest
			v.Title = "Error: " + v.Title
		}
		v.Searched = v.Errors == nil
		s.render(w, r, status, "cw-caseload", v)
		return
	}
	s.render(w, r, http.StatusOK, "cw-caseload", v)
}

func (s *Server) handleTransfer(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"))
		return
	}
	if err := s.deps.Casework.Transfer(r.Context(), r.PathValue("id"), r.PostForm.Get("worker")); err != nil {
		s.clientError(w, r, err)
		return
	}
	http.Redirect(w, r, cwBase+"/team?saved=1&team="+url.QueryEscape(r.PostForm.Get("team")), http.StatusSeeOther)
}

// recordView is the client record page.
type recordView struct {
	page
	*casework.Record
	Kind      string
	Kinds     []casework.Option
	Changes   []casework.Change
	ChartJSON template.JS
	Saved     bool
	Now       time.Time
	// Unreachable says why messages cannot reach the client's phone or
	// email address, when they cannot (email.Undeliverable reasons).
	Unreachable map[string]string
}

// Name is the client's shown name.
func (v recordView) Name() string { return v.Client.Name() }

func (s *Server) handleClient(w http.ResponseWriter, r *http.Request) {
	kind := r.URL.Query().Get("kind")
	rec, err := s.deps.Casework.Record(r.Context(), r.PathValue("id"), kind)
	if err != nil {
		s.clientError(w, r, err)
		return
	}
	v := recordView{page: s.page(r, rec.Client.Name()), Record: rec, Kind: kind, Kinds: casework.EntryKinds,
		Changes: casework.Changes(rec.Measures), Saved: r.URL.Query().Get("saved") != "", Now: s.deps.Now()}
	v.Breadcrumbs, v.NoIndex = crumbs(link{Href: cwBase, Text: "Caseload"}), true
	v.ChartJSON = chartData(rec.Measures)
	if v.Unreachable, err = s.deps.Outbox.Reachability(r.Context(), rec.Client.Phone, rec.Client.Email); err != nil {
		s.log.Error("reachability of a client's contacts", "client_id", rec.Client.ID, "error", err)
	}
	s.render(w, r, http.StatusOK, "cw-client", v)
}

// chartData is the measures as JSON for the chart: dates and each score.
func chartData(ms []casework.Measure) template.JS {
	type series struct {
		Label  string    `json:"label"`
		Points []float64 `json:"points"`
		Dates  []string  `json:"dates"`
	}
	var out []series
	for i, name := range casework.ONS4Short {
		sr := series{Label: "ONS4 " + strings.ToLower(name)}
		for _, m := range ms {
			if m.Instrument == casework.ONS4 {
				sr.Points = append(sr.Points, float64(m.Scores[i]))
				sr.Dates = append(sr.Dates, m.TakenAt.Format("2 Jan 2006"))
			}
		}
		if len(sr.Points) > 0 {
			out = append(out, sr)
		}
	}
	sw := series{Label: "SWEMWBS metric score"}
	for _, m := range ms {
		if m.Instrument == casework.SWEMWBS {
			sw.Points = append(sw.Points, m.Metric())
			sw.Dates = append(sw.Dates, m.TakenAt.Format("2 Jan 2006"))
		}
	}
	if len(sw.Points) > 0 {
		out = append(out, sw)
	}
	b, _ := json.Marshal(out)
	return template.JS(b)
}

// ---- forms about a client ----

func (s *Server) editClientSpec() cwFormSpec {
	return cwFormSpec{title: "Change details", submit: "Save details",
		fields: func(_ *http.Request, c *casework.Client) []cwField { return clientFields(c) },
		save: func(r *http.Request, id string, f url.Values) error {
			c, err := clientFromForm(f)
			if err != nil {
				return err
			}
			return s.deps.Casework.UpdateClient(r.Context(), id, c)
		}}
}

func (s *Server) contactSpec() cwFormSpec {
	return cwFormSpec{title: "Record a contact", submit: "Save contact",
		intro: []string{"Case notes can be changed later only by an amendment, which keeps what was first written."},
		fields: func(_ *http.Request, _ *casework.Client) []cwField {
			now := s.deps.Now().In(london)
			return []cwField{
				{Name: "type", Label: "Type of contact", Type: "radios", Options: casework.ContactTypes},
				{Name: "date", Label: "When", Type: "datetime", Date: dateParts(now), Time: now.Format("15:04"), Hint: "Date, and time like 14:30"},
				{Name: "minutes", Label: "How long it took, in minutes", Type: "number", Width: "3", Optional: true},
				{Name: "note", Label: "Case note", Type: "textarea"},
			}
		},
		save: func(r *http.Request, id string, f url.Values) error {
			at, ok := formDateTime(f, "date")
			if !ok {
				return waymark.FieldErrorf(waymark.EINVALID, "date", "Enter a real date and a time like 14:30")
			}
			minutes := 0
			if strings.TrimSpace(f.Get("minutes")) != "" {
				if minutes = formInt(f, "minutes"); minutes < 0 {
					return waymark.FieldErrorf(waymark.EINVALID, "minutes", "Enter how long it took as a number of minutes")
				}
			}
			_, err := s.deps.Casework.AddContact(r.Context(), id, casework.Contact{Type: f.Get("type"), At: at, Minutes: minutes, Note: f.Get("note")})
			return err
		}}
}

func (s *Server) amendSpec() cwFormSpec {
	return cwFormSpec{title: "Amend a case note", submit: "Save amendment",
		intro: []string{"The note as first written stays on the record, with your reason."},
		fields: func(r *http.Request, c *casework.Client) []cwField {
			note := ""
			if rec, err := s.deps.Casework.Entry(r.Context(), c.ID, r.PathValue("entry")); err == nil {
				note = rec.Note
			}
			return []cwField{{Name: "note", Label: "Case note", Type: "textarea", Value: note},
				{Name: "reason", Label: "Why you are amending it", Type: "text"}}
		},
		save: func(r *http.Request, id string, f url.Values) error {
			return s.deps.Casework.AmendNote(r.Context(), id, r.PathValue("entry"), f.Get("note"), f.Get("reason"))
		}}
}

func (s *Server) consentSpec() cwFormSpec {
	return cwFormSpec{title: "Record consent", submit: "Save consent",
		intro: []string{"Record only what the person has agreed to. Withdrawing consent later keeps this record."},
		fields: func(_ *http.Request, _ *casework.Client) []cwField {
			return []cwField{{Name: "kind", Label: "What they agree to", Type: "radios", Options: casework.ConsentKinds},
				{Name: "provider", Label: "Provider they agree to share their details with", Type: "text", Optional: true, Hint: "Only for sharing details"}}
		},
		save: func(r *http.Request, id string, f url.Values) error {
			return s.deps.Casework.AddConsent(r.Context(), id, f.Get("kind"), f.Get("provider"))
		}}
}

func (s *Server) withdrawConsentSpec() cwFormSpec {
	return cwFormSpec{title: "Withdraw consent", submit: "Withdraw consent", danger: true,
		warning: "The consent will be marked withdrawn from now. The record of it stays.",
		fields:  func(_ *http.Request, _ *casework.Client) []cwField { return nil },
		save: func(r *http.Request, id string, _ url.Values) error {
			return s.deps.Casework.WithdrawConsent(r.Context(), id, r.PathValue("consent"))
		}}
}

func (s *Server) whatMattersSpec() cwFormSpec {
	return cwFormSpec{title: "What matters to me", submit: "Save",
		fields: func(r *http.Request, c *casework.Client) []cwField {
			needs, _ := s.deps.Casework.ClientNeeds(r.Context(), c.ID)
			return []cwField{{Name: "what_matters", Label: "What matters to them, in their words", Type: "textarea", Value: c.WhatMatters},
				{Name: "needs", Label: "Their needs", Type: "checkboxes", Options: casework.Needs, Values: needs, Optional: true}}
		},
		save: func(r *http.Request, id string, f url.Values) error {
			return s.deps.Casework.SetWhatMatters(r.Context(), id, f.Get("what_matters"), f["needs"])
		}}
}

func (s *Server) goalSpec() cwFormSpec {
	return cwFormSpec{title: "Add a goal", submit: "Save goal",
		fields: func(_ *http.Request, _ *casework.Client) []cwField {
			return []cwField{{Name: "words", Label: "The goal, in the person's own words", Type: "textarea"},
				{Name: "score", Label: "Where they are now, from 1 (not started) to 10 (achieved)", Type: "select", Options: scoreOptions}}
		},
		save: func(r *http.Request, id string, f url.Values) error {
			_, err := s.deps.Casework.AddGoal(r.Context(), id, f.Get("words"), formInt(f, "score"))
			return err
		}}
}

func (s *Server) progressSpec() cwFormSpec {
	return cwFormSpec{title: "Record progress on a goal", submit: "Save progress",
		fields: func(_ *http.Request, _ *casework.Client) []cwField {
			return []cwField{{Name: "score", Label: "Progress, from 1 (not started) to 10 (achieved)", Type: "select", Options: scoreOptions}}
		},
		save: func(r *http.Request, id string, f url.Values) error {
			return s.deps.Casework.ScoreGoal(r.Context(), id, r.PathValue("goal"), formInt(f, "score"))
		}}
}

func (s *Server) actionSpec() cwFormSpec {
	return cwFormSpec{title: "Agree an action", submit: "Save action",
		fields: func(_ *http.Request, _ *casework.Client) []cwField {
			return []cwField{{Name: "text", Label: "What will be done", Type: "text"},
				{Name: "who", Label: "Who will do it", Type: "text", Width: "20"},
				{Name: "due", Label: "By when", Type: "date", Hint: "For example, 27 3 2027"}}
		},
		save: func(r *http.Request, id string, f url.Values) error {
			due, _ := formDate(f, "due")
			return s.deps.Casework.AddAction(r.Context(), id, casework.Action{Text: f.Get("text"), Who: f.Get("who"), Due: due})
		}}
}

func (s *Server) appointmentSpec() cwFormSpec {
	return cwFormSpec{title: "Book an appointment", submit: "Book appointment",
		intro: []string{"If they prefer email and agreed to be emailed, they get a reminder the day before."},
		fields: func(_ *http.Request, _ *casework.Client) []cwField {
			return []cwField{{Name: "date", Label: "Date and time", Type: "datetime", Hint: "Date, and time like 14:30"},
				{Name: "mode", Label: "How", Type: "radios", Options: casework.AppointmentModes},
				{Name: "place", Label: "Where, or the phone number or video details", Type: "text"}}
		},
		save: func(r *http.Request, id string, f url.Values) error {
			at, ok := formDateTime(f, "date")
			if !ok {
				return waymark.FieldErrorf(waymark.EINVALID, "date", "Enter a real date and a time like 14:30")
			}
			_, err := s.deps.Casework.AddAppointment(r.Context(), id, casework.Appointment{StartsAt: at, Mode: f.Get("mode"), Place: f.Get("place")})
			return err
		}}
}

func (s *Server) measureSpec(instrument string) cwFormSpec {
	title, questions, lo, hi, labels := "Record ONS4 personal wellbeing", casework.ONS4Questions, 0, 10, []string(nil)
	if instrument == casework.SWEMWBS {
		title, questions, lo, hi, labels = "Record SWEMWBS", casework.SWEMWBSItems, 1, 5, casework.SWEMWBSAnswers
	}
	return cwFormSpec{title: title, submit: "Save measure",
		fields: func(_ *http.Request, _ *casework.Client) []cwField {
			fs := []cwField{{Name: "stage", Label: "When is this measure taken?", Type: "radios", Options: casework.MeasureStages}}
			for i, q := range questions {
				hint := ""
				if instrument == casework.ONS4 {
					hint = "0 is not at all, 10 is completely"
				}
				fs = append(fs, cwField{Name: fmt.Sprintf("q%d", i+1), Label: q, Hint: hint, Type: "select", Options: rangeOptions(lo, hi, labels)})
			}
			return fs
		},
		save: func(r *http.Request, id string, f url.Values) error {
			m := casework.Measure{Instrument: instrument, Stage: f.Get("stage")}
			for i := range questions {
				m.Scores = append(m.Scores, formInt(f, fmt.Sprintf("q%d", i+1)))
			}
			_, err := s.deps.Casework.AddMeasure(r.Context(), id, m)
			return err
		}}
}

func (s *Server) statusSpec() cwFormSpec {
	return cwFormSpec{title: "Change status", submit: "Change status",
		intro: []string{"To discharge someone, use Discharge: it asks for a reason and a summary. Reopening a discharged record keeps its history."},
		fields: func(_ *http.Request, c *casework.Client) []cwField {
			var opts []casework.Option
			for _, st := range []casework.Status{casework.StatusWaiting, casework.StatusActive, casework.StatusOnHold} {
				if st != c.Status {
					opts = append(opts, casework.Option{Key: string(st), Label: st.Label()})
				}
			}
			return []cwField{{Name: "status", Label: "New status", Type: "radios", Options: opts},
				{Name: "note", Label: "Note", Type: "textarea", Optional: true}}
		},
		save: func(r *http.Request, id string, f url.Values) error {
			return s.deps.Casework.SetStatus(r.Context(), id, casework.Status(f.Get("status")), f.Get("note"))
		}}
}

func (s *Server) dischargeSpec() cwFormSpec {
	return cwFormSpec{title: "Discharge", submit: "Discharge", danger: true,
		warning: "The person will leave the active caseload. The record and its history stay, and it can be reopened.",
		fields: func(_ *http.Request, _ *casework.Client) []cwField {
			return []cwField{{Name: "reason", Label: "Reason for discharge", Type: "radios", Options: casework.DischargeReasons},
				{Name: "summary", Label: "Discharge summary", Type: "textarea"}}
		},
		save: func(r *http.Request, id string, f url.Values) error {
			return s.deps.Casework.Discharge(r.Context(), id, f.Get("reason"), f.Get("summary"))
		}}
}

func (s *Server) breakGlassSpec() cwFormSpec {
	return cwFormSpec{title: "Open this record in an emergency", submit: "Open the record", danger: true,
		warning: "You are not in this person's team. Opening the record is recorded with your reason, and the team lead can see it.",
		fields: func(_ *http.Request, _ *casework.Client) []cwField {
			return []cwField{{Name: "reason", Label: "Why you need to open it", Type: "textarea"}}
		},
		save: func(r *http.Request, id string, f url.Values) error {
			return s.deps.Casework.BreakGlass(r.Context(), id, f.Get("reason"))
		}}
}

// handleBreakGlassForm shows the break-glass form; it cannot open the
// record first, so it names no client.
func (s *Server) handleBreakGlassForm(w http.ResponseWriter, r *http.Request) {
	spec := s.breakGlassSpec()
	v := cwFormView{page: s.page(r, spec.title), Heading: spec.title, Warning: spec.warning, Action: r.URL.Path,
		Fields: spec.fields(r, nil), Submit: spec.submit, Danger: true, Cancel: "/admin/audit"}
	v.NoIndex = true
	s.render(w, r, http.StatusOK, "cw-form", v)
}

func (s *Server) handleBreakGlass(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"))
		return
	}
	err := s.deps.Casework.BreakGlass(r.Context(), r.PathValue("id"), r.PostForm.Get("reason"))
	if waymark.ErrorCode(err) == waymark.EINVALID {
		spec := s.breakGlassSpec()
		v := cwFormView{page: s.page(r, spec.title), Heading: spec.title, Warning: spec.warning, Action: r.URL.Path,
			Fields: spec.fields(r, nil), Submit: spec.submit, Danger: true, Cancel: "/admin/audit"}
		fill(v.Fields, r.PostForm)
		s.showForm(w, r, http.StatusBadRequest, v, map[string]string{"reason": waymark.ErrorMessage(err)})
		return
	} else if err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, clientPath(r.PathValue("id")), http.StatusSeeOther)
}

// postAction handles a one-button form on the record page (mark an action
// done, record attendance): nothing to confirm and safe to send twice.
func (s *Server) postAction(fn func(r *http.Request, id string) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"))
			return
		}
		if err := fn(r, r.PathValue("id")); err != nil {
			s.clientError(w, r, err)
			return
		}
		http.Redirect(w, r, clientPath(r.PathValue("id"))+"?saved=1", http.StatusSeeOther)
	}
}

// auditView is an access log or the administrators' audit search.
type auditView struct {
	page
	Heading string
	Events  []casework.AuditEvent
	Search  bool
	User    string
	Client  string
}

func (s *Server) handleAccessLog(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	events, err := s.deps.Casework.AccessLog(r.Context(), id)
	if err != nil {
		s.clientError(w, r, err)
		return
	}
	v := auditView{page: s.page(r, "Who opened this record"), Heading: "Who opened this record", Events: events}
	v.Breadcrumbs, v.NoIndex = crumbs(link{Href: cwBase, Text: "Caseload"}, link{Href: clientPath(id), Text: "Client record"}), true
	s.render(w, r, http.StatusOK, "cw-audit", v)
}

// handleAuditSearch shows the audit log, newest first: by client (an
// opaque ID, in the address to link to) or, posted so that no one's email
// address is in an address, by the person who acted.
func (s *Server) handleAuditSearch(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if r.Method == http.MethodPost {
		if err := r.ParseForm(); err != nil {
			s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"))
			return
		}
		q = r.PostForm
	}
	v := auditView{page: s.page(r, "Audit log"), Heading: "Audit log", Search: true, Client: q.Get("client")}
	if r.Method == http.MethodPost {
		v.User = q.Get("user")
	}
	var err error
	if v.Events, err = s.deps.Casework.SearchAudit(r.Context(), casework.AuditFilter{ActorEmail: v.User, ClientID: v.Client}); err != nil {
		s.renderError(w, r, err)
		return
	}
	v.Breadcrumbs = crumbs(link{Href: "/admin", Text: "Administration"})
	s.render(w, r, http.StatusOK, "cw-audit", v)
}

// ---- administrators' team pages ----

// teamsView lists teams; teamView is one team.
type teamsView struct {
	formView
	Teams []casework.Team
	Team  *casework.Team
}

func (s *Server) handleTeams(w http.ResponseWriter, r *http.Request) {
	s.teamsPage(w, r, http.StatusOK, nil)
}

func (s *Server) teamsPage(w http.ResponseWriter, r *http.Request, status int, errs map[string]string) {
	v := teamsView{formView: s.form(r, "Social prescribing teams")}
	if r.Method == http.MethodGet {
		v.Form.Set("form_token", newFormToken())
	}
	var err error
	if v.Teams, err = s.deps.Casework.Teams(r.Context()); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.teamPage(w, r, status, v, errs)
}

func (s *Server) teamPage(w http.ResponseWriter, r *http.Request, status int, v teamsView, errs map[string]string) {
	if r.Method == http.MethodPost {
		v.Form = r.PostForm
	}
	maps.Copy(v.FieldErrs, errs)
	v.markErrors(errs, []string{"name", "email", "ods", "practice_name", "area"})
	v.Breadcrumbs = crumbs(link{Href: "/admin", Text: "Administration"})
	if v.Team != nil {
		v.Breadcrumbs = append(v.Breadcrumbs, link{Href: "/admin/teams", Text: "Teams"})
	}
	s.render(w, r, status, "cw-teams", v)
}

func (s *Server) handleCreateTeam(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"))
		return
	}
	// The same form sent again (a refresh, a retry) leads to the team it
	// made.
	again := func(id string) string { return "/admin/teams/" + id }
	if s.sentBefore(w, r, "team", again) {
		return
	}
	t, err := s.deps.Casework.CreateTeam(withFormToken(r.Context(), r), r.PostForm.Get("name"))
	if waymark.ErrorCode(err) == waymark.ECONFLICT && s.sentBefore(w, r, "team", again) {
		return
	}
	if waymark.ErrorCode(err) == waymark.EINVALID {
		s.teamsPage(w, r, http.StatusBadRequest, map[string]string{"name": waymark.ErrorMessage(err)})
		return
	} else if err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/teams/"+t.ID, http.StatusSeeOther)
}

func (s *Server) handleTeam(w http.ResponseWriter, r *http.Request) {
	s.oneTeamPage(w, r, http.StatusOK, nil)
}

func (s *Server) oneTeamPage(w http.ResponseWriter, r *http.Request, status int, errs map[string]string) {
	t, err := s.deps.Casework.Team(r.Context(), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := teamsView{formView: s.form(r, t.Name), Team: t}
	s.teamPage(w, r, status, v, errs)
}

func (s *Server) handleTeamChange(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"))
		return
	}
	f, id, ctx := r.PostForm, r.PathValue("id"), r.Context()
	var err error
	switch r.PathValue("what") {
	case "members":
		err = s.deps.Casework.AddMember(ctx, id, f.Get("email"), f.Get("lead") == "yes")
	case "practices":
		err = s.deps.Casework.AddPractice(ctx, id, casework.Practice{ODSCode: f.Get("ods"), Name: f.Get("practice_name")})
	case "areas":
		err = s.deps.Casework.AddArea(ctx, id, f.Get("area"))
	case "remove":
		err = s.deps.Casework.RemoveMember(ctx, id, f.Get("user"))
	default:
		s.notFound(w, r)
		return
	}
	if c := waymark.ErrorCode(err); c == waymark.EINVALID || c == waymark.ECONFLICT {
		var e *waymark.Error
		asError(err, &e)
		status := errorStatus(e)
		s.oneTeamPage(w, r, status, map[string]string{defaultField(e.Field, "email"): e.Message})
		return
	} else if err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/teams/"+id+"?saved=1", http.StatusSeeOther)
}

// handleRemoveMemberForm asks before taking someone out of a team.
func (s *Server) handleRemoveMemberForm(w http.ResponseWriter, r *http.Request) {
	t, err := s.deps.Casework.Team(r.Context(), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	uid := r.URL.Query().Get("user")
	i := slices.IndexFunc(t.Members, func(m casework.Member) bool { return m.UserID == uid })
	if i < 0 {
		s.notFound(w, r)
		return
	}
	v := cwFormView{page: s.page(r, "Remove from the team"), Caption: t.Name, Heading: "Remove " + t.Members[i].Name + " from the team?",
		Warning: "They will no longer see this team's clients. Their clients stay with the team; move them to someone else from the team caseload.",
		Action:  "/admin/teams/" + t.ID + "/remove", Fields: []cwField{{Name: "user", Type: "hidden", Value: uid}}, Submit: "Remove", Danger: true,
		Cancel: "/admin/teams/" + t.ID}
	s.render(w, r, http.StatusOK, "cw-form", v)
}
