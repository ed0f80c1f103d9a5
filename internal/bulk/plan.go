package bulk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/input"
	"waymark/internal/postcode"
)

// Geocoder finds where a postcode is. *postcode.Table is one.
type Geocoder interface {
	Lookup(p postcode.Postcode) (postcode.Point, bool)
}

// Existing says whether the directory already has an entry for a row. The
// caller, usually a database, implements it.
type Existing interface {
	// FindDuplicate reports an existing entry with the service name and
	// postcode (normalised, like "DE22 3BG") or, when website is not "", the
	// same website. Any error stops the plan.
	FindDuplicate(ctx context.Context, name, postcode, website string) (existingID string, found bool, err error)
}

// KeyFinder may also be implemented by an Existing: FindKey reports an entry
// created earlier from a row with the same Key. Plan asks it before
// FindDuplicate, so a file imported twice creates nothing twice even when the
// first import's entries have since been renamed or moved.
type KeyFinder interface {
	FindKey(ctx context.Context, key string) (existingID string, found bool, err error)
}

// Options are what Plan needs to know about the world.
type Options struct {
	// Geocoder locates postcodes; it is required.
	Geocoder Geocoder
	// Categories are the category terms a row may name, by code (or name).
	Categories []directory.TaxonomyTerm
	// Existing finds entries already in the directory; nil checks none.
	Existing Existing
}

// Action is what importing a row would do.
type Action string

// Actions.
const (
	ActionCreate        Action = "create"         // the row becomes a new entry
	ActionSkipDuplicate Action = "skip duplicate" // the directory already has it
	ActionError         Action = "error"          // the row must be fixed first
)

// CellError is a problem with one cell of the spreadsheet.
type CellError struct {
	Row     int    // the row number the user sees
	Column  string // a column name, like ColPostcode
	Message string // what is wrong, in plain words, without the row and column
}

// Error returns the message with its place, like
// `Row 14, postcode: "DE22 9ZZ" is not a postcode we know`.
func (e CellError) Error() string {
	return fmt.Sprintf("Row %d, %s: %s", e.Row, e.Column, e.Message)
}

// RowPlan is what importing one row would do.
type RowPlan struct {
	Row    int
	Action Action
	// Key identifies the row's service across imports; see Key. The caller
	// stores it with the entry it creates.
	Key string
	// Errors say why the row cannot be created (ActionError) or, for
	// ActionSkipDuplicate, which entry it repeats.
	Errors []CellError
	// DuplicateOf is the id of the existing entry, for ActionSkipDuplicate.
	DuplicateOf string

	// OrganizationKey identifies the row's organisation within the file; it
	// is the Key of an OrganizationPlan in the Result.
	OrganizationKey string
	// Organization is the organisation that runs the service, without an id.
	Organization directory.Organization
	// Service is the entry to create, without ids, OrganizationID or Status:
	// the caller decides those. It is a signposting entry (Kind signposting,
	// Pathway none), listed, with one location placed at its postcode. Rows
	// with errors have it filled as far as their valid cells allow, for
	// showing the row back to the user.
	Service directory.Service
	// ClaimEmail is where to send the link to claim the entry: the
	// organisation email. ClaimPhone is the mobile (E.164) the link is
	// texted to when the organisation has no email.
	ClaimEmail string
	ClaimPhone string
}

// OrganizationPlan is one organisation of a file: the rows that share an
// organisation name and organisation email.
type OrganizationPlan struct {
	Key          string
	Organization directory.Organization
	ClaimEmail   string
	ClaimPhone   string // when there is no ClaimEmail
	// Rows are the row numbers of its services, whatever their Action.
	Rows []int
}

// Result is the plan for a whole file.
type Result struct {
	// Rows has one plan for each row of the sheet, in order.
	Rows []RowPlan
	// Organizations groups rows by organisation, in order of first row.
	// Rows whose organisation name or email is missing or invalid are in
	// none.
	Organizations []OrganizationPlan
	// Warnings are the sheet's warnings.
	Warnings []string
}

// Count returns how many rows would take action a.
func (r *Result) Count(a Action) int {
	n := 0
	for i := range r.Rows {
		if r.Rows[i].Action == a {
			n++
		}
	}
	return n
}

// Errors returns the errors of every row that cannot be imported, in row
// order.
func (r *Result) Errors() []CellError {
	var errs []CellError
	for i := range r.Rows {
		if r.Rows[i].Action == ActionError {
			errs = append(errs, r.Rows[i].Errors...)
		}
	}
	return errs
}

// Plan checks every row of sheet and works out what importing it would do,
// without changing anything: a dry run. Each row is checked on its own, so
// valid rows stay valid whatever is wrong with others. A row is an error when
// a required cell is empty, a value is not in the right form (email, phone,
// web address, postcode the table does not know, category code, ages, Yes or
// No) or it repeats an earlier row of the file (same service name and
// postcode, or same website); it is skipped when Options.Existing already has
// it; otherwise it would be created.
//
// Errors: only from Options.Existing or ctx, wrapped, and an error when
// Options.Geocoder is nil. Problems in the file are in the Result.
func Plan(ctx context.Context, sheet *Sheet, opts Options) (*Result, error) {
	if opts.Geocoder == nil {
		return nil, errors.New("bulk plan: no geocoder")
	}
	p := planner{
		opts:      opts,
		cats:      categoryIndex(opts.Categories),
		byName:    map[string]int{},
		byWebsite: map[string]int{},
		orgs:      map[string]int{},
		res:       &Result{Rows: make([]RowPlan, 0, len(sheet.Rows)), Warnings: sheet.Warnings},
	}
	for i := range sheet.Rows {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("bulk plan: %w", err)
			}
		}
		rp := p.row(sheet.Rows[i])
		if rp.Action == ActionCreate && opts.Existing != nil {
			if err := p.existing(ctx, &rp); err != nil {
				return nil, fmt.Errorf("bulk plan: row %d: %w", rp.Row, err)
			}
		}
		p.res.Rows = append(p.res.Rows, rp)
	}
	// Every row of an organisation shows the organisation as its group has it.
	for i := range p.res.Rows {
		rp := &p.res.Rows[i]
		if j, ok := p.orgs[rp.OrganizationKey]; ok && rp.OrganizationKey != "" {
			rp.Organization = p.res.Organizations[j].Organization
		}
	}
	return p.res, nil
}

// planner holds what Plan has seen so far.
type planner struct {
	opts      Options
	cats      map[string]directory.TaxonomyTerm
	byName    map[string]int // service name and postcode to first row
	byWebsite map[string]int // website key to first row
	orgs      map[string]int // organisation key to index in res.Organizations
	res       *Result
}

// categoryIndex maps each term's code and name, in lower case, to the term.
func categoryIndex(terms []directory.TaxonomyTerm) map[string]directory.TaxonomyTerm {
	idx := make(map[string]directory.TaxonomyTerm, 2*len(terms))
	for _, t := range terms {
		if t.Name != "" {
			idx[strings.ToLower(t.Name)] = t
		}
	}
	for _, t := range terms {
		idx[strings.ToLower(t.Code)] = t // codes win over names
	}
	return idx
}

// row checks one row and fills its entry.
func (p *planner) row(r Row) RowPlan {
	rp := RowPlan{Row: r.Number}
	fail := func(col, format string, args ...any) {
		rp.Errors = append(rp.Errors, CellError{Row: r.Number, Column: col, Message: fmt.Sprintf(format, args...)})
	}
	get := func(col string) string {
		v := r.Get(col)
		if n := maxLength(col); n > 0 && tooLong(v, n) {
			fail(col, "this is longer than %s characters; shorten it", thousands(n))
			return v
		}
		clean := input.Line
		if col == ColDescription || col == ColOpeningTimes || col == ColWhoItIsFor || col == ColCategory {
			clean = input.Lines
		}
		c, err := clean("this", v, 0)
		if err != nil {
			fail(col, "%s", waymark.ErrorMessage(err))
			return v
		}
		return c
	}
	required := func(col, what string) string {
		v := get(col)
		if v == "" {
			fail(col, "enter %s", what)
		}
		return v
	}

	orgName := required(ColOrganisationName, "the name of the organisation that runs the service")
	// The claim link goes by email, or by text to a mobile in the phone
	// column when the organisation has no email (checked below).
	orgEmail := get(ColOrganisationEmail)
	if orgEmail != "" {
		if e, ok := checkEmail(orgEmail); ok {
			orgEmail = e
		} else {
			fail(ColOrganisationEmail, "%q is not an email address; write it like name@example.org", orgEmail)
			orgEmail = ""
		}
	}
	orgWebsite := p.website(r, ColOrganisationWebsite, fail)
	name := required(ColServiceName, "the name of the service")
	desc := required(ColDescription, "a description of the service")
	pcRaw := required(ColPostcode, "the postcode where the service runs")
	var pc postcode.Postcode
	var where postcode.Point
	if pcRaw != "" {
		var err error
		pc, err = postcode.Parse(pcRaw)
		switch {
		case err != nil:
			fail(ColPostcode, "%q is not a postcode; write it like DE4 3AG", pcRaw)
		case !pc.Full():
			fail(ColPostcode, "%q is only the first half of a postcode; enter the full postcode, like DE4 3AG", pcRaw)
		default:
			var ok bool
			if where, ok = p.opts.Geocoder.Lookup(pc); !ok {
				fail(ColPostcode, "%q is not a postcode we know", pcRaw)
			}
		}
	}
	phone := r.Get(ColPhone)
	if phone != "" {
		if n, ok := checkPhone(phone); ok {
			phone = n
		} else {
			fail(ColPhone, "%q is not a UK phone number we recognise; write it like 01332 123456 or 07912 345678", phone)
		}
	}
	var claimPhone string
	if orgEmail == "" && r.Get(ColOrganisationEmail) == "" {
		if m, ok := input.TextableMobile(phone); ok {
			claimPhone = m
		} else {
			fail(ColOrganisationEmail, "enter the organisation's email address, where we send the link to claim the entry (or, when it has none, a UK mobile number in the phone column, where we text it)")
		}
	}
	email := r.Get(ColEmail)
	if email != "" {
		if e, ok := checkEmail(email); ok {
			email = e
		} else {
			fail(ColEmail, "%q is not an email address; write it like name@example.org", email)
		}
	}
	website := p.website(r, ColWebsite, fail)
	cats := p.categories(r, fail)
	free := false
	if v := r.Get(ColFree); v != "" {
		var ok bool
		if free, ok = checkFree(v); !ok {
			fail(ColFree, "%q is not Yes or No", v)
		}
	}
	minAge := age(r, ColMinimumAge, fail)
	maxAge := age(r, ColMaximumAge, fail)
	if minAge != nil && maxAge != nil && *minAge > *maxAge {
		fail(ColMinimumAge, "the minimum age (%d) is more than the maximum age (%d)", *minAge, *maxAge)
	}
	delivery := options(r, ColHowItIsGiven, directory.DeliveryModes, "how it is given", fail)
	access := options(r, ColAccessibility, directory.AccessFeatures, "an accessibility feature", fail)
	langs := options(r, ColLanguages, directory.Languages, "a language", fail)
	address, town := get(ColAddressLine), get(ColTown)
	times, who := get(ColOpeningTimes), get(ColWhoItIsFor)

	if name != "" && pc.Full() {
		rp.Key = Key(orgName, name, pc.String())
		p.inFile(&rp, name, pc, website, orgWebsite, fail)
	}

	rp.Organization = directory.Organization{Name: orgName, Email: orgEmail, Website: orgWebsite}
	if claimPhone != "" {
		rp.Organization.Phone = phone
	}
	rp.ClaimEmail, rp.ClaimPhone = orgEmail, claimPhone
	if orgName != "" && (orgEmail != "" || claimPhone != "") {
		rp.OrganizationKey = p.group(r.Number, rp.Organization, claimPhone)
	}
	rp.Service = directory.Service{
		Name:           name,
		Description:    desc,
		Website:        website,
		Email:          email,
		AccessCriteria: who,
		MinimumAge:     minAge,
		MaximumAge:     maxAge,
		Kind:           directory.KindSignposting,
		Pathway:        directory.PathwayNone,
		Visibility:     directory.VisibilityListed,
		Free:           free,
		Categories:     cats,
		Delivery:       delivery,
		Accessibility:  access,
		Languages:      langs,
	}
	if rp.Service.Email == "" {
		rp.Service.Email = orgEmail // the directory needs an address to show
	}
	if pc.Full() {
		rp.Service.Locations = []directory.Location{{
			Name:      locationName(address, town, pc.String()),
			Latitude:  where.Lat,
			Longitude: where.Lon,
			Address:   directory.Address{Address1: address, City: town, PostalCode: pc.String(), Country: "GB"},
		}}
	}
	if phone != "" || email != "" {
		c := directory.Contact{Email: email}
		if phone != "" {
			c.Phones = []directory.Phone{{Number: phone}}
		}
		rp.Service.Contacts = []directory.Contact{c}
	}
	if times != "" {
		rp.Service.Schedules = []directory.Schedule{{Description: times}}
	}

	rp.Action = ActionCreate
	if len(rp.Errors) > 0 {
		rp.Action = ActionError
	}
	return rp
}

// website checks a web address column, returning the full address or "".
func (p *planner) website(r Row, col string, fail func(col, format string, args ...any)) string {
	v := r.Get(col)
	if v == "" {
		return ""
	}
	u, ok := checkWebsite(v)
	if !ok {
		fail(col, "%q is not a web address; write it like https://www.example.org", v)
		return ""
	}
	return u
}

// categories reads the category cell into terms.
func (p *planner) categories(r Row, fail func(col, format string, args ...any)) []directory.TaxonomyTerm {
	var terms []directory.TaxonomyTerm
	seen := map[string]bool{}
	for _, code := range splitCodes(r.Get(ColCategory)) {
		t, ok := p.cats[strings.ToLower(code)]
		if !ok {
			fail(ColCategory, "%q is not a category code we know; use %s", code, p.codeList())
			continue
		}
		if !seen[t.Code] {
			seen[t.Code] = true
			terms = append(terms, t)
		}
	}
	return terms
}

// options reads a cell of choices from list, each written as its words or
// its code in any case ("By phone", "phone", "step-free"), separated by ;
// or commas, into codes in the list's order.
func options(r Row, col string, list []directory.Option, what string, fail func(col, format string, args ...any)) []string {
	key := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, strings.ToLower(s))
	}
	var chosen []string
	for _, v := range splitCodes(r.Get(col)) {
		found := ""
		for _, o := range list {
			if k := key(v); k == key(o.Code) || k == key(o.Label) || k == key(strings.TrimSuffix(o.Label, " access")) {
				found = o.Code
			}
		}
		if found == "" {
			words := make([]string, len(list))
			for i, o := range list {
				words[i] = o.Label
			}
			fail(col, "%q is not %s we know; use %s", v, what, strings.Join(words, ", "))
			continue
		}
		chosen = append(chosen, found)
	}
	var out []string
	for _, o := range list {
		if slices.Contains(chosen, o.Code) {
			out = append(out, o.Code)
		}
	}
	return out
}

// codeList names the category codes for a message.
func (p *planner) codeList() string {
	if len(p.opts.Categories) == 0 {
		return "no category: leave it empty"
	}
	codes := make([]string, len(p.opts.Categories))
	for i, t := range p.opts.Categories {
		codes[i] = t.Code
	}
	return "codes from the Categories sheet of the template: " + strings.Join(codes, ", ")
}

// age reads an age column, or nil when it is empty or wrong.
func age(r Row, col string, fail func(col, format string, args ...any)) *int {
	v := r.Get(col)
	if v == "" {
		return nil
	}
	n, ok := checkAge(v)
	if !ok {
		fail(col, "%q is not an age; write a whole number of years from 0 to %d, like 18", v, maxAge)
		return nil
	}
	return &n
}

// inFile records the row's service name, postcode and website, and fails
// the row when an earlier row had the same. A website that is only the
// organisation's own website does not identify a service, as an
// organisation's services often all point there.
func (p *planner) inFile(rp *RowPlan, name string, pc postcode.Postcode, website, orgWebsite string, fail func(col, format string, args ...any)) {
	nk := normName(name) + "\x00" + pc.String()
	if first, dup := p.byName[nk]; dup {
		fail(ColServiceName, "row %d has the same service name and postcode; give each service its own name, or delete one of the rows", first)
	} else {
		p.byName[nk] = rp.Row
	}
	if website == "" || (orgWebsite != "" && websiteKey(website) == websiteKey(orgWebsite)) {
		return
	}
	wk := websiteKey(website)
	if first, dup := p.byWebsite[wk]; dup {
		fail(ColWebsite, "row %d has the same website; each service's website should be a page about that service", first)
	} else {
		p.byWebsite[wk] = rp.Row
	}
}

// group adds the row to its organisation and returns the organisation's key.
func (p *planner) group(row int, org directory.Organization, claimPhone string) string {
	key := organizationKey(org.Name, org.Email)
	if org.Email == "" {
		key = organizationKey(org.Name, claimPhone)
	}
	j, ok := p.orgs[key]
	if !ok {
		j = len(p.res.Organizations)
		p.orgs[key] = j
		p.res.Organizations = append(p.res.Organizations, OrganizationPlan{Key: key, Organization: org, ClaimEmail: org.Email, ClaimPhone: claimPhone})
	}
	g := &p.res.Organizations[j]
	if g.Organization.Website == "" {
		g.Organization.Website = org.Website
	}
	g.Rows = append(g.Rows, row)
	return key
}

// existing asks Options.Existing whether the directory has the row's entry,
// and if so marks the row to be skipped.
func (p *planner) existing(ctx context.Context, rp *RowPlan) error {
	svc := &rp.Service
	pc := svc.Locations[0].Address.PostalCode
	if kf, ok := p.opts.Existing.(KeyFinder); ok {
		id, found, err := kf.FindKey(ctx, rp.Key)
		if err != nil {
			return fmt.Errorf("find by key: %w", err)
		}
		if found {
			p.skip(rp, id, "this row was imported before, so we will skip it")
			return nil
		}
	}
	website := svc.Website
	if website != "" && rp.Organization.Website != "" && websiteKey(website) == websiteKey(rp.Organization.Website) {
		website = ""
	}
	id, found, err := p.opts.Existing.FindDuplicate(ctx, svc.Name, pc, website)
	if err != nil {
		return fmt.Errorf("find duplicate: %w", err)
	}
	if found {
		p.skip(rp, id, "the directory already has a service with this name and postcode, or this website, so we will skip this row")
	}
	return nil
}

func (p *planner) skip(rp *RowPlan, id, msg string) {
	rp.Action = ActionSkipDuplicate
	rp.DuplicateOf = id
	rp.Errors = append(rp.Errors, CellError{Row: rp.Row, Column: ColServiceName, Message: msg})
}

// locationName names a location by its address, or its postcode.
func locationName(address, town, pc string) string {
	switch {
	case address != "" && town != "":
		return address + ", " + town
	case address != "":
		return address
	case town != "":
		return town
	}
	return pc
}
