package web

import (
	"waymark"
)

// routes registers every route. The public marketplace needs no login;
// routes registered with route declare who may use them.
func (s *Server) routes() {
	s.handle("GET /{$}", s.handleSearch)
	s.handle("GET /services/{id}", s.handleService)
	s.handle("GET /s/{code}", s.handleShortLink)
	s.handle("GET /help/offline", s.handleOfflineHelp)
	s.handle("GET /privacy", s.handleInfo("privacy", "Privacy notice"))
	s.handle("GET /accessibility", s.handleInfo("accessibility", "Accessibility statement"))
	s.handle("GET /cookies", s.handleInfo("cookies", "Cookies"))
	s.handle("GET /contact", s.handleInfo("contact", "Contact us"))
	s.handle("GET /healthz", s.handleHealthz)
	s.handle("GET /readyz", s.handleReadyz)
	if !s.cfg.HideMetrics {
		s.mux.Handle("GET /metrics", s.observe("GET /metrics", MetricsHandler(s.deps.Registry, s.cfg.MetricsToken)))
	}
	s.handle("GET /static/{path...}", s.handleStatic)
	if s.deps.Accounts != nil {
		s.route("GET /register", anyone, s.handleRegisterForm)
		s.route("POST /register", anyone, s.handleRegister)
		s.route("GET /verify-email", anyone, s.handleVerifyEmail)
		s.route("GET /sign-in", anyone, s.handleSignInForm)
		s.route("POST /sign-in", anyone, s.handleSignIn)
		s.route("POST /sign-out", anyone, s.handleSignOut)
		s.route("GET /forgot-password", anyone, s.handleForgotForm)
		s.route("POST /forgot-password", anyone, s.handleForgot)
		s.route("GET /reset-password", anyone, s.handleResetForm)
		s.route("POST /reset-password", anyone, s.handleReset)
		s.route("GET /account", signedIn, s.handleAccount)
		s.route("POST /account/password", signedIn, s.handleChangePassword)
		s.route("GET /dev/mail", roles(waymark.RoleAdmin), s.handleDevMail)
		s.route("GET /admin", roles(waymark.RoleAdmin), s.handleAdmin)
		s.route("POST /admin/invite", roles(waymark.RoleAdmin), s.handleInvite)
		s.route("GET /admin/users", roles(waymark.RoleAdmin), s.handleUsers)
		s.route("GET /admin/messages", roles(waymark.RoleAdmin), s.handleFailedMessages)
	}
	if s.deps.Lifecycle != nil && s.deps.Accounts != nil {
		s.route("GET /provider", signedIn, s.handleProvider)
		s.route("GET /provider/services/new", signedIn, s.handleNewListingForm)
		s.route("POST /provider/services/new", signedIn, s.handleNewListing)
		s.route("GET /provider/services/{id}/delete", signedIn, s.handleDeleteListingForm)
		s.route("POST /provider/services/{id}/{action}", signedIn, s.handleListingAction)
		s.route("GET /moderation", roles(waymark.RoleModerator, waymark.RoleAdmin), s.handleModeration)
		s.route("GET /moderation/services/{id}", roles(waymark.RoleModerator, waymark.RoleAdmin), s.handleListingHistory)
		if s.deps.Revisions != nil {
			s.route("GET /provider/services/{id}/edit", signedIn, s.handleEditListingForm)
			s.route("POST /provider/services/{id}/edit", signedIn, s.handleEditListing)
			s.route("GET /moderation/revisions/{id}", roles(waymark.RoleModerator, waymark.RoleAdmin), s.handleRevision)
			s.route("GET /moderation/services/{id}/edit", roles(waymark.RoleModerator, waymark.RoleAdmin), s.handleCorrectForm)
			s.route("POST /moderation/services/{id}/edit", roles(waymark.RoleModerator, waymark.RoleAdmin), s.handleCorrect)
			s.route("POST /moderation/revisions/{id}/{decision}", roles(waymark.RoleModerator, waymark.RoleAdmin), s.handleDecideRevision)
		}
		s.route("POST /moderation/services/{id}/{action}", roles(waymark.RoleModerator, waymark.RoleAdmin), s.handleListingAction)
	}
	if s.deps.Feeds != nil && s.deps.Accounts != nil {
		s.route("GET /moderation/feeds", roles(waymark.RoleModerator, waymark.RoleAdmin), s.handleFeeds)
		s.route("POST /moderation/feeds", roles(waymark.RoleModerator, waymark.RoleAdmin), s.handleAddFeed)
		s.route("GET /moderation/feeds/runs/{id}", roles(waymark.RoleModerator, waymark.RoleAdmin), s.handleFeedRun)
	}
	if s.deps.Checks != nil && s.deps.Accounts != nil {
		s.route("GET /moderation/checks", roles(waymark.RoleModerator, waymark.RoleAdmin), s.handleChecks)
		s.route("POST /moderation/checks/{id}", roles(waymark.RoleModerator, waymark.RoleAdmin), s.handleRecordCheck)
	}
	if s.deps.Images != nil {
		s.route("GET /media/{id}", anyone, s.handleMedia)
	}
	if s.deps.Reports != nil && s.deps.Outbox != nil {
		s.route("GET /services/{id}/report", anyone, s.handleReportForm)
		s.route("POST /services/{id}/report", anyone, s.handleReport)
		s.route("GET /services/{id}/confirm", anyone, s.handleConfirmForm)
		s.route("POST /moderation/reports/services/{id}/{decision}", roles(waymark.RoleModerator, waymark.RoleAdmin), s.handleReportDecision)
		s.route("POST /services/{id}/confirm", anyone, s.handleConfirm)
	}
	if s.deps.Referrals != nil && s.deps.Accounts != nil {
		professional := roles(waymark.RoleLinkWorker, waymark.RoleGP)
		s.route("GET /services/{id}/refer", anyone, s.handleSelfReferForm)
		s.route("POST /services/{id}/refer", anyone, s.handleSelfRefer)
		s.route("GET /services/{id}/refer-client", professional, s.handleProfessionalReferForm)
		s.route("POST /services/{id}/refer-client", professional, s.handleProfessionalRefer)
		s.route("GET /track/{id}/{token}", anyone, s.handleTrack)
		s.route("POST /track/{id}/{token}/{action}", anyone, s.handleTrackAction)
		s.route("GET /referrals", signedIn, s.handleReferrals)
		s.route("GET /referrals/{id}", signedIn, s.handleReferral)
		s.route("POST /referrals/{id}/{action}", signedIn, s.handleReferralAction)
		s.route("GET /referrals/{id}/attendance", anyone, s.handleAttendanceForm)
		s.route("POST /referrals/{id}/attendance", anyone, s.handleAttendance)
		s.route("GET /provider/services/{id}/form", signedIn, s.handleFormBuilder)
		s.route("POST /provider/services/{id}/form", signedIn, s.handleFormEdit)
		s.route("GET /provider/services/{id}/form/preview", signedIn, s.handleFormPreview)
	}
	if s.deps.Onboarding != nil && s.deps.Accounts != nil {
		importers := roles(waymark.RoleAdmin, waymark.RoleModerator, waymark.RoleOnboarding)
		s.route("GET "+importPath, importers, s.handleImportForm)
		s.route("POST "+importPath, importers, s.handleImportUpload)
		s.route("GET "+importPath+"/template.xlsx", importers, s.handleImportTemplate)
		s.route("GET "+importPath+"/template.csv", importers, s.handleImportTemplate)
		s.route("POST "+importPath+"/confirm", importers, s.handleImportConfirm)
		mods := roles(waymark.RoleModerator, waymark.RoleAdmin)
		s.route("GET /moderation/claims", mods, s.handleClaims)
		s.route("POST /moderation/claims/{id}/resend", mods, s.handleReissueClaim)
		s.route("GET /claim/{id}", anyone, s.handleClaim)
		s.route("POST /claim/{id}", anyone, s.handleClaimAction)
	}
	if s.deps.Casework != nil && s.deps.Accounts != nil {
		s.caseworkRoutes()
	}
	if s.deps.GP != nil && s.deps.Accounts != nil {
		// Practice accounts only; gp.Service keeps each to its own practice.
		practice := roles(waymark.RoleGP, waymark.RolePracticeStaff)
		s.route("GET "+practiceBase, practice, s.handlePracticeHome)
		s.route("GET "+practiceBase+"/refer", practice, s.handlePracticeReferForm)
		s.route("POST "+practiceBase+"/refer", practice, s.handlePracticeRefer)
		s.route("GET "+practiceBase+"/referrals/{id}", practice, s.handlePracticeReferral)
		s.route("GET "+practiceBase+"/referrals/{id}/letter", practice, s.handlePracticeLetter)
		s.route("GET /admin/practices", roles(waymark.RoleAdmin), s.handlePractices)
		s.route("POST /admin/practices", roles(waymark.RoleAdmin), s.handleSavePractice)
		// Providers of the service (404 for others) and administrators.
		pathway := roles(waymark.RoleProvider, waymark.RoleAdmin)
		s.route("GET /provider/services/{id}/gp-pathway", pathway, s.handleGPPathwayForm)
		s.route("POST /provider/services/{id}/gp-pathway", pathway, s.handleGPPathway)
	}
	if s.deps.Lifecycle != nil && s.deps.Accounts != nil {
		mods := roles(waymark.RoleModerator, waymark.RoleAdmin)
		s.route("GET "+offlineHelpPath, mods, s.handleOfflineHelpList)
		s.route("GET "+offlineHelpPath+"/new", mods, s.handleOfflineHelpNew)
		s.route("POST "+offlineHelpPath+"/new", mods, s.handleOfflineHelpSave)
		s.route("GET "+offlineHelpPath+"/{id}/edit", mods, s.handleOfflineHelpEdit)
		s.route("POST "+offlineHelpPath+"/{id}/edit", mods, s.handleOfflineHelpSave)
		s.route("GET "+offlineHelpPath+"/{id}/remove", mods, s.handleOfflineHelpRemoveForm)
		s.route("POST "+offlineHelpPath+"/{id}/remove", mods, s.handleOfflineHelpRemove)
	}
	if s.deps.Requests != nil && s.deps.Accounts != nil {
		mods := roles(waymark.RoleModerator, waymark.RoleAdmin)
		s.route("GET "+addServicePath, anyone, s.handleRequestForm)
		s.route("POST "+addServicePath, anyone, s.handleRequest)
		s.route("GET "+addServicePath+"/sent", anyone, s.handleRequestSent)
		s.route("GET /moderation/requests", mods, s.handleRequests)
		s.route("POST /moderation/requests/{id}/done", mods, s.handleRequestDone)
	}
	if s.deps.Systems != nil && s.deps.Accounts != nil {
		admins := roles(waymark.RoleAdmin)
		s.route("GET "+systemsPath, admins, s.handleSystems)
		s.route("POST "+systemsPath, admins, s.handleRegisterSystem)
		s.route("GET "+systemsPath+"/{id}", admins, s.handleSystem)
		s.route("GET "+systemsPath+"/{id}/edit", admins, s.handleEditSystemForm)
		s.route("POST "+systemsPath+"/{id}/edit", admins, s.handleEditSystem)
		s.route("POST "+systemsPath+"/{id}/{action}", admins, s.handleSystemAction)
	}
	if s.deps.Insights != nil && s.deps.Accounts != nil {
		s.insightsRoutes()
	}
	if s.deps.PCNs != nil && s.deps.Accounts != nil {
		s.pcnRoutes()
	}
	for pattern, h := range s.deps.API {
		s.handle(pattern, h)
	}
	s.handle("/", s.notFound)
}
