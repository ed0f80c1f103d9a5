package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/pcn"
)

// The administrators' pages of primary care networks: create one, then
// choose its GP practices, social prescribing teams and the commissioners
// limited to it.

const pcnsPath = "/admin/pcns"

// pcnRoutes registers the networks' pages.
func (s *Server) pcnRoutes() {
	admins := roles(waymark.RoleAdmin)
	s.route("GET "+pcnsPath, admins, s.handlePCNs)
	s.route("POST "+pcnsPath, admins, s.handleCreatePCN)
	s.route("GET "+pcnsPath+"/{id}", admins, s.handlePCN)
	s.route("POST "+pcnsPath+"/{id}", admins, s.handleSavePCN)
}

// pcnsView lists the networks with the form to create one.
type pcnsView struct {
	formView
	PCNs []pcnSummary
}

// pcnSummary is a network with its members named.
type pcnSummary struct {
	pcn.PCN
	PracticeNames, TeamNames, CommissionerNames []string
}

// pcnMembers are what may belong to a network, by code and label: the
// practices, teams and commissioners' accounts, each saying which network
// has it now.
type pcnMembers struct {
	Practices, Teams, Commissioners []directory.Option
}

// pcnView is one network's form.
type pcnView struct {
	formView
	PCN   *pcn.PCN
	Saved bool
	pcnMembers
}

// members lists what may belong to a network, and the networks.
func (s *Server) pcnMembers(r *http.Request) (pcnMembers, []pcn.PCN, error) {
	ctx := r.Context()
	var m pcnMembers
	list, err := s.deps.PCNs.List(ctx)
	if err != nil {
		return m, nil, err
	}
	in := func(kind func(p pcn.PCN) []string, code string) string {
		for _, p := range list {
			if slices.Contains(kind(p), code) {
				return nowIn + p.Name
			}
		}
		return ""
	}
	practices := func(p pcn.PCN) []string { return p.Practices }
	teams := func(p pcn.PCN) []string { return p.Teams }
	comms := func(p pcn.PCN) []string { return p.Commissioners }
	if s.deps.GP != nil {
		ps, err := s.deps.GP.Practices(ctx)
		if err != nil {
			return m, nil, err
		}
		for _, p := range ps {
			if !slices.ContainsFunc(m.Practices, func(o directory.Option) bool { return o.Code == p.ODSCode }) {
				m.Practices = append(m.Practices, directory.Option{Code: p.ODSCode, Label: p.Name + " (" + p.ODSCode + ")" + in(practices, p.ODSCode)})
			}
		}
	}
	if s.deps.Casework != nil {
		ts, err := s.deps.Casework.Teams(ctx)
		if err != nil {
			return m, nil, err
		}
		for _, t := range ts {
			m.Teams = append(m.Teams, directory.Option{Code: t.ID, Label: t.Name + in(teams, t.ID)})
		}
	}
	users, err := s.deps.Accounts.Users(ctx)
	if err != nil {
		return m, nil, err
	}
	for _, u := range users {
		if u.PlatformRole == waymark.RoleCommissioner {
			m.Commissioners = append(m.Commissioners, directory.Option{Code: u.ID, Label: u.Name + " (" + u.Email + ")" + in(comms, u.ID)})
		}
	}
	return m, list, nil
}

// label is the label of the option with the code, or the code.
func label(opts []directory.Option, code string) string {
	for _, o := range opts {
		if o.Code == code {
			return o.Label
		}
	}
	return code
}

func (s *Server) pcnsPage(w http.ResponseWriter, r *http.Request, status int, v pcnsView) {
	m, list, err := s.pcnMembers(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	for _, p := range list {
		sum := pcnSummary{PCN: p}
		for _, c := range p.Practices {
			sum.PracticeNames = append(sum.PracticeNames, trimNow(label(m.Practices, c)))
		}
		for _, id := range p.Teams {
			sum.TeamNames = append(sum.TeamNames, trimNow(label(m.Teams, id)))
		}
		for _, id := range p.Commissioners {
			sum.CommissionerNames = append(sum.CommissionerNames, trimNow(label(m.Commissioners, id)))
		}
		v.PCNs = append(v.PCNs, sum)
	}
	v.Breadcrumbs, v.NoIndex = crumbs(link{Href: "/admin", Text: "Administration"}), true
	s.render(w, r, status, "pcns", v)
}

// nowIn begins the end of a member's label that names its network.
const nowIn = " – now in "

// trimNow drops the end of a member's label that names its network.
func trimNow(label string) string {
	before, _, _ := strings.Cut(label, nowIn)
	return before
}

func (s *Server) handlePCNs(w http.ResponseWriter, r *http.Request) {
	v := pcnsView{formView: s.form(r, "Primary care networks")}
	v.Form.Set("form_token", newFormToken())
	s.pcnsPage(w, r, http.StatusOK, v)
}

func (s *Server) handleCreatePCN(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	// The same form sent again (a refresh, a retry) opens the network it
	// made.
	again := func(id string) string { return pcnsPath + "/" + id }
	if s.sentBefore(w, r, "pcn", again) {
		return
	}
	p, err := s.deps.PCNs.Create(withFormToken(r.Context(), r), pcn.PCN{Name: r.PostForm.Get("name"), ODSCode: r.PostForm.Get("ods")})
	if waymark.ErrorCode(err) == waymark.ECONFLICT && s.sentBefore(w, r, "pcn", again) {
		return
	}
	if err != nil {
		v := pcnsView{formView: s.form(r, "Primary care networks")}
		v.Form = r.PostForm
		status, ok := showProblems(&v.page, v.FieldErrs, err, []string{"name", "ods"})
		if !ok {
			s.renderError(w, r, err)
			return
		}
		s.pcnsPage(w, r, status, v)
		return
	}
	http.Redirect(w, r, pcnsPath+"/"+p.ID, http.StatusSeeOther)
}

func (s *Server) pcnPage(w http.ResponseWriter, r *http.Request, status int, v pcnView) {
	var err error
	if v.pcnMembers, _, err = s.pcnMembers(r); err != nil {
		s.renderError(w, r, err)
		return
	}
	v.Breadcrumbs, v.NoIndex = crumbs(link{Href: "/admin", Text: "Administration"}, link{Href: pcnsPath, Text: "Primary care networks"}), true
	s.render(w, r, status, "pcn", v)
}

func (s *Server) handlePCN(w http.ResponseWriter, r *http.Request) {
	p, err := s.deps.PCNs.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := pcnView{formView: s.form(r, p.Name), PCN: p, Saved: r.URL.Query().Get("saved") != ""}
	v.Form = url.Values{"name": {p.Name}, "ods": {p.ODSCode}, "practices": p.Practices, "teams": p.Teams, "commissioners": p.Commissioners}
	s.pcnPage(w, r, http.StatusOK, v)
}

func (s *Server) handleSavePCN(w http.ResponseWriter, r *http.Request) {
	p, err := s.deps.PCNs.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if !s.readForm(w, r) {
		return
	}
	f := r.PostForm
	changed := pcn.PCN{ID: p.ID, Name: f.Get("name"), ODSCode: f.Get("ods"), Practices: f["practices"], Teams: f["teams"], Commissioners: f["commissioners"]}
	m, _, err := s.pcnMembers(r)
	if err == nil {
		// Practices are known by their code alone: only those listed.
		for _, c := range changed.Practices {
			if !slices.ContainsFunc(m.Practices, func(o directory.Option) bool { return o.Code == c }) {
				err = waymark.FieldErrorf(waymark.EINVALID, "practices", "Choose practices from the list")
			}
		}
	}
	if err == nil {
		err = s.deps.PCNs.Save(r.Context(), changed)
	}
	if err != nil {
		v := pcnView{formView: s.form(r, p.Name), PCN: p}
		v.Form = f
		status, ok := showProblems(&v.page, v.FieldErrs, err, []string{"name", "ods", "practices", "teams", "commissioners"})
		if !ok {
			s.renderError(w, r, err)
			return
		}
		s.pcnPage(w, r, status, v)
		return
	}
	http.Redirect(w, r, pcnsPath+"/"+p.ID+"?saved=1", http.StatusSeeOther)
}
