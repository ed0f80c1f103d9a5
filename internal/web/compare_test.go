package web

import (
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"waymark/internal/directory"
)

// TestTheComparisonCoversEveryFieldOfTheListingForm changes each field the
// listing form carries, one at a time, and checks the comparison marks a
// change. A field added to the form without a row in the comparison fails
// here.
func TestTheComparisonCoversEveryFieldOfTheListingForm(t *testing.T) {
	cats := []directory.TaxonomyTerm{{ID: "c1", Name: "Physical activity"}, {ID: "c2", Name: "Money advice"}}
	names := map[string]string{"c1": "Physical activity", "c2": "Money advice"}
	base := url.Values{"title": {"Health walks"}, "description": {"Gentle walks by the river."}, "email": {"walks@example.org"},
		"website": {"https://walks.example"}, "phone": {"01629 555101"}, "address": {"Bank Road"}, "town": {"Matlock"},
		"postcode": {"DE4 3AG"}, "cost": {"paid"}, "cost_description": {"£2 a walk"}, "kind": {"signposting"},
		"external_form_url": {""}, "visibility": {"listed"}, "waiting_weeks": {"1"}, "access_criteria": {"Adults"},
		"keywords": {"walk"}, "category": {"c1"}, "days": {"TU"}, "opens_at": {"10:00"}, "closes_at": {"11:30"},
		"delivery": {"in_person"}, "accessibility": {"step_free"}, "languages": {"en"}}
	changes := map[string][]string{
		"title": {"Nordic walks"}, "description": {"Gentle walks by the river, and on Tuesdays in the park."},
		"email": {"other@example.org"}, "website": {"https://other.example"}, "phone": {"01629 000000"},
		"address": {"Hall Leys Park"}, "town": {"Bakewell"}, "postcode": {"DE45 1AH"}, "cost": {"free"},
		"cost_description": {"£3 a walk"}, "kind": {"waymark_form"}, "external_form_url": {"https://forms.example/walks"},
		"visibility": {"unlisted"}, "waiting_weeks": {"4"}, "access_criteria": {"Adults and older children"},
		"keywords": {"walk, talk"}, "category": {"c2"}, "days": {"TU", "WE"}, "opens_at": {"09:00"}, "closes_at": {"12:00"},
		"delivery": {"in_person", "phone"}, "accessibility": {"step_free", "hearing_loop"},
		"accessibility_note": {"A ramp at the side door"}, "languages": {"en", "pl"},
	}
	// Fields that are not part of the entry: buttons, the new provider's
	// organisation, the moderator's note and check, the form's token.
	notEntry := map[string]bool{"action": true, "organisation": true, "organization_id": true, "note": true, "check": true, "form_token": true}
	tmpl, err := os.ReadFile("templates/page-listing-new.html")
	if err != nil {
		t.Fatal(err)
	}
	before, err := listingFromForm(base, cats)
	if err != nil {
		t.Fatal(err)
	}
	// Fields are written out (name="…") or made by the optionChecks
	// template from their name.
	for _, m := range regexp.MustCompile(`(?:name="|optionChecks" \(optionChecks ")([a-z_]+)"`).FindAllStringSubmatch(string(tmpl), -1) {
		field := m[1]
		if notEntry[field] {
			continue
		}
		after := &directory.Service{}
		switch field {
		case "image", "image_alt":
			// The picture is read by formImage; compare a new one.
			copied := *before
			copied.Images = []directory.Image{{ID: "5b0e1c1a-0000-4000-8000-000000000009", Alt: "Walkers by the river"}}
			after = &copied
		default:
			v, ok := changes[field]
			if !ok {
				t.Errorf("the listing form has a field %q this test does not change: add it to the comparison and here", field)
				continue
			}
			f := url.Values{}
			for k, vals := range base {
				f[k] = vals
			}
			f[field] = v
			if after, err = listingFromForm(f, cats); err != nil {
				t.Fatalf("change %s: %v", field, err)
			}
		}
		changed := false
		for _, r := range compareServices(before, after, names) {
			changed = changed || r.Changed
		}
		if !changed {
			t.Errorf("changing %s is not shown in the comparison", field)
		}
	}
}

func TestTheComparisonSaysValuesInWords(t *testing.T) {
	a := &directory.Service{Name: "Walks", Free: false, Pathway: directory.PathwayWaymarkForm, Visibility: directory.VisibilityListed,
		Schedules:     []directory.Schedule{{Freq: "WEEKLY", ByDay: "TU", OpensAt: "10:00", ClosesAt: "11:30"}},
		Accessibility: []string{"step_free", "hearing_loop"}, Languages: []string{"pl", "bfi"}, Delivery: []string{"online"}}
	rows := map[string]string{}
	for _, r := range compareServices(a, a, nil) {
		rows[r.Field] = r.Current
	}
	for field, want := range map[string]string{"Cost": "Cost applies", "How people get help": "Waymark referral form",
		"Who can find it": "Listed: appears in search", "When": "Tuesdays, 10:00 to 11:30", "Waiting time": "Not given",
		"Access": "Step-free access, Hearing loop", "Languages": "British Sign Language, Polish", "How it is given": "Online"} {
		if rows[field] != want {
			t.Errorf("%s = %q, want %q", field, rows[field], want)
		}
	}
}

func TestWordDiffMarksOnlyTheChangedWords(t *testing.T) {
	tests := []struct {
		a, b          string
		before, after string
	}{
		{"We meet on Monday in the hall.", "We meet on Monday and Tuesday in the hall.", "We meet on Monday in the hall.", "We meet on Monday [and Tuesday] in the hall."},
		{"Bank Road, Matlock, Derbyshire, DE4 3AG", "Bank Road, Matlock, DE4 3AG", "Bank Road, Matlock, [Derbyshire,] DE4 3AG", "Bank Road, Matlock, DE4 3AG"},
		{"Tuesday group", "Thursday group", "[Tuesday] group", "[Thursday] group"},
		{"", "New text", "", "[New text]"},
	}
	show := func(parts []diffPart) string {
		var out []string
		for _, p := range parts {
			if p.Changed {
				out = append(out, "["+p.Text+"]")
			} else {
				out = append(out, p.Text)
			}
		}
		return strings.Join(out, " ")
	}
	for _, tt := range tests {
		before, after := wordDiff(tt.a, tt.b)
		if got := show(before); got != tt.before {
			t.Errorf("wordDiff(%q, %q) before = %q, want %q", tt.a, tt.b, got, tt.before)
		}
		if got := show(after); got != tt.after {
			t.Errorf("wordDiff(%q, %q) after = %q, want %q", tt.a, tt.b, got, tt.after)
		}
	}
}

func TestTheAuditLogSaysActionsInWords(t *testing.T) {
	for action, want := range map[string]string{
		"invite": "Invited", "list referrals": "Saw a list of referrals:", "client.goal_progress": "Client record, goal progress",
		"incoming.allocate": "Waiting list, allocate", "gp_referral.view": "GP referral, view", "audit.search": "Searched the audit log",
	} {
		if got := auditText(action); got != want {
			t.Errorf("auditText(%q) = %q, want %q", action, got, want)
		}
	}
	if got := auditSubject("referrals:a,b,c"); got != "3 referrals" {
		t.Errorf("a list of three referrals reads %q", got)
	}
}
