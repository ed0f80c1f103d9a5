package referral

import (
	"context"
	"strconv"
	"strings"
	"time"

	"waymark/internal/directory"
	"waymark/internal/email"
)

func (s *Referrals) providerNewReferral(svc *directory.Service, r *Referral) []email.Message {
	to := svc.ProviderEmail()
	if to == "" {
		return nil
	}
	return []email.Message{email.Compose(to, "New Waymark referral "+r.Reference,
		[]string{"You have a new referral to " + svc.DisplayName() + ".",
			"Please accept or decline it within a few days. Referrals not answered within " + days(s.cfg.Rules.AutoDeclineAfter) + " are declined automatically."},
		s.cfg.PublicURL+"/referrals/"+r.ID, "See the referral")}
}

// changeEmails are the emails a status change sends.
func (s *Referrals) changeEmails(ctx context.Context, r *Referral, to Status, note string) []email.Message {
	var lines []string
	switch to {
	case StatusAccepted:
		lines = []string{r.ServiceName + " has accepted referral " + r.Reference + ". They will be in touch."}
	case StatusDeclined:
		lines = []string{r.ServiceName + " has declined referral " + r.Reference + ".", "Their reason: " + note}
	case StatusAttended, StatusDidNotAttend:
		// The professional follows up their client; a person who referred
		// themselves is asked to score the service instead.
		if r.Source != SourceProfessional || r.ReferrerEmail == "" {
			return nil
		}
		said := "attended"
		if to == StatusDidNotAttend {
			said = "did not attend"
		}
		return []email.Message{email.Compose(r.ReferrerEmail, "Attendance recorded for referral "+r.Reference,
			[]string{r.ServiceName + " has recorded that " + r.Client.Name + " " + said + " (referral " + r.Reference + ")."},
			s.cfg.PublicURL+"/referrals/"+r.ID, "See the referral")}
	case StatusAutoDeclined:
		lines = []string{r.ServiceName + " did not respond to referral " + r.Reference + " within " + days(s.cfg.Rules.AutoDeclineAfter) + ", so it has been declined automatically.",
			"You may want to look for another service."}
	default:
		if to == StatusCancelled {
			svc, err := s.listings.FindServiceByID(ctx, r.ServiceID)
			if err == nil && svc.ProviderEmail() != "" {
				return []email.Message{email.Compose(svc.ProviderEmail(), "Referral "+r.Reference+" has been cancelled",
					[]string{"Referral " + r.Reference + " to " + r.ServiceName + " has been cancelled by the person who made it. You do not need to do anything."},
					s.cfg.PublicURL+"/referrals/"+r.ID, "See the referral")}
			}
		}
		return nil
	}
	subject := "Update on referral " + r.Reference
	switch {
	case r.Source == SourceProfessional && r.ReferrerEmail != "":
		return []email.Message{email.Compose(r.ReferrerEmail, subject, lines, s.cfg.PublicURL+"/referrals/"+r.ID, "See the referral")}
	case r.Source == SourceSelf:
		return s.toClient(r, subject, lines, "See your referral", "there is an update on your referral "+r.Reference)
	}
	return nil
}

// toClient is a message to a person who referred themselves, by the way
// they prefer: an email when they gave an address, a text when they gave
// a mobile number (a landline gets none), each with their private link.
// smsWhat says in a few words, with no personal or health details, what
// happened; anchor ("" or like "#rate") is where on the page the link
// opens. Nil when they can be reached neither way.
func (s *Referrals) toClient(r *Referral, subject string, lines []string, linkText, smsWhat string, anchor ...string) []email.Message {
	link := s.cfg.PublicURL + s.TrackPath(r.ID) + strings.Join(anchor, "")
	m := email.Compose(r.Client.Email, subject, lines, link, linkText)
	if r.Source == SourceSelf {
		// The private link opens self-referrals only: a professional's
		// client gets no text.
		m = m.Texted(r.Client.Phone, email.SMS(email.FirstName(r.Client.Name), smsWhat, link), r.Client.PreferredContact == ContactText)
	}
	m.About = "referral:" + r.ID
	if m.To == "" && m.Phone == "" {
		return nil
	}
	return []email.Message{m}
}

func days(d time.Duration) string {
	n := int(d.Hours() / 24)
	if n == 1 {
		return "1 day"
	}
	return strconv.Itoa(n) + " days"
}
