package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"waymark"
	"waymark/internal/bulk"
	"waymark/internal/onboarding"
)

// importPath is where administrators and moderators upload a spreadsheet
// of services; its POST may carry up to maxUpload bytes.
const importPath = "/admin/import"

// maxUpload bounds an upload's request body: the largest file bulk reads
// and room for the form around it.
const maxUpload = bulk.MaxFileSize + 64<<10

// importView is the upload form, and after an upload the dry run.
type importView struct {
	formView
	Check   *onboarding.Check
	Rows    []importRow
	Creates int
	Skips   int
	Errs    int
	// Imports are the earlier imports the user may see: all of them for
	// moderators and administrators, their own for onboarding staff.
	Imports []onboarding.Batch
}

// importRow is one row of the dry run as the page shows it.
type importRow struct {
	Row          int
	Action       string
	Organization string
	Service      string
	Postcode     string
	Problems     []string // "column: message"
}

func (s *Server) importForm(r *http.Request) importView {
	v := importView{formView: s.form(r, "Import services from a spreadsheet")}
	v.Breadcrumbs = crumbs(link{Href: "/account", Text: "Your account"})
	return v
}

func (s *Server) handleImportForm(w http.ResponseWriter, r *http.Request) {
	v := s.importForm(r)
	var err error
	if v.Imports, err = s.deps.Onboarding.Imports(r.Context()); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "import", v)
}

// handleImportTemplate serves the blank template as an Excel workbook (with
// instructions and categories) or as CSV.
func (s *Server) handleImportTemplate(w http.ResponseWriter, r *http.Request) {
	format, ctype := bulk.FormatXLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	if strings.HasSuffix(r.URL.Path, ".csv") {
		format, ctype = bulk.FormatCSV, "text/csv; charset=utf-8"
	}
	var buf bytes.Buffer
	if err := s.deps.Onboarding.Template(r.Context(), &buf, format); err != nil {
		s.renderError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "waymark-services-template." + format}))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// busy is a set of keys with work under way, such as the users uploading a
// file.
type busy struct {
	mu   sync.Mutex
	keys map[string]bool
}

// start marks key busy, reporting false when it already was.
func (b *busy) start(key string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.keys[key] {
		return false
	}
	if b.keys == nil {
		b.keys = map[string]bool{}
	}
	b.keys[key] = true
	return true
}

// done marks key free again.
func (b *busy) done(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.keys, key)
}

// failImport shows the upload form again with a message about the file.
func (s *Server) failImport(w http.ResponseWriter, r *http.Request, status int, msg string) {
	v := s.importForm(r)
	showMessage(&v.page, v.FieldErrs, "file", msg, nil)
	s.render(w, r, status, "import", v)
}

// readUpload reads the "file" part of a multipart upload without temporary
// files, refusing more than bulk.MaxFileSize bytes.
func readUpload(r *http.Request) (name string, data []byte, status int, msg string) {
	mr, err := r.MultipartReader()
	if err != nil {
		return "", nil, http.StatusBadRequest, "Select a CSV or Excel file to upload"
	}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return "", nil, http.StatusBadRequest, "Select a CSV or Excel file to upload"
		}
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return "", nil, http.StatusRequestEntityTooLarge, fmt.Sprintf("The file must be smaller than %d MB. Split it into smaller files and upload each one.", bulk.MaxFileSize>>20)
		}
		if err != nil {
			return "", nil, http.StatusBadRequest, "The file could not be read: try again"
		}
		if p.FormName() != "file" {
			p.Close()
			continue
		}
		data, err := io.ReadAll(io.LimitReader(p, bulk.MaxFileSize+1))
		p.Close()
		switch {
		case errors.As(err, &tooBig) || len(data) > bulk.MaxFileSize:
			return "", nil, http.StatusRequestEntityTooLarge, fmt.Sprintf("The file must be smaller than %d MB. Split it into smaller files and upload each one.", bulk.MaxFileSize>>20)
		case err != nil:
			return "", nil, http.StatusBadRequest, "The file could not be read: try again"
		case p.FileName() == "" && len(data) == 0:
			return "", nil, http.StatusBadRequest, "Select a CSV or Excel file to upload"
		case len(data) == 0:
			return "", nil, http.StatusBadRequest, "The file is empty. Fill in the template and upload it again."
		}
		return p.FileName(), data, http.StatusOK, ""
	}
}

// handleImportUpload reads an uploaded spreadsheet and shows the dry run:
// what each row would do and every error with its row and column.
func (s *Server) handleImportUpload(w http.ResponseWriter, r *http.Request) {
	// One upload at a time per person: reading a workbook takes memory, and
	// several at once from one account would only multiply it.
	user := waymark.ActorFrom(r.Context()).UserID
	if !s.uploads.start(user) {
		s.failImport(w, r, http.StatusTooManyRequests, "You are already uploading a file. Wait until we have checked it, then try again.")
		return
	}
	// The slot is given back before the answer is written: an upload sent
	// once this one is answered is never refused.
	var c *onboarding.Check
	status, msg, err := func() (int, string, error) {
		defer s.uploads.done(user)
		name, data, status, msg := readUpload(r)
		if msg != "" {
			return status, msg, nil
		}
		var err error
		c, err = s.deps.Onboarding.DryRun(r.Context(), name, data)
		return 0, "", err
	}()
	if msg != "" {
		s.failImport(w, r, status, msg)
		return
	}
	if err != nil {
		if waymark.ErrorCode(err) == waymark.EINVALID {
			s.failImport(w, r, http.StatusBadRequest, waymark.ErrorMessage(err))
			return
		}
		s.renderError(w, r, err)
		return
	}
	v := s.importForm(r)
	v.Title = "Check your file"
	v.Check = c
	for _, rp := range c.Result.Rows {
		row := importRow{Row: rp.Row, Organization: rp.Organization.Name, Service: rp.Service.Name}
		if len(rp.Service.Locations) > 0 {
			row.Postcode = rp.Service.Locations[0].Address.PostalCode
		}
		switch rp.Action {
		case bulk.ActionCreate:
			row.Action = "Create"
			v.Creates++
		case bulk.ActionSkipDuplicate:
			row.Action = "Skip: already listed"
			v.Skips++
		default:
			row.Action = "Fix first"
			v.Errs++
		}
		for _, e := range rp.Errors {
			row.Problems = append(row.Problems, e.Column+": "+e.Message)
		}
		v.Rows = append(v.Rows, row)
	}
	s.render(w, r, http.StatusOK, "import-check", v)
}

// handleImportConfirm imports the file kept by the dry run, checking every
// row again.
func (s *Server) handleImportConfirm(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"))
		return
	}
	b, _, err := s.deps.Onboarding.ImportUpload(r.Context(), r.PostForm.Get("upload"))
	if err != nil {
		if code := waymark.ErrorCode(err); code == waymark.ENOTFOUND || code == waymark.ECONFLICT {
			s.failImport(w, r, http.StatusConflict, waymark.ErrorMessage(err))
			return
		}
		s.renderError(w, r, err)
		return
	}
	lines := []string{fmt.Sprintf("We created %s from %s.", plural(b.Created, "entry", "entries"), b.FileName)}
	if b.Skipped > 0 {
		lines = append(lines, fmt.Sprintf("We skipped %s already in the directory.", plural(b.Skipped, "row", "rows")))
	}
	if b.Errors > 0 {
		lines = append(lines, fmt.Sprintf("%s had errors and %s not imported: fix them in your file and upload it again. Rows already imported will be skipped.",
			plural(b.Errors, "row", "rows"), map[bool]string{true: "was", false: "were"}[b.Errors == 1]))
	}
	if b.Created > 0 {
		lines = append(lines, "Each organisation has been emailed a link to claim its entries, or to ask us to remove them.")
	}
	s.render(w, r, http.StatusOK, "message", messageView{page: s.page(r, "Import complete"), Heading: "Import complete",
		Lines: lines, Link: &link{Href: importPath, Text: "Import another file"}})
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// claimView is the page a claim link opens.
type claimView struct {
	page
	Claim       *onboarding.Claim
	ID          string
	Expires     string
	Sig         string
	SignedIn    bool
	SignInURL   string
	RegisterURL string
}

// claimURL is the claim page's own address, to come back to after signing
// in.
func claimURL(id, expires, sig string) string {
	return "/claim/" + url.PathEscape(id) + "?" + url.Values{"expires": {expires}, "sig": {sig}}.Encode()
}

func (s *Server) handleClaim(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	id, expires, sig := r.PathValue("id"), q.Get("expires"), q.Get("sig")
	c, err := s.deps.Onboarding.Open(r.Context(), id, expires, sig)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := claimView{page: s.page(r, "Claim your entry"), Claim: c, ID: id, Expires: expires, Sig: sig,
		SignedIn: !waymark.ActorFrom(r.Context()).Anonymous()}
	v.NoIndex = true
	v.SignInURL = withNext("/sign-in", claimURL(id, expires, sig))
	v.RegisterURL = withNext("/register", claimURL(id, expires, sig))
	s.render(w, r, http.StatusOK, "claim", v)
}

func (s *Server) handleClaimAction(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "The form could not be read: try again"))
		return
	}
	ctx := r.Context()
	id, expires, sig := r.PathValue("id"), r.PostForm.Get("expires"), r.PostForm.Get("sig")
	switch r.PostForm.Get("action") {
	case "claim":
		if waymark.ActorFrom(ctx).Anonymous() {
			http.Redirect(w, r, "/sign-in?next="+url.QueryEscape(claimURL(id, expires, sig)), http.StatusSeeOther)
			return
		}
		if _, err := s.deps.Onboarding.ClaimEntries(ctx, id, expires, sig); err != nil {
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, "/provider", http.StatusSeeOther)
	case "remove":
		c, err := s.deps.Onboarding.Remove(ctx, id, expires, sig)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		s.render(w, r, http.StatusOK, "message", messageView{page: s.page(r, "We have removed your entries"), Heading: "We have removed your entries",
			Lines: []string{fmt.Sprintf("%s for %s no longer in the directory. We will not add them again from the same spreadsheet.",
				map[bool]string{true: "The entry is", false: "The entries are"}[len(c.Entries) == 1], c.OrganizationName)},
			Link: &link{Href: "/", Text: "Find community support"}})
	default:
		s.renderError(w, r, waymark.Errorf(waymark.EINVALID, "Choose whether to claim your entry or to have it removed"))
	}
}
