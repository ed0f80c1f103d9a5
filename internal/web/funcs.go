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
	_ "time/tzdata" // Europe/London everywhere
	"unicode/utf8"
	"waymark/internal/casework"
	"waymark/internal/input"

	"waymark/internal/directory"
	"waymark/internal/referral"
)

// parseTemplates parses each page with the shared layout, once at start-up.
// A page "page-x.html" is rendered by name "x".
func parseTemplates(funcs template.FuncMap) (map[string]*template.Template, error) {
	layout, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html", "templates/accountforms.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	names, err := fs.Glob(templateFS, "templates/page-*.html")
	if err != nil {
		return nil, fmt.Errorf("list page templates: %w", err)
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base, err := layout.Clone()
		if err != nil {
			return nil, fmt.Errorf("clone layout for %s: %w", n, err)
		}
		t, err := base.ParseFS(templateFS, n)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", n, err)
		}
		pages[strings.TrimSuffix(strings.TrimPrefix(path.Base(n), "page-"), ".html")] = t
	}
	return pages, nil
}

// templateFuncs returns the functions the templates use.
func (s *Server) templateFuncs() template.FuncMap {
	return template.FuncMap{
		"statusLabel":  statusLabel,
		"eventText":    eventText,
		"eventActor":   eventActor,
		"suspendedBy":  describeSuspendedBy,
		"noteForm":     noteForm,
		"auditText":    auditText,
		"auditSubject": auditSubject,
		// phone writes a kept phone number (E.164 for mobiles) the UK way.
		"phone": input.FormatPhone,
		"mask":  maskAddress,
		"waited": func(d time.Duration) string {
			h := int(d.Hours())
			if h < 1 {
				return "under an hour"
			}
			if h < 48 {
				return strconv.Itoa(h) + " hours"
			}
			return strconv.Itoa(h/24) + " days"
		},
		"has": func(list []string, v string) bool {
			for _, x := range list {
				if x == v {
					return true
				}
			}
			return false
		},
		"asset": s.asset,
		"optionChecks": func(name, legend, hint string, opts []directory.Option, chosen []string, err string) optionChecks {
			return optionChecks{Name: name, Legend: legend, Hint: hint, Options: opts, Chosen: chosen, Err: err}
		},
		"accessFeatures": func() []directory.Option { return directory.AccessFeatures },
		"deliveryModes":  func() []directory.Option { return directory.DeliveryModes },
		"languages":      func() []directory.Option { return directory.Languages },
		"optionLabels":   directory.OptionLabels,
		"fieldErr":       func(id, message string) fieldError { return fieldError{Field: id, Message: message} },
		"inputArgs": func(v any, name, label, hint, autocomplete, typ string) inputArgs {
			return inputArgs{V: v, Name: name, Label: label, Hint: hint, Autocomplete: autocomplete, Type: typ}
		},
		"contactOptions": func() []option {
			return []option{{referral.ContactEmail, "Email"}, {referral.ContactPhone, "Phone call"}, {referral.ContactText, "Text message"}}
		},
		"contactLabel": func(c string) string {
			return map[string]string{referral.ContactEmail: "Email", referral.ContactPhone: "Phone call", referral.ContactText: "Text message"}[c]
		},
		"datePartList": func() []option { return []option{{"day", "Day"}, {"month", "Month"}, {"year", "Year"}} },
		"choices": func(q referral.Question) []string {
			if q.Type == referral.YesNo {
				return []string{"Yes", "No"}
			}
			return q.Options
		},
		"percent": percent,
		"days": func(d *time.Duration) string {
			if d == nil {
				return ""
			}
			switch h := d.Hours(); {
			case h < 1:
				return "less than an hour"
			case h < 48:
				return strconv.Itoa(int(h+0.5)) + " hours"
			default:
				return strconv.Itoa(int(h/24+0.5)) + " days"
			}
		},
		"score": func(p *float64) string {
			if p == nil {
				return ""
			}
			return strconv.FormatFloat(*p, 'f', 1, 64) + " out of 5"
		},
		"inc": func(i int) int { return i + 1 },
		"nhs": casework.FormatNHSNumber,
		"day": func(t time.Time) string { return t.Format("2 January 2006") },
		"overdue": func(t *time.Time) bool {
			n := s.deps.Now().In(london)
			return t != nil && t.Before(time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC))
		},
		"optLabel": casework.OptionLabel,
		"options": func(name string) []casework.Option {
			return map[string][]casework.Option{"ethnicity": casework.Ethnicities, "gender": casework.Genders,
				"sexual_orientation": casework.SexualOrientations, "disability": casework.Disabilities, "contact": casework.ContactMethods,
				"formats": casework.AccessibleFormats, "consent": casework.ConsentKinds, "stage": casework.MeasureStages,
				"mode": casework.AppointmentModes, "need": casework.Needs, "discharge": casework.DischargeReasons}[name]
		},
		"list":  func(s ...string) []string { return s },
		"when":  ukTime,
		"label": referral.StatusLabel,
		"navItem": func(path, href, text string) link {
			return link{Href: href, Text: text, Current: path == href}
		},
		"last": func(links []link) *link {
			if len(links) == 0 {
				return nil
			}
			return &links[len(links)-1]
		},
		"schedule": describeSchedule,
		"plural": func(n int, one, many string) string {
			if n == 1 {
				return "1 " + one
			}
			return strconv.Itoa(n) + " " + many
		},
		"tel": telURL,
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
		"truncate":    truncate,
		"serviceLink": serviceLink,
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
		"money":      describeCost,
		"ages":       describeAges,
		"access":     describePathway,
		"address":    addressLines,
		"directions": directionsURL,
		"attendanceLabel": func(st referral.Status) string {
			switch st {
			case referral.StatusAttended:
				return "Yes"
			case referral.StatusDidNotAttend:
				return "No"
			}
			return "Not known yet"
		},
		"locationMarkers": locationMarkers,
		"referralOptions": func() []option {
			return []option{
				{directory.ReferralAny, "Any way"},
				{directory.ReferralSignposting, "Contact the service directly"},
				{directory.ReferralSelf, "Refer yourself online"},
				{directory.ReferralProfessional, "Referral by a GP or link worker"},
			}
		},
	}
}

// link is a link in the header navigation or the breadcrumbs.
type link struct {
	Href, Text string
	Current    bool
}

// option is one choice in a select or radios.
type option struct{ Value, Label string }

// telURL is a tel: link for a phone number as written ("01629 555101").
func telURL(number string) template.URL {
	var b strings.Builder
	for _, r := range number {
		if r >= '0' && r <= '9' || r == '+' {
			b.WriteRune(r)
		}
	}
	return template.URL("tel:" + b.String()) // digits and + only
}

// truncate shortens s to about n characters, at a word break when it can.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := string([]rune(s)[:n])
	if i := strings.LastIndexByte(r, ' '); i > n/2 {
		r = r[:i]
	}
	return strings.TrimRight(r, " ,.;:–-") + "…"
}

// serviceLink is a search result's link to its service page: it carries the
// searched postcode, for the distance, and the search, for the way back.
func serviceLink(id string, q directory.SearchQuery, form url.Values) string {
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
}

// describeCost is one cost option in words: "£3.00 per session".
func describeCost(c directory.CostOption) string {
	var amount string
	switch {
	case c.AmountDescription != "":
		amount = c.AmountDescription
	case c.Amount != nil && *c.Amount == 0:
		amount = "Free"
	case c.Amount != nil:
		amount = "£" + strconv.FormatFloat(*c.Amount, 'f', 2, 64)
	}
	label := strings.TrimSpace(c.Option)
	switch {
	case amount == "":
		return label
	case label == "" || strings.EqualFold(label, "cost") || strings.Contains(strings.ToLower(amount), strings.ToLower(label)):
		return amount
	}
	return label + ": " + amount
}

// addressLines is a location's address, one line each, without the location
// name repeated when the name is the first line of the address.
// directionsBase is the maps site directions links go to, with the
// destination's postcode (or, without one, its coordinates) appended.
const directionsBase = "https://www.google.com/maps/dir/?api=1&destination="

// directionsURL is a link to directions to a location on a maps site, by
// its postcode, or by its coordinates when it has none; "" when it has
// neither.
func directionsURL(l directory.Location) string {
	to := strings.TrimSpace(l.Address.PostalCode)
	if to == "" && (l.Latitude != 0 || l.Longitude != 0) {
		to = strconv.FormatFloat(l.Latitude, 'f', 5, 64) + "," + strconv.FormatFloat(l.Longitude, 'f', 5, 64)
	}
	if to == "" {
		return ""
	}
	return directionsBase + url.QueryEscape(to)
}

func addressLines(l directory.Location) []string {
	var out []string
	add := func(s string) {
		s = strings.TrimSpace(s)
		if s == "" {
			return
		}
		for _, o := range out {
			if strings.EqualFold(o, s) {
				return
			}
		}
		out = append(out, s)
	}
	a := l.Address
	name := strings.ToLower(strings.TrimSpace(l.Name))
	first := strings.ToLower(strings.TrimSpace(a.Address1))
	if name != first && name != first+", "+strings.ToLower(a.City) {
		add(l.Name)
	}
	for _, line := range strings.Split(a.Address1, "\n") {
		add(line)
	}
	add(a.City)
	add(a.StateProvince)
	add(a.PostalCode)
	return out
}

// locationMarkers is the JSON the map enhancement reads for a service page.
func locationMarkers(s *directory.Service) string {
	type marker struct {
		Name string  `json:"name"`
		Lat  float64 `json:"lat"`
		Lon  float64 `json:"lon"`
	}
	ms := []marker{}
	for _, l := range s.Locations {
		if l.Latitude == 0 && l.Longitude == 0 {
			continue
		}
		name := l.Name
		if name == "" {
			name = s.DisplayName()
		}
		ms = append(ms, marker{Name: name, Lat: l.Latitude, Lon: l.Longitude})
	}
	b, _ := json.Marshal(ms) // plain structs: cannot fail
	return string(b)
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

// inputArgs is a text input's view for the "textInput" template: V is the
// page's view with Form and FieldErrs.
type inputArgs struct {
	V                                     any
	Name, Label, Hint, Autocomplete, Type string
}

// london is UK time, for showing when things happened; the zone database is
// embedded (time/tzdata) so this works on machines without one.
var london = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return loc
}()

// ukTime writes a moment in UK time, as people there read it.
func ukTime(t time.Time) string { return t.In(london).Format("2 January 2006 at 3:04pm") }

// optionChecks is a group of checkboxes, one for each option, for the
// "optionChecks" template.
type optionChecks struct {
	Name, Legend, Hint string
	Options            []directory.Option
	Chosen             []string
	Err                string
}
