package seed

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"waymark/internal/directory"
)

// town is a place synthetic services are spread around, weighted by size.
type town struct {
	name, outward string
	lat, lon      float64
	weight        int
}

var englishTowns = []town{
	{"London", "SW1A", 51.5072, -0.1276, 45}, {"Birmingham", "B1", 52.4862, -1.8904, 12}, {"Manchester", "M1", 53.4808, -2.2426, 10},
	{"Leeds", "LS1", 53.8008, -1.5491, 8}, {"Sheffield", "S1", 53.3811, -1.4701, 6}, {"Liverpool", "L1", 53.4084, -2.9916, 6},
	{"Bristol", "BS1", 51.4545, -2.5879, 5}, {"Newcastle upon Tyne", "NE1", 54.9783, -1.6178, 4}, {"Nottingham", "NG1", 52.9548, -1.1581, 4},
	{"Leicester", "LE1", 52.6369, -1.1398, 4}, {"Coventry", "CV1", 52.4068, -1.5197, 3}, {"Bradford", "BD1", 53.7960, -1.7594, 3},
	{"Derby", "DE1", 52.9225, -1.4746, 3}, {"Plymouth", "PL1", 50.3755, -4.1427, 3}, {"Stoke-on-Trent", "ST1", 53.0027, -2.1794, 3},
	{"Wolverhampton", "WV1", 52.5870, -2.1288, 3}, {"Southampton", "SO14", 50.9097, -1.4044, 3}, {"Portsmouth", "PO1", 50.8198, -1.0880, 2},
	{"Reading", "RG1", 51.4543, -0.9781, 2}, {"Norwich", "NR2", 52.6309, 1.2974, 2}, {"Hull", "HU1", 53.7457, -0.3367, 3},
	{"York", "YO1", 53.9600, -1.0873, 2}, {"Exeter", "EX1", 50.7184, -3.5339, 2}, {"Cambridge", "CB2", 52.2053, 0.1218, 2},
	{"Oxford", "OX1", 51.7520, -1.2577, 2}, {"Brighton", "BN1", 50.8225, -0.1372, 3}, {"Sunderland", "SR1", 54.9069, -1.3838, 2},
	{"Middlesbrough", "TS1", 54.5742, -1.2350, 2}, {"Preston", "PR1", 53.7632, -2.7031, 2}, {"Blackpool", "FY1", 53.8175, -3.0357, 2},
	{"Ipswich", "IP1", 52.0567, 1.1482, 2}, {"Peterborough", "PE1", 52.5695, -0.2405, 2}, {"Northampton", "NN1", 52.2405, -0.9027, 2},
	{"Milton Keynes", "MK9", 52.0406, -0.7594, 2}, {"Luton", "LU1", 51.8787, -0.4200, 2}, {"Swindon", "SN1", 51.5558, -1.7797, 2},
	{"Gloucester", "GL1", 51.8642, -2.2382, 1}, {"Worcester", "WR1", 52.1920, -2.2200, 1}, {"Lincoln", "LN1", 53.2307, -0.5406, 1},
	{"Carlisle", "CA1", 54.8925, -2.9329, 1}, {"Lancaster", "LA1", 54.0466, -2.8007, 1}, {"Chester", "CH1", 53.1934, -2.8931, 1},
	{"Shrewsbury", "SY1", 52.7073, -2.7553, 1}, {"Hereford", "HR1", 52.0567, -2.7150, 1}, {"Bath", "BA1", 51.3811, -2.3590, 1},
	{"Truro", "TR1", 50.2632, -5.0510, 1}, {"Canterbury", "CT1", 51.2802, 1.0789, 1}, {"Colchester", "CO1", 51.8959, 0.8919, 1},
	{"Chelmsford", "CM1", 51.7356, 0.4685, 1}, {"Maidstone", "ME14", 51.2704, 0.5227, 1}, {"Guildford", "GU1", 51.2362, -0.5704, 1},
	{"Bournemouth", "BH1", 50.7192, -1.8808, 2}, {"Salisbury", "SP1", 51.0688, -1.7945, 1}, {"Taunton", "TA1", 51.0143, -3.1029, 1},
	{"Durham", "DH1", 54.7761, -1.5733, 1}, {"Darlington", "DL1", 54.5236, -1.5595, 1}, {"Harrogate", "HG1", 53.9921, -1.5418, 1},
	{"Scarborough", "YO11", 54.2831, -0.3998, 1}, {"Doncaster", "DN1", 53.5228, -1.1285, 2}, {"Barnsley", "S70", 53.5526, -1.4797, 1},
	{"Wakefield", "WF1", 53.6833, -1.4977, 1}, {"Huddersfield", "HD1", 53.6458, -1.7850, 2}, {"Bolton", "BL1", 53.5769, -2.4282, 2},
	{"Wigan", "WN1", 53.5448, -2.6318, 1}, {"Warrington", "WA1", 53.3900, -2.5970, 1}, {"Stockport", "SK1", 53.4106, -2.1575, 2},
	{"Oldham", "OL1", 53.5409, -2.1114, 1}, {"Blackburn", "BB1", 53.7486, -2.4875, 1}, {"Burnley", "BB11", 53.7893, -2.2405, 1},
	{"Telford", "TF3", 52.6766, -2.4469, 1}, {"Crawley", "RH10", 51.1091, -0.1872, 1}, {"Basingstoke", "RG21", 51.2665, -1.0924, 1},
	{"Chesterfield", "S40", 53.2350, -1.4210, 1}, {"Mansfield", "NG18", 53.1472, -1.1987, 1}, {"Grimsby", "DN31", 53.5675, -0.0800, 1},
	{"Kendal", "LA9", 54.3280, -2.7463, 1}, {"Barrow-in-Furness", "LA14", 54.1108, -3.2261, 1}, {"Matlock", "DE4", 53.1378, -1.5524, 1},
}

// activity is a kind of service synthetic entries are made from.
type activity struct {
	name     string // lower case, as in "a walking group in Leeds"
	cats     string // category codes, the main one first
	keywords string
	price    float64 // typical price per session when the service is paid
}

// activities are what synthetic services offer. Exactly three of the 45
// mention walking, so a keyword search for it matches about 1 in 15 services,
// as in a real directory; nothing else in the generated text does.
var activities = []activity{
	{"walking group", "physical-activity,nature", "walking, walks, fresh air", 2},
	{"walking football session", "physical-activity,older-people", "walking football, football, sport", 3},
	{"Nordic walking course", "physical-activity", "nordic walking, poles, fitness", 4},
	{"art class", "arts,wellbeing", "art, painting, drawing", 4},
	{"craft club", "arts,loneliness", "crafts, knitting, sewing", 2},
	{"community choir", "arts,wellbeing", "singing, choir, music", 3},
	{"debt advice service", "money-advice", "debt, bills, budgeting", 0},
	{"benefits advice drop-in", "money-advice", "benefits, universal credit, forms", 0},
	{"food bank", "food,money-advice", "food bank, food parcel, emergency", 0},
	{"community pantry", "food", "pantry, groceries, low cost food", 4},
	{"lunch club", "older-people,food,loneliness", "lunch, meals, company", 5},
	{"befriending scheme", "loneliness,older-people", "befriending, visits, phone calls", 0},
	{"carers' group", "carers,wellbeing", "carers, respite, support", 0},
	{"gardening club", "nature,wellbeing", "gardening, allotment, growing", 2},
	{"conservation volunteering group", "nature,employment", "conservation, volunteering, wildlife", 0},
	{"youth club", "young-people", "youth club, teenagers, games", 1},
	{"parent and toddler group", "family,young-people", "toddlers, parents, play", 1.5},
	{"job club", "employment,learning", "jobs, CV, interviews", 0},
	{"digital skills course", "learning,older-people", "computers, tablets, online", 0},
	{"reading group", "learning,loneliness", "books, reading, discussion", 0},
	{"community workshop", "loneliness,learning", "woodwork, repairs, making", 2},
	{"tea dance", "older-people,physical-activity", "dancing, music, tea", 3.5},
	{"yoga class", "physical-activity,wellbeing", "yoga, stretching, relaxation", 5},
	{"tai chi class", "physical-activity,older-people", "tai chi, balance, falls prevention", 4},
	{"swimming session", "physical-activity", "swimming, pool, exercise", 3.5},
	{"peer support group", "mental-health,loneliness", "peer support, talking, anxiety", 0},
	{"bereavement support group", "mental-health", "bereavement, grief, loss", 0},
	{"memory café", "older-people,carers,long-term-conditions", "dementia, memory, carers", 0},
	{"cooking course", "food,learning", "cooking, recipes, healthy eating", 3},
	{"repair café", "learning,loneliness", "repairs, fixing, sustainability", 0},
	{"stroke club", "long-term-conditions,loneliness", "stroke, rehabilitation, exercise", 0},
	{"singing for lung health group", "long-term-conditions,arts", "singing, COPD, breathing", 3},
	{"low-cost counselling service", "mental-health", "counselling, therapy, depression", 10},
	{"mindfulness course", "mental-health,wellbeing", "mindfulness, meditation, stress", 6},
	{"warm space", "housing,loneliness,food", "warm space, soup, heating", 0},
	{"language café", "learning,loneliness", "English, ESOL, conversation", 0},
	{"cycling group", "physical-activity,nature", "cycling, bikes, rides", 0},
	{"dance class", "physical-activity,arts", "dance, music, fitness", 4},
	{"allotment project", "nature,food", "allotment, vegetables, growing", 0},
	{"photography club", "arts,learning", "photography, cameras, outings", 2},
	{"housing advice service", "housing,money-advice", "housing, renting, eviction, homelessness", 0},
	{"tenancy support service", "housing", "tenancy, rent arrears, support worker", 0},
	{"young carers' club", "carers,young-people", "young carers, children, break", 0},
	{"exercise referral programme", "physical-activity,long-term-conditions", "exercise referral, gym, health", 2.5},
	{"men's mental health group", "mental-health,loneliness", "men, mental health, talking", 0},
}

var (
	synthAdj      = []string{"Community", "Friendly", "Local", "Neighbourhood", "Riverside", "Parkside", "Village", "Town", "Green", "Open"}
	synthOrgNouns = []string{"Heron", "Willow", "Lantern", "Oak", "Harbour", "Meadow", "Beacon", "Kestrel", "Bridge", "Orchard",
		"Compass", "Hearth", "Rowan", "Skylark", "Millstone", "Brook", "Hazel", "Lighthouse", "Juniper", "Foxglove"}
	synthOrgTypes = []string{"Trust", "CIC", "Association", "Network", "Project", "Foundation", "Partnership", "Society", "Collective", "Group"}
	synthFor      = []string{"everyone", "adults", "older people", "families", "people living with a health condition", "carers", "people new to the area"}
	synthPart     = []string{"the town centre", "the north of", "the south of", "the east of", "the west of"}
	synthText     = []string{"Everyone is welcome.", "No experience needed.", "Tea and biscuits provided.", "Accessible venue with parking.",
		"Run by trained volunteers.", "Bring a friend if you like.", "Help with transport may be available.", "Sessions last about two hours.",
		"A relaxed and friendly atmosphere.", "Carers are welcome too.", "Helps people feel more confident.", "Free refreshments.",
		"Interpreters can be arranged.", "Close to bus stops.", "Hearing loop in the main room.", "Quiet space available if you need a break."}
	synthVenues  = []string{"Community Centre", "Library", "Church Hall", "Leisure Centre", "Village Hall", "Park Pavilion", "Methodist Hall", "Health Centre"}
	synthStreets = []string{"High Street", "Church Lane", "Station Road", "Park Road", "Victoria Road", "Mill Lane", "Queen Street", "King Street", "London Road", "Market Place"}
	synthDays    = []string{"MO", "TU", "WE", "TH", "FR", "SA", "SU"}
	synthTimes   = [][2]string{{"09:30", "11:30"}, {"10:00", "12:00"}, {"13:30", "15:30"}, {"14:00", "16:00"}, {"18:00", "20:00"}, {"19:00", "21:00"}}
	synthNames   = []string{"Sam Taylor", "Priya Shah", "Jo Walker", "Chris Green", "Amira Khan", "Pat Morgan", "Lee Hughes", "Ruth Bennett", "Tom Okafor", "Mei Chen"}
)

// Synthetic returns n services from about n/3 organisations for benchmarks,
// spread over 78 English towns in proportion to their size and up to about
// 10 km from each centre. Names, descriptions and keywords are composed from
// word lists (about 1 in 15 services mention walking); categories, costs,
// pathways, ages, waiting times and schedules vary; about 95% are published
// and listed. Locations carry coordinates and the town's outward code, so
// nothing is geocoded. The same n and seed give the same data, ids included.
func Synthetic(n int, seed int64) ([]directory.Organization, []*directory.Service) {
	if n <= 0 {
		return nil, nil
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	ids := newIDSource(seed)
	_, terms := Categories()
	termByCode := make(map[string]int, len(terms))
	for i, t := range terms {
		termByCode[t.Code] = i
	}
	actCats := make([][]int, len(activities))
	actKeywords := make([][]string, len(activities))
	for i, a := range activities {
		for _, c := range strings.Split(a.cats, ",") {
			k, ok := termByCode[c]
			if !ok {
				panic("seed: unknown category " + c)
			}
			actCats[i] = append(actCats[i], k)
		}
		actKeywords[i] = strings.Split(a.keywords, ", ")
	}
	total := 0
	for _, t := range englishTowns {
		total += t.weight
	}
	pickTown := func() *town {
		w := rng.IntN(total)
		for i := range englishTowns {
			if w < englishTowns[i].weight {
				return &englishTowns[i]
			}
			w -= englishTowns[i].weight
		}
		return &englishTowns[0]
	}
	pick := func(list []string) string { return list[rng.IntN(len(list))] }

	nOrgs := max(1, n/3)
	orgs := make([]directory.Organization, nOrgs)
	orgTown := make([]*town, nOrgs)
	for i := range orgs {
		t := pickTown()
		num := strconv.Itoa(i + 1)
		o := &orgs[i]
		o.ID = ids.next()
		o.Name = t.name + " " + pick(synthOrgNouns) + " " + pick(synthOrgTypes)
		o.Description = "A voluntary and community organisation running activities and support in " + t.name + "."
		o.Email = "hello@org" + num + ".synthetic.example"
		o.Phone = "01632 960" + threeDigits(rng.IntN(1000))
		if rng.IntN(10) < 6 {
			o.Website = "https://org" + num + ".synthetic.example"
		}
		orgTown[i] = t
	}

	// One backing array per part keeps allocations few: 100,000 services take
	// a fraction of a second.
	svcs := make([]directory.Service, n)
	services := make([]*directory.Service, n)
	locs := make([]directory.Location, n)
	contacts := make([]directory.Contact, n)
	phones := make([]directory.Phone, n)
	schedules := make([]directory.Schedule, n)
	cats := make([]directory.TaxonomyTerm, 3*n)
	ints := make([]int, 0, 3*n)
	assured := make([]time.Time, n)
	base := assuredBase
	var desc strings.Builder
	for i := range svcs {
		s := &svcs[i]
		services[i] = s
		oi := i
		if i >= nOrgs {
			oi = rng.IntN(nOrgs)
		}
		org, t := &orgs[oi], orgTown[oi]
		ai := rng.IntN(len(activities))
		a := &activities[ai]
		num := strconv.Itoa(i + 1)

		l, p, ct, sc := &locs[i], &phones[i], &contacts[i], &schedules[i]
		ids.fill(&s.ID, &l.ID, &l.ServiceAtLocationID, &l.Address.ID, &p.ID, &ct.ID, &sc.ID)
		s.OrganizationID = org.ID
		s.Name = pick(synthAdj) + " " + a.name + ", " + t.name
		desc.Reset()
		desc.Grow(256)
		if strings.ContainsRune("aeiouAEIOU", rune(a.name[0])) {
			desc.WriteString("An ")
		} else {
			desc.WriteString("A ")
		}
		desc.WriteString(a.name)
		desc.WriteString(" for ")
		desc.WriteString(pick(synthFor))
		if part := pick(synthPart); part == "the town centre" {
			desc.WriteString(" in ")
			desc.WriteString(t.name)
			desc.WriteString(" town centre.")
		} else {
			desc.WriteString(" in ")
			desc.WriteString(part)
			desc.WriteByte(' ')
			desc.WriteString(t.name)
			desc.WriteByte('.')
		}
		for range 1 + rng.IntN(3) {
			desc.WriteByte(' ')
			desc.WriteString(pick(synthText))
		}
		s.Description = desc.String()
		s.Email = "service" + num + "@synthetic.example"
		if org.Website != "" && rng.IntN(4) > 0 {
			s.Website = org.Website + "/services/" + num
		}
		s.Keywords = actKeywords[ai][:len(actKeywords[ai]):len(actKeywords[ai])]

		// Categories: one to three, the activity's own first.
		k := 1 + rng.IntN(3)
		c := cats[3*i : 3*i : 3*i+3]
		for _, ti := range actCats[ai] {
			if len(c) == k {
				break
			}
			c = append(c, directory.TaxonomyTerm{ID: terms[ti].ID})
		}
		for len(c) < k {
			id := terms[rng.IntN(len(terms))].ID
			if !containsTerm(c, id) {
				c = append(c, directory.TaxonomyTerm{ID: id})
			}
		}
		s.Categories = c

		s.Free = a.price == 0 || rng.IntN(3) == 0
		if !s.Free {
			amount := a.price
			s.CostOptions = []directory.CostOption{{ID: ids.next(), Option: "Per session", Amount: &amount,
				AmountDescription: "£" + strconv.FormatFloat(amount, 'f', -1, 64) + " per session"}}
			if amount != math.Trunc(amount) {
				s.CostOptions[0].AmountDescription = "£" + strconv.FormatFloat(amount, 'f', 2, 64) + " per session"
			}
		}

		switch r := rng.IntN(100); {
		case r < 50:
			s.Kind, s.Pathway = directory.KindSignposting, directory.PathwayNone
		case r < 70:
			s.Kind, s.Pathway = directory.KindReferral, directory.PathwayWaymarkForm
		case r < 82:
			s.Kind, s.Pathway = directory.KindReferral, directory.PathwayExternalForm
			s.ExternalFormURL = "https://org" + strconv.Itoa(oi+1) + ".synthetic.example/refer"
		default:
			s.Kind, s.Pathway = directory.KindReferral, directory.PathwayProfessionalOnly
		}
		if s.Kind == directory.KindReferral && rng.IntN(5) < 2 {
			ints = append(ints, 1+rng.IntN(12))
			s.WaitingWeeks = &ints[len(ints)-1]
		}
		s.Status, s.Visibility = directory.StatusPublished, directory.VisibilityListed
		switch r := rng.IntN(100); {
		case r == 0:
			s.Status, s.StatusNote = directory.StatusFrozen, "We are full at the moment: the waiting list is about six weeks."
		case r == 1:
			s.Status = directory.StatusPendingReview
		case r == 2:
			s.Status = directory.StatusSuspended
		case r <= 4:
			s.Visibility = directory.VisibilityUnlisted
		}
		switch {
		case strings.Contains(a.cats, "young-people"):
			ints = append(ints, 5+rng.IntN(7), 16+rng.IntN(9))
			s.MinimumAge, s.MaximumAge = &ints[len(ints)-2], &ints[len(ints)-1]
		case strings.HasPrefix(a.cats, "older-people"):
			ints = append(ints, 50+10*rng.IntN(2))
			s.MinimumAge = &ints[len(ints)-1]
			s.AccessCriteria = "People aged " + strconv.Itoa(*s.MinimumAge) + " and over"
		case rng.IntN(10) == 0:
			ints = append(ints, 18)
			s.MinimumAge = &ints[len(ints)-1]
			s.AccessCriteria = "Adults aged 18 and over"
		}

		// Up to about 10 km from the town centre, uniformly over the disc.
		dist := math.Sqrt(rng.Float64()) * 0.09
		ang := rng.Float64() * 2 * math.Pi
		l.Name = pick(synthVenues) + ", " + t.name
		l.Latitude = t.lat + dist*math.Cos(ang)
		l.Longitude = t.lon + dist*math.Sin(ang)/math.Cos(t.lat*math.Pi/180)
		l.Address.Address1 = strconv.Itoa(1+rng.IntN(200)) + " " + pick(synthStreets)
		l.Address.City, l.Address.PostalCode, l.Address.Country = t.name, t.outward, "GB"
		s.Locations = locs[i : i+1 : i+1]

		if rng.IntN(4) == 0 {
			p.Number = "07700 900" + threeDigits(rng.IntN(1000))
		} else {
			p.Number = org.Phone
		}
		ct.Name, ct.Title, ct.Email, ct.Phones = pick(synthNames), "Coordinator", s.Email, phones[i:i+1:i+1]
		s.Contacts = contacts[i : i+1 : i+1]

		times := synthTimes[rng.IntN(len(synthTimes))]
		sc.OpensAt, sc.ClosesAt = times[0], times[1]
		if rng.IntN(7) == 0 {
			sc.Freq, sc.ByDay = "MONTHLY", strconv.Itoa(1+rng.IntN(4))+pick(synthDays)
		} else if d := rng.IntN(7); rng.IntN(5) == 0 && d < 5 {
			sc.Freq, sc.ByDay = "WEEKLY", synthDays[d]+","+synthDays[d+2]
		} else {
			sc.Freq, sc.ByDay = "WEEKLY", synthDays[d]
		}
		s.Schedules = schedules[i : i+1 : i+1]

		if rng.IntN(5) > 0 {
			assured[i] = base.AddDate(0, 0, -rng.IntN(330))
			s.AssuredAt = &assured[i]
		}
	}
	return orgs, services
}

// idSource makes UUIDs in the version 7 layout (RFC 9562: a millisecond
// count, then random bits) from its own random stream, so they are fast to
// make, stable for a seed and independent of the data drawn. Each id's
// count is one more than the last, from a fixed start, so the ids sort in
// the order they are made, as ids made over time would: every index keyed
// by an id then grows at its end when the data is loaded in that order,
// where random (version 4) ids would land on a random page of each index
// every time (see docs/decisions.md, "Loading in bulk").
type idSource struct {
	rng   *rand.Rand
	count *uint64
}

// idEpoch is the millisecond count of the first synthetic id.
var idEpoch = uint64(assuredBase.AddDate(-1, 0, 0).UnixMilli())

func newIDSource(seed int64) idSource {
	return idSource{rand.New(rand.NewPCG(uint64(seed), 0x5851f42d4c957f2d)), new(uint64)}
}

func (s idSource) uuid() uuid.UUID {
	var u uuid.UUID
	ms := idEpoch + *s.count
	*s.count++
	lo := s.rng.Uint64()
	for i := range 6 {
		u[i] = byte(ms >> (40 - 8*i))
	}
	for i := range 8 {
		u[8+i] = byte(lo >> (56 - 8*i))
	}
	r := s.rng.Uint32()
	u[6], u[7] = 0x70|byte(r&0x0f), byte(r>>8) // version 7, then random bits
	u[8] = u[8]&0x3f | 0x80                    // RFC 4122 variant
	return u
}

func (s idSource) next() string { return s.uuid().String() }

// fill sets each of ids to a new id. The ids share one allocation, which
// matters when making millions of them.
func (s idSource) fill(ids ...*string) {
	const size = 36
	buf := make([]byte, 0, size*len(ids))
	for range ids {
		u := s.uuid()
		for i, b := range u {
			if i == 4 || i == 6 || i == 8 || i == 10 {
				buf = append(buf, '-')
			}
			buf = append(buf, hexDigits[b>>4], hexDigits[b&0xf])
		}
	}
	all := string(buf)
	for i, id := range ids {
		*id = all[i*size : (i+1)*size]
	}
}

func containsTerm(list []directory.TaxonomyTerm, id string) bool {
	for _, t := range list {
		if t.ID == id {
			return true
		}
	}
	return false
}

const hexDigits = "0123456789abcdef"

// threeDigits formats 0-999 with leading zeros.
func threeDigits(n int) string {
	return string([]byte{byte('0' + n/100), byte('0' + n/10%10), byte('0' + n%10)})
}
