package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/directory"
)

// The waiting list: referrals into a social prescribing team, from the
// public form (anyone) and from professionals (signed in), which a team lead
// allocates and a link worker accepts into a client record.

const referSPPath = "/refer-to-social-prescribing"

// waitingView is a team's waiting list.
type waitingView struct {
	page
	Team    *casework.Member
	List    []casework.Incoming
	Members []casework.Member
	Target  int
	Saved   bool
}

func (s *Server) handleWaitingList(w http.ResponseWriter, r *http.Request) {
	m, err := s.currentTeam(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	list, err := s.deps.Casework.WaitingList(r.Context(), m.TeamID)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := waitingView{page: s.page(r, "Waiting list"), Team: m, List: list, Target: s.deps.Casework.FirstContactDays(), Saved: r.URL.Query().Get("saved") != ""}
	if m.Lead {
		t, err := s.deps.Casework.Team(r.Context(), m.TeamID)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		v.Members = t.Members
	}
	v.Breadcrumbs, v.NoIndex = crumbs(link{Href: cwBase, Text: "Caseload"}), true
	s.render(w, r, http.StatusOK, "cw-waiting", v)
}

func (s *Server) handleIncomingAction(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"))
		return
	}
	id, ctx := r.PathValue("id"), r.Context()
	back := cwBase + "/waiting?saved=1&team=" + url.QueryEscape(r.PostForm.Get("team"))
	switch r.PathValue("action") {
	case "allocate":
		if err := s.deps.Casework.Allocate(ctx, id, r.PostForm.Get("worker")); err != nil {
			s.renderError(w, r, err)
			return
		}
	case "decline":
		if err := s.deps.Casework.DeclineReferral(ctx, id, r.PostForm.Get("reason")); err != nil {
			if p, ok := waymark.ProblemsOf(err); ok {
				v := s.declineView(r)
				fill(v.Fields, r.PostForm)
				s.showForm(w, r, http.StatusBadRequest, v, p.Map())
				return
			}
			s.renderError(w, r, err)
			return
		}
	case "accept":
		clientID, err := s.deps.Casework.AcceptReferral(ctx, id)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		back = clientPath(clientID) + "?saved=1"
	default:
		s.notFound(w, r)
		return
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// declineView is the form to decline a waiting referral with the reason
// the referrer is told.
func (s *Server) declineView(r *http.Request) cwFormView {
	v := cwFormView{page: s.page(r, "Decline the referral"), Heading: "Decline the referral", Action: cwBase + "/waiting/" + r.PathValue("id") + "/decline",
		Intro:  []string{"Declining takes the referral off the waiting list. The referrer is told the reason: a GP practice sees it on the referral."},
		Fields: []cwField{{Name: "reason", Label: "Why the team cannot take the referral", Type: "textarea"}, {Name: "team", Type: "hidden", Value: r.FormValue("team")}},
		Submit: "Decline the referral", Danger: true, Cancel: cwBase + "/waiting"}
	v.Breadcrumbs, v.NoIndex = crumbs(link{Href: cwBase, Text: "Caseload"}, link{Href: cwBase + "/waiting", Text: "Waiting list"}), true
	return v
}

func (s *Server) handleDeclineForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "cw-form", s.declineView(r))
}

// referSPView is the form to refer someone, or oneself, to social prescribing.
func (s *Server) referSPView(r *http.Request) (cwFormView, error) {
	practices, err := s.deps.Casework.Practices(r.Context())
	if err != nil {
		return cwFormView{}, err
	}
	opts := make([]casework.Option, len(practices))
	for i, p := range practices {
		opts[i] = casework.Option{Key: p.ODSCode, Label: p.Name}
	}
	a := waymark.ActorFrom(r.Context())
	title, you, them := "Refer yourself to social prescribing", "your", "you"
	intro := []string{"A social prescribing link worker can help you find support in your community, such as groups, activities, advice and volunteering.",
		"Tell us about yourself and a link worker from the team for your GP practice will contact you."}
	if !a.Anonymous() {
		title, you, them = "Refer someone to social prescribing", "their", "them"
		intro = []string{"Refer a patient or client to the social prescribing team that serves their GP practice or area. They must have agreed to it."}
	}
	fields := []cwField{
		{Name: "given_name", Label: "First name", Type: "text"},
		{Name: "family_name", Label: "Last name", Type: "text"},
		{Name: "dob", Label: "Date of birth", Type: "date", Hint: "For example, 15 3 1948"},
		{Name: "nhs_number", Label: "NHS number", Type: "text", Optional: true, Width: "10"},
		{Name: "gp_practice", Label: "GP practice", Type: "select", Options: opts, Optional: true, Hint: "If the practice is not listed, leave this and give the postcode"},
		{Name: "postcode", Label: "Postcode", Type: "text", Width: "10", Optional: true},
		{Name: "phone", Label: "Phone number", Type: "tel", Width: "20", Optional: true, Hint: "A UK landline or mobile number. Text messages go to mobiles only"},
		{Name: "email", Label: "Email address", Type: "email", Optional: true},
		{Name: "preferred_contact", Label: "How should the link worker contact " + them + "?", Type: "radios",
			Options: casework.ContactMethods[:3]},
		{Name: "reason", Label: "What would help, in " + you + " words", Type: "textarea"},
	}
	if !a.Anonymous() {
		name, email := userName(r.Context()), ""
		if u, err := s.deps.Accounts.User(r.Context(), a.UserID); err == nil {
			email = u.Email
		}
		fields = append(fields, cwField{Name: "referrer_name", Label: "Your name and role", Type: "text", Value: name},
			cwField{Name: "referrer_email", Label: "Your work email address", Type: "email", Value: email})
	}
	consent := "I agree to my details being shared with the social prescribing team, who will contact me"
	if !a.Anonymous() {
		consent = "They agree to be referred and to be contacted by the team"
	}
	fields = append(fields, cwField{Name: "consent", Label: consent, Type: "checkbox"})
	v := cwFormView{page: s.page(r, title), Heading: title, Intro: intro, Action: referSPPath, FormID: uuid.NewString(),
		Fields: fields, Submit: "Send referral"}
	return v, nil
}

func (s *Server) handleReferSPForm(w http.ResponseWriter, r *http.Request) {
	v, err := s.referSPView(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "cw-form", v)
}

func (s *Server) handleReferSP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"))
		return
	}
	f := r.PostForm
	ctx := r.Context()
	// Anyone may refer themselves, so a flood from one address is slowed,
	// as on a service's referral form: 10, then one every 6 minutes.
	if waymark.ActorFrom(ctx).Anonymous() && !s.limits.allowOne("sp-referral:"+clientIP(r), spReferralRefill, spReferralBurst, s.deps.Now()) {
		w.Header().Set("Retry-After", strconv.Itoa(int(spReferralRefill.Seconds())))
		s.reshowReferSP(w, r, http.StatusTooManyRequests, "given_name",
			"Too many referrals have been sent from this connection. Wait a few minutes and try again, or ask your GP practice to refer you.")
		return
	}
	if _, err := uuid.Parse(f.Get("form_id")); err == nil {
		ctx = casework.WithRequestID(ctx, f.Get("form_id"))
	}
	in := casework.Incoming{GivenName: f.Get("given_name"), FamilyName: f.Get("family_name"), NHSNumber: f.Get("nhs_number"),
		GPPractice: f.Get("gp_practice"), Postcode: f.Get("postcode"), Phone: f.Get("phone"), Email: f.Get("email"),
		PreferredContact: f.Get("preferred_contact"), Reason: f.Get("reason"), ReferrerName: f.Get("referrer_name"),
		ReferrerEmail: f.Get("referrer_email"), Consent: f.Get("consent") == "yes"}
	var err error
	if d, ok := formDate(f, "dob"); ok {
		in.DateOfBirth = d
	} else if strings.TrimSpace(f.Get("dob_day")+f.Get("dob_month")+f.Get("dob_year")) != "" {
		err = waymark.FieldErrorf(waymark.EINVALID, "dob", "Date of birth must be a real date, like 15 3 1948")
	}
	if err == nil {
		_, err = s.deps.Casework.Refer(ctx, in)
	}
	if err == nil {
		http.Redirect(w, r, referSPPath+"/sent", http.StatusSeeOther)
		return
	}
	var e *waymark.Error
	if !errors.As(err, &e) || e.Code != waymark.EINVALID {
		s.renderError(w, r, err)
		return
	}
	s.reshowReferSP(w, r, http.StatusBadRequest, defaultField(e.Field, "given_name"), e.Message)
}

// reshowReferSP shows the referral form again as it was sent, with a
// message at a field.
func (s *Server) reshowReferSP(w http.ResponseWriter, r *http.Request, status int, field, message string) {
	v, err := s.referSPView(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v.FormID = r.PostForm.Get("form_id")
	fill(v.Fields, r.PostForm)
	s.showForm(w, r, status, v, map[string]string{field: message})
}

func (s *Server) handleReferSPSent(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "message", messageView{page: s.page(r, "Referral sent"), Heading: "Referral sent",
		Lines: []string{"The social prescribing team has the referral. A link worker will contact them in the way they chose, usually within two weeks.",
			"If things get worse or you need help urgently, contact the GP practice, call NHS 111, or 999 in an emergency."},
		Link: &link{Href: "/", Text: "Find support in the community now"}})
}

// referFromRecordView finds a service to refer a client to.
type referFromRecordView struct {
	page
	ClientID, ClientName, Query string
	Hits                        []directory.Hit
	Searched                    bool
}

// handleReferFromRecord searches the directory for a service to refer the
// client to; each result links to the service's referral form with the
// client's details filled in.
func (s *Server) handleReferFromRecord(w http.ResponseWriter, r *http.Request) {
	c, err := s.deps.Casework.Client(r.Context(), r.PathValue("id"))
	if err != nil {
		s.clientError(w, r, err)
		return
	}
	v := referFromRecordView{page: s.page(r, "Refer to a service"), ClientID: c.ID, ClientName: c.Name(), Query: r.URL.Query().Get("q")}
	v.Breadcrumbs, v.NoIndex = crumbs(link{Href: cwBase, Text: "Caseload"}, link{Href: clientPath(c.ID), Text: c.Name()}), true
	if strings.TrimSpace(v.Query) != "" {
		res, err := s.deps.Directory.Search(r.Context(), directory.SearchQuery{Text: strings.TrimSpace(v.Query), Page: 1, PerPage: 20})
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		for _, h := range res.Hits {
			if h.Service.Kind == directory.KindReferral && h.Service.Pathway != directory.PathwayExternalForm {
				v.Hits = append(v.Hits, h)
			}
		}
		v.Searched = true
	}
	s.render(w, r, http.StatusOK, "cw-refer", v)
}
