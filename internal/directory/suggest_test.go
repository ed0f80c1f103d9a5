package directory

import "testing"

func TestEditDistanceCountsSwapsAsOne(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"walkng", "walking", 1}, {"wlaking", "walking", 1}, {"walking", "walking", 0}, {"debt", "dept", 1}, {"art", "yoga", 4}, {"", "abc", 3},
	} {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestClosestPrefersTheNearestThenTheMostUsedWord(t *testing.T) {
	words := map[string]int{"walking": 9, "walks": 3, "talking": 1, "singing": 4}
	for in, want := range map[string]string{"walkng": "walking", "talkng": "talking", "zzzzzz": "", "singng": "singing"} {
		if got := closest(in, words); got != want {
			t.Errorf("closest(%q) = %q, want %q", in, got, want)
		}
	}
}
