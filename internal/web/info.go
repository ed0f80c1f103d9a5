package web

import "net/http"

// Operator is who runs this Waymark site, as set in the configuration: the
// privacy notice, the accessibility statement and the contact page name
// them, and the footer shows their support address.
type Operator struct {
	// Name of the organisation that runs the site.
	Name string
	// Email is the support address people write to.
	Email string
	// Phone is a support phone number; "" for none.
	Phone string
	// Address is a postal address, one line per line; "" for none.
	Address string
}

// infoView is a page about the site itself: privacy, accessibility,
// cookies and contact.
type infoView struct {
	page
	Operator Operator
	// SessionCookie is the name of the sign-in cookie, for the cookies page.
	SessionCookie string
}

// handleInfo shows one of the pages about the site.
func (s *Server) handleInfo(name, title string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := infoView{page: s.page(r, title), Operator: s.cfg.Operator}
		if s.deps.Sessions != nil {
			v.SessionCookie = s.deps.Sessions.Cookie.Name
		}
		v.Breadcrumbs = crumbs()
		s.render(w, r, http.StatusOK, name, v)
	}
}
