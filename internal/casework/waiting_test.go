package casework_test

import (
	"strings"
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

func TestBankHolidaysInEnglandAndWalesAreThoseGOVUKLists(t *testing.T) {
	// GOV.UK's lists for England and Wales, substitute days included.
	want := map[int][]string{
		2022: {"01-03", "04-15", "04-18", "05-02", "06-02", "06-03", "08-29", "09-19", "12-26", "12-27"},
		2023: {"01-02", "04-07", "04-10", "05-01", "05-08", "05-29", "08-28", "12-25", "12-26"},
		2025: {"01-01", "04-18", "04-21", "05-05", "05-26", "08-25", "12-25", "12-26"},
		2026: {"01-01", "04-03", "04-06", "05-04", "05-25", "08-31", "12-25", "12-28"},
		2027: {"01-01", "03-26", "03-29", "05-03", "05-31", "08-30", "12-27", "12-28"},
	}
	for year, days := range want {
		var got []string
		for d := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() == year; d = d.AddDate(0, 0, 1) {
			if casework.BankHoliday(d.Year(), d.Month(), d.Day()) {
				got = append(got, d.Format("01-02"))
			}
		}
		if strings.Join(got, " ") != strings.Join(days, " ") {
			t.Errorf("%d: bank holidays %v, want %v", year, got, days)
		}
	}
}

func TestWorkingDaysSkipBankHolidays(t *testing.T) {
	thu := time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC) // before Easter 2026
	for _, c := range []struct {
		to   time.Time
		want int
	}{
		{thu.AddDate(0, 0, 1), 0}, // Good Friday
		{thu.AddDate(0, 0, 4), 0}, // Easter Monday
		{thu.AddDate(0, 0, 5), 1}, // Tuesday
	} {
		if got := casework.WorkingDays(thu, c.to); got != c.want {
			t.Errorf("WorkingDays(Thu 2 Apr, %s) = %d, want %d", c.to.Format("Mon 2 Jan"), got, c.want)
		}
	}
	// From Thursday 24 December 2026 to Tuesday the 29th: Christmas Day, a
	// weekend and Boxing Day moved to Monday the 28th leave one working day.
	if got := casework.WorkingDays(time.Date(2026, 12, 24, 9, 0, 0, 0, time.UTC), time.Date(2026, 12, 29, 9, 0, 0, 0, time.UTC)); got != 1 {
		t.Errorf("over Christmas 2026: %d working days, want 1", got)
	}
}
