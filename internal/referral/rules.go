package referral

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/email"
	"waymark/internal/jobs"
)

// Jobs are the automatic rules as scheduled jobs, each run every period.
// Every rule is idempotent: each step is claimed by one conditional update,
// so two instances running a rule at once never do a step twice.
func (s *Referrals) Jobs(every time.Duration) []jobs.Job {
	return []jobs.Job{
		{Name: "referral-reminders", Every: every, Run: s.RemindProviders},
		{Name: "referral-auto-decline", Every: every, Run: s.AutoDecline},
		{Name: "referral-streaks", Every: every, Run: s.ActOnStreaks},
		{Name: "referral-attendance", Every: every, Run: s.AskAttendance},
		{Name: "referral-rating", Every: every, Run: s.AskRating},
	}
}

// RunRules runs every rule once, in order, at now.
func (s *Referrals) RunRules(ctx context.Context, now time.Time) error {
	for _, j := range s.Jobs(0) {
		if err := j.Run(ctx, now); err != nil {
			return fmt.Errorf("%s: %w", j.Name, err)
		}
	}
	return nil
}

// RemindProviders emails the provider about each referral still unanswered
// after each of the reminder periods (3, 7 and 14 days by default).
func (s *Referrals) RemindProviders(ctx context.Context, now time.Time) error {
	list, err := s.store.ListReferrals(ctx, Filter{Statuses: []Status{StatusSent}})
	if err != nil {
		return fmt.Errorf("list unanswered referrals: %w", err)
	}
	service := s.serviceLookup()
	for _, r := range list {
		due := 0
		for _, after := range s.cfg.Rules.RemindAfter {
			if !r.CreatedAt.Add(after).After(now) {
				due++
			}
		}
		if r.RemindersSent >= due {
			continue
		}
		// Only the latest reminder due is sent: after downtime, one email,
		// not a burst.
		svc, err := service(ctx, r.ServiceID)
		if err != nil {
			return fmt.Errorf("find service of referral %s: %w", r.ID, err)
		}
		var mails []email.Message
		if to := svc.ProviderEmail(); to != "" {
			waited := int(now.Sub(r.CreatedAt).Hours() / 24)
			left := int(r.CreatedAt.Add(s.cfg.Rules.AutoDeclineAfter).Sub(now).Hours()/24 + 0.5)
			mails = append(mails, email.Compose(to, "Reminder: referral "+r.Reference+" is waiting for a reply",
				[]string{"Referral " + r.Reference + " to " + r.ServiceName + " has been waiting " + strconv.Itoa(waited) + " days for a reply.",
					"Please accept or decline it. If there is no reply in " + strconv.Itoa(max(left, 0)) + " days it will be declined automatically, and services that leave several referrals unanswered are taken out of search."},
				s.cfg.PublicURL+"/referrals/"+r.ID, "Reply to the referral"))
		}
		// Claim the step from what was sent to what is due.
		if _, err := s.store.ClaimReminder(ctx, r.ID, r.RemindersSent, due, now, mails); err != nil {
			return fmt.Errorf("remind about referral %s: %w", r.ID, err)
		}
	}
	return nil
}

// AutoDecline declines each referral unanswered for AutoDeclineAfter (30
// days by default) and tells the referrer.
func (s *Referrals) AutoDecline(ctx context.Context, now time.Time) error {
	list, err := s.store.ListReferrals(ctx, Filter{Statuses: []Status{StatusSent}})
	if err != nil {
		return fmt.Errorf("list unanswered referrals: %w", err)
	}
	for _, r := range list {
		if r.CreatedAt.Add(s.cfg.Rules.AutoDeclineAfter).After(now) {
			continue
		}
		note := "No response within " + days(s.cfg.Rules.AutoDeclineAfter)
		c := Change{Event: Event{ReferralID: r.ID, From: StatusSent, To: StatusAutoDeclined, By: PartySystem, ActorName: "Waymark", Note: note, At: now}}
		c.Emails = s.changeEmails(ctx, r, StatusAutoDeclined, note)
		err := s.store.SaveChange(ctx, c)
		if waymark.ErrorCode(err) == waymark.ECONFLICT {
			continue // answered, or declined by another instance, meanwhile
		}
		if err != nil {
			return fmt.Errorf("auto-decline referral %s: %w", r.ID, err)
		}
		s.log.Info("referral declined automatically", "referral_id", r.ID)
	}
	return nil
}

// ActOnStreaks pauses a listing whose provider declined PauseAfterDeclines
// referrals in a row, and suspends one that left SuspendAfterSilence
// referrals in a row unanswered, emailing the provider each time.
func (s *Referrals) ActOnStreaks(ctx context.Context, now time.Time) error {
	rules := s.cfg.Rules
	streaks, err := s.store.Streaks(ctx, rules.PauseAfterDeclines, rules.SuspendAfterSilence)
	if err != nil {
		return fmt.Errorf("list referral streaks: %w", err)
	}
	for _, st := range streaks {
		if rules.PauseAfterDeclines > 0 && st.Declines >= rules.PauseAfterDeclines {
			if err := s.streak(ctx, st.ServiceID, "declines", rules.PauseAfterDeclines, now); err != nil {
				return err
			}
		}
		if rules.SuspendAfterSilence > 0 && st.Silent >= rules.SuspendAfterSilence {
			if err := s.streak(ctx, st.ServiceID, "silent", rules.SuspendAfterSilence, now); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Referrals) streak(ctx context.Context, serviceID, kind string, n int, now time.Time) error {
	won, err := s.store.ClaimStreak(ctx, serviceID, kind, n)
	if err != nil {
		return fmt.Errorf("claim %s streak of %s: %w", kind, serviceID, err)
	}
	if !won {
		return nil
	}
	svc, err := s.listings.FindServiceByID(ctx, serviceID)
	if err != nil {
		return fmt.Errorf("find service %s: %w", serviceID, err)
	}
	var reason string
	var lines []string
	var link, linkText string
	if kind == "declines" {
		reason = "Paused: " + strconv.Itoa(n) + " referrals declined in a row."
		lines = []string{"Your service " + svc.DisplayName() + " has declined the last " + strconv.Itoa(n) + " referrals, so we have paused its listing: it is out of search and cannot take referrals.",
			"If you are full, you can mark the listing at capacity with a note about waiting times. When you are ready to take referrals again, reopen the listing from your Waymark account."}
		link, linkText = s.cfg.PublicURL+"/provider", "Manage your listings"
	} else {
		reason = "Suspended: " + strconv.Itoa(n) + " referrals in a row were not answered."
		lines = []string{"The last " + strconv.Itoa(n) + " referrals to " + svc.DisplayName() + " were not answered, so we have taken its listing out of search.",
			"If the service is still running, confirm it with the link below (no sign-in needed) and it goes back into search. If something has changed, sign in and edit the listing."}
		link, linkText = s.cfg.PublicURL+"/services/"+serviceID+"/confirm?"+s.listings.ConfirmLink(serviceID), "Yes, the service is still running"
	}
	subject := "Your Waymark listing is paused"
	if kind == "silent" {
		subject = "Is your service still running?"
	}
	// The provider's email is queued in the suspension's transaction.
	suspended, err := s.listings.Suspend(ctx, serviceID, reason, func(ctx context.Context, svc *directory.Service) error {
		if to := svc.ProviderEmail(); to != "" {
			if err := s.store.Notify(ctx, email.Compose(to, subject, lines, link, linkText), now); err != nil {
				return fmt.Errorf("email provider of %s: %w", serviceID, err)
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("suspend %s after %s streak: %w", serviceID, kind, err)
	}
	if suspended {
		s.log.Info("listing suspended by referral rule", "service_id", serviceID, "rule", kind)
	}
	return nil
}

// AskAttendance asks the provider, AskAttendanceAfter (14 days) after
// accepting a referral, whether the person attended: one link for each
// answer. A referral the provider closed without saying is asked about too.
func (s *Referrals) AskAttendance(ctx context.Context, now time.Time) error {
	list, err := s.store.ListReferrals(ctx, Filter{Statuses: []Status{StatusAccepted, StatusClosed}})
	if err != nil {
		return fmt.Errorf("list accepted referrals: %w", err)
	}
	service := s.serviceLookup()
	for _, r := range list {
		if !r.AttendanceOpen() || r.AttendanceAskedAt != nil || r.RespondedAt == nil || r.RespondedAt.Add(s.cfg.Rules.AskAttendanceAfter).After(now) {
			continue
		}
		svc, err := service(ctx, r.ServiceID)
		if err != nil {
			return fmt.Errorf("find service of referral %s: %w", r.ID, err)
		}
		var mails []email.Message
		if to := svc.ProviderEmail(); to != "" {
			mails = append(mails, email.Compose(to, "Did the person attend? Referral "+r.Reference,
				[]string{"You accepted referral " + r.Reference + " to " + r.ServiceName + " on " + r.RespondedAt.Format("2 January 2006") + ".",
					"Did the person attend? One click tells us; the answer feeds the service's attendance statistics."},
				s.cfg.PublicURL+s.AttendanceLink(r.ID, string(StatusAttended)), "Yes, they attended",
				s.cfg.PublicURL+s.AttendanceLink(r.ID, string(StatusDidNotAttend)), "No, they did not attend"))
		}
		if _, err := s.store.ClaimAttendanceAsk(ctx, r.ID, now, mails); err != nil {
			return fmt.Errorf("ask attendance of referral %s: %w", r.ID, err)
		}
	}
	return nil
}

// AskRating asks each person who attended to score the service and say
// whether it met their needs.
func (s *Referrals) AskRating(ctx context.Context, now time.Time) error {
	list, err := s.store.ListReferrals(ctx, Filter{Statuses: []Status{StatusAttended, StatusClosed}})
	if err != nil {
		return fmt.Errorf("list attended referrals: %w", err)
	}
	for _, r := range list {
		if r.Attendance != StatusAttended || r.RatingAskedAt != nil || r.RatedAt != nil {
			continue
		}
		mails := s.toClient(r, "How was it? Your Waymark referral "+r.Reference,
			[]string{"Hello " + r.Client.Name + ",",
				"We hear you went to " + r.ServiceName + ". Would you score it from 1 to 5 and tell us whether it met your needs? It takes a minute and helps others find good support."},
			"Score the service", "how was it? Please score the service you went to", "#rate")
		if _, err := s.store.ClaimRatingAsk(ctx, r.ID, now, mails); err != nil {
			return fmt.Errorf("ask rating of referral %s: %w", r.ID, err)
		}
	}
	return nil
}

// serviceLookup returns a function that finds services, each once: a rule's
// run often meets many referrals to one service.
func (s *Referrals) serviceLookup() func(ctx context.Context, id string) (*directory.Service, error) {
	seen := map[string]*directory.Service{}
	return func(ctx context.Context, id string) (*directory.Service, error) {
		if svc, ok := seen[id]; ok {
			return svc, nil
		}
		svc, err := s.listings.FindServiceByID(ctx, id)
		if err != nil {
			return nil, err
		}
		seen[id] = svc
		return svc, nil
	}
}
