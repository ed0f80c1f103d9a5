package web_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/media"
	"waymark/internal/sqlstore"
	"waymark/internal/web"
)

func newListingSite(t *testing.T, db *sqlstore.DB) *accountSite {
	as := newAccountSiteWith(t, db, web.Config{}, func(d *web.Deps) {
		store := sqlstore.NewDirectoryStore(db)
		d.Lifecycle = directory.NewLifecycle(store, testMailer(db), time.Now, uuid.NewString)
		d.Revisions = directory.NewRevisions(store, d.Directory, d.Lifecycle)
		d.Images = media.NewImages(store, time.Now, uuid.NewString)
	})
	return as
}

// signUp registers and verifies an account through the pages, and signs in.
func (s *accountSite) signUp(t *testing.T, b *browser, name, addr, password string) {
	t.Helper()
	if status, _, _ := b.post("/register", url.Values{"name": {name}, "email": {addr}, "password": {password}, "confirm_password": {password}}); status != 200 {
		t.Fatalf("register %s: %d", addr, status)
	}
	if status, _, _ := b.get(s.lastLink(t, "/verify-email")); status != 200 {
		t.Fatalf("verify %s: %d", addr, status)
	}
	if status, _, _ := b.post("/sign-in", url.Values{"email": {addr}, "password": {password}}); status != http.StatusSeeOther {
		t.Fatalf("sign in %s: %d", addr, status)
	}
}

func TestProviderPostsASignpostingEntryModeratorApprovesProviderFreezes(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newListingSite(t, db)
		provider := s.browser(t)
		s.signUp(t, provider, "Alex", "alex@riverside.example", "riverside group password")
		if status, body, _ := provider.get("/provider/services/new"); status != 200 || !strings.Contains(body, "Name of your group or organisation") {
			t.Fatalf("new service form: %d", status)
		}
		// Only an email address and a postcode (and, for a new provider, the group's name).
		form := url.Values{"organisation": {"Riverside Knitters"}, "email": {"knit@riverside.example"}, "postcode": {"de4 3ag"},
			"kind": {"signposting"}, "visibility": {"listed"}, "cost": {"free"}, "action": {"post"}}
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("postcode", "DE4 3A")
		if status, body, _ := provider.post("/provider/services/new", bad); status != 400 || !strings.Contains(body, "Enter a real postcode") || !strings.Contains(body, "knit@riverside.example") {
			t.Errorf("bad postcode: %d (message and typed email kept)", status)
		}
		if status, _, h := provider.post("/provider/services/new", form); status != http.StatusSeeOther || h.Get("Location") != "/provider?done=posted" {
			t.Fatalf("post listing: %d %s", status, h.Get("Location"))
		}
		if _, body, _ := provider.get("/provider"); !strings.Contains(body, "Waiting for review") || !strings.Contains(body, "Riverside Knitters") {
			t.Errorf("provider's list does not show the pending entry")
		}
		if _, body, _ := provider.get("/?q=riverside"); strings.Contains(body, "Riverside Knitters") {
			t.Error("the entry is public before review")
		}
		if status, _, _ := provider.get("/moderation"); status != http.StatusForbidden {
			t.Errorf("provider opening the review queue: %d", status)
		}

		moderator := s.browser(t)
		if _, err := s.accounts.CreateUser(context.Background(), "mo@waymark.example", "Mo", "a moderator password", waymark.RoleModerator); err != nil {
			t.Fatal(err)
		}
		moderator.post("/sign-in", url.Values{"email": {"mo@waymark.example"}, "password": {"a moderator password"}})
		_, queue, _ := moderator.get("/moderation")
		if !strings.Contains(queue, "Riverside Knitters") || !strings.Contains(queue, "Waiting") {
			t.Fatalf("the queue does not show the entry")
		}
		id := queuedID(t, queue, "Riverside Knitters")
		if status, _, _ := moderator.post("/moderation/services/"+id+"/approve", nil); status != http.StatusSeeOther {
			t.Fatalf("approve: %d", status)
		}
		if _, body, _ := provider.get("/?q=riverside"); !strings.Contains(body, "Riverside Knitters") {
			t.Error("the approved entry is not in public search")
		}
		// Another provider cannot touch it.
		other := s.browser(t)
		s.signUp(t, other, "Ola", "ola@elsewhere.example", "someone else's password")
		if status, _, _ := other.post("/provider/services/"+id+"/freeze", url.Values{"note": {"x"}}); status != http.StatusForbidden {
			t.Errorf("another user freezing it: %d", status)
		}
		if status, body, _ := provider.post("/provider/services/"+id+"/freeze", url.Values{"note": {""}}); status != 400 || !strings.Contains(body, "waiting times") {
			t.Errorf("freeze without a note: %d", status)
		}
		if status, _, _ := provider.post("/provider/services/"+id+"/freeze", url.Values{"note": {"Full until January: about 4 weeks' wait"}}); status != http.StatusSeeOther {
			t.Fatalf("freeze: %d", status)
		}
		if _, body, _ := provider.get("/services/" + id); !strings.Contains(body, "Full until January: about 4 weeks") {
			t.Error("the public page does not show the waiting-time note")
		}
	})
}

func TestModeratorDeclinesWithAReasonEmailedToTheProvider(t *testing.T) {
	s := newListingSite(t, demo.OpenSQLite(t))
	provider := s.browser(t)
	s.signUp(t, provider, "Bea", "bea@example.org", "bea's long password")
	form := url.Values{"organisation": {"Bea's Bakes"}, "email": {"bakes@example.org"}, "postcode": {"S40 1PA"}, "action": {"post"}}
	if status, _, _ := provider.post("/provider/services/new", form); status != http.StatusSeeOther {
		t.Fatalf("post: %d", status)
	}
	s.accounts.CreateUser(context.Background(), "mo@waymark.example", "Mo", "a moderator password", waymark.RoleModerator)
	mod := s.browser(t)
	mod.post("/sign-in", url.Values{"email": {"mo@waymark.example"}, "password": {"a moderator password"}})
	_, queue, _ := mod.get("/moderation")
	id := queuedID(t, queue, "Bea&#39;s Bakes")
	if status, _, _ := mod.post("/moderation/services/"+id+"/decline", url.Values{"note": {""}}); status != 400 {
		t.Errorf("decline without a reason: %d", status)
	}
	if status, _, _ := mod.post("/moderation/services/"+id+"/decline", url.Values{"note": {"Please say when and where you meet."}}); status != http.StatusSeeOther {
		t.Fatalf("decline: %d", status)
	}
	list, _ := s.outbox.Recent(context.Background(), 1)
	if len(list) == 0 || list[0].To != "bakes@example.org" || !strings.Contains(list[0].Text, "Please say when and where you meet.") ||
		strings.Contains(list[0].Subject, "Bakes") {
		t.Errorf("decline email: %+v", list)
	}
	if _, body, _ := provider.get("/provider"); !strings.Contains(body, "Declined") || !strings.Contains(body, "Post listing") {
		t.Error("the provider cannot see the decline and post again")
	}
}

// queuedID finds the id of the entry named name in the review queue page.
func queuedID(t *testing.T, page, name string) string {
	t.Helper()
	i := strings.Index(page, name)
	if i < 0 {
		t.Fatalf("%s is not in the queue", name)
	}
	const prefix = "/moderation/services/"
	j := strings.LastIndex(page[:i], prefix)
	if j < 0 {
		t.Fatalf("no link for %s", name)
	}
	start := j + len(prefix)
	return page[start : start+36]
}

func TestModeratorsSeeAListingsHistoryAndSuspendIt(t *testing.T) {
	s := newListingSite(t, demo.OpenSQLite(t))
	walks := s.service(t, "Matlock health walks")
	s.accounts.CreateUser(context.Background(), "mo@waymark.example", "Mo", "a moderator password", waymark.RoleModerator)
	mod := s.browser(t)
	mod.post("/sign-in", url.Values{"email": {"mo@waymark.example"}, "password": {"a moderator password"}})
	if status, body, _ := mod.get("/moderation/services/" + walks.ID); status != 200 || !strings.Contains(body, "No changes recorded yet") {
		t.Fatalf("history page: %d", status)
	}
	if status, _, _ := mod.post("/moderation/services/"+walks.ID+"/suspend", url.Values{"note": {"Venue closed for repairs"}}); status != http.StatusSeeOther {
		t.Fatalf("suspend: %d", status)
	}
	_, body, _ := mod.get("/moderation/services/" + walks.ID)
	if !strings.Contains(body, "Suspended: published before, suspended now.") || !strings.Contains(body, "Venue closed for repairs") || !strings.Contains(body, ">Mo<") {
		t.Error("the history does not show the suspension, who made it and its reason, in words")
	}
	public := s.browser(t)
	if status, _, _ := public.get("/moderation/services/" + walks.ID); status != http.StatusSeeOther {
		t.Errorf("signed out: %d, want a redirect to sign in", status)
	}
}

func TestChangesToALiveListingWaitForAModerator(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newListingSite(t, db)
		provider := s.browser(t)
		s.signUp(t, provider, "Cal", "cal@example.org", "cal's long password")
		form := url.Values{"organisation": {"Cal's Choir"}, "email": {"choir@example.org"}, "postcode": {"DE45 1AH"}, "title": {"Bakewell community choir"}, "action": {"post"}}
		provider.post("/provider/services/new", form)
		s.accounts.CreateUser(context.Background(), "mo@waymark.example", "Mo", "a moderator password", waymark.RoleModerator)
		mod := s.browser(t)
		mod.post("/sign-in", url.Values{"email": {"mo@waymark.example"}, "password": {"a moderator password"}})
		_, queue, _ := mod.get("/moderation")
		id := queuedID(t, queue, "Bakewell community choir")
		mod.post("/moderation/services/"+id+"/approve", nil)

		if status, body, _ := provider.get("/provider/services/" + id + "/edit"); status != 200 || !strings.Contains(body, `value="Bakewell community choir"`) || !strings.Contains(body, "Your listing is live") {
			t.Fatalf("edit form: %d", status)
		}
		edit := url.Values{"email": {"choir@example.org"}, "postcode": {"DE45 1AH"}, "title": {"Bakewell singing group"}, "description": {"We sing on Thursdays."}}
		if status, _, h := provider.post("/provider/services/"+id+"/edit", edit); status != http.StatusSeeOther || h.Get("Location") != "/provider?done=revision" {
			t.Fatalf("edit a live listing: %d %s", status, h.Get("Location"))
		}
		if _, body, _ := provider.get("/services/" + id); !strings.Contains(body, "Bakewell community choir") || strings.Contains(body, "Bakewell singing group") {
			t.Error("the live listing changed before review")
		}
		other := s.browser(t)
		s.signUp(t, other, "Oz", "oz@example.org", "oz's long password")
		if status, _, _ := other.post("/provider/services/"+id+"/edit", edit); status != http.StatusForbidden {
			t.Errorf("someone else's edit: %d", status)
		}
		_, queue, _ = mod.get("/moderation")
		i := strings.Index(queue, "/moderation/revisions/")
		if i < 0 {
			t.Fatal("the queue does not list the changes")
		}
		rev := queue[i+len("/moderation/revisions/") : i+len("/moderation/revisions/")+36]
		_, compare, _ := mod.get("/moderation/revisions/" + rev)
		if !strings.Contains(compare, "Bakewell community choir") || !strings.Contains(compare, "Bakewell singing group") || !strings.Contains(compare, "Changed") {
			t.Error("the comparison does not show old and new side by side")
		}
		if status, _, _ := mod.post("/moderation/revisions/"+rev+"/approve", nil); status != http.StatusSeeOther {
			t.Fatalf("approve changes: %d", status)
		}
		if _, body, _ := provider.get("/services/" + id); !strings.Contains(body, "Bakewell singing group") || !strings.Contains(body, "We sing on Thursdays.") {
			t.Error("approved changes are not live")
		}
		if status, _, _ := mod.post("/moderation/revisions/"+rev+"/approve", nil); status != http.StatusConflict {
			t.Errorf("approving twice: %d", status)
		}
		_, history, _ := mod.get("/moderation/services/" + id)
		if !strings.Contains(history, "Provider&#39;s changes approved; the listing stays published.") {
			t.Error("the history does not record the approved changes")
		}
	})
}

func TestChangingADraftKeepsWhatTheFormDoesNotShow(t *testing.T) {
	db := demo.OpenSQLite(t)
	s := newListingSite(t, db)
	ctx := context.Background()
	walks := s.service(t, "Matlock health walks")
	if _, err := s.accounts.CreateUser(ctx, "admin@example.org", "Ada", "an admin password", waymark.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	admin := s.browser(t)
	admin.post("/sign-in", url.Values{"email": {"admin@example.org"}, "password": {"an admin password"}})
	_, form, _ := admin.get("/provider/services/" + walks.ID + "/edit")
	if !strings.Contains(form, `value="Matlock health walks"`) {
		t.Fatal("edit form not filled in")
	}
	edit := url.Values{"email": {walks.Email}, "postcode": {"DE4 3AG"}, "title": {"Matlock health walks"}, "description": {"New words."}}
	if status, _, h := admin.post("/provider/services/"+walks.ID+"/edit", edit); status != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", status, h.Get("Location"))
	}
	rev, _ := sqlstore.NewDirectoryStore(db).PendingRevisions(ctx)
	if len(rev) != 1 {
		t.Fatalf("%d revisions", len(rev))
	}
	p := rev[0].Proposed
	if len(p.Schedules) == 0 || len(p.Contacts) == 0 || p.Contacts[0].Name == "" || p.Description != "New words." {
		t.Errorf("the revision lost schedules or contacts: %+v", p)
	}
}

func multipartForm(t *testing.T, fields url.Values, fileName string, file []byte) (string, *bytes.Buffer) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, vs := range fields {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	if file != nil {
		fw, _ := w.CreateFormFile("image", fileName)
		fw.Write(file)
	}
	w.Close()
	return w.FormDataContentType(), &b
}

func TestListingImagesAreCheckedCleanedAndServedSafely(t *testing.T) {
	s := newListingSite(t, demo.OpenSQLite(t))
	provider := s.browser(t)
	s.signUp(t, provider, "Pip", "pip@example.org", "pip's long password")
	fields := url.Values{"organisation": {"Pip's Paints"}, "email": {"paint@example.org"}, "postcode": {"DE4 3AG"}, "title": {"Painting club"}, "action": {"draft"}}
	post := func(fields url.Values, name string, file []byte) (int, string, http.Header) {
		ct, body := multipartForm(t, fields, name, file)
		req, _ := http.NewRequest("POST", s.URL+"/provider/services/new", body)
		req.Header.Set("Content-Type", ct)
		return provider.do(req)
	}
	var pngBuf bytes.Buffer
	png.Encode(&pngBuf, image.NewRGBA(image.Rect(0, 0, 20, 10)))
	if status, body, _ := post(fields, "x.html", []byte("<html><script>alert(1)</script></html>")); status != 400 || !strings.Contains(body, "must be a JPG or PNG") {
		t.Errorf("an HTML file as the image: %d", status)
	}
	if status, body, _ := post(fields, "x.png", pngBuf.Bytes()); status != 400 || !strings.Contains(body, "Describe the image") {
		t.Errorf("an image without a description: %d", status)
	}
	fields.Set("image_alt", "Paintbrushes in a jar")
	if status, _, _ := post(fields, "x.png", pngBuf.Bytes()); status != http.StatusSeeOther {
		t.Fatalf("post with an image: %d", status)
	}
	var imageURL string
	list, _ := sqlstore.NewDirectoryStore(s.db).ListServicesOfOrganizations(context.Background(), orgsOf(t, s, "pip@example.org"))
	for _, svc := range list {
		full, _ := sqlstore.NewDirectoryStore(s.db).FindServiceByID(context.Background(), svc.ID)
		for _, im := range full.Images {
			imageURL = im.URL
		}
	}
	if !strings.HasPrefix(imageURL, "/media/") {
		t.Fatalf("no image stored: %q", imageURL)
	}
	status, body, h := provider.get(imageURL)
	if status != 200 || h.Get("Content-Type") != "image/png" || !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("serving the image: %d %v", status, h)
	}
	if cfg, _, err := image.DecodeConfig(strings.NewReader(body)); err != nil || cfg.Width != 20 {
		t.Errorf("served image: %v %+v", err, cfg)
	}
	if status, _, _ := provider.get("/media/not-an-id"); status != 404 {
		t.Errorf("unknown image: %d", status)
	}
}

func orgsOf(t *testing.T, s *accountSite, addr string) []string {
	u, err := s.store.FindUserByEmail(context.Background(), addr)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range u.Memberships {
		out = append(out, m.OrganizationID)
	}
	return out
}

func TestListingFormTakesAWeeklySchedule(t *testing.T) {
	s := newListingSite(t, demo.OpenSQLite(t))
	provider := s.browser(t)
	s.signUp(t, provider, "Sol", "sol@example.org", "sol's long password")
	form := url.Values{"organisation": {"Sol's Tai Chi"}, "email": {"taichi@example.org"}, "postcode": {"SK17 6EQ"}, "title": {"Tai chi in the park"},
		"days": {"TU", "TH"}, "opens_at": {"10:00"}, "closes_at": {"09:00"}, "action": {"post"}}
	if status, body, _ := provider.post("/provider/services/new", form); status != 400 || !strings.Contains(body, "after the start time") {
		t.Errorf("finish before start: %d", status)
	}
	form.Set("closes_at", "11:30")
	if status, _, _ := provider.post("/provider/services/new", form); status != http.StatusSeeOther {
		t.Fatalf("post: %d", status)
	}
	list, _ := sqlstore.NewDirectoryStore(s.db).ListServicesOfOrganizations(context.Background(), orgsOf(t, s, "sol@example.org"))
	full, _ := sqlstore.NewDirectoryStore(s.db).FindServiceByID(context.Background(), list[0].ID)
	if len(full.Schedules) != 1 || full.Schedules[0].ByDay != "TU,TH" || full.Schedules[0].ClosesAt != "11:30" {
		t.Errorf("schedule: %+v", full.Schedules)
	}
	if _, body, _ := provider.get("/provider/services/" + list[0].ID + "/edit"); !strings.Contains(body, `value="TU" checked`) || !strings.Contains(body, `value="11:30"`) {
		t.Error("the edit form does not show the schedule")
	}
}
