package input

import (
	"strings"
	"testing"
	"unicode/utf8"

	"waymark"
)

func TestLineRefusesControlCharactersBadUTF8LineBreaksAndLongText(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"  Walking group  ", "Walking group", true},
		{"Tab\tinside", "Tab\tinside", true},
		{" مرحبا \u200f", "مرحبا \u200f", true},
		{"", "", true},
		{"nul\x00byte", "", false},
		{"bell\x07", "", false},
		{"del\x7f", "", false},
		{"c1\u0085", "", false},
		{"bad \xff utf8", "", false},
		{"two\nlines", "", false},
		{"carriage\rreturn", "", false},
		{strings.Repeat("a", 13), strings.Repeat("a", 13), true},
		{strings.Repeat("é", 14), "", false},
	}
	for _, tt := range tests {
		got, err := Line("Title", tt.in, 13)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("Line(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && (waymark.ErrorCode(err) != waymark.EINVALID || !strings.HasPrefix(waymark.ErrorMessage(err), "Title ")) {
			t.Errorf("Line(%q) error = %v, want EINVALID naming the title", tt.in, err)
		}
	}
	if _, err := Line("Description", strings.Repeat("x", 10001), 10000); waymark.ErrorMessage(err) != "Description must be 10,000 characters or fewer" {
		t.Errorf("long description: %v", err)
	}
}

func TestLinesKeepsLineBreaksAsNewLines(t *testing.T) {
	got, err := Lines("Message", " first\r\nsecond\rthird\n\tindented \n", 0)
	if err != nil || got != "first\nsecond\nthird\n\tindented" {
		t.Errorf("Lines = %q, %v", got, err)
	}
	for _, in := range []string{"a\x00b", "a\x1bb", "\xc3\x28"} {
		if _, err := Lines("Message", in, 0); err == nil {
			t.Errorf("Lines(%q) accepted", in)
		}
	}
}

func TestEmail(t *testing.T) {
	tests := []struct{ in, want string }{
		{" Hello@Example.ORG ", "Hello@example.org"},
		{"mailto:bookings@example.org", "bookings@example.org"},
		{"a.b+c@sub.example.co.uk", "a.b+c@sub.example.co.uk"},
		{"Name <a@example.org>", ""},
		{"a@localhost", ""},
		{"a@example.123", ""},
		{"a b@example.org", ""},
		{"a@exa\x00mple.org", ""},
		{"@example.org", ""},
		{strings.Repeat("a", 65) + "@example.org", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, err := Email(tt.in)
		if got != tt.want || (err == nil) != (tt.want != "") {
			t.Errorf("Email(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestPhoneAcceptsUKNumbersWrittenAnyUsualWay(t *testing.T) {
	tests := []struct{ in, want string }{
		{"01332 123456", "01332123456"},
		{"+44 1332 123456", "01332123456"},
		{"+44 (0)1332 123456", "01332123456"},
		{"0044 1332 123456", "01332123456"},
		{"(01629) 580000", "01629580000"},
		{"07700 900123", "07700900123"},
		{"01632 960 001", "01632960001"},
		{"07911 123456", "07911123456"},
		{"0800 123 456", "0800123456"},
		{"0300-123-4567", "03001234567"},
		{"020 7946 000", ""},
		{"06123 456789", ""},
		{"+1 212 555 0100", ""},
		{"0133212345678", ""},
		{"01332 12345x", ""},
		{"", ""},
		{strings.Repeat("0", 100), ""},
	}
	for _, tt := range tests {
		got, err := Phone(tt.in)
		if got != tt.want || (err == nil) != (tt.want != "") {
			t.Errorf("Phone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestFormatPhone(t *testing.T) {
	for in, want := range map[string]string{
		"01332123456": "01332 123456",
		"02079460000": "020 7946 0000",
		"01134960000": "0113 496 0000",
		"01614960000": "0161 496 0000",
		"07700900123": "07700 900123",
		"03001234567": "0300 123 4567",
		"08001234567": "0800 123 4567",
		"0800123456":  "0800 123456",
		"not a phone": "not a phone",
	} {
		if got := FormatPhone(in); got != want {
			t.Errorf("FormatPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWebsite(t *testing.T) {
	tests := []struct{ in, want string }{
		{"www.Example.org", "https://www.example.org"},
		{"http://example.org/walks?day=tu", "http://example.org/walks?day=tu"},
		{" https://EXAMPLE.org/Path ", "https://example.org/Path"},
		{"javascript:alert(1)", ""},
		{"ftp://example.org", ""},
		{"https://user:pw@example.org", ""},
		{"https://localhost", ""},
		{"https://exa mple.org", ""},
		{"https://example.org/\x00", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, err := Website(tt.in)
		if got != tt.want || (err == nil) != (tt.want != "") {
			t.Errorf("Website(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestKeywords(t *testing.T) {
	got, err := Keywords(" walking, Walking; health walk\n, ,fresh air ")
	if err != nil || strings.Join(got, "|") != "walking|health walk|fresh air" {
		t.Errorf("Keywords = %q, %v", got, err)
	}
	if _, err := Keywords(strings.Repeat("k,", 31) + "x"); err != nil {
		t.Errorf("repeated keywords count once: %v", err)
	}
	many := make([]string, 31)
	for i := range many {
		many[i] = strings.Repeat("k", i+1)
	}
	for _, in := range []string{strings.Join(many, ","), strings.Repeat("x", 51), "a\x00b"} {
		if _, err := Keywords(in); err == nil {
			t.Errorf("Keywords(%.20q) accepted", in)
		}
	}
}

func TestPostcodeAndArea(t *testing.T) {
	if pc, err := Postcode(" de45 1ah "); err != nil || pc.String() != "DE45 1AH" {
		t.Errorf("Postcode = %v, %v", pc, err)
	}
	if _, err := Postcode("DE45"); err == nil {
		t.Error("Postcode accepted an outward code alone")
	}
	if pc, err := Area("de45"); err != nil || pc.String() != "DE45" {
		t.Errorf("Area = %v, %v", pc, err)
	}
	var p waymark.Problems
	_, err := Postcode("DE45 1AH\x00")
	if !p.Check("postcode", err) || p.Get("postcode") == "" {
		t.Errorf("a postcode with a NUL: %v", err)
	}
}

func TestNeutraliseFormula(t *testing.T) {
	tests := []struct{ in, want string }{
		{`=HYPERLINK("https://evil.example","Click")`, `'=HYPERLINK("https://evil.example","Click")`},
		{"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1:A2)", "'@SUM(A1:A2)"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"+44 1332 123456", "'+44 1332 123456"},
		{"-5", "-5"},
		{"+2.5", "+2.5"},
		{"Walking group", "Walking group"},
		{"a=b", "a=b"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := NeutraliseFormula(tt.in); got != tt.want {
			t.Errorf("NeutraliseFormula(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// textOK reports whether s is what every checker may return: valid UTF-8
// with no control character other than tab and new line.
func textOK(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, Control)
}

func FuzzLine(f *testing.F) {
	for _, s := range []string{"Walking group", " a\tb ", "a\x00b", "\xff", "two\nlines", "\r\n", strings.Repeat("é", 20)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, multi := range []bool{false, true} {
			clean := Line
			if multi {
				clean = Lines
			}
			got, err := clean("Text", s, 12)
			if err != nil {
				if waymark.ErrorCode(err) != waymark.EINVALID {
					t.Fatalf("error %v is not EINVALID", err)
				}
				continue
			}
			if !textOK(got) || utf8.RuneCountInString(got) > 12 || (!multi && strings.ContainsRune(got, '\n')) {
				t.Fatalf("clean(%q, multiline %v) = %q", s, multi, got)
			}
			if again, err := clean("Text", got, 12); err != nil || again != got {
				t.Fatalf("not idempotent: %q then %q, %v", got, again, err)
			}
			if Check("Text", got) != nil {
				t.Fatalf("Check refuses cleaned text %q", got)
			}
		}
	})
}

func FuzzEmail(f *testing.F) {
	for _, s := range []string{"a@example.org", "mailto:A@B.co.uk", "<a@b.org>", "a@b", "\"a b\"@example.org", "a@exa\x00mple.org"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Email(s)
		if err != nil {
			return
		}
		if !textOK(got) || len(got) > MaxEmailLength || strings.ContainsFunc(got, func(r rune) bool { return r == ' ' || r == '<' || r == '\n' }) {
			t.Fatalf("Email(%q) = %q", s, got)
		}
		if again, err := Email(got); err != nil || again != got {
			t.Fatalf("not idempotent: %q then %q, %v", got, again, err)
		}
	})
}

func FuzzPhone(f *testing.F) {
	for _, s := range []string{"01332 123456", "+44 (0)1332 123456", "0800 123 456", "+1 212 555 0100", "((0))", "+44+44"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Phone(s)
		if err != nil {
			return
		}
		if len(got) < 10 || len(got) > 11 || got[0] != '0' || strings.Trim(got, "0123456789") != "" {
			t.Fatalf("Phone(%q) = %q", s, got)
		}
		if again, err := Phone(FormatPhone(got)); err != nil || again != got {
			t.Fatalf("formatted %q reads back as %q, %v", FormatPhone(got), again, err)
		}
	})
}

func FuzzWebsite(f *testing.F) {
	for _, s := range []string{"www.example.org", "https://example.org/a?b=c#d", "javascript:alert(1)", "http://[::1]/", "https://a@b.org", "//example.org"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Website(s)
		if err != nil {
			return
		}
		if !textOK(got) || !(strings.HasPrefix(got, "https://") || strings.HasPrefix(got, "http://")) || strings.ContainsAny(got, " \n") {
			t.Fatalf("Website(%q) = %q", s, got)
		}
		if again, err := Website(got); err != nil || again != got {
			t.Fatalf("not idempotent: %q then %q, %v", got, again, err)
		}
	})
}

func FuzzKeywords(f *testing.F) {
	for _, s := range []string{"walking, health walk", "a;b\nc", ",,,", "x\x00y", strings.Repeat("k,", 40)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Keywords(s)
		if err != nil {
			return
		}
		if len(got) > MaxKeywords {
			t.Fatalf("%d keywords", len(got))
		}
		for _, k := range got {
			if k == "" || !textOK(k) || strings.ContainsAny(k, ",;\n") || utf8.RuneCountInString(k) > MaxKeywordLength {
				t.Fatalf("Keywords(%q) gave %q", s, k)
			}
		}
		if again, err := Keywords(strings.Join(got, ", ")); err != nil || strings.Join(again, "|") != strings.Join(got, "|") {
			t.Fatalf("not idempotent: %q then %q, %v", got, again, err)
		}
	})
}

func FuzzPostcode(f *testing.F) {
	for _, s := range []string{"DE45 1AH", "de451ah", "DE45", "GIR 0AA", "D\x00E4", "ＤＥ４"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pc, err := Area(s)
		if err != nil {
			return
		}
		if again, err := Area(pc.String()); err != nil || again != pc {
			t.Fatalf("Area(%q) = %v, which reads back as %v, %v", s, pc, again, err)
		}
		if full, err := Postcode(s); (err == nil) != pc.Full() || (err == nil && full != pc) {
			t.Fatalf("Postcode(%q) = %v, %v but Area gave %v", s, full, err, pc)
		}
	})
}

func FuzzNeutraliseFormula(f *testing.F) {
	for _, s := range []string{"=1+1", "-5", "+44 1332", "@x", "\t=x", "plain"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := NeutraliseFormula(s)
		if got != s && got != "'"+s {
			t.Fatalf("NeutraliseFormula(%q) = %q changes more than a prefix", s, got)
		}
		if got != "" && strings.ContainsRune("=+-@\t\r", rune(got[0])) && !decimal(got[1:]) {
			t.Fatalf("NeutraliseFormula(%q) = %q still starts a formula", s, got)
		}
		if NeutraliseFormula(got) != got {
			t.Fatalf("not idempotent on %q", s)
		}
	})
}
