package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/account"
	"waymark/internal/gp"
	"waymark/internal/pcn"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

func TestPCNsHoldPracticesTeamsAndCommissionersEachInOneNetwork(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		cf := newCaseFixture(t, db)
		ctx := context.Background()
		svc := pcn.NewService(sqlstore.NewPCNStore(db), uuid.NewString, cf.clock)
		accounts := sqlstore.NewAccountStore(db)
		comm := &account.User{ID: uuid.NewString(), Email: "cam@example.org", Name: "Cam", PasswordHash: "x", PlatformRole: waymark.RoleCommissioner, CreatedAt: testNow}
		if err := accounts.CreateUser(ctx, comm); err != nil {
			t.Fatal(err)
		}

		a, err := svc.Create(cf.admin, pcn.PCN{Name: " Amber Valley PCN ", ODSCode: "u12345", Practices: []string{"c81001", "C81001"},
			Teams: []string{cf.teamA.ID}, Commissioners: []string{comm.ID}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := svc.Get(cf.admin, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprint("Amber Valley PCN U12345 [C81001] [", cf.teamA.ID, "] [", comm.ID, "]"); fmt.Sprint(got.Name, " ", got.ODSCode, " ", got.Practices, " ", got.Teams, " ", got.Commissioners) != want {
			t.Errorf("got %+v, want %s", got, want)
		}
		// The practices list names each practice's network.
		gps := sqlstore.NewGPStore(db)
		if err := gps.SavePractice(ctx, gp.Practice{ODSCode: "C81001", Name: "Lime Grove"}, testNow); err != nil {
			t.Fatal(err)
		}
		if p, err := gps.Practice(ctx, "C81001"); err != nil || p.PCNName != "Amber Valley PCN" {
			t.Errorf("practice's network = %+v (%v)", p, err)
		}
		// The commissioner's account carries the network.
		u, err := accounts.FindUserByID(ctx, comm.ID)
		if err != nil || u.PCN != a.ID || u.Actor().PCN != a.ID {
			t.Errorf("commissioner's pcn = %q (%v)", u.PCN, err)
		}

		// Bad input, each by its field; nothing saved.
		for _, c := range []struct {
			p     pcn.PCN
			field string
			code  string
		}{
			{pcn.PCN{Name: "", ODSCode: "U12346"}, "name", waymark.EINVALID},
			{pcn.PCN{Name: "Erewash", ODSCode: "C81001"}, "ods", waymark.EINVALID},
			{pcn.PCN{Name: "Erewash", ODSCode: "U1234"}, "ods", waymark.EINVALID},
			{pcn.PCN{Name: "Erewash", ODSCode: "U12346", Practices: []string{"not a code"}}, "practices", waymark.EINVALID},
			{pcn.PCN{Name: "Erewash", ODSCode: "U12345"}, "ods", waymark.ECONFLICT},
			{pcn.PCN{Name: "Erewash", ODSCode: "U12346", Teams: []string{"no such team"}}, "teams", waymark.EINVALID},
			{pcn.PCN{Name: "Erewash", ODSCode: "U12346", Commissioners: []string{cf.ids["worker"]}}, "commissioners", waymark.EINVALID},
			{pcn.PCN{Name: "Erewash", ODSCode: "U12346", Commissioners: []string{"not-a-uuid"}}, "commissioners", waymark.EINVALID},
		} {
			_, err := svc.Create(cf.admin, c.p)
			var e *waymark.Error
			var probs *waymark.Problems
			field := ""
			if errors.As(err, &probs) && probs.Len() > 0 {
				field = probs.List()[0].Field
			} else if errors.As(err, &e) {
				field = e.Field
			}
			if waymark.ErrorCode(err) != c.code || field != c.field {
				t.Errorf("%+v: %v (on %q), want %s on %s", c.p, err, field, c.code, c.field)
			}
		}
		if list, _ := svc.List(cf.admin); len(list) != 1 {
			t.Errorf("networks after bad input = %d", len(list))
		}

		// A second network takes the team and the practice; saving it
		// again changes nothing more.
		b, err := svc.Create(cf.admin, pcn.PCN{Name: "Erewash PCN", ODSCode: "U12346", Teams: []string{cf.teamB.ID}})
		if err != nil {
			t.Fatal(err)
		}
		b.Teams, b.Practices = []string{cf.teamA.ID, cf.teamB.ID}, []string{"C81001"}
		for range 2 {
			if err := svc.Save(cf.admin, *b); err != nil {
				t.Fatal(err)
			}
		}
		a2, _ := svc.Get(cf.admin, a.ID)
		b2, _ := svc.Get(cf.admin, b.ID)
		if len(a2.Teams) != 0 || len(a2.Practices) != 0 || len(a2.Commissioners) != 1 || len(b2.Teams) != 2 || len(b2.Practices) != 1 {
			t.Errorf("after moving: a %+v, b %+v", a2, b2)
		}
		// Taking the commissioner out makes them whole-area.
		a2.Commissioners = nil
		if err := svc.Save(cf.admin, *a2); err != nil {
			t.Fatal(err)
		}
		if u, _ := accounts.FindUserByID(ctx, comm.ID); u.PCN != "" {
			t.Errorf("commissioner still limited to %q", u.PCN)
		}
		// Another network's code, or an unknown network.
		a2.ODSCode = "U12346"
		if err := svc.Save(cf.admin, *a2); waymark.ErrorCode(err) != waymark.ECONFLICT {
			t.Errorf("taking another's code: %v", err)
		}
		if err := svc.Save(cf.admin, pcn.PCN{ID: uuid.NewString(), Name: "Gone", ODSCode: "U99999"}); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("unknown network: %v", err)
		}
		// Only administrators.
		if _, err := svc.List(cf.moderator); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Errorf("a moderator lists networks: %v", err)
		}
		if _, err := svc.Create(ctx, pcn.PCN{Name: "X", ODSCode: "U11111"}); waymark.ErrorCode(err) != waymark.EUNAUTHORIZED {
			t.Errorf("signed out: %v", err)
		}
	})
}
