package casework_test

import (
	"testing"
	"time"

	"waymark/internal/casework"
)

func TestWorkingDaysSkipWeekends(t *testing.T) {
	mon := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) // a Monday
	for _, c := range []struct {
		to   time.Time
		want int
	}{
		{mon, 0},
		{mon.Add(23 * time.Hour), 1},                // Tuesday
		{mon.AddDate(0, 0, 4), 4},                   // Friday
		{mon.AddDate(0, 0, 6), 4},                   // Sunday
		{mon.AddDate(0, 0, 7), 5},                   // next Monday
		{mon.AddDate(0, 0, 14), 10},                 // two weeks
		{mon.AddDate(0, 0, 15), 11},                 // past the default target
		{mon.AddDate(0, 0, 14).Add(-time.Hour), 10}, // same day, earlier
	} {
		if got := casework.WorkingDays(mon, c.to); got != c.want {
			t.Errorf("WorkingDays(Mon, %s) = %d, want %d", c.to.Format("Mon 2 Jan 15:04"), got, c.want)
		}
	}
}
