// Package seed makes data for Waymark: its category taxonomy, the Derbyshire
// demo directory (fictional organisations in real towns at real postcodes),
// the offline help list from the reference page, and synthetic directories of
// any size spread over England for benchmarks. Load stores a directory through
// the directory service, so seeded entries pass the same rules as any other.
//
// Everything is deterministic: the same call gives the same data, ids included.
package seed

import (
	"github.com/google/uuid"

	"waymark/internal/directory"
)

// namespace makes stable UUIDs from names, so seeding gives the same ids.
var namespace = uuid.MustParse("8f0f7a52-5b2e-4a43-9d55-0c6f1d2f8a11")

// id returns a stable UUID for a kind of thing and its name.
func id(kind, name string) string {
	return uuid.NewSHA1(namespace, []byte(kind+":"+name)).String()
}

var categoryList = []struct{ code, name, desc string }{
	{"wellbeing", "Wellbeing", "Activities and support that help you feel good and cope with everyday life."},
	{"physical-activity", "Physical activity", "Walking, sport, dance and other ways to move more, at any level of fitness."},
	{"mental-health", "Mental health", "Peer support, talking groups and help for anxiety, low mood and stress."},
	{"money-advice", "Money advice", "Help with debt, benefits, budgeting and bills."},
	{"food", "Food", "Food banks, community meals, pantries and cooking on a budget."},
	{"loneliness", "Loneliness and isolation", "Befriending, social groups and ways to meet people."},
	{"carers", "Carers", "Support, breaks and advice for unpaid carers."},
	{"arts", "Arts and creativity", "Art, music, crafts, singing and writing groups."},
	{"nature", "Nature and outdoors", "Gardening, conservation, green spaces and time outdoors."},
	{"young-people", "Young people", "Clubs, support and activities for children and young people."},
	{"older-people", "Older people", "Groups, lunch clubs and support for people in later life."},
	{"employment", "Employment and skills", "Help finding work, volunteering and building skills."},
	{"housing", "Housing", "Advice on housing, tenancy and homelessness."},
	{"learning", "Learning", "Courses, digital skills and learning for adults."},
	{"long-term-conditions", "Long-term conditions", "Support groups for people living with a health condition."},
	{"family", "Families and parenting", "Support for parents, families and new babies."},
}

// Categories returns Waymark's category taxonomy and its terms.
func Categories() (directory.Taxonomy, []directory.TaxonomyTerm) {
	tax := directory.Taxonomy{
		ID:          directory.CategoryTaxonomyID,
		Name:        "Waymark categories",
		Description: "The kinds of community support people are prescribed or find for themselves.",
		URI:         "https://waymark.example/taxonomy/categories",
		Version:     "1",
	}
	terms := make([]directory.TaxonomyTerm, len(categoryList))
	for i, c := range categoryList {
		terms[i] = directory.TaxonomyTerm{ID: id("category", c.code), TaxonomyID: tax.ID, Code: c.code, Name: c.name, Description: c.desc}
	}
	return tax, terms
}
