package referral

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/input"
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

// NewReferrals returns Referrals.
func NewReferrals(store Store, listings Listings, cfg Config, now func() time.Time, logger *slog.Logger) *Referrals {
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
// *waymark.Problems for the form's fields.
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
	mails := s.toClient(r, "Your Waymark referral "+r.Reference,
		[]string{"Hello " + r.Client.Name + ",",
			"Thank you. We have sent your referral to " + svc.DisplayName() + ". Your reference is " + r.Reference + ".",
			"The service should reply within a few days. You can see the status of your referral, and send the service a message, with your private link. Keep it safe: anyone with the link can see your referral."},
		"See your referral", "we have sent your referral "+r.Reference)
	mails = append(mails, s.providerNewReferral(svc, r)...)
	e := Event{ReferralID: r.ID, To: StatusSent, By: PartyReferrer, ActorName: r.Client.Name, At: r.CreatedAt}
	if err := s.store.CreateReferral(ctx, r, e, mails); err != nil {
		return nil, "", fmt.Errorf("save self-referral to %s: %w", svc.ID, err)
	}
	s.log.Info("referral made", "referral_id", r.ID, "service_id", svc.ID, "source", r.Source)
	return r, track, nil
}

// Refer makes a referral by a link worker or GP on their client's behalf.
// Errors: EUNAUTHORIZED, EFORBIDDEN, ENOTFOUND, EINVALID (a
// *waymark.Problems for the form's fields).
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
	var problems waymark.Problems
	p := req.Client
	var err error
	if p.Name, err = input.Line("The name", p.Name, 100); !problems.Check("name", err) && p.Name == "" {
		if src == SourceSelf {
			problems.Add("name", "Enter your full name")
		}
		problems.Add("name", "Enter the person's full name")
	}
	if p.Email = strings.TrimSpace(p.Email); p.Email != "" {
		p.Email, err = input.Email(p.Email)
		problems.Check("email", err)
	}
	if p.Phone = strings.TrimSpace(p.Phone); p.Phone != "" {
		p.Phone, err = input.KeepPhone(p.Phone) // a mobile in E.164, for texts
		problems.Check("phone", err)
	}
	switch p.PreferredContact {
	case ContactEmail:
		if p.Email == "" {
			problems.Add("email", "Enter an email address, as email is the preferred way to get in touch")
		}
	case ContactPhone, ContactText:
		if p.Phone == "" {
			problems.Add("phone", "Enter a phone number, as phone or text is the preferred way to get in touch")
		}
		if _, mobile := input.TextableMobile(p.Phone); p.PreferredContact == ContactText && p.Phone != "" && !mobile {
			problems.Add("phone", "Enter a mobile number (starting 07) to be contacted by text")
		}
	default:
		problems.Add("preferred_contact", "Select how the service should get in touch")
	}
	if !req.Consent {
		if src == SourceProfessional {
			problems.Add("consent", "Confirm that the person has agreed to be referred and to share their details")
		}
		problems.Add("consent", "Confirm that the details can be shared with the service")
	}
	var reason string
	if src == SourceProfessional {
		if reason, err = input.Lines("The reason", req.Reason, 5000); !problems.Check("reason", err) && reason == "" {
			problems.Add("reason", "Enter why you are referring the person")
		}
	}
	get := req.Answers
	if get == nil {
		get = func(string) []string { return nil }
	}
	answers, formProblems := form.ReadAnswers(get)
	for _, fp := range formProblems.List() {
		problems.Add(fp.Field, fp.Message)
	}
	if err := problems.Err(); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	return &Referral{ID: uuid.NewString(), Reference: newReference(), ServiceID: svc.ID, OrganizationID: svc.OrganizationID,
		ServiceName: svc.DisplayName(), Source: src, Status: StatusSent, Client: p, Consent: true, Reason: reason,
		Answers: answers, CreatedAt: now, UpdatedAt: now}, nil
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
