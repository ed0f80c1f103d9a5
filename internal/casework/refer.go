package casework

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"waymark"
)

// ForReferral opens a client record to fill in a referral to a marketplace
// service, and checks the client consents to sharing their details with
// the provider: a current ConsentShare naming the service or its
// organisation (any of names, case-insensitive). The read is audited.
// Errors: as Client; EINVALID (Field "consent") without that consent.
func (s *Service) ForReferral(ctx context.Context, clientID string, names ...string) (*Client, error) {
	ac, err := s.open(ctx, clientID)
	if err != nil {
		return nil, err
	}
	if err := s.auditAccess(ctx, ac, "client.referral_form", strings.Join(names, ", ")); err != nil {
		return nil, err
	}
	if ac.client.AnonymisedAt != nil || ac.client.Status == StatusDischarged {
		return nil, waymark.Errorf(waymark.EINVALID, "Reopen the record before referring from it")
	}
	cs, err := s.store.Consents(ctx, clientID)
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if n != "" && hasConsent(cs, ConsentShare, strings.TrimSpace(n)) {
			return ac.client, nil
		}
	}
	who := ""
	if len(names) > 0 {
		who = names[len(names)-1]
	}
	return ac.client, waymark.FieldErrorf(waymark.EINVALID, "consent",
		"%s has not agreed to share their details with %s. Record their consent on their record first", ac.client.Name(), who)
}

// RecordReferral puts a referral made from the record on its timeline (its
// RefID is the referral's ID, which the letter and the export follow).
// Errors: as Client.
func (s *Service) RecordReferral(ctx context.Context, clientID, referralID, serviceName string) error {
	ac, err := s.openWrite(ctx, clientID)
	if err != nil {
		return err
	}
	e := s.entry(ctx, clientID, KindReferral, "Referred to "+serviceName)
	e.RefID = referralID
	if err := s.store.AddEntry(ctx, e); err != nil {
		return fmt.Errorf("record referral: %w", err)
	}
	return s.auditAccess(ctx, ac, "client.referral", referralID)
}

// withReferralNews adds to a timeline (newest first) what happened to the
// referrals made from the record after they were sent: an entry for each
// change of status (accepted, declined with the reason, attended or not,
// closed, cancelled) with when and who, and one for each message in the
// referral's thread. The sending itself is the record's own referral entry.
// When the timeline was cut at its limit (cut), news older than its oldest
// entry is left out with the entries it would sit among.
func withReferralNews(timeline []Entry, refs []ReferralMade, cut bool) []Entry {
	var news []Entry
	for _, rf := range refs {
		for _, ev := range rf.Events {
			if ev.From == "" {
				continue // sent: the record's "Referred to" entry
			}
			news = append(news, Entry{Kind: KindReferral, At: ev.At, AuthorName: referralActor(ev, rf),
				Summary: "Referral to " + rf.Service + ": " + ev.ToLabel, Note: ev.Note, RefID: rf.ID})
		}
		for _, m := range rf.Messages {
			news = append(news, Entry{Kind: KindReferral, At: m.At, AuthorName: m.Author,
				Summary: "Message about the referral to " + rf.Service, Note: m.Body, RefID: rf.ID})
		}
	}
	if cut && len(timeline) > 0 {
		oldest := timeline[len(timeline)-1].At
		news = slices.DeleteFunc(news, func(e Entry) bool { return e.At.Before(oldest) })
	}
	if len(news) == 0 {
		return timeline
	}
	out := append(append(make([]Entry, 0, len(timeline)+len(news)), timeline...), news...)
	slices.SortStableFunc(out, func(a, b Entry) int { return b.At.Compare(a.At) })
	return out
}

// referralActor says who changed a referral: the person and, for a
// provider, their organisation; Waymark for its automatic rules.
func referralActor(ev ReferralEvent, rf ReferralMade) string {
	switch {
	case ev.By == "system":
		return "Waymark (automatically)"
	case ev.By == "provider" && ev.ActorName != "" && rf.Organisation != "":
		return ev.ActorName + ", " + rf.Organisation
	case ev.By == "provider" && ev.ActorName == "":
		return rf.Organisation
	}
	return ev.ActorName
}
