package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"waymark/internal/casework"
)

// The discharge letter, the subject access export and the reason for
// referral. casework.Service checks the reader is in the client's team (or
// an administrator who broke the glass) and audits every read.

// letterView is the printable discharge letter.
type letterView struct {
	page
	Letter *casework.Letter
	Titles map[string]string // section titles by code
}

func (s *Server) handleDischargeLetter(w http.ResponseWriter, r *http.Request) {
	l, err := s.deps.Casework.DischargeLetter(r.Context(), r.PathValue("id"))
	if err != nil {
		s.clientError(w, r, err)
		return
	}
	s.renderLetter(w, r, l, link{Href: cwBase, Text: "Caseload"}, link{Href: clientPath(l.ClientID), Text: l.Name})
}

// renderLetter shows a discharge letter under the breadcrumbs.
func (s *Server) renderLetter(w http.ResponseWriter, r *http.Request, l *casework.Letter, trail ...link) {
	v := letterView{page: s.page(r, "Discharge letter: "+l.Name), Letter: l, Titles: map[string]string{}}
	for _, sec := range l.Sections() {
		v.Titles[sec.Code] = sec.Title
	}
	v.Breadcrumbs = crumbs(trail...)
	v.NoIndex = true
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "cw-letter", v)
}

// exportView is everything held about a client, to read or print.
type exportView struct {
	page
	Export *casework.Export
	Rows   []exportRow // the record's own fields
}

// exportRow is one field of the record with its value for people.
type exportRow struct{ Key, Label string }

// clientRows lists every field of a client record for people.
func clientRows(c *casework.Client, team string) []exportRow {
	opt := casework.OptionLabel
	yes := map[bool]string{true: "Yes", false: "No"}
	rows := []exportRow{
		{"Record ID", c.ID}, {"Team", team}, {"Status", c.Status.Label()}, {"Link worker", c.WorkerName},
		{"First name", c.GivenName}, {"Last name", c.FamilyName}, {"Preferred name", c.PreferredName},
		{"Date of birth", dayOrEmpty(c.DateOfBirth)}, {"NHS number", casework.FormatNHSNumber(c.NHSNumber)},
		{"Address", c.Address}, {"Postcode", c.Postcode}, {"Phone", c.Phone}, {"Email", c.Email},
		{"Prefers", opt(casework.ContactMethods, c.PreferredContact)}, {"GP practice", c.GPPractice},
		{"Needs an interpreter", yes[c.Interpreter]}, {"Language", c.Language},
		{"Next of kin or carer", c.NextOfKin}, {"Ethnic group", opt(casework.Ethnicities, c.Ethnicity)},
		{"Gender", opt(casework.Genders, c.Gender)}, {"Sexual orientation", opt(casework.SexualOrientations, c.SexualOrientation)},
		{"Disability", opt(casework.Disabilities, c.Disability)}, {"Reason for referral", c.ReferralReason}, {"Referred by", c.ReferredBy},
		{"Discharge reason", opt(casework.DischargeReasons, c.DischargeReason)}, {"Discharge summary", c.DischargeNote},
		{"Next action", c.NextAction}, {"Record created", ukTime(c.CreatedAt)}, {"Last changed", ukTime(c.UpdatedAt)},
	}
	var formats []string
	for _, f := range c.AccessibleFormats {
		formats = append(formats, opt(casework.AccessibleFormats, f))
	}
	rows = append(rows, exportRow{"Accessible formats", strings.Join(formats, ", ")})
	for _, t := range []struct {
		key string
		at  *time.Time
	}{{"Last contact", c.LastContactAt}, {"Next action due", c.NextActionDue}, {"Discharged", c.DischargedAt}, {"Anonymised", c.AnonymisedAt}} {
		if t.at != nil {
			rows = append(rows, exportRow{t.key, ukTime(*t.at)})
		}
	}
	return rows
}

func dayOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2 January 2006")
}

func (s *Server) handleExport(w http.ResponseWriter, r *http.Request) {
	x, err := s.deps.Casework.Export(r.Context(), r.PathValue("id"), "html")
	if err != nil {
		s.clientError(w, r, err)
		return
	}
	v := exportView{page: s.page(r, "Everything held about "+x.Client.Name()), Export: x, Rows: clientRows(x.Client, x.Team)}
	v.Breadcrumbs = crumbs(link{Href: cwBase, Text: "Caseload"}, link{Href: clientPath(x.Client.ID), Text: x.Client.Name()})
	v.NoIndex = true
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "cw-export", v)
}

// handleExportJSON downloads the export as a JSON file named by the
// client's opaque ID.
func (s *Server) handleExportJSON(w http.ResponseWriter, r *http.Request) {
	x, err := s.deps.Casework.Export(r.Context(), r.PathValue("id"), "json")
	if err != nil {
		s.clientError(w, r, err)
		return
	}
	body, err := json.MarshalIndent(x, "", "  ")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="waymark-client-`+x.Client.ID+`.json"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(body)
}

func (s *Server) referralReasonSpec() cwFormSpec {
	return cwFormSpec{title: "Reason for referral", submit: "Save",
		intro: []string{"Why they were referred to social prescribing and who referred them. The discharge letter goes back to the referrer and the GP practice."},
		fields: func(_ *http.Request, c *casework.Client) []cwField {
			return []cwField{{Name: "referral_reason", Label: "Reason for referral", Type: "textarea", Value: c.ReferralReason},
				{Name: "referred_by", Label: "Referred by", Type: "text", Value: c.ReferredBy,
					Hint: "Name, role and organisation, like Dr Asha Patel, GP, Lime Grove Medical Centre; or Self-referral"}}
		},
		save: func(r *http.Request, id string, f url.Values) error {
			return s.deps.Casework.SetReferral(r.Context(), id, f.Get("referral_reason"), f.Get("referred_by"))
		}}
}
