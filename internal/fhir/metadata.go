package fhir

import (
	"encoding/json"
	"net/http"
	"strconv"

	models "github.com/samply/golang-fhir-models/fhir-models/fhir"
)

// capabilityDate is when the CapabilityStatement last changed.
const capabilityDate = "2026-12-02"

// Search parameters of HealthcareService, as the CapabilityStatement
// declares them and handleHealthcareServices reads them.
const (
	ParamName     = "name"
	ParamPostcode = "location.address-postalcode"
	ParamDistance = "distance"
	ParamCount    = "_count"
	ParamPage     = "page"
)

// code returns the value of a samply code type (an enumeration kept as an
// integer) for its FHIR code; it panics on an unknown code, which only a
// mistake in this package can cause.
func code[T any](s string) T {
	var v T
	if err := json.Unmarshal([]byte(strconv.Quote(s)), &v); err != nil {
		panic("fhir: unknown code " + s)
	}
	return v
}

// Capability returns the CapabilityStatement of this server, whose public
// address is base.
func Capability(base string) models.CapabilityStatement {
	fhirBase := base + Prefix
	interactions := func(codes ...string) []models.CapabilityStatementRestResourceInteraction {
		out := make([]models.CapabilityStatementRestResourceInteraction, len(codes))
		for i, c := range codes {
			out[i].Code = code[models.TypeRestfulInteraction](c)
		}
		return out
	}
	param := func(name, typ, doc string) models.CapabilityStatementRestResourceSearchParam {
		return models.CapabilityStatementRestResourceSearchParam{Name: name, Type: code[models.SearchParamType](typ), Documentation: ptr(doc)}
	}
	return models.CapabilityStatement{
		Id:           ptr("waymark"),
		Url:          ptr(fhirBase + "/metadata"),
		Name:         ptr("WaymarkFHIRServer"),
		Title:        ptr("Waymark social prescribing: FHIR R4 interface for GP clinical systems"),
		Status:       code[models.PublicationStatus]("active"),
		Experimental: ptr(false),
		Date:         capabilityDate,
		Publisher:    ptr("Waymark"),
		Description: ptr("Referrals from GP clinical systems to social prescribing teams and community services, " +
			"as NHS Booking and Referral Standard (BaRS) 1.4.0 messages; the status of each referral as a Task; " +
			"the community directory as HealthcareService; outcome messages (with the discharge letter as a document) " +
			"posted back to the connected system's registered endpoint."),
		Kind:           code[models.CapabilityStatementKind]("instance"),
		Software:       &models.CapabilityStatementSoftware{Name: "Waymark"},
		Implementation: &models.CapabilityStatementImplementation{Description: "Waymark FHIR R4 server", Url: ptr(fhirBase)},
		// R4 is 4.0.1 (a technical correction of 4.0.0, the same wire
		// format); the R4 JSON schema this is checked against lists only
		// 4.0.0, so that is what is declared (docs/fhir.md).
		FhirVersion: code[models.FHIRVersion]("4.0.0"),
		Format:      []string{"application/fhir+json", "json"},
		Rest: []models.CapabilityStatementRest{{
			Mode: code[models.RestfulCapabilityMode]("server"),
			Documentation: ptr("Every endpoint but this one needs an access token: Authorization: Bearer <token>. " +
				"Calls are limited per connected system (429 with Retry-After when exceeded) and every call is audited."),
			Security: &models.CapabilityStatementRestSecurity{
				Cors: ptr(false),
				Service: []models.CodeableConcept{{Coding: []models.Coding{{
					System: ptr("http://terminology.hl7.org/CodeSystem/restful-security-service"), Code: ptr("OAuth"), Display: ptr("OAuth")}}}},
				Description: ptr("OAuth 2.0 client credentials with a signed JWT client assertion (RFC 7523), as NHS APIs use it. " +
					"POST to " + base + TokenPath + " (application/x-www-form-urlencoded): grant_type=" + GrantType +
					", client_assertion_type=" + AssertionType + ", client_assertion=<JWT signed " + SigningMethod +
					" with the key an administrator registered for your system; iss and sub your client id, aud " + base + TokenPath +
					", exp at most 5 minutes ahead, a jti never used before>. The answer's access_token lasts minutes (expires_in)."),
			},
			Resource: []models.CapabilityStatementRestResource{
				{
					Type:          code[models.ResourceType]("HealthcareService"),
					Documentation: ptr("The public community directory: services a practice can refer to, each with its Location and Organization contained."),
					Interaction:   interactions("read", "search-type"),
					SearchParam: []models.CapabilityStatementRestResourceSearchParam{
						param(ParamName, "string", "Words in the service's name, description or keywords (as the directory's keyword search)."),
						param(ParamPostcode, "string", "A UK postcode or outward code: services with a location within distance of it, nearest first."),
						param(ParamDistance, "number", "With "+ParamPostcode+": the distance in miles, 1 to 50 (10 when absent)."),
						param(ParamCount, "number", "Results per page, 1 to 50 (20 when absent)."),
						param(ParamPage, "number", "The page of results, from 1; the Bundle's next link gives the following page."),
					},
				},
				{
					Type:          code[models.ResourceType]("ServiceRequest"),
					Documentation: ptr("Referrals made through $process-message; a system reads only those of the practices it acts for."),
					Interaction:   interactions("read", "search-type"),
					SearchParam: []models.CapabilityStatementRestResourceSearchParam{
						param("patient.identifier", "token", "https://fhir.nhs.uk/Id/nhs-number|<NHS number>"),
					},
				},
				{
					Type:          code[models.ResourceType]("Task"),
					Documentation: ptr("The status of a referral: requested, accepted, rejected (with the reason), in-progress, completed, cancelled."),
					Interaction:   interactions("search-type"),
					SearchParam: []models.CapabilityStatementRestResourceSearchParam{
						param("focus", "reference", "ServiceRequest/<id>"),
					},
				},
			},
			Operation: []models.CapabilityStatementRestResourceOperation{{
				Name: "process-message", Definition: "http://hl7.org/fhir/OperationDefinition/MessageHeader-process-message",
				Documentation: ptr("POST " + fhirBase + "/$process-message with a BaRS message Bundle whose MessageHeader event is servicerequest-request."),
			}},
		}},
		Messaging: []models.CapabilityStatementMessaging{{
			Endpoint: []models.CapabilityStatementMessagingEndpoint{{
				Protocol: models.Coding{System: ptr("http://terminology.hl7.org/CodeSystem/message-transport"), Code: ptr("http")},
				Address:  fhirBase + "/$process-message",
			}},
			Documentation: ptr("Referrals are received as BaRS servicerequest-request messages. Outcomes (accepted, rejected, " +
				"in progress, completed with the discharge letter as a document Bundle) are sent as messages to the endpoint registered for the connected system."),
			SupportedMessage: []models.CapabilityStatementMessagingSupportedMessage{
				{Mode: code[models.EventCapabilityMode]("receiver"), Definition: "https://fhir.nhs.uk/MessageDefinition/bars-message-servicerequest-request-referral"},
				{Mode: code[models.EventCapabilityMode]("sender"), Definition: "https://fhir.nhs.uk/MessageDefinition/bars-message-servicerequest-response-referral"},
			},
		}},
	}
}

// handleMetadata answers GET /fhir/R4/metadata with the CapabilityStatement;
// it needs no token.
func (a *API) handleMetadata(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, Capability(a.base(r)))
}
