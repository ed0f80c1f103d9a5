package fhir

import (
	"net/http"
	"strings"
	"time"

	models "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"waymark/internal/gp"
)

// handleTasks answers GET /fhir/R4/Task?focus=ServiceRequest/{id}: a
// searchset Bundle with the referral's Task, whose status follows the
// referral (requested, accepted or rejected with the reason in
// statusReason, in-progress, completed, cancelled). A referral of another
// practice, or none, is 404.
func (a *API) handleTasks(w http.ResponseWriter, r *http.Request) {
	mirrorIDs(w, r)
	q := r.URL.Query()
	if is, ok := unsupportedParams(q, "focus"); !ok {
		WriteOutcome(w, http.StatusBadRequest, is)
		return
	}
	focus := q.Get("focus")
	if focus == "" {
		WriteOutcome(w, http.StatusBadRequest, Issue{Code: "required", Error: "REC_BAD_REQUEST", Expression: []string{"focus"},
			Diagnostics: "Search Tasks by focus=ServiceRequest/{id}."})
		return
	}
	parts := strings.Split(focus, "/")
	if len(parts) < 2 || parts[len(parts)-2] != "ServiceRequest" || !validID(parts[len(parts)-1]) {
		WriteOutcome(w, http.StatusBadRequest, Issue{Code: "value", Error: "REC_BAD_REQUEST", Expression: []string{"focus"},
			Diagnostics: "focus must be ServiceRequest/{id}, the id $process-message answered with."})
		return
	}
	ref, err := a.deps.Referrals.Referral(r.Context(), parts[len(parts)-1])
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	a.writeSearchset(w, r, []searchEntry{{"Task/" + ref.ID, taskOf(ref)}})
}

// taskOf is the Task that tracks a referral, at its status (also in the
// outcome messages delivered to a practice's system). Its id is the
// referral's, like its ServiceRequest's.
func taskOf(ref *gp.Referral) models.Task {
	t := models.Task{
		Id:             ptr(ref.ID),
		Meta:           &models.Meta{LastUpdated: ptr(ref.Updated.UTC().Format(time.RFC3339))},
		Status:         code[models.TaskStatus](string(ref.Status)), // gp.Status uses the Task codes
		BusinessStatus: &models.CodeableConcept{Text: ptr(ref.Status.Label())},
		Intent:         "order",
		Focus:          &models.Reference{Reference: ptr("ServiceRequest/" + ref.ID), Type: ptr("ServiceRequest")},
		For:            ptr(patientRef(ref)),
		AuthoredOn:     ptr(ref.Created.UTC().Format(time.RFC3339)),
		LastModified:   ptr(ref.Updated.UTC().Format(time.RFC3339)),
		Requester:      requesterRef(ref),
		Owner:          ptr(performerRef(ref)),
	}
	if ref.StatusReason != "" {
		t.StatusReason = &models.CodeableConcept{Text: ptr(ref.StatusReason)}
	}
	return t
}
