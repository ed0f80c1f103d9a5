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
// newest first, grouped by tab, and audits that the provider saw them all.
// Errors: EUNAUTHORIZED.
func (s *Referrals) Inbox(ctx context.Context) (map[string][]*Referral, error) {
	out, list, err := s.inbox(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.auditList(ctx, "provider inbox", list); err != nil {
		return nil, err
	}
	return out, nil
}

// InboxTab returns how many referrals each inbox tab holds and the
// referrals in one tab, newest first, and audits that the provider saw
// those. Errors: EUNAUTHORIZED.
func (s *Referrals) InboxTab(ctx context.Context, tab string) (map[string]int, []*Referral, error) {
	byTab, _, err := s.inbox(ctx)
	if err != nil {
		return nil, nil, err
	}
	counts := map[string]int{}
	for k, list := range byTab {
		counts[k] = len(list)
	}
	if err := s.auditList(ctx, "provider inbox, "+tab, byTab[tab]); err != nil {
		return nil, nil, err
	}
	return counts, byTab[tab], nil
}

func (s *Referrals) inbox(ctx context.Context) (map[string][]*Referral, []*Referral, error) {
	a := waymark.ActorFrom(ctx)
	if a.Anonymous() {
		return nil, nil, waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in to see referrals")
	}
	var orgs []string
	for _, m := range a.Memberships {
		if m.Role == waymark.RoleProvider {
			orgs = append(orgs, m.OrganizationID)
		}
	}
	out := map[string][]*Referral{}
	if len(orgs) == 0 {
		return out, nil, nil
	}
	list, err := s.store.ListReferrals(ctx, Filter{OrganizationIDs: orgs, Limit: 1000})
	if err != nil {
		return nil, nil, fmt.Errorf("list inbox: %w", err)
	}
	for _, r := range list {
		out[TabOf(r)] = append(out[TabOf(r)], r)
	}
	return out, list, nil
}

// auditList records who saw which referrals in a list.
func (s *Referrals) auditList(ctx context.Context, what string, list []*Referral) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]string, len(list))
	for i, r := range list {
		ids[i] = r.ID
	}
	if err := s.store.AuditList(ctx, waymark.ActorFrom(ctx).UserID, what, ids, s.now().UTC()); err != nil {
		return fmt.Errorf("audit %s: %w", what, err)
	}
	return nil
}

// Sent returns the referrals the signed-in professional made, newest first,
// and audits who saw them. Errors: EUNAUTHORIZED.
func (s *Referrals) Sent(ctx context.Context) ([]*Referral, error) {
	a := waymark.ActorFrom(ctx)
	if a.Anonymous() {
		return nil, waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in to see referrals")
	}
	list, err := s.store.ListReferrals(ctx, Filter{ReferrerID: a.UserID, Limit: 1000})
	if err != nil {
		return nil, fmt.Errorf("list sent referrals: %w", err)
	}
	if err := s.auditList(ctx, "referrals made", list); err != nil {
		return nil, err
	}
	return list, nil
}
