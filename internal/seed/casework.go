package seed

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/directory"
	"waymark/internal/referral"
)

// CaseworkPeople are the demo accounts the demo team is made of.
type CaseworkPeople struct {
	Admin                  waymark.Actor // creates the team
	LeadEmail, WorkerEmail string
	Lead, Worker           waymark.Actor // link workers, with their memberships
	LeadName, WorkerName   string
}

// CaseworkReferrals is what the demo needs to make referrals to
// marketplace services from client records, through the referral service,
// and to move some of them on as the demo provider would.
type CaseworkReferrals struct {
	Store    referral.Store
	Listings referral.Listings
	Config   referral.Config
	// Services are the demo services, to find the ones referred to by name.
	Services []*directory.Service
	// Provider is the demo provider, a member of the organisation that runs
	// the services whose referrals the demo moves on.
	Provider     waymark.Actor
	ProviderName string
}

// demoNHSNumber makes a valid NHS number in the 999 range, which is never
// issued to a real person.
func demoNHSNumber(n int) string {
	for ; ; n++ {
		s := "999" + fmt.Sprintf("%06d", n)
		sum := 0
		for i := 0; i < 9; i++ {
			sum += int(s[i]-'0') * (10 - i)
		}
		check := 11 - sum%11
		if check == 11 {
			check = 0
		}
		if check != 10 {
			return s + strconv.Itoa(check)
		}
	}
}

type demoClient struct {
	given, family, preferred string
	born                     string
	postcode, address        string
	status                   casework.Status
	worker                   bool // the demo link worker's, else the lead's
	whatMatters              string
	needs                    []string
	goal                     string
	first, latest            []int // ONS4
	swemFirst, swemLatest    int   // each of the seven SWEMWBS answers
	note                     string
	discharge                string
}

var demoClients = []demoClient{
	{"Margaret", "Oakes", "Peggy", "1948-03-15", "DE4 3AG", "4 Bank Road, Matlock", casework.StatusActive, true,
		"Getting out of the house and seeing people again since Frank died.", []string{"loneliness", "physical_activity"},
		"Walk to the shops on my own", []int{3, 4, 4, 7}, []int{6, 7, 7, 4}, 2, 3, "Home visit. Peggy has not been out much since her husband died in the spring.", ""},
	{"Arthur", "Bennett", "", "1952-07-02", "DE4 3NN", "12 Smedley Street, Matlock", casework.StatusActive, true,
		"Sorting out the bills so I can sleep at night.", []string{"money", "mental_wellbeing"},
		"Get my debts into one plan", []int{4, 5, 3, 8}, []int{5, 6, 5, 6}, 2, 3, "Phoned Arthur; letters from two creditors. Booked him in with debt advice.", ""},
	{"Sadia", "Khan", "", "1987-11-20", "DE4 2EW", "3 Dale Road, Darley Dale", casework.StatusActive, true,
		"Finding work that fits around the children.", []string{"employment", "carers"},
		"Finish the college course", []int{5, 6, 5, 6}, []int{7, 7, 7, 4}, 3, 4, "Met at the surgery. Sadia cares for her mother and two children.", ""},
	{"Tom", "Hardy", "Tommy", "1961-01-09", "DE4 5GB", "The Cottage, Wirksworth", casework.StatusActive, false,
		"Getting fitter after the heart attack and back to the allotment.", []string{"physical_activity", "long_term_conditions"},
		"Walk for 30 minutes three times a week", []int{4, 4, 5, 6}, []int{6, 6, 7, 3}, 2, 3, "Video call. Tom is keen but anxious about overdoing it.", ""},
	{"Irene", "Walsh", "", "1939-05-30", "DE4 3PT", "Flat 2, Rutland Street, Matlock", casework.StatusWaiting, true,
		"", nil, "", nil, nil, 0, 0, "", ""},
	{"Daniel", "Price", "Dan", "1995-09-14", "DE4 4GD", "8 Chesterfield Road, Matlock", casework.StatusWaiting, true,
		"", nil, "", nil, nil, 0, 0, "", ""},
	{"Grace", "Adeyemi", "", "1976-02-27", "DE4 3LX", "21 Wellington Street, Matlock", casework.StatusWaiting, false,
		"", nil, "", nil, nil, 0, 0, "", ""},
	{"Wendy", "Marsh", "", "1958-12-03", "DE4 2DP", "5 Church Road, Darley Dale", casework.StatusOnHold, true,
		"Feeling less alone now I am caring for Bill full time.", []string{"carers", "loneliness"},
		"Have one afternoon a week for me", []int{3, 4, 3, 8}, []int{4, 5, 4, 7}, 2, 2, "Wendy asked to pause while Bill is in hospital.", ""},
	{"Kevin", "Doyle", "", "1970-06-18", "DE4 4AN", "14 Bakewell Road, Matlock", casework.StatusOnHold, false,
		"A safe, warm place to live.", []string{"housing", "money"},
		"Move into the new flat", []int{2, 3, 3, 9}, []int{3, 4, 3, 8}, 1, 2, "Kevin is waiting for the housing association's offer.", ""},
	{"Eileen", "Foster", "", "1945-08-11", "DE4 3BZ", "9 Causeway Lane, Matlock", casework.StatusDischarged, true,
		"Having company and something to look forward to each week.", []string{"loneliness"},
		"Go to the Tuesday lunch club", []int{3, 5, 4, 6}, []int{8, 8, 8, 2}, 2, 4, "Eileen now goes to the lunch club every Tuesday.", "goals_met"},
	{"Mark", "Ellis", "", "1983-04-04", "DE4 5JA", "2 Greenhill, Wirksworth", casework.StatusDischarged, false,
		"Eating well on a small budget.", []string{"food", "money"},
		"Cook three meals a week from scratch", []int{4, 5, 4, 5}, []int{5, 6, 5, 5}, 3, 3, "Mark moved to Sheffield to be near his sister.", "moved_away"},
	{"Joan", "Turner", "", "1950-10-23", "DE4 3QS", "17 Snitterton Road, Matlock", casework.StatusDischarged, true,
		"Not much, thank you; I am managing.", []string{"other"},
		"", nil, nil, 0, 0, "Joan said she did not want further support for now.", "declined"},
}

// demoReferral is a referral made from a demo client's record, and what
// the provider then did: steps are referral statuses (accepted, attended,
// did_not_attend, closed, declined), a message from the provider, or
// nothing (still waiting for an answer).
type demoReferral struct {
	family  string // the client's family name
	service string // the service's name
	consent string // the organisation the client agreed to share with
	reason  string
	answers map[string][]string
	steps   []string
	decline string // the decline reason code and note, for "declined"
	note    string
	message string // the provider's message after the last step
	days    int    // days after the first contact the referral is made
	recent  bool   // made days before now instead, so the provider's answer is still awaited
}

var nordicAnswers = map[string][]string{"q_poles": {"No"}, "q_group": {"Saturday morning"}}

var demoReferrals = []demoReferral{
	{family: "Oakes", service: "Nordic walking for beginners", consent: "Matlock Striders", answers: nordicAnswers,
		reason: "Peggy wants to get out walking with other people again; she is steady on her feet but has not been out much since her husband died.",
		steps:  []string{"accepted", "attended"}, message: "Peggy came on Saturday and did the whole first session. See you next week, Peggy!", days: 5},
	{family: "Hardy", service: "Nordic walking for beginners", consent: "Matlock Striders", answers: nordicAnswers,
		reason: "Tom is building up his walking after a heart attack, with his cardiac rehabilitation team's agreement.",
		steps:  []string{"declined"}, decline: "full", note: "The Saturday group is full until March. Wirksworth Nordic walking on Thursdays has places.", days: 4},
	{family: "Bennett", service: "Debt and benefits advice", consent: "Dales Pound Wise Advice",
		reason: "Arthur has letters from two creditors and is not sleeping; he would like help to put his debts into one plan.", days: 2, recent: true},
	{family: "Doyle", service: "Nordic walking for beginners", consent: "Matlock Striders", answers: nordicAnswers,
		reason: "Kevin would like something to get him out of the house while he waits for the new flat.",
		steps:  []string{"accepted", "did_not_attend"}, days: 6},
	{family: "Foster", service: "Nordic walking for beginners", consent: "Matlock Striders", answers: nordicAnswers,
		reason: "Eileen would like company and something to look forward to each week.",
		steps:  []string{"accepted", "attended", "closed"}, days: 3},
	{family: "Marsh", service: "Carers' emergency plan", consent: "Eureka Carers Circle",
		reason: "Wendy cares for her husband full time and worries about who would look after him if she were taken ill.", days: 1, recent: true},
}

// demoPhone is demo client i's number: a mobile for those who prefer texts
// (texts cannot go to a landline), else a Matlock landline. The mobiles are in
// Ofcom's range for drama, never in use.
func demoPhone(i int) string {
	if i%3 == 2 {
		return fmt.Sprintf("07700 900%03d", 100+i)
	}
	return fmt.Sprintf("01629 580%03d", 100+i)
}

// Casework adds the demo social prescribing team with its practices, the
// demo link worker and team lead, and a dozen clients in every status with
// notes, goals, actions, appointments and measures over the last three
// months before now. With refs, some clients have referrals made from
// their records to demo services, a few of them accepted, declined,
// attended or closed by the demo provider.
func Casework(ctx context.Context, store casework.Store, geo casework.Geocoder, people CaseworkPeople, refs *CaseworkReferrals, now time.Time) error {
	cur := now.Add(-100 * 24 * time.Hour)
	clock := func() time.Time { return cur }
	svc := casework.NewService(store, clock, casework.Config{NewID: uuid.NewString, Postcodes: geo})
	var referrals *referral.Referrals
	if refs != nil {
		referrals = referral.NewReferrals(refs.Store, refs.Listings, refs.Config, clock, slog.New(slog.DiscardHandler))
	}
	admin := waymark.WithActor(ctx, people.Admin)
	team, err := svc.CreateTeam(admin, "Derbyshire Dales PCN social prescribing team")
	if err != nil {
		return fmt.Errorf("demo team: %w", err)
	}
	for _, p := range []casework.Practice{{ODSCode: "C81001", Name: "Lime Grove Medical Centre, Matlock (demo)"},
		{ODSCode: "C81002", Name: "Imperial Road Surgery, Matlock (demo)"}, {ODSCode: "C81003", Name: "Darley Dale Medical Centre (demo)"},
		{ODSCode: "C81004", Name: "Wirksworth Health Centre (demo)"}} {
		if err := svc.AddPractice(admin, team.ID, p); err != nil {
			return fmt.Errorf("demo practice: %w", err)
		}
	}
	if err := svc.AddArea(admin, team.ID, "DE4"); err != nil {
		return fmt.Errorf("demo area: %w", err)
	}
	// Two referrals on the waiting list: one from the public, one from a GP
	// that has waited past the first-contact target.
	for i, in := range []casework.Incoming{
		{GivenName: "Ruth", FamilyName: "Allen", DateOfBirth: time.Date(1957, 4, 12, 0, 0, 0, 0, time.UTC), Postcode: "DE4 3AG",
			Phone: "01629 580201", PreferredContact: "phone", GPPractice: "C81002", Reason: "I have been feeling low since I retired and would like to meet people.", Consent: true},
		{GivenName: "Colin", FamilyName: "Shaw", DateOfBirth: time.Date(1966, 9, 3, 0, 0, 0, 0, time.UTC), Postcode: "DE4 2EW",
			Phone: "01629 580202", PreferredContact: "phone", GPPractice: "C81003", Reason: "Struggling with debt after losing his job; low mood.",
			ReferrerName: "Dr Gita Patel, GP", ReferrerEmail: "gp@demo.waymark.example", Consent: true},
	} {
		cur = now.Add(time.Duration(-2-14*i) * 24 * time.Hour)
		if _, err := svc.Refer(ctx, in); err != nil {
			return fmt.Errorf("demo waiting list: %w", err)
		}
	}
	if err := svc.AddMember(admin, team.ID, people.LeadEmail, true); err != nil {
		return fmt.Errorf("demo lead: %w", err)
	}
	if err := svc.AddMember(admin, team.ID, people.WorkerEmail, false); err != nil {
		return fmt.Errorf("demo link worker: %w", err)
	}
	practices := []string{"C81001", "C81002", "C81003", "C81004"}
	for i, d := range demoClients {
		cur = now.Add(time.Duration(-90+i) * 24 * time.Hour)
		as := waymark.WithActor(ctx, people.Worker)
		if !d.worker {
			as = waymark.WithActor(ctx, people.Lead)
		}
		born, _ := time.Parse("2006-01-02", d.born)
		c := casework.Client{GivenName: d.given, FamilyName: d.family, PreferredName: d.preferred, DateOfBirth: born,
			NHSNumber: demoNHSNumber(1000 + i*37), Address: d.address, Postcode: d.postcode, Phone: demoPhone(i),
			Email: fmt.Sprintf("%s.%s@example.org", lower(d.given), lower(d.family)), PreferredContact: []string{"email", "phone", "text"}[i%3],
			GPPractice: practices[i%len(practices)], Ethnicity: []string{"A", "A", "K", "A", "B", "A", "N", "A", "A", "A", "C", "A"}[i],
			Gender: "male"}
		if isFemale(d.given) {
			c.Gender = "female"
		}
		nc, err := svc.CreateClient(as, team.ID, c, true)
		if err != nil {
			return fmt.Errorf("demo client %s: %w", d.family, err)
		}
		id := nc.Client.ID
		if !d.worker {
			if err := svc.Transfer(waymark.WithActor(ctx, people.Lead), id, people.Lead.UserID); err != nil {
				return err
			}
		}
		for _, k := range []string{casework.ConsentHoldRecord, casework.ConsentContactEmail, casework.ConsentContactPhone} {
			if err := svc.AddConsent(as, id, k, ""); err != nil {
				return err
			}
		}
		if d.status == casework.StatusWaiting {
			continue
		}
		cur = cur.Add(3 * 24 * time.Hour)
		if err := svc.SetStatus(as, id, casework.StatusActive, "First contact made"); err != nil {
			return err
		}
		if _, err := svc.AddContact(as, id, casework.Contact{Type: []string{"home_visit", "phone", "face_to_face", "video"}[i%4], At: cur, Minutes: 40 + i%3*10, Note: d.note}); err != nil {
			return err
		}
		if d.whatMatters != "" {
			if err := svc.SetWhatMatters(as, id, d.whatMatters, d.needs); err != nil {
				return err
			}
		}
		if d.first != nil {
			if _, err := svc.AddMeasure(as, id, casework.Measure{Instrument: casework.ONS4, Stage: "first", Scores: d.first}); err != nil {
				return err
			}
			if _, err := svc.AddMeasure(as, id, casework.Measure{Instrument: casework.SWEMWBS, Stage: "first", Scores: sevenOf(d.swemFirst)}); err != nil {
				return err
			}
		}
		var goalID string
		if d.goal != "" {
			g, err := svc.AddGoal(as, id, d.goal, 2)
			if err != nil {
				return err
			}
			goalID = g.ID
			if err := svc.AddAction(as, id, casework.Action{Text: "Try a first session", Who: d.given, Due: day(now.Add(time.Duration(i%5-2) * 24 * time.Hour))}); err != nil {
				return err
			}
		}
		if referrals != nil {
			if err := demoReferFrom(as, svc, referrals, refs, nc.Client, people, d.worker, &cur, now); err != nil {
				return fmt.Errorf("demo referral for %s: %w", d.family, err)
			}
		}
		cur = cur.Add(30 * 24 * time.Hour)
		if _, err := svc.AddContact(as, id, casework.Contact{Type: "phone", At: cur, Minutes: 20, Note: "Follow-up call: " + d.given + " has made a start."}); err != nil {
			return err
		}
		if goalID != "" {
			if err := svc.ScoreGoal(as, id, goalID, 5+i%4); err != nil {
				return err
			}
		}
		if d.latest != nil {
			if _, err := svc.AddMeasure(as, id, casework.Measure{Instrument: casework.ONS4, Stage: "review", Scores: d.latest}); err != nil {
				return err
			}
			if _, err := svc.AddMeasure(as, id, casework.Measure{Instrument: casework.SWEMWBS, Stage: "review", Scores: sevenOf(d.swemLatest)}); err != nil {
				return err
			}
		}
		switch d.status {
		case casework.StatusActive:
			cur = now.Add(-time.Hour)
			if _, err := svc.AddAppointment(as, id, casework.Appointment{StartsAt: day(now).Add(time.Duration(24*(1+i%6)+10) * time.Hour),
				Mode: "in_person", Place: "Matlock library"}); err != nil {
				return err
			}
		case casework.StatusOnHold:
			if err := svc.SetStatus(as, id, casework.StatusOnHold, d.note); err != nil {
				return err
			}
		case casework.StatusDischarged:
			cur = cur.Add(10 * 24 * time.Hour)
			if err := svc.Discharge(as, id, d.discharge, d.note); err != nil {
				return err
			}
		}
	}
	return nil
}

// demoReferFrom makes the demo referral of client, if it has one, as the
// web does from the record: consent to share, the prefilled referral
// through the referral service as the client's link worker, the referral
// on the record's timeline; then the provider's steps, a day or two apart.
// It moves the clock it is given on; the clock ends where it began.
func demoReferFrom(as context.Context, svc *casework.Service, referrals *referral.Referrals, refs *CaseworkReferrals,
	c *casework.Client, people CaseworkPeople, worker bool, cur *time.Time, now time.Time) error {
	i := slices.IndexFunc(demoReferrals, func(r demoReferral) bool { return r.family == c.FamilyName })
	if i < 0 {
		return nil
	}
	d := demoReferrals[i]
	j := slices.IndexFunc(refs.Services, func(s *directory.Service) bool { return s.Name == d.service })
	if j < 0 {
		return fmt.Errorf("no demo service %q", d.service)
	}
	service := refs.Services[j]
	start := *cur
	defer func() { *cur = start }()
	*cur = start.Add(time.Duration(d.days) * 24 * time.Hour)
	if d.recent {
		*cur = now.Add(time.Duration(-d.days) * 24 * time.Hour)
	}
	if err := svc.AddConsent(as, c.ID, casework.ConsentShare, d.consent); err != nil {
		return err
	}
	*cur = cur.Add(10 * time.Minute)
	if _, err := svc.ForReferral(as, c.ID, service.Name, d.consent, service.DisplayName()); err != nil {
		return err
	}
	name, email := people.WorkerName, people.WorkerEmail
	if !worker {
		name, email = people.LeadName, people.LeadEmail
	}
	contact := c.PreferredContact
	if contact != referral.ContactEmail {
		contact = referral.ContactPhone // a landline: no texts
	}
	ref, err := referrals.Refer(referral.WithUserName(as, name), service.ID, referral.Request{
		Client:  referral.Person{Name: c.GivenName + " " + c.FamilyName, Email: c.Email, Phone: c.Phone, PreferredContact: contact},
		Consent: true, Reason: d.reason, Answers: func(k string) []string { return d.answers[k] },
		ReferrerName: name, ReferrerEmail: email,
	})
	if err != nil {
		return err
	}
	if err := svc.RecordReferral(as, c.ID, ref.ID, service.DisplayName()); err != nil {
		return err
	}
	provider := referral.WithUserName(waymark.WithActor(as, refs.Provider), refs.ProviderName)
	for k, step := range d.steps {
		*cur = cur.Add(time.Duration(20+k*30) * time.Hour)
		switch referral.Status(step) {
		case referral.StatusAccepted:
			err = referrals.Accept(provider, ref.ID)
		case referral.StatusDeclined:
			err = referrals.Decline(provider, ref.ID, d.decline, d.note)
		case referral.StatusAttended, referral.StatusDidNotAttend:
			err = referrals.RecordAttendance(provider, ref.ID, step == string(referral.StatusAttended))
		case referral.StatusClosed:
			err = referrals.Close(provider, ref.ID)
		default:
			err = fmt.Errorf("unknown step %q", step)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", step, err)
		}
	}
	if d.message != "" {
		*cur = cur.Add(2 * time.Hour)
		if err := referrals.PostMessage(provider, ref.ID, d.message); err != nil {
			return err
		}
	}
	return nil
}

func sevenOf(v int) []int { return []int{v, v, v + 1, v, v, v + 1, v} }

func day(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func isFemale(given string) bool {
	switch given {
	case "Margaret", "Sadia", "Irene", "Grace", "Wendy", "Eileen", "Joan":
		return true
	}
	return false
}
