package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

// dischargedClient is a client of team A with a reason for referral (sent
// through its form), what matters, a goal, ONS4 and SWEMWBS twice, then
// discharged.
func (cs *caseSite) dischargedClient(t *testing.T) string {
	t.Helper()
	id := cs.addClient(t, clientForm())
	b := cs.browsers["worker"]
	path := "/casework/clients/" + id + "/referral"
	_, page, _ := b.get(path)
	f := url.Values{"form_id": {formID(t, page)}, "referral_reason": {""}, "referred_by": {"Dr Asha Patel, GP"}}
	if status, body, _ := b.post(path, f); status != http.StatusBadRequest || !strings.Contains(body, `id="referral_reason-error"`) ||
		!strings.Contains(body, "Dr Asha Patel, GP") {
		t.Errorf("a reason for referral left empty: %d", status)
	}
	f.Set("referral_reason", "Low mood since retiring")
	if status, _, _ := b.post(path, f); status != http.StatusSeeOther {
		t.Fatalf("reason for referral: %d", status)
	}
	ctx := waymark.WithActor(context.Background(), waymark.Actor{UserID: cs.ids["worker"]})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(cs.cw.SetWhatMatters(ctx, id, "Feeling useful again", []string{"mental_wellbeing", "employment"}))
	_, err := cs.cw.AddGoal(ctx, id, "Volunteer one morning a week", 3)
	must(err)
	for _, m := range []casework.Measure{
		{Instrument: casework.ONS4, Stage: "first", Scores: []int{4, 3, 5, 7}},
		{Instrument: casework.SWEMWBS, Stage: "first", Scores: []int{2, 3, 2, 3, 2, 3, 2}},
		{Instrument: casework.ONS4, Stage: "discharge", Scores: []int{8, 9, 7, 3}},
		{Instrument: casework.SWEMWBS, Stage: "discharge", Scores: []int{4, 4, 4, 4, 4, 4, 4}},
	} {
		_, err := cs.cw.AddMeasure(ctx, id, m)
		must(err)
	}
	must(cs.cw.Discharge(ctx, id, "goals_met", "Volunteers at the food bank on Mondays"))
	return id
}

func TestDischargeLetterPageIsPrintableAndOnlyForTheTeam(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		cs := newCaseSite(t, db)
		id := cs.dischargedClient(t)
		c := "/casework/clients/" + id
		_, record, _ := cs.browsers["worker"].get(c)
		if !strings.Contains(record, `href="`+c+`/letter"`) || !strings.Contains(record, "Low mood since retiring (referred by Dr Asha Patel, GP)") {
			t.Error("the record neither links to its letter nor shows the reason for referral")
		}
		status, body, _ := cs.browsers["worker"].get(c + "/letter")
		if status != 200 {
			t.Fatalf("letter: %d", status)
		}
		for _, want := range []string{"Social prescribing discharge summary", "Margaret Oakes", "943 476 5919", "GP practice C81001",
			"Copy to:</strong> Dr Asha Patel, GP", "<h2>Reason for referral</h2>", "Low mood since retiring", "<h2>What matters to the person</h2>",
			"Feeling useful again", "<h2>Needs</h2>", "<li>Employment and education</li>", "<h2>Plan and goals</h2>", "Volunteer one morning a week",
			"<h2>Referrals made and their outcomes</h2>", "<h2>Outcome measures, first and latest</h2>",
			"ONS4 life satisfaction", "4 (low)", "8 (high)", "ONS4 anxiety", "7 (high)", "3 (low)", "SWEMWBS metric score", "16.88", "25.03",
			"<h2>Discharge</h2>", "Goals met", "Volunteers at the food bank on Mondays", "data-print", "waymark-no-print"} {
			if !strings.Contains(body, want) {
				t.Errorf("the letter lacks %q", want)
			}
		}
		// Who may read it: the route's row of the route × role table.
		const ok, notFound, toSignIn, toBreakGlass = 200, 404, 303, 303
		for _, path := range []string{c + "/letter", c + "/export", c + "/export.json"} {
			for who, code := range map[string]int{"worker": ok, "lead": ok, "other": notFound, "moderator": notFound, "provider": notFound,
				"commissioner": notFound, "gp": notFound, "admin": toBreakGlass, "anonymous": toSignIn} {
				status, _, h := cs.browsers[who].get(path)
				if status != code {
					t.Errorf("GET %s as %s = %d, want %d", path, who, status, code)
				}
				if who == "admin" && h.Get("Location") != c+"/break-glass" {
					t.Errorf("GET %s as admin went to %q", path, h.Get("Location"))
				}
			}
		}
		// Reopened, there is no letter to show.
		ctx := waymark.WithActor(context.Background(), waymark.Actor{UserID: cs.ids["worker"]})
		if err := cs.cw.SetStatus(ctx, id, casework.StatusActive, "Back in touch"); err != nil {
			t.Fatal(err)
		}
		if status, body, _ := cs.browsers["worker"].get(c + "/letter"); status != http.StatusBadRequest || !strings.Contains(body, "when the person is discharged") {
			t.Errorf("the letter of a reopened client: %d", status)
		}
	})
}

func TestSubjectAccessExportReadsAndDownloadsAndIsAudited(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		cs := newCaseSite(t, db)
		id := cs.dischargedClient(t)
		c := "/casework/clients/" + id
		status, body, _ := cs.browsers["lead"].get(c + "/export")
		if status != 200 {
			t.Fatalf("export page: %d", status)
		}
		for _, want := range []string{"Everything held about Peggy Oakes", "943 476 5919", "4 Bank Road", "peggy@example.org", "Low mood since retiring",
			"Volunteer one morning a week", "SWEMWBS metric score 25.03 (raw 28)", "Volunteers at the food bank on Mondays", "Who opened or changed the record",
			"Client record, export", `href="` + c + `/export.json"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the export page lacks %q", want)
			}
		}
		status, body, h := cs.browsers["worker"].get(c + "/export.json")
		if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "application/json") ||
			h.Get("Content-Disposition") != `attachment; filename="waymark-client-`+id+`.json"` || h.Get("Cache-Control") != "no-store" {
			t.Fatalf("download: %d %v", status, h)
		}
		var x struct {
			Client   casework.Client
			Timeline []casework.Entry
			Measures []casework.ExportedMeasure `json:"outcome_measures"`
		}
		if err := json.Unmarshal([]byte(body), &x); err != nil {
			t.Fatal(err)
		}
		if x.Client.NHSNumber != "9434765919" || x.Client.ReferralReason != "Low mood since retiring" || len(x.Timeline) == 0 || len(x.Measures) != 4 {
			t.Errorf("downloaded %+v", x)
		}
		// Both exports are in the access log, with their format.
		_, log, _ := cs.browsers["lead"].get(c + "/access-log")
		if !strings.Contains(log, "Client record, export") {
			t.Error("the access log lacks the exports")
		}
		events, err := cs.cw.AccessLog(waymark.WithActor(context.Background(), waymark.Actor{UserID: cs.ids["lead"]}), id)
		if err != nil {
			t.Fatal(err)
		}
		formats := map[string]string{}
		for _, e := range events {
			if e.Action == "client.export" {
				formats[e.Detail] = e.ActorID
			}
		}
		if formats["html"] != cs.ids["lead"] || formats["json"] != cs.ids["worker"] {
			t.Errorf("exports audited: %v", formats)
		}
	})
}
