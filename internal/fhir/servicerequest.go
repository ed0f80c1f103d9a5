package fhir

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	models "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"waymark/internal/casework"
	"waymark/internal/gp"
)

// handleServiceRequest reads one referral as a ServiceRequest (GET
// /fhir/R4/ServiceRequest/{id}). A practice's system reads only its
// practices' referrals: any other id is 404.
func (a *API) handleServiceRequest(w http.ResponseWriter, r *http.Request) {
	mirrorIDs(w, r)
	ref, err := a.deps.Referrals.Referral(r.Context(), r.PathValue("id"))
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, serviceRequestOf(ref))
}

// handleServiceRequests searches the referrals of the caller's practices
// (GET /fhir/R4/ServiceRequest), all of them or one patient's with
// patient.identifier=https://fhir.nhs.uk/Id/nhs-number|{NHS number}: a
// searchset Bundle, newest first.
func (a *API) handleServiceRequests(w http.ResponseWriter, r *http.Request) {
	mirrorIDs(w, r)
	q := r.URL.Query()
	if is, ok := unsupportedParams(q, "patient.identifier"); !ok {
		WriteOutcome(w, http.StatusBadRequest, is)
		return
	}
	var f gp.Filter
	if v := q.Get("patient.identifier"); v != "" {
		system, nhs, found := strings.Cut(v, "|")
		if !found {
			system, nhs = NHSNumberSystem, v
		}
		nhs = casework.NormaliseNHSNumber(nhs)
		if !strings.EqualFold(system, NHSNumberSystem) || !casework.ValidNHSNumber(nhs) {
			WriteOutcome(w, http.StatusBadRequest, Issue{Code: "value", Error: "REC_BAD_REQUEST", Expression: []string{"patient.identifier"},
				Diagnostics: "patient.identifier must be " + NHSNumberSystem + "|{a valid 10 digit NHS number}."})
			return
		}
		f.NHSNumber = nhs
	}
	list, err := a.deps.Referrals.Referrals(r.Context(), f)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	found := make([]searchEntry, 0, len(list))
	for i := range list {
		found = append(found, searchEntry{"ServiceRequest/" + list[i].ID, serviceRequestOf(&list[i])})
	}
	a.writeSearchset(w, r, found)
}

// unsupportedParams refuses query parameters other than the given ones
// (and _format), so a misspelt search is not read as "everything".
func unsupportedParams(q url.Values, allowed ...string) (Issue, bool) {
	var unknown []string
	for name := range q {
		if name != "_format" && !contains(allowed, name) {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) == 0 {
		return Issue{}, true
	}
	sort.Strings(unknown)
	return Issue{Code: "not-supported", Error: "REC_BAD_REQUEST", Expression: unknown,
		Diagnostics: "Unsupported search parameter " + strings.Join(unknown, ", ") + ": this search takes " + strings.Join(allowed, ", ") + "."}, false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// writeSearchset answers a search.
func (a *API) writeSearchset(w http.ResponseWriter, r *http.Request, found []searchEntry) {
	b, err := searchset(a.base(r), found)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}

// serviceRequestOf is a referral as a ServiceRequest: status active while
// it is open, completed when the person was discharged or attended,
// revoked when it was declined or cancelled (the Task says which and why).
func serviceRequestOf(ref *gp.Referral) models.ServiceRequest {
	status := models.RequestStatusActive
	switch ref.Status {
	case gp.StatusCompleted:
		status = models.RequestStatusCompleted
	case gp.StatusRejected, gp.StatusCancelled:
		status = models.RequestStatusRevoked
	}
	sr := models.ServiceRequest{
		Id:     ptr(ref.ID),
		Meta:   &models.Meta{LastUpdated: ptr(ref.Updated.UTC().Format(time.RFC3339))},
		Status: status,
		Intent: models.RequestIntentOrder,
		Code: &models.CodeableConcept{Coding: []models.Coding{{System: ptr(SNOMEDSystem), Code: ptr(SocialPrescribingReferral),
			Display: ptr("Referral to social prescribing service")}}},
		Subject:    patientRef(ref),
		AuthoredOn: ptr(ref.Created.UTC().Format(time.RFC3339)),
		Requester:  requesterRef(ref),
		Performer:  []models.Reference{performerRef(ref)},
	}
	if ref.Reason != "" {
		sr.ReasonCode = []models.CodeableConcept{{Text: ptr(ref.Reason)}}
	}
	return sr
}

// patientRef refers to the patient by NHS number, with their name.
func patientRef(ref *gp.Referral) models.Reference {
	return models.Reference{Type: ptr("Patient"), Display: text(ref.Patient.Name()),
		Identifier: &models.Identifier{System: ptr(NHSNumberSystem), Value: ptr(ref.Patient.NHSNumber)}}
}

// requesterRef names the person who referred and their practice.
func requesterRef(ref *gp.Referral) *models.Reference {
	who := ref.RequesterName
	if ref.RequesterRole != "" {
		who += ", " + ref.RequesterRole
	}
	if who == "" {
		who = "GP practice " + ref.PracticeODS
	}
	return &models.Reference{Display: ptr(who)}
}

// performerRef is the service the referral went to, or the team.
func performerRef(ref *gp.Referral) models.Reference {
	if ref.ServiceID != "" {
		return models.Reference{Reference: ptr("HealthcareService/" + ref.ServiceID), Type: ptr("HealthcareService"), Display: text(ref.ServiceName)}
	}
	return models.Reference{Type: ptr("Organization"), Display: text(ref.TeamName)}
}

// text is s, or nil when empty (FHIR strings are never empty).
func text(s string) *string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return &s
}
