package fhir

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"waymark"
	"waymark/internal/gp"
)

// MaxMessageBytes bounds a $process-message body: a referral Bundle is a
// few tens of kilobytes.
const MaxMessageBytes = 1 << 20

// messageWait is how long a message waits for its turn to make the
// referral (Config.Messages at once) before a 503 asks to send it again.
const messageWait = 20 * time.Second

// Referrals is the GP referral service behind the messages (gp.Service).
type Referrals interface {
	// Refer makes the referral; the same Key again returns the first.
	Refer(ctx context.Context, r gp.Request) (*gp.Referral, error)
	// Referral returns a referral of a practice the actor acts for.
	Referral(ctx context.Context, id string) (*gp.Referral, error)
	// Referrals lists the referrals of the practices the actor acts for.
	Referrals(ctx context.Context, f gp.Filter) ([]gp.Referral, error)
}

// messageRoutes are the referral endpoints, behind the bearer token.
func (a *API) messageRoutes() map[string]http.HandlerFunc {
	m := map[string]http.HandlerFunc{}
	for pattern, h := range a.messageHandlers() {
		m[pattern] = a.Auth(acceptJSON(h))
	}
	return m
}

// acceptJSON answers 406 (REC_NOT_ACCEPTABLE) to a request whose Accept
// header leaves out FHIR JSON, the only format served.
func acceptJSON(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if accept := r.Header.Get("Accept"); accept != "" && !acceptsJSON(accept) {
			WriteOutcome(w, http.StatusNotAcceptable, Issue{Code: "processing", Error: "REC_NOT_ACCEPTABLE",
				Diagnostics: "Waymark answers in application/fhir+json only: accept it (or application/json)."})
			return
		}
		h(w, r)
	}
}

// acceptsJSON reports whether an Accept header takes FHIR JSON.
func acceptsJSON(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || params["q"] == "0" {
			continue
		}
		switch mt {
		case "*/*", "application/*", "application/json", "application/fhir+json":
			return true
		}
	}
	return false
}

// messageHandlers are the referral endpoints without the token check,
// which expect the caller's actor in the request context.
func (a *API) messageHandlers() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"POST " + Prefix + "/$process-message":   a.handleProcessMessage,
		"GET " + Prefix + "/ServiceRequest":      a.handleServiceRequests,
		"GET " + Prefix + "/ServiceRequest/{id}": a.handleServiceRequest,
		"GET " + Prefix + "/Task":                a.handleTasks,
	}
}

// mirrorIDs copies the BaRS tracing headers (X-Request-Id,
// X-Correlation-Id) to the response, as the standard asks.
func mirrorIDs(w http.ResponseWriter, r *http.Request) {
	for _, h := range []string{"X-Request-Id", "X-Correlation-Id"} {
		if v := r.Header.Get(h); v != "" && len(v) <= 200 && !strings.ContainsAny(v, "\r\n") {
			w.Header().Set(h, v)
		}
	}
}

// handleProcessMessage takes a BaRS referral message (POST
// /fhir/R4/$process-message): it checks the Bundle (ParseMessage), makes
// the referral through gp.Service and answers 200 with the message Bundle
// as BaRS receivers do, the ServiceRequest now carrying the referral's id
// (GET ServiceRequest/{id} and Task?focus=ServiceRequest/{id} follow it).
// The same Bundle id from the same system makes nothing new and gets the
// same answer. Refusals are OperationOutcomes with BaRS error codes.
func (a *API) handleProcessMessage(w http.ResponseWriter, r *http.Request) {
	mirrorIDs(w, r)
	if !fhirJSON(r.Header.Get("Content-Type")) {
		WriteOutcome(w, http.StatusUnsupportedMediaType, Issue{Code: "not-supported", Error: "REC_BAD_REQUEST",
			Diagnostics: "Send the Bundle as application/fhir+json (or application/json)."})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxMessageBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			WriteOutcome(w, http.StatusRequestEntityTooLarge, Issue{Code: "too-long", Error: "REC_BAD_REQUEST",
				Diagnostics: fmt.Sprintf("The message is larger than %d bytes.", MaxMessageBytes)})
			return
		}
		WriteOutcome(w, http.StatusBadRequest, Issue{Code: "structure", Error: "REC_BAD_REQUEST", Diagnostics: "The body could not be read."})
		return
	}
	msg, err := ParseMessage(body)
	if err != nil {
		var me *MessageError
		if errors.As(err, &me) {
			WriteOutcome(w, me.Status, me.Issues...)
			return
		}
		a.Fail(w, r, err)
		return
	}
	if !a.messageTurn(w, r) {
		return
	}
	defer func() { <-a.messageSlots }()
	ref, err := a.deps.Referrals.Refer(r.Context(), msg.request(waymark.ActorFrom(r.Context())))
	if err != nil {
		a.referFailed(w, r, err)
		return
	}
	if ref.Patient.NHSNumber != msg.NHSNumber || ref.ServiceID != msg.ServiceID || !strings.EqualFold(ref.PracticeODS, msg.PracticeODS) {
		WriteOutcome(w, http.StatusConflict, Issue{Code: "duplicate", Error: "REC_CONFLICT",
			Diagnostics: fmt.Sprintf("Bundle id %s was already used for another referral (ServiceRequest/%s): give each message its own id.", msg.BundleID, ref.ID),
			Expression:  []string{"Bundle.id"}})
		return
	}
	writeJSON(w, http.StatusOK, msg.answer(ref))
}

// messageTurn waits for one of the message slots; false when none came
// in time (answered 503) or the caller went away.
func (a *API) messageTurn(w http.ResponseWriter, r *http.Request) bool {
	timer := time.NewTimer(messageWait)
	defer timer.Stop()
	select {
	case a.messageSlots <- struct{}{}:
		return true
	case <-timer.C:
		w.Header().Set("Retry-After", "5")
		WriteOutcome(w, http.StatusServiceUnavailable, Issue{Code: "transient", Error: "REC_SERVICE_UNAVAILABLE",
			Diagnostics: "Waymark is busy: send the message again in a few seconds (the same Bundle is taken once)."})
		return false
	case <-r.Context().Done():
		return false
	}
}

// fhirJSON reports whether a Content-Type is FHIR JSON: application/fhir+json
// or application/json, with any parameters (fhirVersion, charset).
func fhirJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/fhir+json" || mt == "application/json")
}

// request is the gp.Request of a message. The key is the Bundle id scoped
// to the caller, so two systems' ids never meet.
func (m *Message) request(caller waymark.Actor) gp.Request {
	return gp.Request{
		Key:         "fhir:" + caller.UserID + ":" + m.BundleID,
		PracticeODS: m.PracticeODS,
		ServiceID:   m.ServiceID,
		Patient: gp.Patient{NHSNumber: m.NHSNumber, GivenName: m.GivenName, FamilyName: m.FamilyName, DateOfBirth: m.DateOfBirth,
			Postcode: m.Postcode, Phone: m.Phone, Email: m.Email},
		Reason: m.Reason, Consent: m.Consent,
		RequesterName: m.RequesterName, RequesterRole: m.RequesterRole,
		Channel: gp.ChannelFHIR,
	}
}

// answer is the message Bundle as received, its ServiceRequest given the
// referral's id and every other resource without an id the one of its
// fullUrl (urn:uuid:<id>), so a sender can match them up.
func (m *Message) answer(ref *gp.Referral) map[string]any {
	list, _ := m.doc["entry"].([]any)
	for i, e := range list {
		entry, _ := e.(map[string]any)
		res, _ := entry["resource"].(map[string]any)
		if res == nil {
			continue
		}
		if i == m.focus {
			res["id"] = ref.ID
			continue
		}
		if _, has := res["id"]; !has {
			url, _ := entry["fullUrl"].(string)
			if id, ok := strings.CutPrefix(url, "urn:uuid:"); ok && validID(id) {
				res["id"] = id
			}
		}
	}
	return m.doc
}

// validID reports whether s is a FHIR id: 1 to 64 letters, digits, - and .
func validID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// referFailed answers gp.Service's refusal: every problem with the request
// as its own issue, pointing at the element it came from.
func (a *API) referFailed(w http.ResponseWriter, r *http.Request, err error) {
	problems, ok := waymark.ProblemsOf(err)
	if !ok {
		a.Fail(w, r, err)
		return
	}
	issues := make([]Issue, 0, problems.Len())
	for _, p := range problems.List() {
		is := Issue{Code: "value", Error: "REC_BAD_REQUEST", Diagnostics: p.Message}
		if where := requestElements[p.Field]; where != "" {
			is.Expression = []string{where}
		}
		issues = append(issues, is)
	}
	WriteOutcome(w, http.StatusBadRequest, issues...)
}

// requestElements are where in a message each gp.Request field comes from.
var requestElements = map[string]string{
	"practice":       "PractitionerRole.organization",
	"nhs_number":     "Patient.identifier",
	"given_name":     "Patient.name.given",
	"family_name":    "Patient.name.family",
	"birth_date":     "Patient.birthDate",
	"postcode":       "Patient.address.postalCode",
	"phone":          "Patient.telecom",
	"email":          "Patient.telecom",
	"reason":         "ServiceRequest.reasonCode",
	"consent":        "Consent",
	"requester_name": "ServiceRequest.requester",
	"key":            "Bundle.id",
}
