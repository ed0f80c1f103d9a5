package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
	"waymark/internal/web"
)

var tokenField = regexp.MustCompile(`name="token" value="([0-9a-f]+)"`)

func TestThePublicAsksTheTeamToAddAServiceWithoutAnAccount(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		store := sqlstore.NewDirectoryStore(db)
		s := newAccountSiteWith(t, db, web.Config{}, func(d *web.Deps) {
			d.Lifecycle = directory.NewLifecycle(store, testMailer(db), time.Now, uuid.NewString)
			d.Requests = directory.NewServiceRequests(store, func() time.Time { return testNow }, uuid.NewString)
		})
		public := s.browser(t)
		_, home, _ := public.get("/")
		if !strings.Contains(home, `href="/add-your-service"`) || !strings.Contains(home, "Add your service") {
			t.Error("the header has no Add your service link")
		}
		_, form, _ := public.get("/add-your-service")
		m := tokenField.FindStringSubmatch(form)
		if m == nil {
			t.Fatal("the form has no one-time token")
		}
		checkStructure(t, "/add-your-service", form)
		status, body, _ := public.post("/add-your-service", url.Values{"token": {m[1]}, "organisation": {"Cromford Crafters"}, "email": {"not an address"}})
		if status != http.StatusBadRequest || !strings.Contains(body, "Enter the service") || !strings.Contains(body, `value="Cromford Crafters"`) ||
			!strings.Contains(body, `name="token" value="`+m[1]+`"`) {
			t.Fatalf("an incomplete request: %d", status)
		}
		good := url.Values{"token": {m[1]}, "organisation": {"Cromford Crafters"}, "service": {"Knit and natter"},
			"description": {"A friendly knitting group on Thursday afternoons."}, "contact_name": {"Jo"}, "email": {"jo@example.org"}, "postcode": {"de4 3rq"}}
		for i := 0; i < 2; i++ { // sent twice, as by a refresh or a double click
			if status, _, h := public.post("/add-your-service", good); status != http.StatusSeeOther || h.Get("Location") != "/add-your-service/sent" {
				t.Fatalf("send %d: %d %s", i+1, status, h.Get("Location"))
			}
		}
		if status, body, _ := public.get("/add-your-service/sent"); status != http.StatusOK || !strings.Contains(body, "Request sent") {
			t.Errorf("after sending: %d", status)
		}
		mod := s.signInAs(t, "mo@waymark.example", waymark.RoleModerator, "")
		_, queue, _ := mod.get("/moderation/requests")
		if n := strings.Count(queue, "Knit and natter<span"); n != 1 {
			t.Fatalf("the moderators' queue holds the request %d times, want 1", n)
		}
		if !strings.Contains(queue, "DE4 3RQ") || !strings.Contains(queue, "jo@example.org") {
			t.Error("the queue lacks the request's details")
		}
		id := regexp.MustCompile(`/moderation/requests/([0-9a-f-]{36})/done`).FindStringSubmatch(queue)[1]
		if status, _, _ := public.post("/moderation/requests/"+id+"/done", nil); status != http.StatusSeeOther {
			t.Errorf("anonymous marking a request: %d, want to be sent to sign in", status)
		}
		if status, _, h := mod.post("/moderation/requests/"+id+"/done", nil); status != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "done=1") {
			t.Fatalf("mark dealt with: %d", status)
		}
		if _, queue, _ = mod.get("/moderation/requests"); strings.Contains(queue, "Knit and natter") {
			t.Error("a dealt-with request is still in the queue")
		}
		if status, _, _ := mod.post("/moderation/requests/"+id+"/done", nil); status != http.StatusNotFound {
			t.Errorf("marking it twice: %d", status)
		}
	})
}

func TestRequestsToAddAServiceAreRateLimitedPerConnection(t *testing.T) {
	db := sqlstoretest.OpenSQLite(t)
	store := sqlstore.NewDirectoryStore(db)
	s := newAccountSiteWith(t, db, web.Config{}, func(d *web.Deps) {
		d.Requests = directory.NewServiceRequests(store, func() time.Time { return testNow }, uuid.NewString)
	})
	b := s.browser(t)
	last := 0
	for i := 0; i < 6; i++ {
		last, _, _ = b.post("/add-your-service", url.Values{"token": {"0123456789abcdef0123456789abcde" + string(rune('a'+i))}, "organisation": {"Org"},
			"service": {"Service"}, "description": {"About it."}, "contact_name": {"Jo"}, "email": {"jo@example.org"}})
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("sixth request in a row: %d, want 429", last)
	}
}
