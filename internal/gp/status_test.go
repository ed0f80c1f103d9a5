package gp

import (
	"testing"
	"time"
)

func TestStatusFollowsTheWaitingListTheRecordAndTheMarketplaceReferral(t *testing.T) {
	decided := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	before, after := decided.Add(-24*time.Hour), decided.Add(24*time.Hour)
	for _, c := range []struct {
		name       string
		toTeam     bool
		p          Progress
		want       Status
		wantReason string
	}{
		{"on the waiting list", true, Progress{IncomingStatus: "waiting"}, StatusRequested, ""},
		{"declined by the team", true, Progress{IncomingStatus: "declined", IncomingDeclineReason: "Moved away"}, StatusRejected, "Moved away"},
		{"accepted, record waiting", true, Progress{IncomingStatus: "accepted", IncomingDecidedAt: &decided, ClientStatus: "waiting"}, StatusAccepted, ""},
		{"record active", true, Progress{IncomingStatus: "accepted", IncomingDecidedAt: &decided, ClientStatus: "active"}, StatusInProgress, ""},
		{"record on hold", true, Progress{IncomingStatus: "accepted", IncomingDecidedAt: &decided, ClientStatus: "on_hold"}, StatusInProgress, ""},
		{"discharged since", true, Progress{IncomingStatus: "accepted", IncomingDecidedAt: &decided, ClientStatus: "discharged",
			ClientDischargedAt: &after, ClientDischargeReason: "goals_met"}, StatusCompleted, "Discharged: Goals met"},
		{"accepted into a record discharged before", true, Progress{IncomingStatus: "accepted", IncomingDecidedAt: &decided,
			ClientStatus: "discharged", ClientDischargedAt: &before}, StatusAccepted, ""},
		{"sent", false, Progress{MarketStatus: "sent"}, StatusRequested, ""},
		{"accepted by the service", false, Progress{MarketStatus: "accepted"}, StatusAccepted, ""},
		{"declined by the service", false, Progress{MarketStatus: "declined", MarketDeclineReason: "criteria"}, StatusRejected, "The person does not meet who the service is for"},
		{"declined automatically", false, Progress{MarketStatus: "auto_declined"}, StatusRejected, "The service did not respond in time"},
		{"cancelled", false, Progress{MarketStatus: "cancelled"}, StatusCancelled, ""},
		{"attended", false, Progress{MarketStatus: "attended"}, StatusCompleted, "Attended"},
		{"did not attend", false, Progress{MarketStatus: "did_not_attend"}, StatusCompleted, "Did not attend"},
		{"closed after attending", false, Progress{MarketStatus: "closed", MarketAttendance: "attended"}, StatusCompleted, "Attended"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, reason := c.p.status(c.toTeam)
			if got != c.want || reason != c.wantReason {
				t.Errorf("got %s %q, want %s %q", got, reason, c.want, c.wantReason)
			}
		})
	}
}

func TestAPathwayAllowsEveryPracticeOrOnlyThoseListed(t *testing.T) {
	var none *Pathway
	all := &Pathway{Enabled: true}
	some := &Pathway{Enabled: true, Practices: []string{"C81001"}}
	off := &Pathway{Practices: []string{"C81001"}}
	for _, c := range []struct {
		p    *Pathway
		ods  string
		want bool
	}{{none, "C81001", false}, {all, "C81002", true}, {some, "c81001", true}, {some, "C81002", false}, {off, "C81001", false}} {
		if got := c.p.Allows(c.ods); got != c.want {
			t.Errorf("%+v allows %q: %v, want %v", c.p, c.ods, got, c.want)
		}
	}
}
