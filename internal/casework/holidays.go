package casework

import "time"

// BankHoliday reports whether the date is a bank holiday in England and
// Wales, where the teams work: New Year's Day, Good Friday, Easter Monday,
// the early May, spring and summer bank holidays, Christmas Day and Boxing
// Day, each moved to the next weekday not already a holiday when it falls
// at a weekend, with the moved and extra days proclaimed since 2011 (royal
// wedding, jubilees, the state funeral, the coronation, VE day's 75th
// anniversary), as GOV.UK lists them.
func BankHoliday(year int, month time.Month, day int) bool {
	d := time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
	for _, h := range bankHolidays(year) {
		if h.Equal(d) {
			return true
		}
	}
	return false
}

// proclaimed are the bank holidays moved or added by proclamation since
// 2011: the year's usual date (zero when one was only added) and its
// replacement.
var proclaimed = []struct{ moved, to time.Time }{
	{time.Time{}, date(2011, time.April, 29)},            // royal wedding
	{date(2012, time.May, 28), date(2012, time.June, 4)}, // spring, for the diamond jubilee
	{time.Time{}, date(2012, time.June, 5)},              // diamond jubilee
	{date(2020, time.May, 4), date(2020, time.May, 8)},   // early May, for VE day
	{date(2022, time.May, 30), date(2022, time.June, 2)}, // spring, for the platinum jubilee
	{time.Time{}, date(2022, time.June, 3)},              // platinum jubilee
	{time.Time{}, date(2022, time.September, 19)},        // state funeral of Queen Elizabeth II
	{time.Time{}, date(2023, time.May, 8)},               // coronation of King Charles III
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// bankHolidays lists a year's bank holidays in England and Wales.
func bankHolidays(year int) []time.Time {
	easter := easterSunday(year)
	mondayOnOrAfter := func(d time.Time) time.Time {
		for d.Weekday() != time.Monday {
			d = d.AddDate(0, 0, 1)
		}
		return d
	}
	lastMonday := func(m time.Month) time.Time {
		d := date(year, m+1, 1).AddDate(0, 0, -1)
		for d.Weekday() != time.Monday {
			d = d.AddDate(0, 0, -1)
		}
		return d
	}
	var hs []time.Time
	// add puts a holiday on its day, or on the next weekday not already one.
	add := func(d time.Time) {
		for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday || containsDay(hs, d) {
			d = d.AddDate(0, 0, 1)
		}
		hs = append(hs, d)
	}
	add(date(year, time.January, 1))
	hs = append(hs, easter.AddDate(0, 0, -2), easter.AddDate(0, 0, 1))
	hs = append(hs, mondayOnOrAfter(date(year, time.May, 1)), lastMonday(time.May), lastMonday(time.August))
	add(date(year, time.December, 25))
	add(date(year, time.December, 26))
	for _, p := range proclaimed {
		if p.to.Year() != year {
			continue
		}
		if !p.moved.IsZero() {
			for i, h := range hs {
				if h.Equal(p.moved) {
					hs = append(hs[:i], hs[i+1:]...)
					break
				}
			}
		}
		hs = append(hs, p.to)
	}
	return hs
}

func containsDay(ds []time.Time, d time.Time) bool {
	for _, x := range ds {
		if x.Equal(d) {
			return true
		}
	}
	return false
}

// easterSunday is Easter Day in the Gregorian calendar (the anonymous
// Gregorian algorithm, also known as Meeus/Jones/Butcher).
func easterSunday(year int) time.Time {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return date(year, time.Month(month), day)
}
