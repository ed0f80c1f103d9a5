package web

import (
	"errors"
	"net/http"
	"strings"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/gp"
)

// The practice web app: GPs and practice staff refer patients to their
// social prescribing team or to a service with an agreed GP pathway, and
// follow their practice's referrals to the discharge letter. Every route
// needs a practice account (the route checks the role, gp.Service the
// practice); a referral of another practice is not found.

const practiceBase = "/practice"

// practiceOf returns the signed-in user's practice. Errors: EFORBIDDEN for
// an account that belongs to no practice.
func (s *Server) practiceOf(r *http.Request) (*gp.Practice, error) {
	a := waymark.ActorFrom(r.Context())
	if len(a.Practices) == 0 {
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "Your account does not belong to a GP practice. Ask an administrator to add you to your practice.")
	}
	p, err := s.deps.GP.Practice(r.Context(), a.Practices[0])
	if waymark.ErrorCode(err) == waymark.ENOTFOUND {
		// A practice no team serves and no administrator recorded: it can
		// still see its referrals, and is told why it cannot refer.
		return &gp.Practice{ODSCode: a.Practices[0], Name: "GP practice " + a.Practices[0]}, nil
	}
	return p, err
}

// practiceHomeView is a practice's referrals.
type practiceHomeView struct {
	formView
	Practice  *gp.Practice
	Referrals []gp.Referral
	Searched  bool // by NHS number
}

func (s *Server) handlePracticeHome(w http.ResponseWriter, r *http.Request) {
	p, err := s.practiceOf(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := practiceHomeView{formView: s.form(r, p.Name+": referrals"), Practice: p}
	nhs := strings.TrimSpace(r.URL.Query().Get("nhs_number"))
	v.Form.Set("nhs_number", nhs)
	v.Searched = nhs != ""
	v.Referrals, err = s.deps.GP.Referrals(r.Context(), gp.Filter{PracticeODS: p.ODSCode, NHSNumber: nhs})
	if err != nil {
		status, ok := showProblems(&v.page, v.FieldErrs, err, []string{"nhs_number"})
		if !ok {
			s.renderError(w, r, err)
			return
		}
		v.NoIndex = true
		s.render(w, r, status, "practice", v)
		return
	}
	v.NoIndex = true
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "practice", v)
}

// practiceReferView is the form to refer a patient.
func (s *Server) practiceReferView(r *http.Request, p *gp.Practice) (cwFormView, error) {
	services, err := s.deps.GP.PathwayServices(r.Context(), p.ODSCode)
	if err != nil {
		return cwFormView{}, err
	}
	var to []casework.Option
	if p.TeamID != "" {
		to = append(to, casework.Option{Key: "team", Label: "Our social prescribing team: " + p.TeamName})
	}
	for _, ps := range services {
		to = append(to, casework.Option{Key: ps.ServiceID, Label: ps.Name + " (" + ps.Organisation + "), by the GP pathway agreed with the provider"})
	}
	role := "GP"
	if waymark.ActorFrom(r.Context()).Has(waymark.RolePracticeStaff) {
		role = "Practice staff"
	}
	fields := []cwField{
		{Name: "to", Label: "Refer to", Type: "radios", Options: to,
			Hint: "Your practice's social prescribing team, or a service whose provider agreed a GP pathway with your practice"},
		{Name: "nhs_number", Label: "NHS number", Type: "text", Width: "10", Hint: "10 digits, like 943 476 5919"},
		{Name: "given_name", Label: "First name", Type: "text"},
		{Name: "family_name", Label: "Last name", Type: "text"},
		{Name: "birth_date", Label: "Date of birth", Type: "date", Hint: "For example, 15 3 1948"},
		{Name: "postcode", Label: "Postcode", Type: "text", Width: "10", Optional: true},
		{Name: "phone", Label: "Phone number", Type: "tel", Width: "20", Optional: true, Hint: "Give a phone number or an email address, or both"},
		{Name: "email", Label: "Email address", Type: "email", Optional: true},
		{Name: "reason", Label: "Reason for referral", Type: "textarea", Hint: "What matters to the patient and what support might help"},
		{Name: "requester_name", Label: "Your name", Type: "text", Value: userName(r.Context())},
		{Name: "requester_role", Label: "Your role", Type: "text", Value: role, Optional: true},
		{Name: "consent", Label: "The patient agrees to be referred and to be contacted", Type: "checkbox"},
	}
	if len(to) == 1 {
		fields[0].Value = to[0].Key
	}
	if svc := r.URL.Query().Get("service"); svc != "" {
		fields[0].Value = svc
	}
	v := cwFormView{page: s.page(r, "Refer a patient"), Caption: p.Name, Heading: "Refer a patient", Action: practiceBase + "/refer",
		FormID: newFormToken(), Fields: fields, Submit: "Send referral", Cancel: practiceBase,
		Intro: []string{"The referral goes to the team or service with the patient's details. You can follow it on your practice's referrals page."}}
	if len(to) == 0 {
		v.Warning = "No social prescribing team serves your practice and no service has agreed a GP pathway with it yet, so there is nowhere to refer to."
	}
	v.Breadcrumbs, v.NoIndex = crumbs(link{Href: practiceBase, Text: "Practice referrals"}), true
	return v, nil
}

func (s *Server) handlePracticeReferForm(w http.ResponseWriter, r *http.Request) {
	p, err := s.practiceOf(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v, err := s.practiceReferView(r, p)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "cw-form", v)
}

func (s *Server) handlePracticeRefer(w http.ResponseWriter, r *http.Request) {
	p, err := s.practiceOf(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"))
		return
	}
	f := r.PostForm
	formID := strings.TrimSpace(f.Get("form_id"))
	if len(formID) != 32 {
		s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "The form could not be read: open it again and try again"))
		return
	}
	req := gp.Request{Key: "web:" + formID, PracticeODS: p.ODSCode, Channel: gp.ChannelWeb, Reason: f.Get("reason"),
		Consent: f.Get("consent") == "yes", RequesterName: f.Get("requester_name"), RequesterRole: f.Get("requester_role"),
		Patient: gp.Patient{NHSNumber: f.Get("nhs_number"), GivenName: f.Get("given_name"), FamilyName: f.Get("family_name"),
			Postcode: f.Get("postcode"), Phone: f.Get("phone"), Email: f.Get("email")}}
	probs := &waymark.Problems{}
	switch to := f.Get("to"); to {
	case "":
		probs.Add("to", "Choose where to refer the patient")
	case "team":
	default:
		req.ServiceID = to
	}
	birth, ok := formDate(f, "birth_date")
	if ok {
		req.Patient.DateOfBirth = birth
	} else if strings.TrimSpace(f.Get("birth_date_day")+f.Get("birth_date_month")+f.Get("birth_date_year")) != "" {
		probs.Add("birth_date", "Date of birth must be a real date, like 15 3 1948")
	}
	var ref *gp.Referral
	if probs.Len() == 0 {
		ref, err = s.deps.GP.Refer(r.Context(), req)
		if err == nil {
			http.Redirect(w, r, practiceBase+"/referrals/"+ref.ID+"?sent=1", http.StatusSeeOther)
			return
		}
		var e *waymark.Error
		if p, ok := waymark.ProblemsOf(err); ok {
			probs = p
		} else if errors.As(err, &e) && (e.Code == waymark.EFORBIDDEN && req.ServiceID != "" || e.Code == waymark.ENOTFOUND) {
			probs.Add("to", e.Message) // no pathway for the practice, or nowhere to refer to
		} else {
			s.renderError(w, r, err)
			return
		}
	}
	v, verr := s.practiceReferView(r, p)
	if verr != nil {
		s.renderError(w, r, verr)
		return
	}
	v.FormID = formID
	fill(v.Fields, f)
	s.showForm(w, r, http.StatusBadRequest, v, probs.Map())
}

// practiceReferralView is one referral with its history and the letter.
type practiceReferralView struct {
	page
	Referral *gp.Referral
	History  []gp.Outcome
	Sent     bool
	// Referrer is true when the signed-in user made a marketplace
	// referral, which they can also open in /referrals to message the
	// provider.
	Referrer bool
}

func (s *Server) handlePracticeReferral(w http.ResponseWriter, r *http.Request) {
	ref, err := s.deps.GP.Referral(r.Context(), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	hist, err := s.deps.GP.History(r.Context(), ref)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := practiceReferralView{page: s.page(r, "Referral of "+ref.Patient.Name()), Referral: ref, History: hist,
		Sent: r.URL.Query().Get("sent") != "", Referrer: ref.MarketReferralID != "" && ref.RequesterID == waymark.ActorFrom(r.Context()).UserID}
	v.Breadcrumbs, v.NoIndex = crumbs(link{Href: practiceBase, Text: "Practice referrals"}), true
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "practice-referral", v)
}

func (s *Server) handlePracticeLetter(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	l, err := s.deps.GP.Letter(r.Context(), id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.renderLetter(w, r, l, link{Href: practiceBase, Text: "Practice referrals"}, link{Href: practiceBase + "/referrals/" + id, Text: l.Name})
}
