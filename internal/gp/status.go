package gp

import (
	"context"
	"fmt"
	"time"

	"waymark/internal/casework"
	"waymark/internal/jobs"
	"waymark/internal/referral"
)

// derive sets the referral's Status, StatusReason, Updated and HasLetter
// from its Progress.
func (s *Service) derive(r *Referral) {
	r.Status, r.StatusReason = r.Progress.status(r.ToTeam())
	r.HasLetter = r.ToTeam() && r.Status == StatusCompleted && !r.Progress.ClientAnonymised
	if p := r.Progress; !r.ToTeam() && p.MarketUpdatedAt.After(r.Updated) {
		r.Updated = p.MarketUpdatedAt
	} else if p.IncomingDecidedAt != nil && p.IncomingDecidedAt.After(r.Updated) {
		r.Updated = *p.IncomingDecidedAt
	}
	if p := r.Progress; p.ClientDischargedAt != nil && r.Status == StatusCompleted && p.ClientDischargedAt.After(r.Updated) {
		r.Updated = *p.ClientDischargedAt
	}
}

// status is the FHIR Task status of a referral held as p, with the reason
// for a rejection or how it was completed.
//
// A team referral is requested while on the waiting list; rejected when
// declined; accepted once a link worker accepts it (the record is
// waiting); in progress while the record is active or on hold; completed
// when the person is discharged (after the referral was accepted). A
// marketplace referral is requested when sent; accepted; rejected when
// declined (or declined automatically); cancelled; completed once
// attendance is recorded or it is closed.
func (p Progress) status(toTeam bool) (Status, string) {
	if toTeam {
		switch p.IncomingStatus {
		case casework.IncomingDeclined:
			return StatusRejected, p.IncomingDeclineReason
		case casework.IncomingAccepted:
		default:
			return StatusRequested, ""
		}
		dischargedSince := p.ClientDischargedAt != nil && (p.IncomingDecidedAt == nil || !p.ClientDischargedAt.Before(*p.IncomingDecidedAt))
		switch casework.Status(p.ClientStatus) {
		case casework.StatusDischarged:
			if dischargedSince {
				return StatusCompleted, "Discharged: " + casework.DischargeReasonLabel(p.ClientDischargeReason)
			}
		case casework.StatusActive, casework.StatusOnHold:
			return StatusInProgress, ""
		}
		return StatusAccepted, ""
	}
	switch referral.Status(p.MarketStatus) {
	case referral.StatusAccepted:
		return StatusAccepted, ""
	case referral.StatusDeclined:
		return StatusRejected, declineLabel(p.MarketDeclineReason)
	case referral.StatusAutoDeclined:
		return StatusRejected, "The service did not respond in time"
	case referral.StatusCancelled:
		return StatusCancelled, ""
	case referral.StatusAttended:
		return StatusCompleted, "Attended"
	case referral.StatusDidNotAttend:
		return StatusCompleted, "Did not attend"
	case referral.StatusClosed:
		switch referral.Status(p.MarketAttendance) {
		case referral.StatusAttended:
			return StatusCompleted, "Attended"
		case referral.StatusDidNotAttend:
			return StatusCompleted, "Did not attend"
		}
		return StatusCompleted, "Closed by the service"
	}
	return StatusRequested, ""
}

func declineLabel(code string) string {
	for _, d := range referral.DeclineReasons {
		if d.Code == code {
			return d.Label
		}
	}
	return code
}

// Delivery states of an outcome.
const (
	deliveryPending = "pending" // to send to the connected system that referred
	deliveryWeb     = "web"     // a web referral: the practice app shows it
)

// RecordOutcomes compares each open referral's status with the one last
// reported and, on a change, records an Outcome (the practice's history,
// and for a connected system's referral the message to deliver). Safe to
// run in several instances at once: each change is recorded once.
func (s *Service) RecordOutcomes(ctx context.Context, now time.Time) error {
	const batch = 500
	recorded, after := 0, ""
	for {
		open, err := s.store.OpenReferrals(ctx, after, batch)
		if err != nil {
			return fmt.Errorf("open gp referrals: %w", err)
		}
		for i := range open {
			n, err := s.recordOutcome(ctx, &open[i], now)
			if err != nil {
				return err
			}
			recorded += n
		}
		if len(open) < batch {
			break
		}
		after = open[len(open)-1].ID
	}
	if recorded > 0 {
		s.log.Info("gp referral outcomes recorded", "count", recorded)
	}
	return nil
}

// recordOutcome records an outcome when the referral's status changed
// since the one reported, and returns 1 when it did.
func (s *Service) recordOutcome(ctx context.Context, open *Reported, now time.Time) (int, error) {
	r := &open.Referral
	s.derive(r)
	if r.Status == open.Reported {
		return 0, nil
	}
	delivery := deliveryWeb
	if r.SystemID != "" {
		delivery = deliveryPending
	}
	o := Outcome{ID: s.newID(), ReferralID: r.ID, PracticeODS: r.PracticeODS, SystemID: r.SystemID, Status: r.Status,
		Reason: r.StatusReason, Created: now.UTC()}
	ok, err := s.store.RecordOutcome(ctx, o, open.Reported, delivery)
	if err != nil {
		return 0, fmt.Errorf("record outcome of gp referral %s: %w", r.ID, err)
	}
	if !ok {
		return 0, nil
	}
	return 1, nil
}

// History lists the status changes of a referral, oldest first, starting
// with its request. Errors: as Referral.
func (s *Service) History(ctx context.Context, r *Referral) ([]Outcome, error) {
	list, err := s.store.History(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	first := Outcome{ReferralID: r.ID, PracticeODS: r.PracticeODS, SystemID: r.SystemID, Status: StatusRequested, Created: r.Created}
	return append([]Outcome{first}, list...), nil
}

// PendingOutcomes lists up to limit outcomes to deliver to connected
// systems now (never sent, or failed and due for a retry), oldest first.
// For the delivery job, which runs as Waymark itself.
func (s *Service) PendingOutcomes(ctx context.Context, limit int) ([]Outcome, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	return s.store.PendingOutcomes(ctx, s.now().UTC(), limit)
}

// MarkOutcomeSent records that an outcome reached its system.
func (s *Service) MarkOutcomeSent(ctx context.Context, id string) error {
	return s.store.MarkOutcomeSent(ctx, id, s.now().UTC())
}

// MarkOutcomeFailed records a failed delivery and when to try again.
func (s *Service) MarkOutcomeFailed(ctx context.Context, id, why string, retryAt time.Time) error {
	if len(why) > 1000 {
		why = why[:1000]
	}
	return s.store.MarkOutcomeFailed(ctx, id, why, retryAt.UTC())
}

// Jobs is the outcomes job: every period it records the status changes of
// open referrals.
func (s *Service) Jobs(every time.Duration) []jobs.Job {
	return []jobs.Job{{Name: "gp-referral-outcomes", Every: every, Run: s.RecordOutcomes}}
}
