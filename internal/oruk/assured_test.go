package oruk_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

// A check that confirms an entry (the website checker, a moderator or the
// provider's link) moves its assured_date.
func TestAssuredDateFollowsTheLastConfirmation(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newAPISite(t, db)
		assured := func(id string) (string, bool) {
			t.Helper()
			status, body, _ := s.get(t, "/api/oruk/services/"+id)
			if status != 200 {
				t.Fatalf("GET service = %d", status)
			}
			var v map[string]any
			if err := json.Unmarshal(body, &v); err != nil {
				t.Fatal(err)
			}
			d, ok := v["assured_date"].(string)
			return d, ok
		}
		if d, _ := assured(s.full.ID); d != "2026-10-01" {
			t.Errorf("assured_date = %q, want 2026-10-01", d)
		}
		if d, ok := assured(s.mini.ID); ok {
			t.Errorf("never confirmed: assured_date = %q, want none", d)
		}
		at := time.Date(2026, 11, 20, 23, 30, 0, 0, time.UTC)
		if err := sqlstore.NewFreshnessStore(db).MarkAssured(context.Background(), s.mini.ID, at); err != nil {
			t.Fatal(err)
		}
		if d, _ := assured(s.mini.ID); d != "2026-11-20" {
			t.Errorf("after a check: assured_date = %q, want 2026-11-20", d)
		}
	})
}
