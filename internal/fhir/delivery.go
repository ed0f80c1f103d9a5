package fhir

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	models "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/gp"
	"waymark/internal/jobs"
	"waymark/internal/sitecheck"
)

// Outcomes is the GP referral side the delivery reads and marks;
// *gp.Service provides it.
type Outcomes interface {
	// PendingOutcomes lists outcomes due for delivery, oldest first.
	PendingOutcomes(ctx context.Context, limit int) ([]gp.Outcome, error)
	MarkOutcomeSent(ctx context.Context, id string) error
	MarkOutcomeFailed(ctx context.Context, id, why string, retryAt time.Time) error
	// Referral and Letter read as the connected system (its actor in ctx).
	Referral(ctx context.Context, id string) (*gp.Referral, error)
	Letter(ctx context.Context, referralID string) (*casework.Letter, error)
}

// DeliveryConfig configures outcome delivery.
type DeliveryConfig struct {
	// BaseURL is the public scheme://host of the site, the message's source.
	BaseURL string
	// Client posts the messages. When nil it is the website checker's
	// guarded client (sitecheck.NewGuardedClient): 15-second timeout, no
	// redirects, no proxy, and never to a loopback, private, link-local or
	// other non-public address, checked on the address dialled, since an
	// administrator types the endpoint.
	Client *http.Client
	// AllowLoopback lets the guarded client reach loopback addresses: for
	// tests and trials on one machine only (CHECKER_ALLOW_LOOPBACK).
	AllowLoopback bool
	Now           func() time.Time
	Logger        *slog.Logger
	// Batch is how many outcomes one run sends at most (50 when 0).
	Batch int
}

// Deliverer posts outcome messages to connected systems' endpoints: the
// durable outbox is the GP referral outcomes table, each outcome marked
// sent or failed with its next try, and each attempt recorded for the
// administrators' page of the system.
type Deliverer struct {
	systems  *Systems
	outcomes Outcomes
	cfg      DeliveryConfig
	log      *slog.Logger
}

// NewDeliverer returns the outcome delivery.
func NewDeliverer(systems *Systems, outcomes Outcomes, cfg DeliveryConfig) *Deliverer {
	if cfg.Client == nil {
		cfg.Client = sitecheck.NewGuardedClient(15*time.Second, cfg.AllowLoopback)
		cfg.Client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 50
	}
	return &Deliverer{systems: systems, outcomes: outcomes, cfg: cfg, log: cfg.Logger}
}

// Job is the delivery job: every period it sends the outcomes due.
func (d *Deliverer) Job(every time.Duration) jobs.Job {
	return jobs.Job{Name: "deliver-gp-outcomes", Every: every, Lease: 30 * time.Minute, Run: d.Deliver}
}

// Retry waits after a failed attempt: a minute, doubling with each
// attempt, at most six hours. A system without an endpoint, or disabled,
// is looked at again daily or hourly.
const (
	firstRetry = time.Minute
	maxRetry   = 6 * time.Hour
)

// Backoff is the wait before the next try after attempt n (1 for the
// first) failed.
func Backoff(n int) time.Duration {
	d := firstRetry
	for i := 1; i < n && d < maxRetry; i++ {
		d *= 2
	}
	return min(d, maxRetry)
}

// Deliver sends the outcomes due, one run of the job. It stops after two
// minutes so that a slow endpoint does not hold the job's lease.
func (d *Deliverer) Deliver(ctx context.Context, _ time.Time) error {
	list, err := d.outcomes.PendingOutcomes(ctx, d.cfg.Batch)
	if err != nil {
		return fmt.Errorf("pending outcomes: %w", err)
	}
	deadline := d.cfg.Now().Add(2 * time.Minute)
	for _, o := range list {
		if ctx.Err() != nil || d.cfg.Now().After(deadline) {
			break
		}
		if err := d.deliver(ctx, o); err != nil {
			return err
		}
	}
	return nil
}

// deliver tries one outcome and records how it went. It returns only
// errors of the database.
func (d *Deliverer) deliver(ctx context.Context, o gp.Outcome) error {
	now := d.cfg.Now().UTC()
	sys, err := d.systems.store.FindSystem(ctx, o.SystemID)
	if waymark.ErrorCode(err) == waymark.ENOTFOUND {
		return d.outcomes.MarkOutcomeFailed(ctx, o.ID, "the connected system is no longer registered", now.Add(24*time.Hour))
	}
	if err != nil {
		return err
	}
	attempt, err := d.systems.store.DeliveryAttempts(ctx, o.ID)
	if err != nil {
		return err
	}
	attempt++
	rec := Delivery{OutcomeID: o.ID, SystemID: sys.ID, Attempt: attempt, At: now}
	switch {
	case !sys.Enabled:
		rec.Error, rec.RetryAt = "the system is disabled", now.Add(time.Hour)
	case sys.Endpoint == "":
		rec.Error, rec.RetryAt = "no endpoint is registered: the practice reads the outcome in the practice web app", now.Add(24*time.Hour)
	default:
		body, err := d.message(waymark.WithActor(ctx, sys.Actor()), sys, o)
		if err == nil {
			rec.Status, err = d.post(ctx, sys.Endpoint, o.ID, body)
		}
		if err != nil {
			rec.Error, rec.RetryAt = err.Error(), now.Add(Backoff(attempt))
		}
	}
	if err := d.systems.store.RecordDelivery(ctx, rec); err != nil {
		return err
	}
	if rec.Error != "" {
		d.log.Warn("outcome delivery failed", "outcome", o.ID, "system", sys.ID, "attempt", attempt, "error", rec.Error)
		return d.outcomes.MarkOutcomeFailed(ctx, o.ID, rec.Error, rec.RetryAt)
	}
	return d.outcomes.MarkOutcomeSent(ctx, o.ID)
}

// post sends a message and returns the endpoint's status; an error unless
// it was 2xx.
func (d *Deliverer) post(ctx context.Context, endpoint, outcomeID string, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("the endpoint address cannot be used: %w", err)
	}
	req.Header.Set("Content-Type", ContentType)
	req.Header.Set("Accept", "application/fhir+json")
	req.Header.Set("X-Correlation-ID", outcomeID)
	resp, err := d.cfg.Client.Do(req)
	if err != nil {
		var ue interface{ Timeout() bool }
		if errors.As(err, &ue) && ue.Timeout() {
			return 0, errors.New("the endpoint did not answer in time")
		}
		return 0, errors.New("the endpoint could not be reached")
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("the endpoint answered %s", resp.Status)
	}
	return resp.StatusCode, nil
}

// BaRS message vocabulary.
const (
	messageEventSystem  = "https://fhir.nhs.uk/CodeSystem/message-events-bars"
	messageReasonSystem = "https://fhir.nhs.uk/CodeSystem/message-reason-bars"
	responseDefinition  = "https://fhir.nhs.uk/MessageDefinition/bars-message-servicerequest-response-referral"
	odsSystem           = "https://fhir.nhs.uk/Id/ods-organization-code"
)

// message builds the outcome message Bundle: a MessageHeader whose focus
// is the referral's Task at the outcome's status, the practice it goes
// to, and on discharge the discharge letter as a document Bundle. ctx
// carries the system's actor: reading the referral and the letter is
// audited as the system's.
func (d *Deliverer) message(ctx context.Context, sys *System, o gp.Outcome) ([]byte, error) {
	ref, err := d.outcomes.Referral(ctx, o.ReferralID)
	if err != nil {
		return nil, fmt.Errorf("the referral cannot be read as the system: %s", waymark.ErrorMessage(err))
	}
	ref.Status, ref.StatusReason = o.Status, o.Reason
	var letter *casework.Letter
	if o.Status == gp.StatusCompleted && ref.HasLetter {
		if letter, err = d.outcomes.Letter(ctx, ref.ID); err != nil {
			return nil, fmt.Errorf("the discharge letter cannot be read: %s", waymark.ErrorMessage(err))
		}
	}
	b, err := OutcomeMessage(d.cfg.BaseURL, sys, o, ref, letter, d.cfg.Now().UTC())
	if err != nil {
		return nil, fmt.Errorf("the message could not be built: %w", err)
	}
	return json.Marshal(b)
}

// OutcomeMessage is the message Bundle reporting an outcome of a referral
// to the system that sent it: its id is the outcome's, so a receiver sees
// a retry as the same message. letter is nil but on a discharge.
func OutcomeMessage(base string, sys *System, o gp.Outcome, ref *gp.Referral, letter *casework.Letter, now time.Time) (models.Bundle, error) {
	fhirBase := base + Prefix
	practiceURL, taskURL := "urn:uuid:"+newUUID(), fhirBase+"/Task/"+ref.ID
	header := models.MessageHeader{
		Id:          ptr(o.ID),
		EventCoding: models.Coding{System: ptr(messageEventSystem), Code: ptr("servicerequest-response")},
		Destination: []models.MessageHeaderDestination{{Endpoint: sys.Endpoint, Name: ptr(sys.Name),
			Receiver: &models.Reference{Reference: ptr(practiceURL), Display: ptr("GP practice " + o.PracticeODS)}}},
		Sender:     &models.Reference{Display: ptr("Waymark")},
		Source:     models.MessageHeaderSource{Name: ptr("Waymark"), Software: ptr("Waymark"), Endpoint: fhirBase},
		Reason:     &models.CodeableConcept{Coding: []models.Coding{{System: ptr(messageReasonSystem), Code: ptr("update")}}},
		Focus:      []models.Reference{{Reference: ptr(taskURL)}},
		Definition: ptr(responseDefinition),
	}
	var docEntry *models.BundleEntry
	if letter != nil {
		doc, err := LetterDocument(base, ref, letter, now)
		if err != nil {
			return models.Bundle{}, err
		}
		raw, err := json.Marshal(doc)
		if err != nil {
			return models.Bundle{}, err
		}
		url := "urn:uuid:" + *doc.Id
		header.Focus = append(header.Focus, models.Reference{Reference: ptr(url)})
		docEntry = &models.BundleEntry{FullUrl: ptr(url), Resource: raw}
	}
	rawHeader, err := reshape(header, map[string]json.RawMessage{"eventUri": nil})
	if err != nil {
		return models.Bundle{}, err
	}
	rawTask, err := json.Marshal(taskOf(ref))
	if err != nil {
		return models.Bundle{}, err
	}
	rawPractice, err := json.Marshal(models.Organization{Id: ptr(practiceURL[len("urn:uuid:"):]),
		Identifier: []models.Identifier{{System: ptr(odsSystem), Value: ptr(o.PracticeODS)}}})
	if err != nil {
		return models.Bundle{}, err
	}
	b := models.Bundle{Id: ptr(o.ID), Type: code[models.BundleType]("message"), Timestamp: ptr(now.Format(time.RFC3339)),
		Identifier: &models.Identifier{System: ptr("urn:ietf:rfc:3986"), Value: ptr("urn:uuid:" + o.ID)},
		Entry: []models.BundleEntry{
			{FullUrl: ptr("urn:uuid:" + o.ID), Resource: rawHeader},
			{FullUrl: ptr(taskURL), Resource: rawTask},
			{FullUrl: ptr(practiceURL), Resource: rawPractice},
		}}
	if docEntry != nil {
		b.Entry = append(b.Entry, *docEntry)
	}
	return b, nil
}
