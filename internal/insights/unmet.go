package insights

import (
	"context"
	"fmt"
	"sort"
)

// GapCount counts searches that found nothing, by postcode district
// ("" when no postcode was given), words and category code.
type GapCount struct {
	District, Words, Category string
	N                         int
}

// Unmet is the unmet need dashboard: searches that found nothing (or
// nothing within their radius) by postcode district and by words. Words
// show only when at least MinCount searches used them, so a rare search
// cannot point at the person who made it. Errors: as Access, EINVALID for
// a bad filter.
func (s *Insights) Unmet(ctx context.Context, f Filter) (*Dashboard, error) {
	_, q, err := s.query(ctx, DashUnmet, f)
	if err != nil {
		return nil, err
	}
	q.Scope = Scope{All: true}
	d := &Dashboard{Name: DashUnmet, Title: "Unmet need", Filter: q.Filter}
	gaps, err := s.store.SearchGaps(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("search gaps: %w", err)
	}
	byDistrict, byWords, byBoth := map[string]int{}, map[string]int{}, map[[2]string]int{}
	all := 0
	for _, g := range gaps {
		words := g.Words
		if words == "" && g.Category != "" {
			words = "(category " + g.Category + ")"
		} else if g.Category != "" {
			words += " (category " + g.Category + ")"
		}
		byDistrict[g.District] += g.N
		byWords[words] += g.N
		byBoth[[2]string{g.District, words}] += g.N
		all += g.N
	}
	var districts []NameCount
	for k, n := range byDistrict {
		districts = append(districts, NameCount{k, n})
	}
	dt := nameTable("districts", "Searches that found nothing, by postcode district", "Postcode district", districts, "No postcode given",
		"Searches with a postcode found nothing within their distance; searches without one found nothing at all. Only the district is kept, never the full postcode or who searched.")
	dt.Columns[1] = "Searches"
	dt.Row(Text("All"), Count(all))
	last := len(dt.Rows) - 1
	dt.down(1, last, span(0, last)...)
	d.Tables = append(d.Tables, dt)

	wt := Table{ID: "words", Title: "What people searched for", Columns: []string{"Words", "Searches"}, Chart: Chart{Kind: "bar"},
		Note: fmt.Sprintf("Words (without numbers) searched at least %d times; the rest are counted together.", MinCount)}
	addRare := func(t *Table, shown, rare []NameCount, label string, cols int) {
		sortCounts(shown)
		for _, c := range shown {
			t.Row(Text(c.Name), Count(c.N))
		}
		n := 0
		for _, c := range rare {
			n += c.N
		}
		if n > 0 {
			row := []Cell{Text(label)}
			for i := 1; i < cols-1; i++ {
				row = append(row, Text(""))
			}
			t.Row(append(row, Count(n))...)
		}
	}
	var shown, rare []NameCount
	for w, n := range byWords {
		if w != "" && n >= MinCount {
			shown = append(shown, NameCount{w, n})
		} else {
			rare = append(rare, NameCount{w, n})
		}
	}
	addRare(&wt, shown, rare, "Other searches (each fewer than 5 times) and searches by postcode alone", 2)
	d.Tables = append(d.Tables, wt)

	bt := Table{ID: "district-words", Title: "Searches that found nothing, by district and words", Columns: []string{"Postcode district", "Words", "Searches"},
		Note: fmt.Sprintf("Each district and words searched at least %d times, most first.", MinCount)}
	type both struct {
		k [2]string
		n int
	}
	var list []both
	rareBoth := 0
	for k, n := range byBoth {
		if k[1] != "" && n >= MinCount {
			list = append(list, both{k, n})
		} else {
			rareBoth += n
		}
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].n != list[j].n {
			return list[i].n > list[j].n
		}
		return list[i].k[0]+list[i].k[1] < list[j].k[0]+list[j].k[1]
	})
	for _, b := range list {
		district := b.k[0]
		if district == "" {
			district = "No postcode given"
		}
		bt.Row(Text(district), Text(b.k[1]), Count(b.n))
	}
	if rareBoth > 0 {
		bt.Row(Text("Others"), Text("each fewer than 5 times"), Count(rareBoth))
	}
	d.Tables = append(d.Tables, bt)
	// Every search counts once in each table: each adds up to the total.
	total := dt.at(last, 1)
	protect(d.Tables, sum{total, wt.column(1, 0, len(wt.Rows))}, sum{total, bt.column(2, 0, len(bt.Rows))})
	return d, nil
}

func sortCounts(list []NameCount) {
	sort.Slice(list, func(i, j int) bool {
		if list[i].N != list[j].N {
			return list[i].N > list[j].N
		}
		return list[i].Name < list[j].Name
	})
}
