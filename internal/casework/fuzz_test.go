package casework_test

import (
	"strconv"
	"strings"
	"testing"

	"waymark/internal/casework"
)

// FuzzParseDate checks reading a date from the day, month and year boxes
// of a form (an anonymous referral's date of birth among them): it never
// panics, and a date it accepts is the one the boxes hold, from year 1000.
func FuzzParseDate(f *testing.F) {
	for _, s := range [][3]string{{"15", "3", "1948"}, {"29", "2", "2023"}, {"31", "4", "2026"}, {" 1", "01 ", "0999"}, {"1", "1", "99999"}, {"-1", "1", "2000"}, {"\x00", "1", "2000"}} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, day, month, year string) {
		d, ok := casework.ParseDate(day, month, year)
		if !ok {
			return
		}
		for _, c := range []struct {
			box  string
			want int
		}{{day, d.Day()}, {month, int(d.Month())}, {year, d.Year()}} {
			if n, err := strconv.Atoi(strings.TrimSpace(c.box)); err != nil || n != c.want {
				t.Fatalf("ParseDate(%q, %q, %q) = %v", day, month, year, d)
			}
		}
		if d.Year() < 1000 {
			t.Fatalf("ParseDate(%q, %q, %q) = %v, before year 1000", day, month, year, d)
		}
	})
}
