package insights

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// NameCount counts things by a name (a category, a postcode district).
type NameCount struct {
	Name string
	N    int
}

// Review is one moderation decision on an entry sent for review: how many
// minutes after it was sent a moderator approved or declined it.
type Review struct {
	Minutes  int
	Approved bool
}

// CheckFigures are the website and manual checks.
type CheckFigures struct {
	WebsitesChecked int      // entries whose website was last checked in the range
	Unreachable     int      // entries whose website could not be reached at the last check
	Findings        []string // the website check's findings that suspended entries in the range
	ManualChecks    int      // manual checks of entries without a website in the range
	ManualSuspended int      // entries suspended after a manual check in the range
}

// DirectoryStore answers the directory questions. Live entries are the
// published and frozen ones, listed or not.
type DirectoryStore interface {
	// LiveByCategory counts live entries by category ("" when none).
	LiveByCategory(ctx context.Context, q Query) ([]NameCount, error)
	// LiveByDistrict counts live entries by the postcode district of their
	// first address ("" when none).
	LiveByDistrict(ctx context.Context, q Query) ([]NameCount, error)
	// Confirmed counts live entries and those confirmed since a time.
	Confirmed(ctx context.Context, q Query, since time.Time) (live, confirmed int, err error)
	// Reviews lists the decisions on entries sent for review made in the
	// range, each with the submission before it.
	Reviews(ctx context.Context, q Query) ([]Review, error)
	// Checks counts the checks in the range.
	Checks(ctx context.Context, q Query) (*CheckFigures, error)
}

// Directory is the directory dashboard: entries by category and postcode
// district, entries confirmed in the last year, moderation times against
// the target and the website and manual checks. Errors: as Access,
// EINVALID for a bad filter.
func (s *Insights) Directory(ctx context.Context, f Filter) (*Dashboard, error) {
	_, q, err := s.query(ctx, DashDirectory, f)
	if err != nil {
		return nil, err
	}
	q.Scope = Scope{All: true} // the directory is public: every entry
	d := &Dashboard{Name: DashDirectory, Title: "The directory", Filter: q.Filter}
	cats, err := s.store.LiveByCategory(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("entries by category: %w", err)
	}
	d.Tables = append(d.Tables, nameTable("categories", "Live entries by category", "Category", cats, "No category",
		"Published and frozen entries now; an entry in more than one category counts in each."))
	districts, err := s.store.LiveByDistrict(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("entries by district: %w", err)
	}
	d.Tables = append(d.Tables, nameTable("districts", "Live entries by postcode district", "Postcode district", districts, "No address",
		"Published and frozen entries now, by the postcode district of their first address."))

	live, confirmed, err := s.store.Confirmed(ctx, q, q.Now.AddDate(-1, 0, 0))
	if err != nil {
		return nil, fmt.Errorf("confirmed entries: %w", err)
	}
	fresh := Table{ID: "confirmed", Title: "Entries confirmed in the last year", Columns: []string{"Measure", "Entries", "Share"},
		Note: "Confirmed by the provider, a moderator's check or the website check in the 12 months to now."}
	fresh.Row(Text("Live entries"), Count(live), Text(""))
	fresh.Row(Text("Confirmed in the last year"), Count(confirmed), Rate(confirmed, live))
	fresh.Row(Text("Not confirmed in the last year"), Count(live-confirmed), Rate(live-confirmed, live))
	fresh.down(1, 0, 1, 2)
	fresh.shareOf(2, 1)
	d.Tables = append(d.Tables, fresh)

	reviews, err := s.store.Reviews(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("reviews: %w", err)
	}
	hist := map[int]int{}
	var approved, inTime int
	for _, r := range reviews {
		hist[r.Minutes/60]++
		if r.Minutes <= s.cfg.ModerationHours*60 {
			inTime++
		}
		if r.Approved {
			approved++
		}
	}
	med, n := percentile(hist, 0.5)
	p90, _ := percentile(hist, 0.9)
	mod := Table{ID: "moderation", Title: "Moderation times", Columns: []string{"Measure", "Value"},
		Note: fmt.Sprintf("New entries approved or declined in the range, from being sent for review to the decision, against the %d-hour target.", s.cfg.ModerationHours)}
	mod.Row(Text("Entries decided"), Count(len(reviews)))
	mod.Row(Text("Approved"), Count(approved))
	mod.Row(Text("Declined"), Count(len(reviews)-approved))
	mod.down(1, 0, 1, 2)
	mod.Row(Text("Median time to a decision"), Hours(med, n))
	mod.Row(Text("90th percentile"), Hours(p90, n))
	mod.Row(Text(fmt.Sprintf("Decided within %d hours", s.cfg.ModerationHours)), Rate(inTime, len(reviews)))
	d.Tables = append(d.Tables, mod)

	checks, err := s.store.Checks(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("checks: %w", err)
	}
	ct := Table{ID: "checks", Title: "Website and manual checks", Columns: []string{"Measure", "Entries"},
		Note: "The website check visits each entry's website; entries without one are checked by a moderator every few months."}
	ct.Row(Text("Websites last checked in the range"), Count(checks.WebsitesChecked))
	ct.Row(Text("Websites that could not be reached at their last check"), Count(checks.Unreachable))
	ct.Row(Text("Suspended after the website check found changes"), Count(len(checks.Findings)))
	ct.Row(Text("Manual checks by a moderator"), Count(checks.ManualChecks))
	ct.Row(Text("Suspended after a manual check could not confirm them"), Count(checks.ManualSuspended))
	d.Tables = append(d.Tables, ct)
	d.Tables = append(d.Tables, findingsTable(checks.Findings))
	protect(d.Tables)
	return d, nil
}

// nameTable is counts by name, largest first, with a label for "".
func nameTable(id, title, heading string, list []NameCount, blank, note string) Table {
	sort.SliceStable(list, func(i, j int) bool {
		if list[i].N != list[j].N {
			return list[i].N > list[j].N
		}
		return list[i].Name < list[j].Name
	})
	t := Table{ID: id, Title: title, Columns: []string{heading, "Entries"}, Chart: Chart{Kind: "bar"}, Note: note}
	for _, c := range list {
		name := c.Name
		if name == "" {
			name = blank
		}
		t.Row(Text(name), Count(c.N))
	}
	return t
}

// findingKinds sort the website check's reasons into kinds, by how they
// begin (sitecheck.Compare writes them).
var findingKinds = []struct{ prefix, label string }{
	{"The page now redirects", "Redirects to another site"},
	{"The page can be reached again", "Back after being unreachable"},
	{"The page looks like a parked domain", "Looks like a parked domain"},
	{"The page is no longer a web page", "No longer a web page"},
	{"The page looks like a different site", "Looks like a different site"},
	{"Phone number", "Phone numbers changed"},
	{"A new phone number", "Phone numbers changed"},
	{"Email address", "Email addresses changed"},
	{"A new email address", "Email addresses changed"},
	{"Postcode", "Postcodes changed"},
	{"A new postcode", "Postcodes changed"},
	{"Opening times", "Opening times changed"},
	{"New opening times", "Opening times changed"},
	{"Much of the page's text", "Text changed a lot"},
	{"Most of the page's text", "Text changed a lot"},
}

// findingsTable counts what the website check found, from the notes of
// the suspensions it made ("Our website check found changes: a; b.").
func findingsTable(notes []string) Table {
	by := map[string]int{}
	for _, n := range notes {
		n = strings.TrimSuffix(strings.TrimPrefix(n, "Our website check found changes: "), ".")
		seen := map[string]bool{}
		for _, r := range strings.Split(n, "; ") {
			kind := "Could not be reached"
			for _, k := range findingKinds {
				if strings.HasPrefix(r, k.prefix) {
					kind = k.label
					break
				}
			}
			if !seen[kind] {
				seen[kind] = true
				by[kind]++
			}
		}
	}
	var list []NameCount
	for k, n := range by {
		list = append(list, NameCount{k, n})
	}
	t := nameTable("findings", "What the website check found", "Finding", list, "", "Entries suspended in the range, by what changed (an entry with several findings counts in each).")
	return t
}
