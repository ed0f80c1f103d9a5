package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"waymark/internal/directory"
)

// parseTemplates parses each page with the shared layout, once at start-up.
func parseTemplates() (map[string]*template.Template, error) {
	layout, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	names, err := fs.Glob(templateFS, "templates/page-*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", n, err)
		}
		pages[strings.TrimSuffix(strings.TrimPrefix(path.Base(n), "page-"), ".html")] = t
	}
	return pages, nil
}

var funcs = template.FuncMap{
	"schedule": describeSchedule,
	"plural": func(n int, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return strconv.Itoa(n) + " " + many
	},
	"tel": func(number string) template.URL {
		var b strings.Builder
		for _, r := range number {
			if r >= '0' && r <= '9' || r == '+' {
				b.WriteRune(r)
			}
		}
		return template.URL("tel:" + b.String()) // digits and + only
	},
	"date": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.Format("2 January 2006")
	},
	"lines": func(s string) []string { return strings.Split(strings.TrimSpace(s), "\n") },
	"paragraphs": func(s string) []string {
		var out []string
		for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	},
	"truncate": func(s string, n int) string {
		if utf8.RuneCountInString(s) <= n {
			return s
		}
		r := []rune(s)[:n]
		if i := strings.LastIndexByte(string(r), ' '); i > n/2 {
			return string(r)[:i] + "…"
		}
		return string(r) + "…"
	},
	"serviceLink": func(id string, q directory.SearchQuery, form url.Values) string {
		v := url.Values{}
		if q.Postcode != "" {
			v.Set("postcode", q.Postcode)
		}
		if len(form) > 0 {
			v.Set("back", "/?"+form.Encode())
		}
		if len(v) == 0 {
			return "/services/" + id
		}
		return "/services/" + id + "?" + v.Encode()
	},
	"miles": func(m float64) string {
		if m < 0.1 {
			return "less than 0.1 miles"
		}
		if m == 1 {
			return "1 mile"
		}
		return strconv.FormatFloat(m, 'f', -1, 64) + " miles"
	},
	"deref": func(p *int) int {
		if p == nil {
			return 0
		}
		return *p
	},
	"money": func(p *float64) string {
		if p == nil {
			return ""
		}
		return "£" + strconv.FormatFloat(*p, 'f', 2, 64)
	},
	"ages":   describeAges,
	"access": describePathway,
	"inc":    func(n int) int { return n + 1 },
	"locationMarkers": func(s *directory.Service) string {
		type marker struct {
			Name string  `json:"name"`
			Lat  float64 `json:"lat"`
			Lon  float64 `json:"lon"`
		}
		var ms []marker
		for _, l := range s.Locations {
			ms = append(ms, marker{Name: l.Name, Lat: l.Latitude, Lon: l.Longitude})
		}
		b, _ := json.Marshal(ms)
		return string(b)
	},
	"referralOptions": func() []struct{ Value, Label string } {
		return []struct{ Value, Label string }{
			{directory.ReferralAny, "Any way"},
			{directory.ReferralSignposting, "Contact the service directly"},
			{directory.ReferralSelf, "Refer yourself online"},
			{directory.ReferralProfessional, "Referral by a GP or link worker"},
		}
	},
}

var dayNames = map[string][2]string{
	"MO": {"Monday", "Mondays"}, "TU": {"Tuesday", "Tuesdays"}, "WE": {"Wednesday", "Wednesdays"},
	"TH": {"Thursday", "Thursdays"}, "FR": {"Friday", "Fridays"}, "SA": {"Saturday", "Saturdays"}, "SU": {"Sunday", "Sundays"},
}

var ordinals = map[byte]string{'1': "First", '2': "Second", '3': "Third", '4': "Fourth", '5': "Fifth"}

// describeSchedule puts a schedule into words: "Tuesdays and Fridays, 10:00
// to 11:30", "First Wednesday of the month, 14:00 to 16:00", "Every day".
func describeSchedule(sc directory.Schedule) string {
	var when string
	days := strings.Split(sc.ByDay, ",")
	switch {
	case sc.Description != "" && sc.ByDay == "":
		return sc.Description
	case sc.Freq == "MONTHLY" && len(days) == 1 && len(days[0]) == 3:
		d := days[0]
		if name, ok := dayNames[d[1:]]; ok && ordinals[d[0]] != "" {
			when = ordinals[d[0]] + " " + name[0] + " of the month"
		}
	case len(days) == 7:
		when = "Every day"
	case sc.ByDay == "MO,TU,WE,TH,FR":
		when = "Monday to Friday"
	default:
		var names []string
		for _, d := range days {
			if n, ok := dayNames[d]; ok {
				names = append(names, n[1])
			}
		}
		switch len(names) {
		case 0:
		case 1:
			when = names[0]
		default:
			when = strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
		}
	}
	if when == "" {
		when = sc.ByDay
	}
	if sc.OpensAt != "" && sc.ClosesAt != "" {
		when += ", " + sc.OpensAt + " to " + sc.ClosesAt
	}
	if sc.Description != "" {
		when += ". " + sc.Description
	}
	return when
}

func describeAges(min, max *int) string {
	switch {
	case min != nil && max != nil:
		return fmt.Sprintf("Ages %d to %d", *min, *max)
	case min != nil:
		return fmt.Sprintf("Ages %d and over", *min)
	case max != nil:
		return fmt.Sprintf("Ages up to %d", *max)
	}
	return ""
}

// describePathway is the short label for how to get help from a service.
func describePathway(p directory.Pathway) string {
	switch p {
	case directory.PathwayWaymarkForm, directory.PathwayExternalForm:
		return "Refer yourself"
	case directory.PathwayProfessionalOnly:
		return "Professional referral"
	}
	return "Contact directly"
}
