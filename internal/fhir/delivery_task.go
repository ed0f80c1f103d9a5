package fhir

import (
	"time"

	models "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"waymark/internal/gp"
)

// taskOf is the Task that tracks a referral, at its status. Its id is the
// referral's, like its ServiceRequest's.
func taskOf(ref *gp.Referral) models.Task {
	t := models.Task{
		Id:           ptr(ref.ID),
		Status:       code[models.TaskStatus](string(ref.Status)),
		Intent:       "order",
		Focus:        &models.Reference{Reference: ptr("ServiceRequest/" + ref.ID), Type: ptr("ServiceRequest")},
		AuthoredOn:   ptr(ref.Created.UTC().Format(time.RFC3339)),
		LastModified: ptr(ref.Updated.UTC().Format(time.RFC3339)),
	}
	if ref.StatusReason != "" {
		t.StatusReason = &models.CodeableConcept{Text: ptr(ref.StatusReason)}
	}
	return t
}
