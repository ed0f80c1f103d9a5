package freshness_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"waymark"
	"waymark/internal/freshness"
)

// TestAManualChecksNoteIsCleanText: the moderator's note is read by
// input.Lines, so a control character is refused on the note field before
// anything is looked up.
func TestAManualChecksNoteIsCleanText(t *testing.T) {
	t.Parallel()
	m := freshness.NewManualChecks(nil, nil, nil, freshness.ManualConfig{}, time.Now, func() string { return "c1" }, slog.New(slog.DiscardHandler))
	mod := waymark.WithActor(context.Background(), waymark.Actor{UserID: "m1", Roles: []waymark.Role{waymark.RoleModerator}})
	var e *waymark.Error
	if err := m.Record(mod, "s1", freshness.OutcomeRunning, "Spoke to Jan\x1b[2J"); !errors.As(err, &e) || e.Code != waymark.EINVALID || e.Field != "note" {
		t.Errorf("a note with a control character: %v, want EINVALID on the note", err)
	}
}
