package seed

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

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

var (
	synthWhat = []string{"walking group", "walking football", "health walks", "art class", "craft club", "community choir", "debt advice",
		"benefits advice", "food bank", "community pantry", "lunch club", "befriending", "carers group", "gardening club", "conservation volunteers",
		"youth club", "parent and toddler group", "job club", "digital skills", "reading group", "men's shed", "tea dance", "yoga class",
		"tai chi", "swimming sessions", "peer support group", "bereavement support", "memory café", "cooking course", "repair café",
		"stroke club", "singing for lung health", "counselling", "mindfulness course", "warm space", "language café", "cycling group",
		"dance class", "allotment project", "photography club"}
	synthAdj  = []string{"Community", "Friendly", "Local", "Neighbourhood", "Riverside", "Park", "Village", "Town", "Green", "Open"}
	synthOrgs = []string{"Trust", "CIC", "Association", "Network", "Project", "Foundation", "Partnership", "Society", "Collective", "Group"}
	synthText = []string{"Everyone is welcome.", "No experience needed.", "Tea and biscuits provided.", "Accessible venue with parking.",
		"Run by trained volunteers.", "Bring a friend if you like.", "Help with transport may be available.", "Sessions last about two hours.",
		"A relaxed and friendly atmosphere.", "Carers are welcome too.", "Supports people to feel more confident.", "Free refreshments."}
	synthDays = []string{"MO", "TU", "WE", "TH", "FR", "SA", "SU"}
)

// Synthetic generates n services from about n/3 organisations, spread over
// English towns in proportion to their size, for benchmarks. The same seed
// gives the same data. Locations carry coordinates, so nothing is geocoded.
func Synthetic(n int, seed int64) ([]directory.Organization, []*directory.Service) {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	_, terms := Categories()
	total := 0
	for _, t := range englishTowns {
		total += t.weight
	}
	pickTown := func() town {
		w := rng.IntN(total)
		for _, t := range englishTowns {
			if w < t.weight {
				return t
			}
			w -= t.weight
		}
		return englishTowns[0]
	}
	nOrgs := max(1, n/3)
	orgs := make([]directory.Organization, nOrgs)
	orgTown := make([]town, nOrgs)
	for i := range orgs {
		t := pickTown()
		name := fmt.Sprintf("%s %s %s %d", t.name, synthAdj[rng.IntN(len(synthAdj))], synthOrgs[rng.IntN(len(synthOrgs))], i)
		orgs[i] = directory.Organization{ID: id("synthetic-org", fmt.Sprint(seed, i)), Name: name,
			Description: "A community organisation in " + t.name + ".", Email: fmt.Sprintf("org%d@synthetic.example", i)}
		orgTown[i] = t
	}
	services := make([]*directory.Service, n)
	for i := range services {
		oi := rng.IntN(nOrgs)
		t := orgTown[oi]
		what := synthWhat[rng.IntN(len(synthWhat))]
		var desc strings.Builder
		desc.WriteString(fmt.Sprintf("A %s in %s. ", what, t.name))
		for range 3 {
			desc.WriteString(synthText[rng.IntN(len(synthText))])
			desc.WriteByte(' ')
		}
		// Jitter up to about 10 km around the town centre.
		dist := math.Sqrt(rng.Float64()) * 0.09
		ang := rng.Float64() * 2 * math.Pi
		lat := t.lat + dist*math.Cos(ang)
		lon := t.lon + dist*math.Sin(ang)/math.Cos(t.lat*math.Pi/180)
		svc := &directory.Service{
			ID:             id("synthetic-service", fmt.Sprint(seed, i)),
			OrganizationID: orgs[oi].ID,
			Name:           strings.ToUpper(what[:1]) + what[1:] + " " + t.name + " " + fmt.Sprint(i),
			Description:    desc.String(),
			Email:          fmt.Sprintf("service%d@synthetic.example", i),
			Status:         directory.StatusPublished,
			Visibility:     directory.VisibilityListed,
			Free:           rng.IntN(3) > 0,
			Keywords:       strings.Fields(what),
		}
		if rng.IntN(20) == 0 {
			svc.Status = directory.StatusSuspended
		}
		switch rng.IntN(4) {
		case 0, 1:
			svc.Kind, svc.Pathway = directory.KindSignposting, directory.PathwayNone
		case 2:
			svc.Kind, svc.Pathway = directory.KindReferral, directory.PathwayWaymarkForm
		default:
			svc.Kind, svc.Pathway = directory.KindReferral, directory.PathwayProfessionalOnly
		}
		for _, k := range rng.Perm(len(terms))[:1+rng.IntN(3)] {
			svc.Categories = append(svc.Categories, directory.TaxonomyTerm{ID: terms[k].ID})
		}
		svc.Locations = []directory.Location{{Latitude: lat, Longitude: lon,
			Address: directory.Address{Address1: fmt.Sprintf("%d High Street", 1+rng.IntN(200)), City: t.name, PostalCode: t.outward, Country: "GB"}}}
		day := synthDays[rng.IntN(len(synthDays))]
		svc.Schedules = []directory.Schedule{{Freq: "WEEKLY", ByDay: day, OpensAt: "10:00", ClosesAt: "12:00"}}
		services[i] = svc
	}
	return orgs, services
}

// Load creates the organisations, then the services in batches of batch.
func Load(ctx context.Context, dir *directory.Directory, orgs []directory.Organization, services []*directory.Service, batch int) error {
	if batch < 1 {
		batch = 100
	}
	if err := dir.CreateOrganizations(ctx, orgs); err != nil {
		return fmt.Errorf("create organisations: %w", err)
	}
	for start := 0; start < len(services); start += batch {
		end := min(start+batch, len(services))
		if err := dir.CreateServices(ctx, services[start:end]); err != nil {
			return fmt.Errorf("create services %d-%d: %w", start+1, end, err)
		}
	}
	return nil
}
