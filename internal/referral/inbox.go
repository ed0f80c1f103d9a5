package referral

import (
	"context"
	"fmt"

	"waymark"
)

// Inbox tabs.
const (
	TabNew      = "new"
	TabAwaiting = "awaiting"
	TabAccepted = "accepted"
	TabDeclined = "declined"
	TabClosed   = "closed"
)

// Tabs are the provider inbox's tabs, in order, with labels.
var Tabs = []struct{ Key, Label string }{
	{TabNew, "New"}, {TabAwaiting, "Awaiting response"}, {TabAccepted, "Accepted"}, {TabDeclined, "Declined"}, {TabClosed, "Closed"},
}

// TabOf is the inbox tab a referral is in.
func TabOf(r *Referral) string {
	switch r.Status {
	case StatusSent:
		if r.ViewedAt == nil {
			return TabNew
		}
		return TabAwaiting
	case StatusAccepted, StatusAttended, StatusDidNotAttend:
		return TabAccepted
	case StatusDeclined, StatusAutoDeclined:
		return TabDeclined
	}
	return TabClosed
}

// Inbox returns the referrals to the provider's organisations' services,
// newest first, grouped by tab. Errors: EUNAUTHORIZED.
func (s *Referrals) Inbox(ctx context.Context) (map[string][]*Referral, error) {
	a := waymark.ActorFrom(ctx)
	if a.Anonymous() {
		return nil, waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in to see referrals")
	}
	var orgs []string
	for _, m := range a.Memberships {
		if m.Role == waymark.RoleProvider {
			orgs = append(orgs, m.OrganizationID)
		}
	}
	out := map[string][]*Referral{}
	if len(orgs) == 0 {
		return out, nil
	}
	list, err := s.store.ListReferrals(ctx, Filter{OrganizationIDs: orgs, Limit: 1000})
	if err != nil {
		return nil, fmt.Errorf("list inbox: %w", err)
	}
	for _, r := range list {
		out[TabOf(r)] = append(out[TabOf(r)], r)
	}
	return out, nil
}

// Sent returns the referrals the signed-in professional made, newest first.
// Errors: EUNAUTHORIZED.
func (s *Referrals) Sent(ctx context.Context) ([]*Referral, error) {
	a := waymark.ActorFrom(ctx)
	if a.Anonymous() {
		return nil, waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in to see referrals")
	}
	return s.store.ListReferrals(ctx, Filter{ReferrerID: a.UserID, Limit: 1000})
}
