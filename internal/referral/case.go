package referral

import (
	"context"
	"fmt"

	"waymark"
	"waymark/internal/input"
)

// Case is a referral with its history and messages, and the viewer's part
// in it.
type Case struct {
	Referral *Referral
	Events   []Event
	Messages []Message
	As       Party // provider or referrer
	Stats    *Stats
	// ForReferrerOnly is true when the person referred by a professional
	// sees the case: notes and reasons meant for the professional are left
	// out.
	ForReferrerOnly bool
}

// Open returns a referral for a signed-in provider of its service or the
// professional who made it, and records the view. Errors: EUNAUTHORIZED,
// ENOTFOUND (also when it is someone else's, so its existence is not
// revealed).
func (s *Referrals) Open(ctx context.Context, id string) (*Case, error) {
	a := waymark.ActorFrom(ctx)
	if a.Anonymous() {
		return nil, waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in to see referrals")
	}
	r, as, err := s.mine(ctx, id)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	if err := s.store.AuditView(ctx, View{ReferralID: r.ID, ActorID: a.UserID, What: "view referral as " + string(as), At: now}); err != nil {
		return nil, fmt.Errorf("audit view of referral %s: %w", id, err)
	}
	if as == PartyProvider && r.ViewedAt == nil {
		if err := s.store.MarkViewed(ctx, r.ID, now); err != nil {
			return nil, fmt.Errorf("mark referral %s viewed: %w", id, err)
		}
		r.ViewedAt = &now
	}
	if err := s.store.MarkRead(ctx, r.ID, as); err != nil {
		return nil, fmt.Errorf("mark referral %s read: %w", id, err)
	}
	return s.loadCase(ctx, r, as)
}

// TextedNumber returns the mobile number a self-referral's text messages go
// to, for the person to stop or restart them from its private link (id and
// token). Errors: as Track; EINVALID when the referral is not one Waymark
// texts about.
func (s *Referrals) TextedNumber(ctx context.Context, id, token string) (string, error) {
	c, err := s.Track(ctx, id, token)
	if err != nil {
		return "", err
	}
	phone := c.Referral.Client.Phone
	if _, ok := input.TextableMobile(phone); !ok || c.Referral.Source != SourceSelf {
		return "", waymark.Errorf(waymark.EINVALID, "We do not send text messages about this referral")
	}
	return phone, nil
}

// Track returns a referral by its private link, and records the view.
// Errors: ENOTFOUND.
func (s *Referrals) Track(ctx context.Context, id, token string) (*Case, error) {
	if err := s.checkTrack(id, token); err != nil {
		return nil, err
	}
	r, err := s.store.FindReferral(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.store.AuditView(ctx, View{ReferralID: r.ID, ActorID: "self-referrer", What: "view referral by private link", At: s.now().UTC()}); err != nil {
		return nil, fmt.Errorf("audit view of referral %s: %w", id, err)
	}
	if r.Source == SourceSelf {
		if err := s.store.MarkRead(ctx, r.ID, PartyReferrer); err != nil {
			return nil, fmt.Errorf("mark referral %s read: %w", id, err)
		}
	}
	c, err := s.loadCase(ctx, r, PartyReferrer)
	if err != nil {
		return nil, err
	}
	if r.Source == SourceProfessional {
		// The thread, and the provider's notes and reasons, are between the
		// professional and the provider; the person sees where their
		// referral stands and can score it, and hears the reasons from
		// their professional.
		c.Messages = nil
		r.DeclineReason = ""
		for i := range c.Events {
			c.Events[i].Note = ""
		}
		c.ForReferrerOnly = true
	}
	return c, nil
}

// selfReferral finds a referral by its private link for an action only the
// person who referred themselves may take.
func (s *Referrals) selfReferral(ctx context.Context, id, token string) (*Referral, error) {
	if err := s.checkTrack(id, token); err != nil {
		return nil, err
	}
	r, err := s.store.FindReferral(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Source != SourceSelf {
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "Ask the person who referred you: they are in touch with the service about your referral")
	}
	return r, nil
}

func (s *Referrals) loadCase(ctx context.Context, r *Referral, as Party) (*Case, error) {
	c := &Case{Referral: r, As: as}
	var err error
	if c.Events, err = s.store.Events(ctx, r.ID); err != nil {
		return nil, fmt.Errorf("load events of referral %s: %w", r.ID, err)
	}
	if c.Messages, err = s.store.Messages(ctx, r.ID); err != nil {
		return nil, fmt.Errorf("load messages of referral %s: %w", r.ID, err)
	}
	return c, nil
}

// mine finds a referral the signed-in actor is party to.
func (s *Referrals) mine(ctx context.Context, id string) (*Referral, Party, error) {
	a := waymark.ActorFrom(ctx)
	r, err := s.store.FindReferral(ctx, id)
	if err != nil {
		return nil, "", err
	}
	switch {
	case a.In(r.OrganizationID, waymark.RoleProvider):
		return r, PartyProvider, nil
	case r.ReferrerID != "" && r.ReferrerID == a.UserID:
		return r, PartyReferrer, nil
	}
	return nil, "", waymark.Errorf(waymark.ENOTFOUND, "There is no referral at this address")
}
