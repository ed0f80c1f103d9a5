package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/google/uuid"

	"waymark/internal/casework"
	"waymark/internal/directory"
	"waymark/internal/referral"
)

// Activity is synthetic activity for the insights dashboards: referrals to
// the demo services with their answers, attendance and scores, referrals
// into the demo team with the clients they became, their contacts,
// discharges and outcome measures, and searches that found nothing. The
// people in it are made up.
type Activity struct {
	Referrals []ActivityReferral
	Incoming  []ActivityIncoming
	Clients   []ActivityClient
	Gaps      []directory.SearchGap
}

// ActivityReferral is one referral to a marketplace service.
type ActivityReferral struct {
	ID, Reference, ServiceID, OrganizationID string
	Source                                   referral.Source
	ReferrerID, ReferrerName                 string
	ClientName                               string
	Status                                   referral.Status
	DeclineReason                            string
	Attendance                               referral.Status
	Created                                  time.Time
	Responded                                *time.Time
	Score                                    int
	MetNeeds                                 *bool
}

// ActivityIncoming is one referral into the team's waiting list.
type ActivityIncoming struct {
	ID, TeamID, Source, Status string
	GivenName, FamilyName      string
	Postcode                   string
	Received                   time.Time
	Decided                    *time.Time
	ClientID                   string
}

// ActivityClient is one client with their timeline's contacts and
// measures.
type ActivityClient struct {
	ID, TeamID, WorkerID          string
	GivenName, FamilyName         string
	Born                          time.Time
	Postcode                      string
	Status                        casework.Status
	DischargeReason               string
	Discharged                    *time.Time
	Created                       time.Time
	Contacts                      []ActivityContact
	Measures                      []casework.Measure
	LastContact                   *time.Time
	ReferralReason, ReferredByWho string
}

// ActivityContact is one contact with a client.
type ActivityContact struct {
	ID, Type string
	At       time.Time
	Minutes  int
}

// ActivityStore stores synthetic activity in one go.
type ActivityStore interface {
	AddActivity(ctx context.Context, a *Activity) error
}

// ActivityPeople are the demo accounts activity is attributed to.
type ActivityPeople struct {
	TeamID            string
	LeadID, WorkerID  string // the team's link workers
	GPID              string // a GP who refers
	LeadName, GPName  string
	WorkerName        string
	Postcode          string // the team's area, like DE4
	ReferringServices int    // how many services get referrals (default 12)
	TeamReferrals     int    // referrals into the team (default 180)
	Searches          int    // searches that found nothing (default 300)
}

var (
	givenNames  = []string{"Alan", "Beryl", "Carol", "David", "Elaine", "Frank", "Gwen", "Harold", "Irene", "John", "Kath", "Len", "Maureen", "Norman", "Olive", "Paul", "Rita", "Stan", "Tina", "Vera", "Wendy", "Yusuf", "Zara", "Amir", "Bronwen"}
	familyNames = []string{"Ashworth", "Brough", "Cotton", "Dakin", "Eyre", "Fearn", "Gratton", "Hallam", "Ibbotson", "Jepson", "Kirk", "Lomas", "Marsden", "Needham", "Orme", "Pidcock", "Redfern", "Slack", "Toplis", "Usher", "Wain", "Yates"}
	gapWords    = []string{"yoga", "sign language", "men's shed", "swimming", "bereavement", "dementia cafe", "tai chi", "veterans", "cycling", "choir"}
	gapAreas    = []string{"DE4", "DE4", "DE4", "DE45", "DE5", "DE55", "S42", ""}
)

// SyntheticActivity makes a year of activity up to now for the services
// taking referrals and the demo team: about 1,500 referrals to 12
// services, 180 referrals into the team and the clients they became, and
// 300 searches that found nothing. The same seed gives the same activity.
func SyntheticActivity(services []*directory.Service, p ActivityPeople, now time.Time, seed uint64) *Activity {
	r := rand.New(rand.NewPCG(seed, 1))
	a := &Activity{}
	newID := func() string {
		var b [16]byte
		for i := range b {
			b[i] = byte(r.UintN(256))
		}
		u, _ := uuid.FromBytes(b[:])
		return uuid.NewSHA1(namespace, []byte("activity:"+u.String())).String()
	}
	name := func() (string, string) {
		return givenNames[r.IntN(len(givenNames))], familyNames[r.IntN(len(familyNames))]
	}
	start := now.AddDate(-1, 0, 0)
	at := func(from time.Time) time.Time {
		span := now.Sub(from)
		if span <= 0 {
			return now
		}
		t := from.Add(time.Duration(r.Int64N(int64(span))))
		return time.Date(t.Year(), t.Month(), t.Day(), 9+r.IntN(8), r.IntN(60), 0, 0, time.UTC)
	}
	n := p.ReferringServices
	if n <= 0 {
		n = 12
	}
	var targets []*directory.Service
	for _, s := range services {
		if s.Pathway == directory.PathwayWaymarkForm || s.Pathway == directory.PathwayProfessionalOnly {
			targets = append(targets, s)
		}
	}
	if len(targets) > n {
		targets = targets[:n]
	}
	for i, svc := range targets {
		count := 40 + r.IntN(60) + 100*boolInt(i < 4) // a few busy services
		for k := 0; k < count; k++ {
			made := at(start)
			g, f := name()
			ref := ActivityReferral{ID: newID(), Reference: fmt.Sprintf("D%05d", len(a.Referrals)+1), ServiceID: svc.ID, OrganizationID: svc.OrganizationID,
				ClientName: g + " " + f, Created: made, Status: referral.StatusSent, Source: referral.SourceProfessional}
			switch x := r.IntN(100); {
			case x < 45 && svc.Pathway != directory.PathwayProfessionalOnly:
				ref.Source = referral.SourceSelf
			case x < 65:
				ref.ReferrerID, ref.ReferrerName = p.WorkerID, p.WorkerName
			case x < 75:
				ref.ReferrerID, ref.ReferrerName = p.LeadID, p.LeadName
			case x < 90:
				ref.ReferrerID, ref.ReferrerName = p.GPID, p.GPName
			default:
				ref.ReferrerName = "Community nurse"
			}
			age := now.Sub(made)
			responded := made.Add(time.Duration(1+r.IntN(24*6)) * time.Hour)
			switch x := r.IntN(100); {
			case age < 10*24*time.Hour && x < 40:
				// not answered yet
			case x < 4 && age > 30*24*time.Hour:
				ref.Status = referral.StatusAutoDeclined
			case x < 7:
				ref.Status = referral.StatusCancelled
			case x < 20:
				ref.Status, ref.Responded = referral.StatusDeclined, &responded
				ref.DeclineReason = referral.DeclineReasons[r.IntN(len(referral.DeclineReasons)-1)].Code
			default:
				ref.Status, ref.Responded = referral.StatusAccepted, &responded
				if age > 21*24*time.Hour {
					if r.IntN(100) < 78 {
						ref.Status, ref.Attendance = referral.StatusAttended, referral.StatusAttended
						if r.IntN(100) < 70 {
							ref.Score = []int{2, 3, 4, 4, 5, 5, 5}[r.IntN(7)]
							met := ref.Score >= 3 || r.IntN(3) == 0
							ref.MetNeeds = &met
						}
					} else {
						ref.Status, ref.Attendance = referral.StatusDidNotAttend, referral.StatusDidNotAttend
					}
				}
			}
			a.Referrals = append(a.Referrals, ref)
		}
	}
	if p.TeamID != "" {
		a.team(r, p, now, start, newID, name, at)
	}
	searches := p.Searches
	if searches <= 0 {
		searches = 300
	}
	for i := 0; i < searches; i++ {
		g := directory.SearchGap{Words: gapWords[r.IntN(len(gapWords))], At: at(start), District: gapAreas[r.IntN(len(gapAreas))]}
		if g.District != "" {
			g.RadiusMiles = []int{3, 5, 10, 10, 25}[r.IntN(5)]
		}
		a.Gaps = append(a.Gaps, g)
	}
	return a
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// team makes the demo team's year: referrals in, the clients they became,
// their contacts, measures and discharges.
func (a *Activity) team(r *rand.Rand, p ActivityPeople, now, start time.Time, newID func() string, name func() (string, string), at func(time.Time) time.Time) {
	area := p.Postcode
	if area == "" {
		area = "DE4"
	}
	workers := []string{p.WorkerID, p.LeadID}
	sources := []string{casework.SourceSelf, casework.SourceSelf, casework.SourceGP, casework.SourceGP, casework.SourceGP, casework.SourceProfessional}
	reasons := []string{"goals_met", "goals_met", "goals_met", "referred_on", "declined", "not_contactable", "moved_away"}
	n := p.TeamReferrals
	if n <= 0 {
		n = 180
	}
	for i := 0; i < n; i++ {
		g, f := name()
		received := at(start)
		in := ActivityIncoming{ID: newID(), TeamID: p.TeamID, Source: sources[r.IntN(len(sources))], Status: "waiting",
			GivenName: g, FamilyName: f, Postcode: fmt.Sprintf("%s %d%c%c", area, 1+r.IntN(9), 'A'+rune(r.IntN(26)), 'A'+rune(r.IntN(26))), Received: received}
		wait := time.Duration(1+r.IntN(20)) * 24 * time.Hour
		if received.Add(wait).After(now) {
			a.Incoming = append(a.Incoming, in) // still waiting
			continue
		}
		decided := received.Add(wait)
		in.Decided = &decided
		if r.IntN(100) < 8 {
			in.Status = "declined"
			a.Incoming = append(a.Incoming, in)
			continue
		}
		c := ActivityClient{ID: newID(), TeamID: p.TeamID, WorkerID: workers[r.IntN(2)], GivenName: g, FamilyName: f,
			Born: time.Date(1935+r.IntN(60), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC), Postcode: in.Postcode,
			Status: casework.StatusActive, Created: decided, ReferralReason: "Synthetic demo referral", ReferredByWho: strings.ReplaceAll(in.Source, "_", " ")}
		in.Status, in.ClientID = "accepted", c.ID
		// Weeks of support: a contact every week or two, measures first and last.
		end := decided.Add(time.Duration(6+r.IntN(14)) * 7 * 24 * time.Hour)
		if end.After(now) {
			end = now
		} else {
			c.Status, c.Discharged = casework.StatusDischarged, &end
			c.DischargeReason = reasons[r.IntN(len(reasons))]
		}
		for t := decided.Add(24 * time.Hour); t.Before(end); t = t.Add(time.Duration(5+r.IntN(10)) * 24 * time.Hour) {
			ct := ActivityContact{ID: newID(), Type: casework.ContactTypes[r.IntN(4)].Key, At: t, Minutes: 15 + 15*r.IntN(4)}
			c.Contacts = append(c.Contacts, ct)
			c.LastContact = &ct.At
		}
		swem, ons := 12+r.IntN(10), []int{3 + r.IntN(4), 3 + r.IntN(4), 3 + r.IntN(4), 4 + r.IntN(5)}
		c.Measures = append(c.Measures, measureOf(newID(), c.ID, "first", decided.Add(2*time.Hour), swem, ons)...)
		if c.Status == casework.StatusDischarged && r.IntN(100) < 80 {
			gain := r.IntN(8) - 1
			later := []int{min(10, ons[0]+r.IntN(4)), min(10, ons[1]+r.IntN(3)), min(10, ons[2]+r.IntN(4)), max(0, ons[3]-r.IntN(4))}
			c.Measures = append(c.Measures, measureOf(newID(), c.ID, "discharge", end.Add(-time.Hour), min(35, swem+gain), later)...)
		}
		a.Incoming = append(a.Incoming, in)
		a.Clients = append(a.Clients, c)
	}
}

// measureOf is a SWEMWBS with the raw total spread over its seven answers,
// and an ONS4.
func measureOf(id, clientID, stage string, at time.Time, swemRaw int, ons []int) []casework.Measure {
	answers := make([]int, 7)
	for i := range answers {
		answers[i] = swemRaw / 7
		if i < swemRaw%7 {
			answers[i]++
		}
	}
	return []casework.Measure{
		{ID: id + "-s", ClientID: clientID, Instrument: casework.SWEMWBS, Stage: stage, Scores: answers, TakenAt: at, RecordedBy: "demo"},
		{ID: id + "-o", ClientID: clientID, Instrument: casework.ONS4, Stage: stage, Scores: ons, TakenAt: at.Add(time.Minute), RecordedBy: "demo"},
	}
}
