package web

import (
	"strconv"
	"strings"

	"waymark/internal/directory"
)

// compareRow is one field of a listing before and after a change, in the
// words the public reads.
type compareRow struct {
	Field, Current, Proposed string
	Changed                  bool
	// Before and After mark, in long text, the words taken out and put in.
	Before, After []diffPart
}

// compareServices sets every field a provider can change on a listing
// beside its new value, in words. cats names the category ids.
func compareServices(a, b *directory.Service, cats map[string]string) []compareRow {
	var rows []compareRow
	add := func(field, current, proposed string, long bool) {
		row := compareRow{Field: field, Current: current, Proposed: proposed, Changed: current != proposed}
		if long && row.Changed {
			row.Before, row.After = wordDiff(current, proposed)
		}
		rows = append(rows, row)
	}
	add("Title", a.DisplayName(), b.DisplayName(), false)
	add("Description", a.Description, b.Description, true)
	add("Email", a.Email, b.Email, false)
	add("Website", a.Website, b.Website, false)
	add("Phone", phonesInWords(a), phonesInWords(b), false)
	add("Named contacts", contactsInWords(a), contactsInWords(b), false)
	for i := 0; i < max(len(a.Locations), len(b.Locations), 1); i++ {
		field := "Address"
		if i > 0 {
			field = "Address " + strconv.Itoa(i+1)
		}
		add(field, locationInWords(a, i), locationInWords(b, i), true)
	}
	add("When", schedulesInWords(a), schedulesInWords(b), true)
	add("Cost", costInWords(a), costInWords(b), false)
	add("How people get help", pathwayInWords(a.Pathway), pathwayInWords(b.Pathway), false)
	add("Online referral form", a.ExternalFormURL, b.ExternalFormURL, false)
	add("Who can find it", visibilityInWords(a.Visibility), visibilityInWords(b.Visibility), false)
	add("Waiting time", waitingInWords(a.WaitingWeeks), waitingInWords(b.WaitingWeeks), false)
	add("Who it is for", a.AccessCriteria, b.AccessCriteria, true)
	add("Ages", describeAges(a.MinimumAge, a.MaximumAge), describeAges(b.MinimumAge, b.MaximumAge), false)
	add("How it is given", optionsInWords(directory.DeliveryModes, a.Delivery), optionsInWords(directory.DeliveryModes, b.Delivery), false)
	add("Access", optionsInWords(directory.AccessFeatures, a.Accessibility), optionsInWords(directory.AccessFeatures, b.Accessibility), false)
	add("More about access", a.AccessibilityNote, b.AccessibilityNote, true)
	add("Languages", optionsInWords(directory.Languages, a.Languages), optionsInWords(directory.Languages, b.Languages), false)
	add("Keywords", strings.Join(a.Keywords, ", "), strings.Join(b.Keywords, ", "), false)
	add("Categories", categoriesInWords(a, cats), categoriesInWords(b, cats), false)
	add("Picture", imagesInWords(a), imagesInWords(b), false)
	return rows
}

// changedFields names the fields a change touched, for the history.
func changedFields(rows []compareRow) string {
	var names []string
	for _, r := range rows {
		if r.Changed {
			names = append(names, r.Field)
		}
	}
	if len(names) == 0 {
		return "Nothing changed"
	}
	return "Changed: " + strings.Join(names, ", ")
}

// optionsInWords names the chosen options, in their list's order.
func optionsInWords(list []directory.Option, codes []string) string {
	return strings.Join(directory.OptionLabels(list, codes), ", ")
}

func phonesInWords(s *directory.Service) string {
	var out []string
	for _, c := range s.Contacts {
		for _, p := range c.Phones {
			out = append(out, p.Number)
		}
	}
	return strings.Join(out, ", ")
}

func contactsInWords(s *directory.Service) string {
	var out []string
	for _, c := range s.Contacts {
		if c.Name == "" {
			continue
		}
		who := c.Name
		if c.Title != "" {
			who += ", " + c.Title
		}
		out = append(out, who)
	}
	return strings.Join(out, "; ")
}

func locationInWords(s *directory.Service, i int) string {
	if i >= len(s.Locations) {
		return ""
	}
	return strings.Join(addressLines(s.Locations[i]), ", ")
}

func schedulesInWords(s *directory.Service) string {
	var out []string
	for _, sc := range s.Schedules {
		out = append(out, describeSchedule(sc))
	}
	return strings.Join(out, "; ")
}

func costInWords(s *directory.Service) string {
	if s.Free {
		return "Free"
	}
	var out []string
	for _, c := range s.CostOptions {
		if d := describeCost(c); d != "" {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		return "Cost applies"
	}
	return "Cost applies: " + strings.Join(out, "; ")
}

func pathwayInWords(p directory.Pathway) string {
	switch p {
	case directory.PathwayWaymarkForm:
		return "Waymark referral form"
	case directory.PathwayExternalForm:
		return "The provider's own online form"
	case directory.PathwayProfessionalOnly:
		return "Referral by a GP or link worker only"
	}
	return "Contact the service directly"
}

func visibilityInWords(v directory.Visibility) string {
	if v == directory.VisibilityUnlisted {
		return "Unlisted: by its link only"
	}
	return "Listed: appears in search"
}

func waitingInWords(w *int) string {
	switch {
	case w == nil:
		return "Not given"
	case *w == 0:
		return "No waiting list"
	case *w == 1:
		return "About 1 week"
	}
	return "About " + strconv.Itoa(*w) + " weeks"
}

func categoriesInWords(s *directory.Service, cats map[string]string) string {
	var out []string
	for _, c := range s.Categories {
		name := c.Name
		if name == "" {
			name = cats[c.ID]
		}
		out = append(out, name)
	}
	return strings.Join(out, ", ")
}

func imagesInWords(s *directory.Service) string {
	var out []string
	for _, im := range s.Images {
		d := "A picture"
		if im.Alt != "" {
			d += ": " + im.Alt
		}
		if im.ID != "" {
			d += " (" + im.ID[:min(8, len(im.ID))] + ")"
		}
		out = append(out, d)
	}
	return strings.Join(out, "; ")
}

// diffPart is a run of words in a word-level comparison.
type diffPart struct {
	Text    string
	Changed bool // taken out (in Before) or put in (in After)
}

// maxDiffCells bounds the work of a word comparison (words before times
// words after); longer texts are marked as wholly changed.
const maxDiffCells = 4_000_000

// wordDiff compares two texts word by word (the longest common subsequence
// of their words) and returns each as runs of words, marking the words only
// in it.
func wordDiff(a, b string) (before, after []diffPart) {
	x, y := strings.Fields(a), strings.Fields(b)
	if len(x)*len(y) > maxDiffCells {
		return []diffPart{{Text: a, Changed: a != ""}}, []diffPart{{Text: b, Changed: b != ""}}
	}
	// common[i][j] is the length of the longest common subsequence of
	// x[i:] and y[j:].
	w := len(y) + 1
	common := make([]int32, (len(x)+1)*w)
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				common[i*w+j] = common[(i+1)*w+j+1] + 1
			} else {
				common[i*w+j] = max(common[(i+1)*w+j], common[i*w+j+1])
			}
		}
	}
	push := func(parts []diffPart, word string, changed bool) []diffPart {
		if n := len(parts); n > 0 && parts[n-1].Changed == changed {
			parts[n-1].Text += " " + word
			return parts
		}
		return append(parts, diffPart{Text: word, Changed: changed})
	}
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			before, after = push(before, x[i], false), push(after, y[j], false)
			i, j = i+1, j+1
		case j < len(y) && (i == len(x) || common[i*w+j+1] >= common[(i+1)*w+j]):
			after = push(after, y[j], true)
			j++
		default:
			before = push(before, x[i], true)
			i++
		}
	}
	return before, after
}
