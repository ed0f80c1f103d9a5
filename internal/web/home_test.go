package web_test

import (
	"html"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/email"
	"waymark/internal/freshness"
	"waymark/internal/media"
	"waymark/internal/onboarding"
	"waymark/internal/oruk"
	"waymark/internal/pcn"
	"waymark/internal/referral"
	"waymark/internal/seed"
	"waymark/internal/sqlstore"
	"waymark/internal/web"
)

// fullSite is the demo directory with every feature on: accounts,
// listings, reports, referrals, manual checks, feeds and bulk onboarding.
type fullSite struct {
	*accountSite
	clock *movingClock
	store *sqlstore.DirectoryStore
	refs  *referral.Referrals
	life  *directory.Lifecycle
}

func newFullSite(t *testing.T, db *sqlstore.DB, cfg web.Config, more ...func(*web.Deps)) *fullSite {
	t.Helper()
	fs := &fullSite{clock: &movingClock{t: testNow}, store: sqlstore.NewDirectoryStore(db)}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	fs.life = directory.NewLifecycle(fs.store, testMailer(db), fs.clock.now, uuid.NewString)
	reports := directory.NewReports(fs.store, fs.life, []byte("test signing key"))
	system := directory.NewSystem(fs.life, reports)
	fs.refs = referral.NewReferrals(sqlstore.NewReferralStore(db), system,
		referral.Config{PublicURL: "http://waymark.test", Secret: []byte("test referral key")}, fs.clock.now, logger)
	outbox := email.NewOutbox(sqlstore.NewEmailStore(db), email.DevTransport{}, fs.clock.now, logger)
	checks := freshness.NewManualChecks(sqlstore.NewFreshnessStore(db), system.As(directory.ByManualCheck), outbox,
		freshness.ManualConfig{PublicURL: "https://waymark.test"}, fs.clock.now, uuid.NewString, logger)
	fs.accountSite = newAccountSiteWith(t, db, cfg, func(d *web.Deps) {
		d.Lifecycle, d.Revisions, d.Images, d.Reports, d.Referrals, d.Checks = fs.life, directory.NewRevisions(fs.store, d.Directory, fs.life), media.NewImages(fs.store, time.Now, uuid.NewString), reports, fs.refs, checks
		d.Feeds = oruk.NewRuns(fs.store, nil, time.Now, uuid.NewString, logger) // lists feeds, never imports
		d.Requests = directory.NewServiceRequests(fs.store, fs.clock.now, uuid.NewString)
		d.PCNs = pcn.NewService(sqlstore.NewPCNStore(db), uuid.NewString, fs.clock.now)
		d.Onboarding = onboarding.NewService(onboarding.Config{
			Store: sqlstore.NewOnboardingStore(db), Geocoder: postcodes(t), Categories: fs.store.ListCategories,
			Listings: system, Secret: []byte("claim secret"), PublicURL: "https://waymark.test", Now: fs.clock.now,
		})
		for _, m := range more {
			m(d)
		}
	})
	return fs
}

var (
	mainPart = regexp.MustCompile(`(?s)<main.*</main>`)
	navPart  = regexp.MustCompile(`(?s)<nav class="nhsuk-header__navigation".*?</nav>`)
	hrefs    = regexp.MustCompile(`href="(/[^"]*)"`)
)

// localLinks returns the site's own links in the page's header menu and
// main content.
func localLinks(page string) []string {
	var out []string
	for _, part := range []string{navPart.FindString(page), mainPart.FindString(page)} {
		for _, m := range hrefs.FindAllStringSubmatch(part, -1) {
			out = append(out, strings.ReplaceAll(m[1], "&amp;", "&"))
		}
	}
	return out
}

func TestEachRoleSeesOnlyLinksToPagesItMayOpen(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newFullSite(t, db, web.Config{Dev: true})
		orgID := s.services[0].OrganizationID
		tests := []struct {
			role      waymark.Role
			org       string
			want, not []string
		}{
			{waymark.RoleProvider, orgID, []string{"/referrals", "/provider"}, []string{"/moderation", "/admin/import", "/admin"}},
			{waymark.RoleLinkWorker, orgID, []string{"/referrals", "/"}, []string{"/moderation", "/admin/import", "/provider"}},
			{waymark.RoleGP, orgID, []string{"/referrals", "/"}, []string{"/moderation", "/admin/import", "/provider"}},
			{waymark.RoleModerator, "", []string{"/moderation", "/moderation/checks", "/moderation/feeds", "/moderation/requests", "/admin/import"}, []string{"/admin", "/referrals", "/admin/users"}},
			{waymark.RoleAdmin, "", []string{"/admin/users", "/admin", "/admin/import", "/moderation"}, []string{"/referrals"}},
			{waymark.RoleOnboarding, "", []string{"/admin/import"}, []string{"/moderation", "/moderation/claims", "/admin", "/referrals", "/admin/users"}},
			{waymark.RoleCommissioner, "", []string{"/"}, []string{"/moderation", "/admin/import", "/referrals", "/provider"}},
		}
		for _, tt := range tests {
			t.Run(string(tt.role), func(t *testing.T) {
				b := s.signInAs(t, string(tt.role)+"@example.org", tt.role, tt.org)
				status, page, _ := b.get("/account")
				if status != http.StatusOK {
					t.Fatalf("GET /account = %d", status)
				}
				links := localLinks(page)
				for _, w := range tt.want {
					if !contains(links, w) {
						t.Errorf("home page has no link to %s; links: %v", w, links)
					}
				}
				for _, n := range tt.not {
					if contains(links, n) {
						t.Errorf("home page links to %s, which is not for a %s", n, tt.role)
					}
				}
				for _, l := range links {
					if status, _, _ := b.get(l); status != http.StatusOK {
						t.Errorf("the home page's link %s answers %d to a %s", l, status, tt.role)
					}
				}
			})
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestAdministratorsListEveryoneWithTheirRoles(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newAccountSite(t, db, web.Config{})
		orgID := s.services[0].OrganizationID
		orgName := ""
		orgs, _ := seed.Derbyshire()
		for _, o := range orgs {
			if o.ID == orgID {
				orgName = html.EscapeString(o.Name)
			}
		}
		s.signInAs(t, "lin@example.org", waymark.RoleLinkWorker, orgID)
		admin := s.signInAs(t, "ada@example.org", waymark.RoleAdmin, "")
		status, page, _ := admin.get("/admin/users")
		if status != http.StatusOK {
			t.Fatalf("GET /admin/users = %d", status)
		}
		for _, want := range []string{"lin@example.org", "Link worker at " + orgName, "ada@example.org", "Administrator"} {
			if !strings.Contains(page, want) {
				t.Errorf("the list of people has no %q", want)
			}
		}
	})
}
