package sitecheck

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestExtractSkipsInvisibleTextAndFindsTitle(t *testing.T) {
	body := `<!doctype html><html><head><title> Hope  Centre
	walking group </title><style>p{color:red}</style><script>var x = "hidden";</script></head>
	<body><noscript>Enable JS</noscript><template><p>tpl</p></template>
	<h1>Walking&nbsp;group</h1><p>Meet <b>every</b>   week.</p><p>Bring<br>boots</p>
	<svg><title>icon</title></svg></body></html>`
	p, err := Extract([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Title, "Hope Centre walking group"; got != want {
		t.Errorf("Title = %q, want %q", got, want)
	}
	if got, want := p.Text, "Walking group Meet every week. Bring boots"; got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
}

func TestExtractContactDetails(t *testing.T) {
	body := `<html><body>
	<p>Call 01332 123456 or (01629) 580000, mobile 07700-900123, London +44 (0)20 7946 0000,
	freephone 0800 123 4567, or <a href="tel:+441159 496000">tap here</a>.</p>
	<p>Not phones: charity 01234567, ref 0123456789012345, 01/02/2025, 09:00-17:00.</p>
	<p>Email Hello@Example.org. or <a href="mailto:Bookings@Example.org?subject=Hi">book</a>
	<a href="mailto:a%40b.org,c@d.co.uk">two</a></p>
	<p>Find us at The Hall, Matlock DE4 3AG, or at DE451AH. Not postcodes: de4 3ag, AB1, ZZ99 9ZZX.</p>
	<table><tr><td>Monday</td><td>9am–5pm</td></tr><tr><td>Sat:</td><td>10:00 - 12.30</td></tr></table>
	<p>Mon-Fri 09:00-17:00. Tuesdays from 1 to 4pm. Sunday closed. Monday to Thursday 9-5.</p>
	<p>Updated 14:32 on 3 March 2025.</p>
	</body></html>`
	p, err := Extract([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, got, want []string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	check("Phones", p.Phones, []string{"01159496000", "01332123456", "01629580000", "02079460000", "07700900123", "08001234567"})
	check("Emails", p.Emails, []string{"a@b.org", "bookings@example.org", "c@d.co.uk", "hello@example.org"})
	check("Postcodes", p.Postcodes, []string{"DE4 3AG", "DE45 1AH"})
	check("OpeningTimes", p.OpeningTimes, []string{
		"Mon 09:00-17:00", "Mon-Fri 09:00-17:00", "Mon-Thu 09:00-17:00", "Sat 10:00-12:30", "Sun closed", "Tue 13:00-16:00",
	})
}

func TestNormalizePhoneUsesTheSharedRule(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"01332 123456", "01332123456", true},
		{"+44 (0)1332 123456", "01332123456", true},
		{"0800 123 456", "0800123456", true},
		{"06123 456789", "", false},
		{"+1 212 555 0100", "", false},
	}
	for _, tt := range tests {
		got, ok := normalizePhone(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("normalizePhone(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	if got := FormatPhone("01332123456"); got != "01332 123456" {
		t.Errorf("FormatPhone = %q", got)
	}
}

func TestTimeRangeGuessesMissingAmPm(t *testing.T) {
	tests := []struct{ a, b, start, end string }{
		{"9am", "5pm", "09:00", "17:00"},
		{"9", "5pm", "09:00", "17:00"},
		{"1", "4pm", "13:00", "16:00"},
		{"12", "2pm", "12:00", "14:00"},
		{"9", "5", "09:00", "17:00"},
		{"09:00", "17:30", "09:00", "17:30"},
		{"10.30 a.m.", "12 p.m.", "10:30", "12:00"},
		{"12am", "6am", "00:00", "06:00"},
	}
	for _, tt := range tests {
		start, end, ok := timeRange(tt.a, tt.b)
		if !ok || start != tt.start || end != tt.end {
			t.Errorf("timeRange(%q, %q) = %q, %q, %v; want %q, %q", tt.a, tt.b, start, end, ok, tt.start, tt.end)
		}
	}
	if _, _, ok := timeRange("25:00", "26:00"); ok {
		t.Error("timeRange accepted hours past 23")
	}
}

func FuzzExtract(f *testing.F) {
	f.Add([]byte(`<html><head><title>T</title></head><body><p>Call 01332 123456, DE4 3AG, Mon-Fri 9am-5pm</p><a href="mailto:a@b.org">x</a></body></html>`))
	f.Add([]byte(`<a href="tel:+44 (0)20 7946 0000">`))
	f.Add([]byte("<p>\xff\xfeSat 12am - 12pm</p><svg><title>x</title></svg>"))
	f.Add([]byte(strings.Repeat("<div>", 1000)))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := Extract(body)
		if err != nil {
			return
		}
		for _, s := range [][]string{p.Phones, p.Emails, p.Postcodes, p.OpeningTimes} {
			if !slices.IsSorted(s) || len(slices.Compact(slices.Clone(s))) != len(s) {
				t.Fatalf("not a sorted set: %q", s)
			}
		}
		for _, ph := range p.Phones {
			if ph[0] != '0' || len(ph) < 10 || len(ph) > 11 {
				t.Fatalf("bad phone %q", ph)
			}
		}
		if !utf8.ValidString(p.Text) || !utf8.ValidString(p.Title) {
			t.Fatal("text is not valid UTF-8")
		}
		if strings.Contains(p.Text, "  ") || strings.TrimSpace(p.Text) != p.Text {
			t.Fatalf("white space not collapsed: %q", p.Text)
		}
	})
}

// benchPage returns an HTML page of about size bytes, like a charity's
// long page: headings, paragraphs, lists of contact details and a script.
func benchPage(size int) []byte {
	var b strings.Builder
	b.WriteString(`<!doctype html><html><head><title>Hope Centre: groups and activities</title>
<script>window.dataLayer = [];</script><style>body{font:1em sans-serif}</style></head><body>`)
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, `<section><h2>Group %d</h2><p>Our friendly walking group meets every week at the
community hall. Everyone is welcome, whatever your fitness. Bring sturdy shoes and a drink.</p>
<ul><li>Call <a href="tel:01332%06d">01332 %06d</a></li><li>Email <a href="mailto:group%d@hope.org.uk">group%d@hope.org.uk</a></li>
<li>The Hall, Matlock DE4 3AG</li><li>Mon-Fri 9am–5pm, Saturday 10:00-12:00</li></ul></section>`, i, i, i, i, i)
	}
	b.WriteString(`</body></html>`)
	return []byte(b.String())
}

func BenchmarkExtract(b *testing.B) {
	page := benchPage(100 << 10)
	b.SetBytes(int64(len(page)))
	for b.Loop() {
		if _, err := Extract(page); err != nil {
			b.Fatal(err)
		}
	}
}
