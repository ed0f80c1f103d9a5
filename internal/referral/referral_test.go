package referral_test

import (
	"fmt"
	"testing"

	"waymark"
	"waymark/internal/referral"
)

// allowed lists, independently of the package's table, every change each
// party may make. Everything else must be refused.
var allowed = map[string]bool{
	"sent>accepted by provider":           true,
	"sent>declined by provider":           true,
	"sent>auto_declined by system":        true,
	"sent>cancelled by referrer":          true,
	"accepted>attended by provider":       true,
	"accepted>did_not_attend by provider": true,
	"accepted>cancelled by referrer":      true,
	"accepted>closed by provider":         true,
	"attended>closed by provider":         true,
	"attended>closed by referrer":         true,
	"did_not_attend>closed by provider":   true,
	"did_not_attend>closed by referrer":   true,
}

func TestEveryTransitionIsAllowedOrRefused(t *testing.T) {
	parties := []referral.Party{referral.PartyProvider, referral.PartyReferrer, referral.PartySystem}
	for _, from := range referral.Statuses {
		for _, to := range referral.Statuses {
			for _, by := range parties {
				key := fmt.Sprintf("%s>%s by %s", from, to, by)
				err := referral.Transition(from, to, by, "a reason")
				if allowed[key] && err != nil {
					t.Errorf("%s: refused (%v), want allowed", key, err)
				}
				if !allowed[key] && err == nil {
					t.Errorf("%s: allowed, want refused", key)
				}
				if !allowed[key] {
					code := waymark.ErrorCode(err)
					if code != waymark.EFORBIDDEN && code != waymark.EINVALID {
						t.Errorf("%s: error code %s", key, code)
					}
				}
			}
		}
	}
}

func TestDecliningNeedsAReason(t *testing.T) {
	if err := referral.Transition(referral.StatusSent, referral.StatusDeclined, referral.PartyProvider, "  "); waymark.ErrorCode(err) != waymark.EINVALID {
		t.Errorf("decline without a reason: %v", err)
	}
}

func TestWrongPartyIsForbiddenButImpossibleChangesAreInvalid(t *testing.T) {
	if err := referral.Transition(referral.StatusSent, referral.StatusAccepted, referral.PartyReferrer, ""); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
		t.Errorf("referrer accepting: %v, want EFORBIDDEN", err)
	}
	if err := referral.Transition(referral.StatusClosed, referral.StatusSent, referral.PartyProvider, ""); waymark.ErrorCode(err) != waymark.EINVALID {
		t.Errorf("reopening a closed referral: %v, want EINVALID", err)
	}
}

func TestTerminalStatuses(t *testing.T) {
	for s, want := range map[referral.Status]bool{referral.StatusSent: false, referral.StatusAccepted: false, referral.StatusDeclined: true,
		referral.StatusAutoDeclined: true, referral.StatusCancelled: true, referral.StatusClosed: true, referral.StatusAttended: false} {
		if got := s.Terminal(); got != want {
			t.Errorf("%s.Terminal() = %v, want %v", s, got, want)
		}
	}
}

func TestDefaultRulesFollowTheReference(t *testing.T) {
	r := referral.DefaultRules
	if r.AutoDeclineAfter.Hours() != 30*24 || r.PauseAfterDeclines != 5 || len(r.RemindAfter) != 3 || r.AskAttendanceAfter.Hours() != 14*24 {
		t.Errorf("defaults: %+v", r)
	}
}
