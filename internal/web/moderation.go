package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"waymark"
	"waymark/internal/directory"
)

// actionState is what a page of listing actions needs to draw their forms:
// where they post and, after a refused action, its message and what was
// typed.
type actionState struct {
	Base   string            // "/moderation" or "/provider"
	Errs   map[string]string // by form field id, as FieldErrs
	Failed string            // id of the note field of the refused action
	Note   string            // what was typed in it
}

// noteFormArgs draws one action form with a note (decline, freeze,
// suspend).
type noteFormArgs struct {
	Base, ServiceID, Action, Label, Button, Name, Note string
	Errs                                               map[string]string
}

func noteForm(serviceID, name, action, label, button string, st actionState) noteFormArgs {
	a := noteFormArgs{Base: st.Base, ServiceID: serviceID, Name: name, Action: action, Label: label, Button: button, Errs: st.Errs}
	if st.Failed == noteFieldID(action, serviceID) {
		a.Note = st.Note
	}
	return a
}

// noteFieldID is the id of an action form's note field.
func noteFieldID(action, serviceID string) string { return action + "-note-" + serviceID }

// reviewPanel is the moderators' panel on an entry's moderation page.
type reviewPanel struct {
	History []directory.Event
	Reports []directory.Report
	Actions actionState
	Done    string
}

// handleListingHistory shows an entry to a moderator as the public sees (or
// will see) it, with its status, history and open reports, and the actions
// a moderator may take: approve or decline an entry waiting for review,
// suspend or reopen a live one.
func (s *Server) handleListingHistory(w http.ResponseWriter, r *http.Request) {
	s.renderReview(w, r, http.StatusOK, actionState{Base: "/moderation", Errs: map[string]string{}})
}

func (s *Server) renderReview(w http.ResponseWriter, r *http.Request, status int, st actionState) {
	ctx := r.Context()
	svc, err := s.deps.Lifecycle.Listing(ctx, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p := &reviewPanel{Actions: st, Done: doneMessage(r.URL.Query().Get("done"), svc.DisplayName())}
	if p.History, err = s.deps.Lifecycle.History(ctx, svc.ID); err != nil {
		s.renderError(w, r, err)
		return
	}
	if s.deps.Reports != nil {
		open, err := s.deps.Reports.Open(ctx)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		for _, rep := range open {
			if rep.ServiceID == svc.ID {
				p.Reports = append(p.Reports, rep)
			}
		}
	}
	v := serviceView{page: s.page(r, svc.DisplayName()), Service: svc, Review: p}
	v.NoIndex = true
	v.Breadcrumbs = crumbs(link{Href: "/moderation", Text: "Moderation"})
	v.markErrors(st.Errs, nil)
	s.render(w, r, status, "service", v)
}

// doneMessage says what an action just did, for the banner after it.
func doneMessage(done, name string) string {
	switch done {
	case "approve":
		return "“" + name + "” is approved and published."
	case "decline":
		return "“" + name + "” is declined; its provider has been told why."
	case "suspend":
		return "“" + name + "” is suspended and out of search."
	case "reopen":
		return "“" + name + "” is back in search."
	case "freeze":
		return "“" + name + "” is frozen: it stays in search with your note about waiting times."
	case "restore":
		return "“" + name + "” is restored as a draft."
	case "delete":
		return "“" + name + "” is deleted: it is out of search and its page is gone. Ask us within 30 days if you want it back."
	case "submit":
		return "“" + name + "” has been sent for review. We usually review listings within 48 hours."
	case "changes-approved":
		return "The changes to “" + name + "” are approved and live."
	case "changes-declined":
		return "The changes to “" + name + "” are declined; its provider has been told why."
	case "dismiss":
		return "The reports about “" + name + "” are closed; the listing stays as it is."
	case "correct":
		return "Your correction to “" + name + "” is saved and recorded in its history."
	}
	return ""
}

// handleListingAction applies a lifecycle action to one of the provider's
// listings, or a moderator's to any. A refused note (empty, too long) shows
// the page again with the message next to the field.
func (s *Server) handleListingAction(w http.ResponseWriter, r *http.Request) {
	action := directory.Action(r.PathValue("action"))
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"))
		return
	}
	ctx := r.Context()
	svc, err := s.deps.Lifecycle.Listing(ctx, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	moderating := strings.HasPrefix(r.URL.Path, "/moderation/")
	if action == directory.ActionDelete && r.PostForm.Get("confirm") != "yes" {
		// Deleting is asked about on a page of its own first.
		http.Redirect(w, r, "/provider/services/"+url.PathEscape(svc.ID)+"/delete", http.StatusSeeOther)
		return
	}
	note := r.PostForm.Get("note")
	if _, err := s.deps.Lifecycle.Apply(ctx, svc.ID, action, note); err != nil {
		var e *waymark.Error
		if asError(err, &e) && e.Code == waymark.EINVALID && e.Field == "note" {
			id := noteFieldID(string(action), svc.ID)
			st := actionState{Errs: map[string]string{id: e.Message}, Failed: id, Note: note}
			if moderating {
				st.Base = "/moderation"
				s.renderReview(w, r, http.StatusBadRequest, st)
				return
			}
			st.Base = "/provider"
			s.renderProvider(w, r, http.StatusBadRequest, st)
			return
		}
		s.renderError(w, r, err)
		return
	}
	done := "?done=" + url.QueryEscape(string(action)) + "&id=" + url.QueryEscape(svc.ID)
	if moderating {
		http.Redirect(w, r, "/moderation"+done, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/provider"+done, http.StatusSeeOther)
}

// handleReportDecision is a moderator's decision on an entry's reports:
// suspend it (with a reason the provider is emailed) or dismiss them.
func (s *Server) handleReportDecision(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"))
		return
	}
	ctx := r.Context()
	id := r.PathValue("id")
	switch r.PathValue("decision") {
	case "suspend":
		note := r.PostForm.Get("note")
		_, err := s.deps.Reports.Suspend(ctx, id, note)
		if err != nil {
			var e *waymark.Error
			if asError(err, &e) && e.Code == waymark.EINVALID && e.Field == "note" {
				fid := noteFieldID("suspend", id)
				s.renderModeration(w, r, http.StatusBadRequest, actionState{Base: "/moderation/reports", Errs: map[string]string{fid: e.Message}, Failed: fid, Note: note})
				return
			}
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, "/moderation?done=suspend&id="+url.QueryEscape(id), http.StatusSeeOther)
	case "dismiss":
		if err := s.deps.Reports.Dismiss(ctx, id); err != nil {
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, "/moderation?done=dismiss&id="+url.QueryEscape(id), http.StatusSeeOther)
	default:
		s.notFound(w, r)
	}
}

// eventText says what a history event did, in words.
func eventText(e directory.Event) string {
	what := map[directory.Action]string{
		directory.ActionSubmit: "Sent for review", directory.ActionApprove: "Approved and published",
		directory.ActionDecline: "Declined", directory.ActionFreeze: "Frozen (full, with a note about waiting times)",
		directory.ActionSuspend: "Suspended", directory.ActionReopen: "Reopened", directory.ActionDelete: "Deleted",
		directory.ActionRestore: "Restored as a draft", directory.ActionRevise: "Changed by its provider",
		directory.ActionApproveChanges: "Provider's changes approved", directory.ActionDeclineChanges: "Provider's changes declined",
		directory.ActionCorrect: "Corrected by a moderator", "check": "Checked by a moderator",
	}[e.Action]
	if what == "" {
		what = strings.ToUpper(string(e.Action[:1])) + strings.ReplaceAll(string(e.Action[1:]), "_", " ")
	}
	if e.From == e.To {
		return what + "; the listing stays " + strings.ToLower(statusLabel(e.To)) + "."
	}
	return what + ": " + strings.ToLower(statusLabel(e.From)) + " before, " + strings.ToLower(statusLabel(e.To)) + " now."
}

// eventActor names who did a history event.
func eventActor(e directory.Event) string {
	switch {
	case e.ActorID == "":
		return "Waymark (automatic)"
	case e.ActorName == "":
		return "A person whose account has been removed"
	}
	return e.ActorName
}

// describeSuspendedBy says who or what suspended an entry, for moderators
// and providers.
func describeSuspendedBy(b directory.SuspendedBy) string {
	return map[directory.SuspendedBy]string{
		directory.ByProvider: "by its provider", directory.ByModerator: "by a moderator (only a moderator can reopen it)",
		directory.ByWebsiteCheck: "by the website check", directory.ByReferralRule: "because referrals went unanswered",
		directory.ByManualCheck: "after a manual check could not confirm it", directory.ByFeed: "because its feed no longer lists it",
	}[b]
}

// statusLabel is a listing status in words.
func statusLabel(st directory.Status) string {
	switch st {
	case directory.StatusPendingReview:
		return "Waiting for review"
	case directory.StatusFrozen:
		return "Frozen: waiting list"
	case "":
		return ""
	}
	return strings.ToUpper(string(st[:1])) + strings.ReplaceAll(string(st[1:]), "_", " ")
}

// confirmView asks "are you sure?" on a page of its own before something
// that cannot simply be undone; its form posts confirm=yes.
type confirmView struct {
	page
	Heading string
	Lines   []string
	Action  string // where the form posts
	Button  string
	Cancel  link
	Hidden  map[string]string // more fields the action needs
}

// handleDeleteListingForm asks a provider to confirm deleting a listing.
func (s *Server) handleDeleteListingForm(w http.ResponseWriter, r *http.Request) {
	svc, err := s.deps.Lifecycle.Listing(r.Context(), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if svc.Status == directory.StatusDeleted {
		s.notFound(w, r)
		return
	}
	v := confirmView{page: s.page(r, "Delete "+svc.DisplayName()+"?"), Heading: "Delete “" + svc.DisplayName() + "”?",
		Lines: []string{"The listing leaves search at once and its page stops working, including links already sent to people.",
			"If you only need a break, suspend it instead: its page stays and says it is paused.",
			"If you delete it by mistake, ask us within 30 days and we can restore it."},
		Action: "/provider/services/" + svc.ID + "/delete", Button: "Yes, delete the listing",
		Cancel: link{Href: "/provider", Text: "No, keep it"}}
	v.Breadcrumbs = crumbs(link{Href: "/provider", Text: "Your listings"})
	s.render(w, r, http.StatusOK, "are-you-sure", v)
}

// auditText says what an administrator's recorded action was, in words.
func auditText(action string) string {
	if what, ok := auditActions[action]; ok {
		return what
	}
	for _, p := range auditAreas {
		if rest, ok := strings.CutPrefix(action, p[0]); ok {
			return p[1] + strings.ReplaceAll(rest, "_", " ")
		}
	}
	if action == "" {
		return ""
	}
	return strings.ToUpper(action[:1]) + strings.ReplaceAll(action[1:], "_", " ")
}

// auditActions are audit log actions in words.
var auditActions = map[string]string{
	"invite":         "Invited",
	"list referrals": "Saw a list of referrals:",
	"view referral":  "Opened a referral:",
	"audit.search":   "Searched the audit log",
	"caseload.view":  "Saw a caseload",
}

// auditAreas name the part of Waymark an action's prefix stands for.
var auditAreas = [][2]string{
	{"client.", "Client record, "},
	{"incoming.", "Waiting list, "},
	{"team.", "Team, "},
	{"gp_referral.", "GP referral, "},
	{"gp_practice.", "GP practice, "},
	{"gp_pathway.", "GP pathway, "},
}

// auditSubject says what an audit log entry is about: a list of referrals
// by how many there were, anything else as recorded.
func auditSubject(subject string) string {
	if ids, ok := strings.CutPrefix(subject, "referrals:"); ok {
		n := len(strings.Split(ids, ","))
		if n == 1 {
			return "1 referral"
		}
		return strconv.Itoa(n) + " referrals"
	}
	if id, ok := strings.CutPrefix(subject, "referral:"); ok {
		return "referral " + id
	}
	return subject
}

// confirmFirst reports whether a destructive post came from its
// confirmation page (confirm=yes). If not, it shows that page instead,
// carrying every posted field, and reports false: nothing has been done.
func (s *Server) confirmFirst(w http.ResponseWriter, r *http.Request, heading string, lines []string, button string, cancel link) bool {
	if r.PostForm.Get("confirm") == "yes" {
		return true
	}
	v := confirmView{page: s.page(r, heading), Heading: heading, Lines: lines, Action: r.URL.Path, Button: button, Cancel: cancel,
		Hidden: map[string]string{}}
	v.NoIndex = true
	for k := range r.PostForm {
		if k != "confirm" {
			v.Hidden[k] = r.PostForm.Get(k)
		}
	}
	s.render(w, r, http.StatusOK, "are-you-sure", v)
	return false
}
