package web

import (
	"net/http"

	"waymark"
	"waymark/internal/casework"
)

// caseworkRoutes registers case management. Any signed-in user may reach
// the routes; casework.Service decides: members of the client's team see
// a record, others get 404 (administrators are offered the break-glass
// form), and people in no team get 403 on the caseload pages.
func (s *Server) caseworkRoutes() {
	admin := roles(waymark.RoleAdmin)
	s.route("GET "+cwBase, signedIn, s.handleCaseload)
	s.route("GET "+cwBase+"/team", signedIn, s.handleTeamCaseload)
	s.route("GET "+cwBase+"/search", signedIn, s.handleClientSearch)
	s.route("POST "+cwBase+"/search", signedIn, s.handleClientSearch)
	s.route("GET "+cwBase+"/clients/new", signedIn, s.handleNewClientForm)
	s.route("POST "+cwBase+"/clients/new", signedIn, s.handleNewClient)
	s.route("GET "+cwBase+"/clients/{id}", signedIn, s.handleClient)
	s.route("GET "+cwBase+"/clients/{id}/access-log", signedIn, s.handleAccessLog)
	s.route("GET "+cwBase+"/clients/{id}/letter", signedIn, s.handleDischargeLetter)
	s.route("GET "+cwBase+"/clients/{id}/export", signedIn, s.handleExport)
	s.route("GET "+cwBase+"/clients/{id}/export.json", signedIn, s.handleExportJSON)
	s.route("POST "+cwBase+"/clients/{id}/transfer", signedIn, s.handleTransfer)
	s.route("GET "+cwBase+"/clients/{id}/break-glass", admin, s.handleBreakGlassForm)
	s.route("POST "+cwBase+"/clients/{id}/break-glass", admin, s.handleBreakGlass)
	forms := map[string]cwFormSpec{
		"/edit":                         s.editClientSpec(),
		"/contact":                      s.contactSpec(),
		"/entries/{entry}/amend":        s.amendSpec(),
		"/consent":                      s.consentSpec(),
		"/consent/{consent}/withdraw":   s.withdrawConsentSpec(),
		"/what-matters":                 s.whatMattersSpec(),
		"/goals":                        s.goalSpec(),
		"/goals/{goal}/progress":        s.progressSpec(),
		"/actions":                      s.actionSpec(),
		"/appointments":                 s.appointmentSpec(),
		"/measures/" + casework.ONS4:    s.measureSpec(casework.ONS4),
		"/measures/" + casework.SWEMWBS: s.measureSpec(casework.SWEMWBS),
		"/status":                       s.statusSpec(),
		"/discharge":                    s.dischargeSpec(),
		"/referral":                     s.referralReasonSpec(),
	}
	for path, spec := range forms {
		get, post := s.clientForm(spec)
		s.route("GET "+cwBase+"/clients/{id}"+path, signedIn, get)
		s.route("POST "+cwBase+"/clients/{id}"+path, signedIn, post)
	}
	s.route("POST "+cwBase+"/clients/{id}/actions/{action}/done", signedIn, s.postAction(func(r *http.Request, id string) error {
		return s.deps.Casework.CompleteAction(r.Context(), id, r.PathValue("action"))
	}))
	s.route("POST "+cwBase+"/clients/{id}/appointments/{appointment}/attendance", signedIn, s.postAction(func(r *http.Request, id string) error {
		return s.deps.Casework.RecordAttendance(r.Context(), id, r.PathValue("appointment"), r.PostForm.Get("outcome"))
	}))
	s.route("GET "+cwBase+"/clients/{id}/refer", signedIn, s.handleReferFromRecord)
	s.route("GET "+cwBase+"/waiting", signedIn, s.handleWaitingList)
	s.route("GET "+cwBase+"/waiting/{id}/decline", signedIn, s.handleDeclineForm)
	s.route("POST "+cwBase+"/waiting/{id}/{action}", signedIn, s.handleIncomingAction)
	s.route("GET "+referSPPath, anyone, s.handleReferSPForm)
	s.route("POST "+referSPPath, anyone, s.handleReferSP)
	s.route("GET "+referSPPath+"/sent", anyone, s.handleReferSPSent)
	s.route("GET /admin/audit", admin, s.handleAuditSearch)
	s.route("POST /admin/audit", admin, s.handleAuditSearch)
	s.route("GET /admin/teams", admin, s.handleTeams)
	s.route("POST /admin/teams", admin, s.handleCreateTeam)
	s.route("GET /admin/teams/{id}", admin, s.handleTeam)
	s.route("GET /admin/teams/{id}/remove", admin, s.handleRemoveMemberForm)
	s.route("POST /admin/teams/{id}/{what}", admin, s.handleTeamChange)
}
