package directory_test

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"waymark/internal/directory"
)

func TestParseSearchDefaults(t *testing.T) {
	q, errs := directory.ParseSearch(url.Values{})
	if errs.Len() != 0 {
		t.Fatalf("errors for an empty search: %v", errs)
	}
	want := directory.SearchQuery{Sort: directory.SortRelevance, Page: 1, PerPage: directory.DefaultPerPage, RadiusMiles: directory.DefaultRadius}
	if !reflect.DeepEqual(q, want) {
		t.Errorf("got %+v, want %+v", q, want)
	}
}

func TestParseSearchAcceptsEveryValidField(t *testing.T) {
	v := url.Values{"q": {"  walking   group "}, "category": {"physical-activity"}, "free": {"1"},
		"referral": {"self"}, "postcode": {"de4 3ag"}, "radius": {"5"}, "sort": {"distance"}, "page": {"3"}}
	q, errs := directory.ParseSearch(v)
	if errs.Len() != 0 {
		t.Fatalf("errors: %v", errs)
	}
	want := directory.SearchQuery{Text: "walking group", Category: "physical-activity", FreeOnly: true,
		ReferralType: directory.ReferralSelf, Postcode: "de4 3ag", RadiusMiles: 5, Sort: directory.SortDistance,
		Page: 3, PerPage: directory.DefaultPerPage}
	if !reflect.DeepEqual(q, want) {
		t.Errorf("got %+v, want %+v", q, want)
	}
}

func TestParseSearchRejectsBadInputWithAMessagePerField(t *testing.T) {
	tests := []struct {
		name, field, value string
	}{
		{"over-long keywords", "q", strings.Repeat("walk ", 60)},
		{"invalid UTF-8", "q", "walk\xff"},
		{"category with odd characters", "category", "<script>"},
		{"over-long category", "category", strings.Repeat("a", 65)},
		{"free not a flag", "free", "maybe"},
		{"unknown referral type", "referral", "carrier-pigeon"},
		{"over-long postcode", "postcode", strings.Repeat("DE4", 10)},
		{"radius not offered", "radius", "7"},
		{"radius not a number", "radius", "ten"},
		{"unknown sort", "sort", "price"},
		{"page zero", "page", "0"},
		{"negative page", "page", "-1"},
		{"page not a number", "page", "two"},
		{"page too far", "page", "100000000000000000000"},
		{"page beyond the cap", "page", "501"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, errs := directory.ParseSearch(url.Values{tt.field: {tt.value}})
			if !errs.Has(tt.field) {
				t.Fatalf("no message for %s=%q (errors %v)", tt.field, tt.value, errs)
			}
			if errs.Len() != 1 {
				t.Errorf("messages for other fields too: %v", errs)
			}
			if q.Page < 1 || q.RadiusMiles < 1 {
				t.Errorf("defaults lost: %+v", q)
			}
		})
	}
}

func TestParseSearchDistanceSortNeedsAPostcode(t *testing.T) {
	q, errs := directory.ParseSearch(url.Values{"sort": {"distance"}})
	if errs.Len() != 0 || q.Sort != directory.SortRelevance {
		t.Errorf("sort without postcode = %q (errors %v), want relevance", q.Sort, errs)
	}
}

func TestTermsDropsPunctuationAndStopWords(t *testing.T) {
	q := directory.SearchQuery{Text: `Walk in the "Peak" — (tea & cake) OR NOT*`}
	if got, want := q.Terms(), []string{"walk", "peak", "tea", "cake", "not"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Terms() = %q, want %q", got, want)
	}
}

func FuzzParseSearch(f *testing.F) {
	f.Add("walking", "DE4 3AG", "10", "2", "physical-activity")
	f.Add(`"unterminated`, "", "", "-1", "")
	f.Add("NEAR(a b) AND c*", "x", "abc", "99999999999999999999", "ÄÖ")
	f.Fuzz(func(t *testing.T, text, pc, radius, page, category string) {
		q, errs := directory.ParseSearch(url.Values{"q": {text}, "postcode": {pc}, "radius": {radius}, "page": {page}, "category": {category}})
		if q.Page < 1 || q.Page > directory.MaxPage {
			t.Fatalf("page %d out of range", q.Page)
		}
		if utf8.RuneCountInString(q.Text) > directory.MaxQueryLength || !utf8.ValidString(q.Text) {
			t.Fatalf("text not bounded: %q", q.Text)
		}
		for _, term := range q.Terms() {
			for _, r := range term {
				if strings.ContainsRune(`"*()-:^+`, r) {
					t.Fatalf("term %q carries full-text syntax", term)
				}
			}
		}
		if len(q.Terms()) > 12 {
			t.Fatalf("too many terms: %d", len(q.Terms()))
		}
		for field, msg := range errs.Map() {
			if msg == "" || strings.Contains(msg, text) && text != "" && len(text) > 20 {
				t.Fatalf("field %s: message %q echoes input", field, msg)
			}
		}
	})
}
