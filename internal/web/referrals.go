package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/input"
	"waymark/internal/referral"
)

// referView is a referral form: a self-referral, a professional's referral
// or a provider's preview of their form.
type referView struct {
	formView
	Service      *directory.Service
	Questions    []referral.Question
	Professional bool
	Preview      bool
	Action       string
	// ClientID and ClientName are the casework client referred from their
	// record, if any.
	ClientID, ClientName string
}

// QuestionField is one question with what was typed and its error, for the
// "question" template.
type QuestionField struct {
	Q     referral.Question
	Form  url.Values
	Error string
}

// Field returns a question's view.
func (v referView) Field(q referral.Question) QuestionField {
	return QuestionField{Q: q, Form: v.Form, Error: v.FieldErrs[q.FieldName()]}
}

// Has reports whether value was chosen for the question.
func (f QuestionField) Has(value string) bool {
	for _, v := range f.Form[f.Q.FieldName()] {
		if v == value {
			return true
		}
	}
	return false
}

// Value is the question's first typed value, or a part of a date.
func (f QuestionField) Value(suffix string) string { return f.Form.Get(f.Q.FieldName() + suffix) }

var referFields = []string{"name", "email", "phone", "preferred_contact", "reason", "consent"}

func (s *Server) referPage(w http.ResponseWriter, r *http.Request, professional bool) (*referView, bool) {
	src := referral.SourceSelf
	if professional {
		src = referral.SourceProfessional
	}
	svc, form, err := s.deps.Referrals.ReferralService(r.Context(), r.PathValue("id"), src)
	if err != nil {
		s.renderError(w, r, err)
		return nil, false
	}
	title := "Refer yourself"
	action := "/services/" + svc.ID + "/refer"
	if professional {
		title, action = "Refer someone", "/services/"+svc.ID+"/refer-client"
	}
	v := &referView{formView: s.form(r, title), Service: svc, Questions: form.Questions, Professional: professional, Action: action}
	v.Form.Set("form_token", newFormToken())
	v.NoIndex = true
	v.Breadcrumbs = crumbs(link{Href: "/services/" + svc.ID, Text: svc.DisplayName()})
	return v, true
}

func (s *Server) handleSelfReferForm(w http.ResponseWriter, r *http.Request) {
	if v, ok := s.referPage(w, r, false); ok {
		s.render(w, r, http.StatusOK, "refer", v)
	}
}

func (s *Server) handleProfessionalReferForm(w http.ResponseWriter, r *http.Request) {
	v, ok := s.referPage(w, r, true)
	if !ok {
		return
	}
	if id := r.URL.Query().Get("client"); id != "" && s.deps.Casework != nil {
		c, err := s.deps.Casework.ForReferral(r.Context(), id, providerNames(v.Service)...)
		if c == nil {
			s.renderError(w, r, err)
			return
		}
		v.ClientID, v.ClientName = c.ID, c.Name()
		v.Form.Set("name", c.GivenName+" "+c.FamilyName)
		v.Form.Set("email", c.Email)
		v.Form.Set("phone", c.Phone)
		if c.PreferredContact != "post" {
			v.Form.Set("preferred_contact", c.PreferredContact)
		}
		if err == nil {
			v.Form.Set("consent", "yes")
		} else {
			showMessage(&v.page, v.FieldErrs, "consent", waymark.ErrorMessage(err), nil)
		}
	}
	s.render(w, r, http.StatusOK, "refer", v)
}

// providerNames are the names a client's consent to share may give for a
// service: the service's and its organisation's.
func providerNames(svc *directory.Service) []string {
	names := []string{svc.Name}
	if svc.Organization != nil {
		names = append(names, svc.Organization.Name)
	}
	return append(names, svc.DisplayName())
}

// readRequest reads a posted referral form.
func readRequest(f url.Values) referral.Request {
	return referral.Request{
		Client:  referral.Person{Name: f.Get("name"), Email: f.Get("email"), Phone: f.Get("phone"), PreferredContact: f.Get("preferred_contact")},
		Consent: f.Get("consent") == "yes", Reason: f.Get("reason"),
		Answers: func(k string) []string { return f[k] },
	}
}

// failRefer shows the referral form again with every problem.
func (s *Server) failRefer(w http.ResponseWriter, r *http.Request, v *referView, err error) {
	if _, ok := waymark.ProblemsOf(err); !ok {
		s.renderError(w, r, err)
		return
	}
	order := append([]string{}, referFields[:3]...)
	order = append(order, "preferred_contact")
	if v.Professional {
		order = append(order, "reason")
	}
	for _, q := range v.Questions {
		order = append(order, q.FieldName())
	}
	order = append(order, "consent")
	status, _ := showProblems(&v.page, v.FieldErrs, err, order)
	s.render(w, r, status, "refer", v)
}

func (s *Server) handleSelfRefer(w http.ResponseWriter, r *http.Request) {
	v, ok := s.referPage(w, r, false)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"))
		return
	}
	v.Form = r.PostForm
	// The same form sent again (a refresh, a retry) leads to the referral it
	// made.
	sent := func(id string) string { return s.deps.Referrals.TrackPath(id) + "?sent=1" }
	if s.sentBefore(w, r, "referral", sent) {
		return
	}
	// Anyone may refer themselves, so a flood from one address is slowed:
	// 10 referrals, then one every 6 minutes.
	if !s.limits.allowOne("self-referral:"+clientIP(r), 6*time.Minute, 10, s.deps.Now()) {
		w.Header().Set("Retry-After", "360")
		showMessage(&v.page, v.FieldErrs, "form", "Too many referrals have been sent from this connection. Wait a few minutes and try again, or contact the service directly.", nil)
		s.render(w, r, http.StatusTooManyRequests, "refer", v)
		return
	}
	ref, _, err := s.deps.Referrals.SelfRefer(withFormToken(r.Context(), r), v.Service.ID, readRequest(r.PostForm))
	if err != nil {
		if waymark.ErrorCode(err) == waymark.ECONFLICT && s.sentBefore(w, r, "referral", sent) {
			return
		}
		s.failRefer(w, r, v, err)
		return
	}
	http.Redirect(w, r, sent(ref.ID), http.StatusSeeOther)
}

// renderReferralSent confirms a self-referral just made, on its private
// link (a GET, so a refresh sends nothing again).
func (s *Server) renderReferralSent(w http.ResponseWriter, r *http.Request, c *referral.Case, track string) {
	ref := c.Referral
	how := map[string]string{referral.ContactEmail: "by email", referral.ContactPhone: "by phone", referral.ContactText: "by text message"}[ref.Client.PreferredContact]
	_, mobile := input.TextableMobile(ref.Client.Phone)
	v := referralSentView{page: s.page(r, "Referral sent"), Reference: ref.Reference, ServiceName: ref.ServiceName, How: how,
		Emailed: ref.Client.Email != "", Texted: mobile, Landline: ref.Client.Phone != "" && !mobile && ref.Client.Email == "", Track: track}
	v.NoIndex = true
	s.render(w, r, http.StatusOK, "referral-sent", v)
}

// referralSentView confirms a self-referral.
type referralSentView struct {
	page
	Reference, ServiceName, How, Track string
	// Emailed and Texted say how the private link was sent; Landline that
	// the person gave only a landline, which gets no texts.
	Emailed, Texted, Landline bool
}

// withName puts the signed-in user's name in ctx for referral histories.
func withName(ctx context.Context) context.Context {
	return referral.WithUserName(ctx, userName(ctx))
}

func (s *Server) handleProfessionalRefer(w http.ResponseWriter, r *http.Request) {
	v, ok := s.referPage(w, r, true)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"))
		return
	}
	v.Form = r.PostForm
	if s.sentBefore(w, r, "referral", func(id string) string { return "/referrals/" + id + "?sent=1" }) {
		return
	}
	req := readRequest(r.PostForm)
	u, err := s.deps.Accounts.User(r.Context(), waymark.ActorFrom(r.Context()).UserID)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	req.ReferrerName, req.ReferrerEmail = u.Name, u.Email
	clientID := r.PostForm.Get("client")
	if clientID != "" && s.deps.Casework != nil {
		// From a client's record: their consent to share with this
		// provider must be on the record.
		c, err := s.deps.Casework.ForReferral(r.Context(), clientID, providerNames(v.Service)...)
		if c == nil {
			s.renderError(w, r, err)
			return
		}
		v.ClientID, v.ClientName = c.ID, c.Name()
		if err != nil {
			s.failRefer(w, r, v, err)
			return
		}
	}
	sent := func(id string) string { return "/referrals/" + id + "?sent=1" }
	ref, err := s.deps.Referrals.Refer(withFormToken(withName(r.Context()), r), v.Service.ID, req)
	if err != nil {
		if waymark.ErrorCode(err) == waymark.ECONFLICT && s.sentBefore(w, r, "referral", sent) {
			return
		}
		s.failRefer(w, r, v, err)
		return
	}
	if v.ClientID != "" {
		if err := s.deps.Casework.RecordReferral(r.Context(), v.ClientID, ref.ID, v.Service.DisplayName()); err != nil {
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, clientPath(v.ClientID)+"?saved=1", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, sent(ref.ID), http.StatusSeeOther)
}

// referralsView is a provider's inbox and a professional's referrals.
type referralsView struct {
	page
	Tab      string
	Tabs     []tabView
	Inbox    []*referral.Referral
	Provider bool
	Sent     []*referral.Referral
}

type tabView struct {
	Key, Label string
	Count      int
	Current    bool
}

func (s *Server) handleReferrals(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a := waymark.ActorFrom(ctx)
	v := referralsView{page: s.page(r, "Referrals")}
	v.Breadcrumbs = crumbs()
	for _, m := range a.Memberships {
		v.Provider = v.Provider || m.Role == waymark.RoleProvider
	}
	if v.Provider {
		v.Tab = referral.TabNew
		for _, t := range referral.Tabs {
			if t.Key == r.URL.Query().Get("tab") {
				v.Tab = t.Key
			}
		}
		counts, shown, err := s.deps.Referrals.InboxTab(ctx, v.Tab)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		for _, t := range referral.Tabs {
			v.Tabs = append(v.Tabs, tabView{Key: t.Key, Label: t.Label, Count: counts[t.Key], Current: t.Key == v.Tab})
		}
		v.Inbox = shown
	}
	if referral.IsProfessional(a) {
		sent, err := s.deps.Referrals.Sent(ctx)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		v.Sent = sent
	}
	s.render(w, r, http.StatusOK, "referrals", v)
}

// referralView is one referral: for its provider, its professional
// referrer, or the person through their private link.
type referralView struct {
	formView
	Case      *referral.Case
	Base      string // where the page's forms post: /referrals/{id} or the private link
	Private   bool   // seen through the private link
	Sent      bool   // just made
	Cancelled bool   // just cancelled: say so
	Reasons   []referral.DeclineReason
	CanAccept bool
	CanCancel bool
	CanAttend bool
	CanClose  bool
	CanRate   bool
	Thread    bool // the message thread is shown (not to a professional's client)
	// Alternatives are similar services near the one that declined a
	// self-referral.
	Alternatives []*directory.Service
	// Unreachable says why messages cannot reach the person's email
	// address or phone number (as kept on the referral), when they cannot:
	// email.UndeliverableFailed or email.UndeliverableOptedOut.
	Unreachable map[string]string
	// Mobile is the number texts about a self-referral go to, for the
	// private link page's opt-out; "" when there is none.
	Mobile string
}

func (s *Server) referralPage(r *http.Request, c *referral.Case, base string, private bool) referralView {
	ref := c.Referral
	v := referralView{formView: s.form(r, "Referral "+ref.Reference), Case: c, Base: base, Private: private, Reasons: referral.DeclineReasons}
	v.NoIndex = true
	v.Form.Set("form_token", newFormToken())
	if private {
		v.Title = "Your referral " + ref.Reference
	} else {
		v.Breadcrumbs = crumbs(link{Href: "/referrals", Text: "Referrals"})
	}
	provider := c.As == referral.PartyProvider
	v.CanAccept = provider && ref.Status == referral.StatusSent
	v.CanAttend = provider && ref.AttendanceOpen()
	v.CanClose = provider && (ref.Status == referral.StatusAccepted || ref.Status == referral.StatusAttended || ref.Status == referral.StatusDidNotAttend)
	v.CanCancel = !provider && (ref.Status == referral.StatusSent || ref.Status == referral.StatusAccepted) &&
		(!private || ref.Source == referral.SourceSelf)
	v.Thread = !private || ref.Source == referral.SourceSelf
	v.CanRate = private && ref.Attendance == referral.StatusAttended && ref.RatedAt == nil
	if ref.Source == referral.SourceSelf {
		if m, ok := input.TextableMobile(ref.Client.Phone); ok {
			v.Mobile = m
		}
	}
	// Whoever relies on the messages sees that they cannot reach the
	// person; not having it is no reason to refuse the page.
	var err error
	if v.Unreachable, err = s.deps.Outbox.Reachability(r.Context(), ref.Client.Email, ref.Client.Phone); err != nil {
		s.log.Error("reachability of a referral's contacts", "referral_id", ref.ID, "error", err)
	}
	return v
}

func (s *Server) handleReferral(w http.ResponseWriter, r *http.Request) {
	c, err := s.deps.Referrals.Open(r.Context(), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := s.referralPage(r, c, "/referrals/"+c.Referral.ID, false)
	v.Sent = r.URL.Query().Get("sent") == "1"
	v.Cancelled = r.URL.Query().Get("done") == "cancelled"
	s.render(w, r, http.StatusOK, "referral", v)
}

// handleReferralAction is accept, decline, attended, did-not-attend, close,
// cancel and message, for signed-in providers and professionals.
func (s *Server) handleReferralAction(w http.ResponseWriter, r *http.Request) {
	ctx := withName(r.Context())
	id := r.PathValue("id")
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"))
		return
	}
	refs := s.deps.Referrals
	var err error
	done := ""
	switch r.PathValue("action") {
	case "accept":
		err = refs.Accept(ctx, id)
	case "decline":
		err = refs.Decline(ctx, id, r.PostForm.Get("reason"), r.PostForm.Get("note"))
	case "attended":
		err = refs.RecordAttendance(ctx, id, true)
	case "did-not-attend":
		err = refs.RecordAttendance(ctx, id, false)
	case "close":
		err = refs.Close(ctx, id)
	case "cancel":
		if !s.confirmFirst(w, r, "Cancel this referral?", []string{"The service is told at once and the referral cannot be sent again: you would have to refer again."},
			"Yes, cancel the referral", link{Href: "/referrals/" + url.PathEscape(id), Text: "No, keep it"}) {
			return
		}
		err = refs.Cancel(ctx, id)
		done = "?done=cancelled"
	case "message":
		thread := func(string) string { return "/referrals/" + id }
		if s.sentBefore(w, r, "message", thread) {
			return
		}
		if err = refs.PostMessage(withFormToken(ctx, r), id, r.PostForm.Get("body")); waymark.ErrorCode(err) == waymark.ECONFLICT && s.sentBefore(w, r, "message", thread) {
			return
		}
	default:
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.failReferral(w, r, err, func() (*referral.Case, error) { return refs.Open(r.Context(), id) }, "/referrals/"+id, false)
		return
	}
	http.Redirect(w, r, "/referrals/"+id+done, http.StatusSeeOther)
}

// failReferral shows the referral again with the problem by its field.
func (s *Server) failReferral(w http.ResponseWriter, r *http.Request, err error, load func() (*referral.Case, error), base string, private bool) {
	if code := waymark.ErrorCode(err); code != waymark.EINVALID && code != waymark.ECONFLICT {
		s.renderError(w, r, err)
		return
	}
	c, lerr := load()
	if lerr != nil {
		s.renderError(w, r, lerr)
		return
	}
	v := s.referralPage(r, c, base, private)
	v.Form = r.PostForm
	status, _ := showProblems(&v.page, v.FieldErrs, err, []string{"form", "reason", "note", "body", "score", "met_needs"})
	s.render(w, r, status, "referral", v)
}

func (s *Server) handleTrack(w http.ResponseWriter, r *http.Request) {
	id, token := r.PathValue("id"), r.PathValue("token")
	c, err := s.deps.Referrals.Track(r.Context(), id, token)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if r.URL.Query().Get("sent") == "1" {
		s.renderReferralSent(w, r, c, "/track/"+id+"/"+token)
		return
	}
	v := s.referralPage(r, c, "/track/"+id+"/"+token, true)
	v.Sent = r.URL.Query().Get("rated") == "1"
	v.Cancelled = r.URL.Query().Get("done") == "cancelled"
	if st := c.Referral.Status; c.Referral.Source == referral.SourceSelf && (st == referral.StatusDeclined || st == referral.StatusAutoDeclined) {
		if v.Alternatives, err = s.alternatives(r.Context(), c.Referral.ServiceID); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "referral", v)
}

// alternatives returns up to three public services like a service, near it
// (directory.Alternatives).
func (s *Server) alternatives(ctx context.Context, serviceID string) ([]*directory.Service, error) {
	svc, err := s.deps.Directory.PublicService(ctx, serviceID)
	if waymark.ErrorCode(err) == waymark.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	hits, err := s.deps.Directory.Alternatives(ctx, svc, 3)
	out := make([]*directory.Service, len(hits))
	for i := range hits {
		out[i] = &hits[i].Service
	}
	return out, err
}

// handleTrackAction is message, cancel and rate through the private link.
func (s *Server) handleTrackAction(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, token := r.PathValue("id"), r.PathValue("token")
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"))
		return
	}
	refs := s.deps.Referrals
	base := "/track/" + id + "/" + token
	var err error
	next := base
	switch r.PathValue("action") {
	case "message":
		if !s.limits.allowOne("track-message:"+clientIP(r), time.Minute, 20, s.deps.Now()) {
			err = waymark.FieldErrorf(waymark.EINVALID, "body", "Too many messages from this connection: wait a minute and try again")
			break
		}
		thread := func(string) string { return base }
		if s.sentBefore(w, r, "message", thread) {
			return
		}
		if err = refs.TrackMessage(withFormToken(ctx, r), id, token, r.PostForm.Get("body")); waymark.ErrorCode(err) == waymark.ECONFLICT && s.sentBefore(w, r, "message", thread) {
			return
		}
	case "cancel":
		if !s.confirmFirst(w, r, "Withdraw your referral?", []string{"The service is told at once that you no longer want it. To ask again, you would need to refer yourself again."},
			"Yes, withdraw my referral", link{Href: base, Text: "No, keep it"}) {
			return
		}
		err = refs.TrackCancel(ctx, id, token)
		next = base + "?done=cancelled"
	case "rate":
		score, _ := strconv.Atoi(r.PostForm.Get("score"))
		err = refs.Rate(ctx, id, token, score, r.PostForm.Get("met_needs"))
		next = base + "?rated=1"
	case "texts":
		err = s.trackTexts(ctx, id, token, r.PostForm.Get("texts"))
		next = base + "#texts"
	default:
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.failReferral(w, r, err, func() (*referral.Case, error) { return refs.Track(ctx, id, token) }, base, true)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// attendanceView is the page a provider's one-click attendance link opens.
type attendanceView struct {
	page
	ID, Answer, Expires, Sig string
	Attended                 bool
}

// handleAttendanceForm shows the answer from the email's link, to confirm
// with one button: links in emails are opened by mail scanners, so a GET
// never changes anything.
func (s *Server) handleAttendanceForm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := attendanceView{page: s.page(r, "Did the person attend?"), ID: r.PathValue("id"), Answer: q.Get("answer"), Expires: q.Get("expires"), Sig: q.Get("sig")}
	v.NoIndex = true
	v.Attended = v.Answer == string(referral.StatusAttended)
	s.render(w, r, http.StatusOK, "attendance", v)
}

func (s *Server) handleAttendance(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"))
		return
	}
	f := r.PostForm
	ref, err := s.deps.Referrals.AnswerAttendance(r.Context(), r.PathValue("id"), f.Get("answer"), f.Get("expires"), f.Get("sig"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	line := "We have recorded that the person attended."
	if f.Get("answer") == string(referral.StatusDidNotAttend) {
		line = "We have recorded that the person did not attend."
	}
	mv := messageView{page: s.page(r, "Thank you"), Heading: "Thank you", Lines: []string{line + " Referral " + ref.Reference + "."},
		Link: &link{Href: "/referrals/" + ref.ID, Text: "Sign in to see the referral"}}
	mv.NoIndex = true
	s.render(w, r, http.StatusOK, "message", mv)
}

// statsFor returns a service's statistics for professionals and its
// providers, nil for anyone else.
func (s *Server) statsFor(ctx context.Context, svc *directory.Service) *referral.Stats {
	a := waymark.ActorFrom(ctx)
	if s.deps.Referrals == nil || (!referral.IsProfessional(a) && !a.In(svc.OrganizationID, waymark.RoleProvider) && !a.Has(waymark.RoleAdmin) && !a.Has(waymark.RoleCommissioner)) {
		return nil
	}
	st, err := s.deps.Referrals.Stats(ctx, svc.ID)
	if err != nil {
		s.log.Error("referral statistics", "service_id", svc.ID, "error", err)
		return nil
	}
	return st
}

// percent writes a rate for people.
func percent(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(int(*p*100+0.5)) + "%"
}

// trackTexts stops ("stop") or restarts ("start") text messages to the
// number a self-referral gave, from its private link page.
func (s *Server) trackTexts(ctx context.Context, id, token, what string) error {
	phone, err := s.deps.Referrals.TextedNumber(ctx, id, token)
	if err != nil {
		return err
	}
	switch what {
	case "stop":
		return s.deps.Outbox.OptOut(ctx, phone)
	case "start":
		return s.deps.Outbox.OptIn(ctx, phone)
	}
	return waymark.Errorf(waymark.EINVALID, "Choose whether to stop or start text messages")
}
