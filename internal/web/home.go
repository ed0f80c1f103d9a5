package web

import (
	"net/http"

	"waymark"
	"waymark/internal/account"
	"waymark/internal/directory"
)

// homeSection is one role's part of a signed-in user's home page: the pages
// that role may open, and nothing else.
type homeSection struct {
	Heading string
	Links   []homeLink
}

// homeLink is one page on a home page, with a line saying what it is for.
type homeLink struct {
	Href, Text, Hint string
}

// homeSections returns the pages each of the actor's roles may use, one
// section per role, so that nobody is shown a link that would refuse them.
// Other roles' areas (casework for link workers, for example) add their
// section here.
func (s *Server) homeSections(a waymark.Actor) []homeSection {
	var out []homeSection
	add := func(heading string, links ...homeLink) {
		var kept []homeLink
		for _, l := range links {
			if l.Href != "" {
				kept = append(kept, l)
			}
		}
		if len(kept) > 0 {
			out = append(out, homeSection{Heading: heading, Links: kept})
		}
	}
	on := func(enabled bool, l homeLink) homeLink {
		if !enabled {
			return homeLink{}
		}
		return l
	}
	referrals := s.deps.Referrals != nil
	listings := s.deps.Lifecycle != nil
	imports := s.deps.Onboarding != nil
	if a.Has(waymark.RoleProvider) {
		add("Your services",
			on(referrals, homeLink{"/referrals", "Referrals to your services", "New referrals, messages and people waiting for your answer."}),
			on(listings, homeLink{"/provider", "Your listings", "Add a service, change a listing or say it is full."}))
	}
	if referral := a.Has(waymark.RoleLinkWorker) || a.Has(waymark.RoleGP); referral {
		add("Referring people",
			on(referrals, homeLink{"/referrals", "Your referrals", "People you referred and what the services said."}),
			homeLink{"/", "Find support to refer someone to", "Search the directory; each service's page has a referral link and its referral figures."})
	}
	if (a.Has(waymark.RoleGP) || a.Has(waymark.RolePracticeStaff)) && len(a.Practices) > 0 && s.deps.GP != nil {
		add("Your GP practice",
			homeLink{practiceBase, "Practice referrals", "Your practice's referrals to social prescribing and to services, with their status and discharge letters."},
			homeLink{practiceBase + "/refer", "Refer a patient", "To your social prescribing team, or to a service with a GP pathway agreed with your practice."},
			homeLink{"/", "Search the marketplace", "Community services near your patients."})
	}
	if a.Has(waymark.RoleLinkWorker) && s.deps.Casework != nil {
		add("Case management",
			homeLink{cwBase, "Your caseload", "Your clients, their next actions and last contact; team leads also see the team's."},
			homeLink{cwBase + "/search", "Find a client", "By name, NHS number or date of birth."})
	}
	if a.Has(waymark.RoleModerator) || a.Has(waymark.RoleAdmin) {
		add("Moderation",
			on(listings, homeLink{"/moderation", "Listings to review", "New entries and changes waiting for a moderator."}),
			on(s.deps.Checks != nil, homeLink{"/moderation/checks", "Manual checks", "Entries without a website that are due a check."}),
			on(listings, homeLink{"/moderation/offline-help", "Help without the internet list", "The organisations people can phone or visit."}),
			on(s.deps.Requests != nil, homeLink{"/moderation/requests", "Requests to add a service", "From people without an account."}),
			on(s.deps.Feeds != nil, homeLink{"/moderation/feeds", "Other directories' feeds", "Import entries from Open Referral UK feeds."}),
			on(imports, homeLink{importPath, "Import services from a spreadsheet", "Onboard many providers at once."}),
			on(imports, homeLink{"/moderation/claims", "Entries waiting to be claimed", "Send an organisation a new claim link."}))
	}
	if a.Has(waymark.RoleAdmin) {
		add("Administration",
			homeLink{"/admin/users", "People and their roles", "Everyone with an account."},
			homeLink{"/admin", "Invite someone and read the audit log", "Give someone an account with a role."},
			on(s.deps.Casework != nil, homeLink{"/admin/teams", "Social prescribing teams", "Create teams, add link workers and leads, and the GP practices they serve."}),
			on(s.deps.GP != nil, homeLink{"/admin/practices", "GP practices", "The practices GP and practice staff accounts belong to, with their postcodes."}),
			on(s.deps.PCNs != nil, homeLink{pcnsPath, "Primary care networks", "Networks of GP practices and their social prescribing teams, and the commissioners who see only theirs."}),
			on(s.deps.Casework != nil, homeLink{"/admin/audit", "Client record audit", "Who opened or changed client records, by person or by client."}),
			on(s.deps.Systems != nil, homeLink{systemsPath, "Connected clinical systems", "GP systems calling the FHIR interface: register, disable, see outcome deliveries."}),
			on(s.cfg.Dev, homeLink{"/dev/mail", "Email sent (development)", "Messages kept instead of sent."}))
	}
	if a.Has(waymark.RoleOnboarding) && !a.Has(waymark.RoleModerator) && !a.Has(waymark.RoleAdmin) {
		add("Onboarding services",
			on(imports, homeLink{importPath, "Import services from a spreadsheet", "Add many organisations' services at once, and see your imports."}))
	}
	if a.Has(waymark.RoleCommissioner) {
		add("Commissioning",
			on(s.deps.Insights != nil, homeLink{insightsBase, "Insights", "Referrals, providers' figures, teams, the directory and unmet need, for the whole area or your primary care network."}),
			homeLink{"/", "Services and their referral figures", "Search the directory; each service's page shows its referral figures to you."})
	}
	if s.deps.Insights != nil && !a.Has(waymark.RoleCommissioner) && (a.Has(waymark.RoleAdmin) || a.Has(waymark.RoleModerator) || a.Has(waymark.RoleProvider)) {
		add("Insights",
			homeLink{insightsBase, "Insights", "Dashboards and reports: your services' figures, the directory and, for administrators, everything."})
	}
	if len(a.Roles) == 0 && listings {
		add("Add your service",
			homeLink{"/provider", "Your listings", "List a service your organisation runs, or claim one already listed."})
	}
	return out
}

// usersView is the administrators' list of people and their roles.
type usersView struct {
	page
	Users []userRow
}

// userRow is one person with their roles in words.
type userRow struct {
	Name, Email string
	Roles       []string
	Verified    bool
}

// roleNames are the roles in words.
var roleNames = map[waymark.Role]string{
	waymark.RoleProvider:      "Provider",
	waymark.RoleLinkWorker:    "Link worker",
	waymark.RoleGP:            "GP",
	waymark.RolePracticeStaff: "Practice staff",
	waymark.RoleModerator:     "Moderator",
	waymark.RoleAdmin:         "Administrator",
	waymark.RoleCommissioner:  "Commissioner",
	waymark.RoleOnboarding:    "Onboarding (imports only)",
}

// roleName is a role in words.
func roleName(r waymark.Role) string {
	if n, ok := roleNames[r]; ok {
		return n
	}
	return string(r)
}

func (s *Server) handleUsers(w http.ResponseWriter, r *http.Request) {
	users, err := s.deps.Accounts.Users(r.Context())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	orgs, err := s.deps.Directory.Organizations(r.Context())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := usersView{page: s.page(r, "People and their roles")}
	v.Breadcrumbs = crumbs(link{Href: "/account", Text: "Your account"})
	pcns := map[string]string{}
	if s.deps.PCNs != nil {
		list, err := s.deps.PCNs.List(r.Context())
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		for _, p := range list {
			pcns[p.ID] = p.Name
		}
	}
	v.Users = userRows(users, orgs, pcns)
	s.render(w, r, http.StatusOK, "users", v)
}

// userRows describes each user's roles in words, naming organisations and
// commissioners' primary care networks (pcns, by id).
func userRows(users []*account.User, orgs []directory.Organization, pcns map[string]string) []userRow {
	orgName := map[string]string{}
	for _, o := range orgs {
		orgName[o.ID] = o.Name
	}
	rows := make([]userRow, 0, len(users))
	for _, u := range users {
		row := userRow{Name: u.Name, Email: u.Email, Verified: u.EmailVerifiedAt != nil}
		switch {
		case u.PlatformRole == waymark.RoleCommissioner && u.PCN != "":
			row.Roles = append(row.Roles, roleName(u.PlatformRole)+" for "+pcns[u.PCN])
		case u.PlatformRole == waymark.RoleCommissioner && len(pcns) > 0:
			row.Roles = append(row.Roles, roleName(u.PlatformRole)+" for the whole area")
		case u.PlatformRole != "":
			row.Roles = append(row.Roles, roleName(u.PlatformRole))
		}
		for _, m := range u.Memberships {
			name := orgName[m.OrganizationID]
			if name == "" {
				name = "an organisation no longer listed"
			}
			row.Roles = append(row.Roles, roleName(m.Role)+" at "+name)
		}
		if u.Practice != "" {
			row.Roles = append(row.Roles, roleName(u.PracticeRole)+" at GP practice "+u.Practice)
		}
		rows = append(rows, row)
	}
	return rows
}
