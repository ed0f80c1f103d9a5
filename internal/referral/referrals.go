package referral

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/email"
)

// Config is the referral service's settings.
type Config struct {
	Rules Rules
	// PublicURL is the site's address, for links in emails.
	PublicURL string
	// Secret signs the links in emails (private status links, attendance
	// answers).
	Secret []byte
	// MinStatsCount is the fewest referrals a statistic is shown for; 5
	// when 0.
	MinStatsCount int
	// LinkTTL is how long an attendance link works; 30 days when 0.
	LinkTTL time.Duration
}

// Referrals makes and moves referrals with their rules.
type Referrals struct {
	store    Store
	listings Listings
	cfg      Config
	now      func() time.Time
	log      *slog.Logger
}

// New returns Referrals.
func New(store Store, listings Listings, cfg Config, now func() time.Time, logger *slog.Logger) *Referrals {
	if cfg.MinStatsCount <= 0 {
		cfg.MinStatsCount = 5
	}
	if cfg.LinkTTL <= 0 {
		cfg.LinkTTL = 30 * 24 * time.Hour
	}
	if len(cfg.Rules.RemindAfter) == 0 && cfg.Rules.AutoDeclineAfter == 0 {
		cfg.Rules = DefaultRules
	}
	cfg.PublicURL = strings.TrimSuffix(cfg.PublicURL, "/")
	return &Referrals{store: store, listings: listings, cfg: cfg, now: now, log: logger}
}

// Request is a referral being made.
type Request struct {
	Client  Person
	Consent bool
	Reason  string // professional referrals: why
	// Answers reads the posted answers to the service's form questions.
	Answers func(field string) []string
	// ReferrerName and ReferrerEmail are the signed-in professional's, for
	// their notifications.
	ReferrerName, ReferrerEmail string
}

// ReferralService returns a service that can take referrals by the
// pathway, with its form. Errors: ENOTFOUND, EINVALID when it takes none.
func (s *Referrals) ReferralService(ctx context.Context, serviceID string, src Source) (*directory.Service, *Form, error) {
	svc, err := s.listings.FindServiceByID(ctx, serviceID)
	if err != nil {
		return nil, nil, err
	}
	if !svc.Status.Public() {
		return nil, nil, waymark.Errorf(waymark.ENOTFOUND, "There is no service at this address")
	}
	ok := svc.Pathway == directory.PathwayWaymarkForm || (src == SourceProfessional && svc.Pathway == directory.PathwayProfessionalOnly)
	if !ok {
		return nil, nil, waymark.Errorf(waymark.EINVALID, "%s does not take referrals through Waymark", svc.DisplayName())
	}
	if svc.Status == directory.StatusFrozen {
		return nil, nil, waymark.Errorf(waymark.EINVALID, "%s is not taking referrals at the moment: %s", svc.DisplayName(), svc.StatusNote)
	}
	f, err := s.store.Form(ctx, svc.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("load form of %s: %w", svc.ID, err)
	}
	return svc, f, nil
}

// SelfRefer makes a self-referral for a member of the public. It returns the
// referral and the private link's path. Errors: ENOTFOUND, EINVALID,
// Problems.
func (s *Referrals) SelfRefer(ctx context.Context, serviceID string, req Request) (*Referral, string, error) {
	svc, form, err := s.ReferralService(ctx, serviceID, SourceSelf)
	if err != nil {
		return nil, "", err
	}
	r, err := s.build(svc, form, SourceSelf, req)
	if err != nil {
		return nil, "", err
	}
	track := s.TrackPath(r.ID)
	var mails []email.Message
	if r.Client.Email != "" {
		mails = append(mails, compose(r.Client.Email, "Your Waymark referral "+r.Reference,
			[]string{"Hello " + r.Client.Name + ",",
				"Thank you. We have sent your referral to " + svc.DisplayName() + ". Your reference is " + r.Reference + ".",
				"The service should reply within a few days. You can see the status of your referral, and send the service a message, with your private link. Keep it safe: anyone with the link can see your referral."},
			s.cfg.PublicURL+track, "See your referral"))
	}
	mails = append(mails, s.providerNewReferral(svc, r)...)
	e := Event{ReferralID: r.ID, To: StatusSent, By: PartyReferrer, ActorName: r.Client.Name, At: r.CreatedAt}
	if err := s.store.CreateReferral(ctx, r, e, mails); err != nil {
		return nil, "", fmt.Errorf("save self-referral to %s: %w", svc.ID, err)
	}
	s.log.Info("referral made", "referral_id", r.ID, "service_id", svc.ID, "source", r.Source)
	return r, track, nil
}

// Refer makes a referral by a link worker or GP on their client's behalf.
// Errors: EUNAUTHORIZED, EFORBIDDEN, ENOTFOUND, EINVALID, Problems.
func (s *Referrals) Refer(ctx context.Context, serviceID string, req Request) (*Referral, error) {
	a := waymark.ActorFrom(ctx)
	if a.Anonymous() {
		return nil, waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in to refer someone")
	}
	if !IsProfessional(a) {
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "Only link workers and GPs can refer someone on their behalf")
	}
	svc, form, err := s.ReferralService(ctx, serviceID, SourceProfessional)
	if err != nil {
		return nil, err
	}
	r, err := s.build(svc, form, SourceProfessional, req)
	if err != nil {
		return nil, err
	}
	r.ReferrerID, r.ReferrerName, r.ReferrerEmail = a.UserID, req.ReferrerName, req.ReferrerEmail
	e := Event{ReferralID: r.ID, To: StatusSent, By: PartyReferrer, ActorID: a.UserID, ActorName: req.ReferrerName, At: r.CreatedAt}
	if err := s.store.CreateReferral(ctx, r, e, s.providerNewReferral(svc, r)); err != nil {
		return nil, fmt.Errorf("save referral to %s: %w", svc.ID, err)
	}
	s.log.Info("referral made", "referral_id", r.ID, "service_id", svc.ID, "source", r.Source)
	return r, nil
}

// IsProfessional reports whether the actor may refer on someone's behalf.
func IsProfessional(a waymark.Actor) bool {
	return a.Has(waymark.RoleLinkWorker) || a.Has(waymark.RoleGP)
}

func (s *Referrals) build(svc *directory.Service, form *Form, src Source, req Request) (*Referral, error) {
	problems := Problems{}
	p := req.Client
	p.Name = strings.TrimSpace(p.Name)
	p.Email = strings.TrimSpace(p.Email)
	p.Phone = strings.TrimSpace(p.Phone)
	switch n := utf8.RuneCountInString(p.Name); {
	case n == 0:
		problems["name"] = "Enter the person's full name"
		if src == SourceSelf {
			problems["name"] = "Enter your full name"
		}
	case n > 100:
		problems["name"] = "The name must be 100 characters or fewer"
	}
	if p.Email != "" {
		if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email || len(p.Email) > 254 {
			problems["email"] = "Enter an email address in the correct format, like name@example.org"
		}
	}
	if p.Phone != "" {
		n, ok := NormalisePhone(p.Phone)
		if !ok {
			problems["phone"] = "Enter a UK phone number, like 01632 960 001 or 07700 900 982"
		}
		p.Phone = n
	}
	switch p.PreferredContact {
	case ContactEmail:
		if p.Email == "" && problems["email"] == "" {
			problems["email"] = "Enter an email address, as email is the preferred way to get in touch"
		}
	case ContactPhone, ContactText:
		if p.Phone == "" && problems["phone"] == "" {
			problems["phone"] = "Enter a phone number, as phone or text is the preferred way to get in touch"
		}
		if p.PreferredContact == ContactText && p.Phone != "" && !strings.HasPrefix(p.Phone, "07") && problems["phone"] == "" {
			problems["phone"] = "Enter a mobile number (starting 07) to be contacted by text"
		}
	default:
		problems["preferred_contact"] = "Select how the service should get in touch"
	}
	if !req.Consent {
		problems["consent"] = "Confirm that the details can be shared with the service"
		if src == SourceProfessional {
			problems["consent"] = "Confirm that the person has agreed to be referred and to share their details"
		}
	}
	reason := strings.TrimSpace(req.Reason)
	if src == SourceProfessional {
		switch n := utf8.RuneCountInString(reason); {
		case n == 0:
			problems["reason"] = "Enter why you are referring the person"
		case n > 5000:
			problems["reason"] = "The reason must be 5,000 characters or fewer"
		}
	} else {
		reason = ""
	}
	get := req.Answers
	if get == nil {
		get = func(string) []string { return nil }
	}
	answers, formProblems := form.ReadAnswers(get)
	for k, v := range formProblems {
		problems[k] = v
	}
	if len(problems) > 0 {
		return nil, problems
	}
	now := s.now().UTC()
	return &Referral{ID: uuid.NewString(), Reference: newReference(), ServiceID: svc.ID, OrganizationID: svc.OrganizationID,
		ServiceName: svc.DisplayName(), Source: src, Status: StatusSent, Client: p, Consent: true, Reason: reason,
		Answers: answers, CreatedAt: now, UpdatedAt: now}, nil
}

// NormalisePhone checks a UK phone number and writes it in one form:
// digits only, starting 0. It accepts spaces, dashes, brackets and +44.
func NormalisePhone(s string) (string, bool) {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return "", false
		}
	}
	n := b.String()
	if strings.HasPrefix(n, "+44") {
		n = "0" + strings.TrimPrefix(strings.TrimPrefix(n, "+44"), "0")
	}
	if strings.HasPrefix(n, "0044") {
		n = "0" + strings.TrimPrefix(n, "0044")
	}
	if !strings.HasPrefix(n, "0") || strings.HasPrefix(n, "00") || len(n) < 10 || len(n) > 11 {
		return "", false
	}
	return n, true
}

// newReference returns a short reference people can read out: WM- and 8
// letters and digits that cannot be confused (no I, L, O, U).
func newReference() string {
	b := make([]byte, 5)
	rand.Read(b)
	enc := base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)
	s := enc.EncodeToString(b)
	return "WM-" + s[:4] + "-" + s[4:]
}

// TrackPath is the path of a referral's private link for the person who
// referred themselves: anyone holding it sees that referral and nothing
// else.
func (s *Referrals) TrackPath(id string) string {
	return "/track/" + id + "/" + s.trackToken(id)
}

func (s *Referrals) trackToken(id string) string {
	m := hmac.New(sha256.New, s.cfg.Secret)
	m.Write([]byte("track-referral:" + id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkTrack checks a private link's token.
func (s *Referrals) checkTrack(id, token string) error {
	if !hmac.Equal([]byte(token), []byte(s.trackToken(id))) {
		return waymark.Errorf(waymark.ENOTFOUND, "There is no referral at this address")
	}
	return nil
}

// Case is a referral with its history and messages, and the viewer's part
// in it.
type Case struct {
	Referral *Referral
	Events   []Event
	Messages []Message
	As       Party // provider or referrer
	Stats    *Stats
}

// Open returns a referral for a signed-in provider of its service or the
// professional who made it, and records the view. Errors: EUNAUTHORIZED,
// ENOTFOUND (also when it is someone else's, so its existence is not
// revealed).
func (s *Referrals) Open(ctx context.Context, id string) (*Case, error) {
	a := waymark.ActorFrom(ctx)
	if a.Anonymous() {
		return nil, waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in to see referrals")
	}
	r, as, err := s.mine(ctx, id)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	if err := s.store.AuditView(ctx, View{ReferralID: r.ID, ActorID: a.UserID, What: "view referral as " + string(as), At: now}); err != nil {
		return nil, fmt.Errorf("audit view of referral %s: %w", id, err)
	}
	if as == PartyProvider && r.ViewedAt == nil {
		if err := s.store.MarkViewed(ctx, r.ID, now); err != nil {
			return nil, fmt.Errorf("mark referral %s viewed: %w", id, err)
		}
		r.ViewedAt = &now
	}
	return s.loadCase(ctx, r, as)
}

// Track returns a referral by its private link, and records the view.
// Errors: ENOTFOUND.
func (s *Referrals) Track(ctx context.Context, id, token string) (*Case, error) {
	if err := s.checkTrack(id, token); err != nil {
		return nil, err
	}
	r, err := s.store.FindReferral(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.store.AuditView(ctx, View{ReferralID: r.ID, ActorID: "self-referrer", What: "view referral by private link", At: s.now().UTC()}); err != nil {
		return nil, fmt.Errorf("audit view of referral %s: %w", id, err)
	}
	c, err := s.loadCase(ctx, r, PartyReferrer)
	if err != nil {
		return nil, err
	}
	if r.Source == SourceProfessional {
		// The thread is between the professional and the provider; the
		// person sees where their referral stands and can score it.
		c.Messages = nil
	}
	return c, nil
}

// selfReferral finds a referral by its private link for an action only the
// person who referred themselves may take.
func (s *Referrals) selfReferral(ctx context.Context, id, token string) (*Referral, error) {
	if err := s.checkTrack(id, token); err != nil {
		return nil, err
	}
	r, err := s.store.FindReferral(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Source != SourceSelf {
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "Ask the person who referred you: they are in touch with the service about your referral")
	}
	return r, nil
}

func (s *Referrals) loadCase(ctx context.Context, r *Referral, as Party) (*Case, error) {
	c := &Case{Referral: r, As: as}
	var err error
	if c.Events, err = s.store.Events(ctx, r.ID); err != nil {
		return nil, fmt.Errorf("load events of referral %s: %w", r.ID, err)
	}
	if c.Messages, err = s.store.Messages(ctx, r.ID); err != nil {
		return nil, fmt.Errorf("load messages of referral %s: %w", r.ID, err)
	}
	return c, nil
}

// mine finds a referral the signed-in actor is party to.
func (s *Referrals) mine(ctx context.Context, id string) (*Referral, Party, error) {
	a := waymark.ActorFrom(ctx)
	r, err := s.store.FindReferral(ctx, id)
	if err != nil {
		return nil, "", err
	}
	switch {
	case a.In(r.OrganizationID, waymark.RoleProvider):
		return r, PartyProvider, nil
	case r.ReferrerID != "" && r.ReferrerID == a.UserID:
		return r, PartyReferrer, nil
	}
	return nil, "", waymark.Errorf(waymark.ENOTFOUND, "There is no referral at this address")
}

// Inbox tabs.
const (
	TabNew      = "new"
	TabAwaiting = "awaiting"
	TabAccepted = "accepted"
	TabDeclined = "declined"
	TabClosed   = "closed"
)

// Tabs are the provider inbox's tabs, in order, with labels.
var Tabs = []struct{ Key, Label string }{
	{TabNew, "New"}, {TabAwaiting, "Awaiting response"}, {TabAccepted, "Accepted"}, {TabDeclined, "Declined"}, {TabClosed, "Closed"},
}

// TabOf is the inbox tab a referral is in.
func TabOf(r *Referral) string {
	switch r.Status {
	case StatusSent:
		if r.ViewedAt == nil {
			return TabNew
		}
		return TabAwaiting
	case StatusAccepted, StatusAttended, StatusDidNotAttend:
		return TabAccepted
	case StatusDeclined, StatusAutoDeclined:
		return TabDeclined
	}
	return TabClosed
}

// Inbox returns the referrals to the provider's organisations' services,
// newest first, grouped by tab. Errors: EUNAUTHORIZED.
func (s *Referrals) Inbox(ctx context.Context) (map[string][]*Referral, error) {
	a := waymark.ActorFrom(ctx)
	if a.Anonymous() {
		return nil, waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in to see referrals")
	}
	var orgs []string
	for _, m := range a.Memberships {
		if m.Role == waymark.RoleProvider {
			orgs = append(orgs, m.OrganizationID)
		}
	}
	out := map[string][]*Referral{}
	if len(orgs) == 0 {
		return out, nil
	}
	list, err := s.store.ListReferrals(ctx, Filter{OrganizationIDs: orgs, Limit: 1000})
	if err != nil {
		return nil, fmt.Errorf("list inbox: %w", err)
	}
	for _, r := range list {
		out[TabOf(r)] = append(out[TabOf(r)], r)
	}
	return out, nil
}

// Sent returns the referrals the signed-in professional made, newest first.
// Errors: EUNAUTHORIZED.
func (s *Referrals) Sent(ctx context.Context) ([]*Referral, error) {
	a := waymark.ActorFrom(ctx)
	if a.Anonymous() {
		return nil, waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in to see referrals")
	}
	return s.store.ListReferrals(ctx, Filter{ReferrerID: a.UserID, Limit: 1000})
}

// Accept accepts a referral for its provider. Errors: as Open, EFORBIDDEN,
// EINVALID, ECONFLICT.
func (s *Referrals) Accept(ctx context.Context, id string) error {
	return s.act(ctx, id, StatusAccepted, "", "")
}

// Decline declines a referral with a reason code and, for "other", a note.
func (s *Referrals) Decline(ctx context.Context, id, code, note string) error {
	note = strings.TrimSpace(note)
	known := slices.ContainsFunc(DeclineReasons, func(d DeclineReason) bool { return d.Code == code })
	switch {
	case !known:
		return waymark.FieldErrorf(waymark.EINVALID, "reason", "Select why you are declining the referral")
	case code == "other" && note == "":
		return waymark.FieldErrorf(waymark.EINVALID, "note", "Tell the referrer why you are declining the referral")
	case utf8.RuneCountInString(note) > 2000:
		return waymark.FieldErrorf(waymark.EINVALID, "note", "The note must be 2,000 characters or fewer")
	}
	return s.act(ctx, id, StatusDeclined, code, note)
}

// Cancel withdraws a referral for the professional who made it.
func (s *Referrals) Cancel(ctx context.Context, id string) error {
	return s.act(ctx, id, StatusCancelled, "", "")
}

// RecordAttendance records, for the provider, whether the person attended.
func (s *Referrals) RecordAttendance(ctx context.Context, id string, attended bool) error {
	to := StatusDidNotAttend
	if attended {
		to = StatusAttended
	}
	return s.act(ctx, id, to, "", "")
}

// Close closes a referral.
func (s *Referrals) Close(ctx context.Context, id string) error {
	return s.act(ctx, id, StatusClosed, "", "")
}

// act changes a referral's status for the signed-in party.
func (s *Referrals) act(ctx context.Context, id string, to Status, code, note string) error {
	a := waymark.ActorFrom(ctx)
	if a.Anonymous() {
		return waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in to change a referral")
	}
	r, as, err := s.mine(ctx, id)
	if err != nil {
		return err
	}
	return s.change(ctx, r, to, as, a.UserID, userNameOf(ctx), code, note)
}

// TrackCancel withdraws a self-referral through its private link.
func (s *Referrals) TrackCancel(ctx context.Context, id, token string) error {
	r, err := s.selfReferral(ctx, id, token)
	if err != nil {
		return err
	}
	return s.change(ctx, r, StatusCancelled, PartyReferrer, "", r.Client.Name, "", "")
}

type nameKey struct{}

// WithUserName puts the signed-in user's name in ctx, for the history.
func WithUserName(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, nameKey{}, name)
}

func userNameOf(ctx context.Context) string {
	n, _ := ctx.Value(nameKey{}).(string)
	return n
}

// change validates and stores a status change with the emails it causes.
func (s *Referrals) change(ctx context.Context, r *Referral, to Status, by Party, actorID, actorName, code, note string) error {
	full := note
	if code != "" {
		full = strings.TrimSpace(reasonLabel(code) + ". " + note)
	}
	if err := Transition(r.Status, to, by, full); err != nil {
		return err
	}
	c := Change{Event: Event{ReferralID: r.ID, From: r.Status, To: to, By: by, ActorID: actorID, ActorName: actorName, Note: full, At: s.now().UTC()},
		DeclineReason: code}
	c.Emails = s.changeEmails(ctx, r, to, full)
	if err := s.store.SaveChange(ctx, c); err != nil {
		return fmt.Errorf("referral %s to %s: %w", r.ID, to, err)
	}
	r.Status = to
	s.log.Info("referral changed", "referral_id", r.ID, "to", to, "by", by)
	return nil
}

func reasonLabel(code string) string {
	for _, d := range DeclineReasons {
		if d.Code == code {
			return d.Label
		}
	}
	return code
}

// PostMessage adds a message to a referral's thread for the signed-in
// party and tells the other side by email. Errors: as Open, EINVALID.
func (s *Referrals) PostMessage(ctx context.Context, id, body string) error {
	a := waymark.ActorFrom(ctx)
	if a.Anonymous() {
		return waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in to send a message")
	}
	r, as, err := s.mine(ctx, id)
	if err != nil {
		return err
	}
	return s.post(ctx, r, as, a.UserID, userNameOf(ctx), body)
}

// TrackMessage adds the self-referrer's message through the private link.
func (s *Referrals) TrackMessage(ctx context.Context, id, token, body string) error {
	r, err := s.selfReferral(ctx, id, token)
	if err != nil {
		return err
	}
	return s.post(ctx, r, PartyReferrer, "", r.Client.Name, body)
}

func (s *Referrals) post(ctx context.Context, r *Referral, as Party, authorID, authorName, body string) error {
	body = strings.TrimSpace(body)
	switch n := utf8.RuneCountInString(body); {
	case n == 0:
		return waymark.FieldErrorf(waymark.EINVALID, "body", "Enter a message")
	case n > 5000:
		return waymark.FieldErrorf(waymark.EINVALID, "body", "The message must be 5,000 characters or fewer")
	}
	m := Message{ID: uuid.NewString(), ReferralID: r.ID, From: as, AuthorID: authorID, AuthorName: authorName, Body: body, At: s.now().UTC()}
	var mails []email.Message
	notice := []string{"There is a new message about referral " + r.Reference + " to " + r.ServiceName + ".",
		"For privacy we do not put messages in emails. Open the referral to read it and reply."}
	if as == PartyProvider {
		if r.Source == SourceSelf && r.Client.Email != "" {
			mails = append(mails, compose(r.Client.Email, "New message about your referral "+r.Reference, notice, s.cfg.PublicURL+s.TrackPath(r.ID), "Read the message"))
		}
		if r.Source == SourceProfessional && r.ReferrerEmail != "" {
			mails = append(mails, compose(r.ReferrerEmail, "New message about referral "+r.Reference, notice, s.cfg.PublicURL+"/referrals/"+r.ID, "Read the message"))
		}
	} else {
		svc, err := s.listings.FindServiceByID(ctx, r.ServiceID)
		if err != nil {
			return fmt.Errorf("find service of referral %s: %w", r.ID, err)
		}
		if to := providerEmail(svc); to != "" {
			mails = append(mails, compose(to, "New message about referral "+r.Reference, notice, s.cfg.PublicURL+"/referrals/"+r.ID, "Read the message"))
		}
	}
	if err := s.store.AddMessage(ctx, m, mails); err != nil {
		return fmt.Errorf("add message to referral %s: %w", r.ID, err)
	}
	return nil
}

// attendanceSig signs a provider's one-click attendance answer.
func (s *Referrals) attendanceSig(id, answer string, exp int64) string {
	m := hmac.New(sha256.New, s.cfg.Secret)
	m.Write([]byte("attendance:" + id + ":" + answer + ":" + strconv.FormatInt(exp, 10)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// AttendanceLink is the path and query of the signed link by which a
// provider answers whether the person attended (answer "attended" or
// "did_not_attend"), without signing in.
func (s *Referrals) AttendanceLink(id, answer string) string {
	exp := s.now().Add(s.cfg.LinkTTL).Unix()
	return "/referrals/" + id + "/attendance?answer=" + answer + "&expires=" + strconv.FormatInt(exp, 10) + "&sig=" + s.attendanceSig(id, answer, exp)
}

// AnswerAttendance records the provider's answer from a signed link.
// Errors: EINVALID for a bad or expired link, or one already answered.
func (s *Referrals) AnswerAttendance(ctx context.Context, id, answer, expires, sig string) (*Referral, error) {
	exp, err := strconv.ParseInt(expires, 10, 64)
	if err != nil || (answer != string(StatusAttended) && answer != string(StatusDidNotAttend)) ||
		!hmac.Equal([]byte(sig), []byte(s.attendanceSig(id, answer, exp))) {
		return nil, waymark.Errorf(waymark.EINVALID, "This link is not valid. Sign in to Waymark to update the referral.")
	}
	if s.now().Unix() > exp {
		return nil, waymark.Errorf(waymark.EINVALID, "This link has expired. Sign in to Waymark to update the referral.")
	}
	r, err := s.store.FindReferral(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Status == Status(answer) {
		return r, nil // answered already, by this link
	}
	if r.Status != StatusAccepted {
		return nil, waymark.Errorf(waymark.EINVALID, "This referral is already marked %s.", strings.ToLower(StatusLabel(r.Status)))
	}
	if err := s.change(ctx, r, Status(answer), PartyProvider, "", "Provider, by email link", "", ""); err != nil {
		return nil, err
	}
	return r, nil
}

// Rate records the person's score (1–5) and whether the service met their
// needs, through their private link, once they attended. Errors: ENOTFOUND,
// EINVALID.
func (s *Referrals) Rate(ctx context.Context, id, token string, score int, metNeeds string) error {
	if err := s.checkTrack(id, token); err != nil {
		return err
	}
	r, err := s.store.FindReferral(ctx, id)
	if err != nil {
		return err
	}
	if r.Attendance != StatusAttended {
		return waymark.Errorf(waymark.EINVALID, "You can score a service once the provider has recorded that you went")
	}
	problems := Problems{}
	if score < 1 || score > 5 {
		problems["score"] = "Select a score from 1 to 5"
	}
	if metNeeds != "yes" && metNeeds != "no" {
		problems["met_needs"] = "Select yes or no"
	}
	if len(problems) > 0 {
		return problems
	}
	ok, err := s.store.SaveRating(ctx, id, score, metNeeds == "yes", s.now().UTC())
	if err != nil {
		return fmt.Errorf("save rating of referral %s: %w", id, err)
	}
	if !ok {
		return waymark.Errorf(waymark.EINVALID, "You have already scored this service. Thank you.")
	}
	return nil
}

// providerEmail is where a service's provider is told about referrals.
func providerEmail(svc *directory.Service) string {
	if svc.Email != "" {
		return svc.Email
	}
	if svc.Organization != nil {
		return svc.Organization.Email
	}
	return ""
}

func (s *Referrals) providerNewReferral(svc *directory.Service, r *Referral) []email.Message {
	to := providerEmail(svc)
	if to == "" {
		return nil
	}
	return []email.Message{compose(to, "New Waymark referral "+r.Reference,
		[]string{"You have a new referral to " + svc.DisplayName() + ".",
			"Please accept or decline it within a few days. Referrals not answered within " + days(s.cfg.Rules.AutoDeclineAfter) + " are declined automatically."},
		s.cfg.PublicURL+"/referrals/"+r.ID, "See the referral")}
}

// changeEmails are the emails a status change sends.
func (s *Referrals) changeEmails(ctx context.Context, r *Referral, to Status, note string) []email.Message {
	var lines []string
	switch to {
	case StatusAccepted:
		lines = []string{r.ServiceName + " has accepted referral " + r.Reference + ". They will be in touch."}
	case StatusDeclined:
		lines = []string{r.ServiceName + " has declined referral " + r.Reference + ".", "Their reason: " + note}
	case StatusAutoDeclined:
		lines = []string{r.ServiceName + " did not respond to referral " + r.Reference + " within " + days(s.cfg.Rules.AutoDeclineAfter) + ", so it has been declined automatically.",
			"You may want to look for another service."}
	default:
		if to == StatusCancelled {
			svc, err := s.listings.FindServiceByID(ctx, r.ServiceID)
			if err == nil && providerEmail(svc) != "" {
				return []email.Message{compose(providerEmail(svc), "Referral "+r.Reference+" has been cancelled",
					[]string{"Referral " + r.Reference + " to " + r.ServiceName + " has been cancelled by the person who made it. You do not need to do anything."},
					s.cfg.PublicURL+"/referrals/"+r.ID, "See the referral")}
			}
		}
		return nil
	}
	subject := "Update on referral " + r.Reference
	switch {
	case r.Source == SourceProfessional && r.ReferrerEmail != "":
		return []email.Message{compose(r.ReferrerEmail, subject, lines, s.cfg.PublicURL+"/referrals/"+r.ID, "See the referral")}
	case r.Source == SourceSelf && r.Client.Email != "":
		return []email.Message{compose(r.Client.Email, subject, lines, s.cfg.PublicURL+s.TrackPath(r.ID), "See your referral")}
	}
	return nil
}

func days(d time.Duration) string {
	n := int(d.Hours() / 24)
	if n == 1 {
		return "1 day"
	}
	return strconv.Itoa(n) + " days"
}

// Form returns a service's referral form. Errors: ENOTFOUND.
func (s *Referrals) Form(ctx context.Context, serviceID string) (*Form, error) {
	return s.store.Form(ctx, serviceID)
}

// EditForm changes a service's referral form for its provider: edit is
// applied to the stored form, which is then saved. Errors: EUNAUTHORIZED,
// EFORBIDDEN, ENOTFOUND, and edit's.
func (s *Referrals) EditForm(ctx context.Context, serviceID string, edit func(*Form) error) (*Form, error) {
	a := waymark.ActorFrom(ctx)
	if a.Anonymous() {
		return nil, waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in to change a referral form")
	}
	svc, err := s.listings.FindServiceByID(ctx, serviceID)
	if err != nil {
		return nil, err
	}
	if !a.In(svc.OrganizationID, waymark.RoleProvider) && !a.Has(waymark.RoleAdmin) {
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "This is not one of your listings")
	}
	f, err := s.store.Form(ctx, serviceID)
	if err != nil {
		return nil, fmt.Errorf("load form of %s: %w", serviceID, err)
	}
	if err := edit(f); err != nil {
		return nil, err
	}
	f.ServiceID = serviceID
	f.UpdatedAt = s.now().UTC()
	if err := s.store.SaveForm(ctx, *f); err != nil {
		return nil, fmt.Errorf("save form of %s: %w", serviceID, err)
	}
	return f, nil
}

// NewQuestionID returns an ID for a new question.
func NewQuestionID() string { return strings.ReplaceAll(uuid.NewString(), "-", "")[:12] }
