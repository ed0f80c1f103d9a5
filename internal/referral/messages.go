package referral

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/email"
	"waymark/internal/input"
)

// PostMessage adds a message to a referral's thread for the signed-in
// party and tells the other side by email. Errors: as Open, EINVALID.
func (s *Referrals) PostMessage(ctx context.Context, id, body string) error {
	a := waymark.ActorFrom(ctx)
	if a.Anonymous() {
		return waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in to send a message")
	}
	r, as, err := s.mine(ctx, id)
	if err != nil {
		return err
	}
	return s.post(ctx, r, as, a.UserID, userNameOf(ctx), body)
}

// TrackMessage adds the self-referrer's message through the private link.
func (s *Referrals) TrackMessage(ctx context.Context, id, token, body string) error {
	r, err := s.selfReferral(ctx, id, token)
	if err != nil {
		return err
	}
	return s.post(ctx, r, PartyReferrer, "", r.Client.Name, body)
}

func (s *Referrals) post(ctx context.Context, r *Referral, as Party, authorID, authorName, body string) error {
	body, err := input.Lines("The message", body, 5000)
	if err != nil {
		return waymark.FieldErrorf(waymark.EINVALID, "body", "%s", waymark.ErrorMessage(err))
	}
	if body == "" {
		return waymark.FieldErrorf(waymark.EINVALID, "body", "Enter a message")
	}
	m := Message{ID: uuid.NewString(), ReferralID: r.ID, From: as, AuthorID: authorID, AuthorName: authorName, Body: body, At: s.now().UTC()}
	var mails []email.Message
	notice := []string{"There is a new message about referral " + r.Reference + " to " + r.ServiceName + ".",
		"For privacy we do not put messages in emails. Open the referral to read it and reply."}
	if as == PartyProvider {
		if r.Source == SourceSelf {
			mails = append(mails, s.toClient(r, "New message about your referral "+r.Reference, notice, "Read the message", "you have a new message about your referral "+r.Reference)...)
		}
		if r.Source == SourceProfessional && r.ReferrerEmail != "" {
			mails = append(mails, email.Compose(r.ReferrerEmail, "New message about referral "+r.Reference, notice, s.cfg.PublicURL+"/referrals/"+r.ID, "Read the message"))
		}
	} else {
		svc, err := s.listings.FindServiceByID(ctx, r.ServiceID)
		if err != nil {
			return fmt.Errorf("find service of referral %s: %w", r.ID, err)
		}
		if to := svc.ProviderEmail(); to != "" {
			mails = append(mails, email.Compose(to, "New message about referral "+r.Reference, notice, s.cfg.PublicURL+"/referrals/"+r.ID, "Read the message"))
		}
	}
	if err := s.store.AddMessage(ctx, m, mails); err != nil {
		return fmt.Errorf("add message to referral %s: %w", r.ID, err)
	}
	return nil
}
