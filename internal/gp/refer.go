package gp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/directory"
	"waymark/internal/input"
	"waymark/internal/postcode"
	"waymark/internal/referral"
)

// Validate checks and normalises a request, reporting every problem at
// once by field: nhs_number, given_name, family_name, birth_date,
// postcode, phone, email (one of phone and email is needed), reason,
// consent, requester_name, practice. today is the date in London.
func (r *Request) Validate(today time.Time) error {
	var p waymark.Problems
	var ok bool
	if r.PracticeODS, ok = casework.NormaliseODSCode(r.PracticeODS); !ok {
		p.Add("practice", "Give the practice's ODS code: a letter and five letters or numbers, like C81001")
	}
	pt := &r.Patient
	if pt.NHSNumber = casework.NormaliseNHSNumber(pt.NHSNumber); pt.NHSNumber == "" {
		p.Add("nhs_number", "Enter the patient's NHS number")
	} else if !casework.ValidNHSNumber(pt.NHSNumber) {
		p.Add("nhs_number", "Enter a valid NHS number: 10 digits, like 943 476 5919 (the last is a check digit)")
	}
	for _, f := range []struct {
		field, what string
		s           *string
	}{{"given_name", "first name", &pt.GivenName}, {"family_name", "last name", &pt.FamilyName}} {
		v, err := input.Line("The "+f.what, *f.s, 100)
		*f.s = v
		if !p.Check(f.field, err) && v == "" {
			p.Add(f.field, "Enter the patient's "+f.what)
		}
	}
	switch {
	case pt.DateOfBirth.IsZero():
		p.Add("birth_date", "Enter the patient's date of birth")
	case pt.DateOfBirth.After(today) || pt.DateOfBirth.Year() < today.Year()-120:
		p.Add("birth_date", "Date of birth must be a real date in the past")
	default:
		pt.DateOfBirth = time.Date(pt.DateOfBirth.Year(), pt.DateOfBirth.Month(), pt.DateOfBirth.Day(), 0, 0, 0, 0, time.UTC)
	}
	if pt.Postcode = strings.TrimSpace(pt.Postcode); pt.Postcode != "" {
		if pc, err := postcode.Parse(pt.Postcode); err != nil || !pc.Full() {
			p.Add("postcode", "Enter a full postcode, like DE4 3AG, or leave it blank")
		} else {
			pt.Postcode = pc.String()
		}
	}
	var err error
	if pt.Phone = strings.TrimSpace(pt.Phone); pt.Phone != "" {
		pt.Phone, err = input.Phone(pt.Phone)
		if !p.Check("phone", err) {
			pt.Phone = input.FormatPhone(pt.Phone)
		}
	}
	if pt.Email = strings.TrimSpace(pt.Email); pt.Email != "" {
		pt.Email, err = input.Email(pt.Email)
		p.Check("email", err)
	}
	if pt.Phone == "" && pt.Email == "" && !p.Has("phone") && !p.Has("email") {
		p.Add("phone", "Enter a phone number or an email address so that the patient can be contacted")
	}
	if r.Reason, err = input.Lines("The reason", r.Reason, 2000); !p.Check("reason", err) && r.Reason == "" {
		p.Add("reason", "Enter why you are referring the patient")
	}
	if !r.Consent {
		p.Add("consent", "Confirm that the patient agrees to be referred and to be contacted")
	}
	// The requester's name and role come from the practice form or a
	// FHIR message: the same text rules as every other name.
	name, nameErr := input.Line("The name of the person referring", r.RequesterName, 0)
	role, roleErr := input.Line("The role of the person referring", r.RequesterRole, 0)
	r.RequesterName, r.RequesterRole = name, role
	switch {
	case nameErr != nil:
		p.Check("requester_name", nameErr)
	case roleErr != nil:
		p.Check("requester_name", roleErr)
	case name == "" || utf8.RuneCountInString(name)+utf8.RuneCountInString(role) > 150:
		p.Add("requester_name", "Give the name of the person referring, in 150 characters or fewer with their role")
	}
	if r.Channel != ChannelWeb && r.Channel != ChannelFHIR {
		p.Add("channel", "Say whether the referral came through the web app or FHIR")
	}
	return p.Err()
}

// Refer makes a referral from a practice: onto the waiting list of the
// social prescribing team serving it, or to a marketplace service whose
// provider agreed a GP pathway for the practice. The actor is a GP,
// practice staff or a connected system acting for the practice. Sending
// the same Key again returns the first referral and creates nothing, also
// when the two arrive at once.
// Errors: EUNAUTHORIZED; EFORBIDDEN for another practice's actor, or a
// service without a GP pathway for the practice (the message says why);
// EINVALID (*waymark.Problems naming the fields, see Request.Validate);
// ENOTFOUND for an unknown practice or service, or a practice no team
// serves; ECONFLICT when the Key was used by another practice.
func (s *Service) Refer(ctx context.Context, req Request) (*Referral, error) {
	ods, _ := casework.NormaliseODSCode(req.PracticeODS)
	if err := mayActFor(ctx, ods); err != nil {
		return nil, err
	}
	req.Key = strings.TrimSpace(req.Key)
	if req.Key == "" || len(req.Key) > 200 {
		return nil, waymark.FieldErrorf(waymark.EINVALID, "key", "The request needs an identifier of 200 characters or fewer, so that sending it twice is safe")
	}
	if r, err := s.byKey(ctx, req.Key); err == nil || waymark.ErrorCode(err) != waymark.ENOTFOUND {
		return r, err
	}
	if err := req.Validate(s.today()); err != nil {
		return nil, err
	}
	practice, err := s.store.Practice(ctx, req.PracticeODS)
	if err != nil {
		return nil, err
	}
	a := waymark.ActorFrom(ctx)
	var svc *directory.Service // the marketplace service, when not to the team
	now := s.now().UTC()
	r := &Referral{ID: s.newID(), Key: req.Key, PracticeODS: practice.ODSCode, ServiceID: strings.TrimSpace(req.ServiceID),
		Patient: req.Patient, Reason: req.Reason, Channel: req.Channel, RequesterID: a.UserID, RequesterName: req.RequesterName,
		RequesterRole: req.RequesterRole, Status: StatusRequested, Created: now, Updated: now}
	if a.Has(waymark.RoleGPSystem) {
		r.SystemID = strings.TrimPrefix(a.UserID, "system:")
	}
	if r.ServiceID == "" {
		if practice.TeamID == "" {
			return nil, waymark.Errorf(waymark.ENOTFOUND, "No social prescribing team serves GP practice %s", practice.ODSCode)
		}
		r.TeamID, r.TeamName = practice.TeamID, practice.TeamName
		if err := teamRules(r.incoming(req.Consent), s.today()); err != nil {
			return nil, err
		}
	} else if svc, err = s.checkPathway(ctx, r); err != nil {
		return nil, err
	}
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.CreateReferral(ctx, r); err != nil {
			return err
		}
		if r.ToTeam() {
			in, err := s.team.ReferFromPractice(ctx, r.incoming(req.Consent))
			if err != nil {
				return err
			}
			r.IncomingID = in.ID
		} else {
			m, err := s.market.ReferFromPractice(ctx, svc, r.marketRequest(req.Consent))
			if err != nil {
				return err
			}
			r.MarketReferralID = m.ID
		}
		if err := s.store.SetTarget(ctx, r.ID, r.TeamID, r.IncomingID, r.MarketReferralID); err != nil {
			return err
		}
		return s.audit(ctx, "gp_referral.create", r.ID, "", "practice "+r.PracticeODS+" channel "+r.Channel)
	})
	if waymark.ErrorCode(err) == waymark.ECONFLICT {
		// The same request, sent at once: the first one made it.
		if first, ferr := s.byKey(ctx, req.Key); ferr == nil {
			return first, nil
		}
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	s.log.Info("gp referral made", "gp_referral_id", r.ID, "practice", r.PracticeODS, "channel", r.Channel, "to_team", r.ToTeam())
	made, err := s.store.Referral(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	s.derive(made)
	return made, nil
}

// byKey returns the referral made with key when the actor acts for its
// practice. Errors: ENOTFOUND; ECONFLICT for another practice's key.
func (s *Service) byKey(ctx context.Context, key string) (*Referral, error) {
	r, err := s.store.ReferralByKey(ctx, key)
	if err != nil {
		return nil, err
	}
	if !waymark.ActorFrom(ctx).ActsFor(r.PracticeODS) {
		return nil, waymark.FieldErrorf(waymark.ECONFLICT, "key", "This request identifier has already been used")
	}
	s.derive(r)
	return r, nil
}

// checkPathway checks the service exists, is listed, and its provider
// agreed a GP pathway for the practice, fills its name and returns it.
func (s *Service) checkPathway(ctx context.Context, r *Referral) (*directory.Service, error) {
	if _, err := uuid.Parse(r.ServiceID); err != nil {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "There is no service with id %s", r.ServiceID)
	}
	svc, err := s.services.FindServiceByID(ctx, r.ServiceID)
	if waymark.ErrorCode(err) == waymark.ENOTFOUND || (err == nil && !svc.Status.Public()) {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "There is no service with id %s", r.ServiceID)
	} else if err != nil {
		return nil, err
	}
	r.ServiceName = svc.DisplayName()
	p, err := s.store.Pathway(ctx, svc.ID)
	if err != nil {
		return nil, err
	}
	switch {
	case !p.Enabled:
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "%s has not agreed a GP pathway: refer the patient to your social prescribing team, or contact the service", r.ServiceName)
	case !p.Allows(r.PracticeODS):
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "%s takes direct referrals only from the GP practices it agreed a pathway with, and %s is not one of them", r.ServiceName, r.PracticeODS)
	}
	return svc, nil
}

// teamRules checks a referral against the waiting list's own rules (which
// are stricter in places, such as phone numbers), so that it is refused
// before anything is stored, naming the request's field.
func teamRules(in casework.Incoming, today time.Time) error {
	err := in.Validate(today)
	var e *waymark.Error
	if !errors.As(err, &e) || e.Code != waymark.EINVALID {
		return err
	}
	field := e.Field
	if field == "dob" {
		field = "birth_date"
	}
	var p waymark.Problems
	p.Add(field, e.Message)
	return p.Err()
}

func (r *Referral) referrer() string {
	if r.RequesterRole == "" {
		return r.RequesterName
	}
	return r.RequesterName + ", " + r.RequesterRole
}

func (r *Referral) incoming(consent bool) casework.Incoming {
	pt := r.Patient
	contact := "phone"
	if pt.Phone == "" {
		contact = "email"
	}
	return casework.Incoming{GivenName: pt.GivenName, FamilyName: pt.FamilyName, DateOfBirth: pt.DateOfBirth, NHSNumber: pt.NHSNumber,
		Postcode: pt.Postcode, Phone: pt.Phone, Email: pt.Email, PreferredContact: contact, GPPractice: r.PracticeODS,
		Reason: r.Reason, ReferrerName: r.referrer() + " (GP practice " + r.PracticeODS + ")", Consent: consent}
}

func (r *Referral) marketRequest(consent bool) referral.Request {
	pt := r.Patient
	contact := referral.ContactPhone
	if pt.Phone == "" {
		contact = referral.ContactEmail
	}
	return referral.Request{Client: referral.Person{Name: pt.Name(), Email: pt.Email, Phone: pt.Phone, PreferredContact: contact},
		Consent: consent, Reason: r.Reason, ReferrerName: r.referrer() + " (GP practice " + r.PracticeODS + ")"}
}

// today is the date in London, as a UTC midnight.
func (s *Service) today() time.Time {
	n := s.now().In(london)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

var london = func() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return l
}()

// Referral returns a referral of a practice the actor acts for, and audits
// the view. Errors: EUNAUTHORIZED; ENOTFOUND (also for another practice's).
func (s *Service) Referral(ctx context.Context, id string) (*Referral, error) {
	a := waymark.ActorFrom(ctx)
	if a.Anonymous() {
		return nil, waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in")
	}
	r, err := s.store.Referral(ctx, id)
	if err != nil {
		return nil, err
	}
	if !practiceActor(a) || !a.ActsFor(r.PracticeODS) {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "Referral not found")
	}
	s.derive(r)
	return r, s.audit(ctx, "gp_referral.view", r.ID, r.Progress.ClientID, "practice "+r.PracticeODS)
}

// Referrals lists the referrals of the practice in f (every practice the
// actor acts for when ""), newest first, up to 500, and audits the list.
// Errors: EUNAUTHORIZED; EFORBIDDEN for a practice the actor does not act
// for; EINVALID for a malformed NHS number.
func (s *Service) Referrals(ctx context.Context, f Filter) ([]Referral, error) {
	a := waymark.ActorFrom(ctx)
	practices := a.Practices
	if f.PracticeODS != "" {
		ods, _ := casework.NormaliseODSCode(f.PracticeODS)
		if err := mayActFor(ctx, ods); err != nil {
			return nil, err
		}
		practices = []string{ods}
	} else if a.Anonymous() {
		return nil, waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in")
	} else if !practiceActor(a) {
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "Only GP practices see practice referrals")
	}
	nhs := casework.NormaliseNHSNumber(f.NHSNumber)
	if nhs != "" && !casework.ValidNHSNumber(nhs) {
		return nil, waymark.FieldErrorf(waymark.EINVALID, "nhs_number", "Enter a valid 10 digit NHS number")
	}
	if len(practices) == 0 {
		return nil, nil
	}
	list, err := s.store.Referrals(ctx, upper(practices), nhs, 500)
	if err != nil {
		return nil, err
	}
	for i := range list {
		s.derive(&list[i])
	}
	detail := "practices " + strings.Join(upper(practices), ",")
	if nhs != "" {
		detail += " by NHS number"
	}
	return list, s.audit(ctx, "gp_referral.list", "", "", fmt.Sprintf("%s, %d shown", detail, len(list)))
}

func upper(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ToUpper(strings.TrimSpace(s))
	}
	return out
}

// Letter returns the discharge letter of a team referral once the person
// was discharged; reading it is audited on their record. Errors: as
// Referral; ENOTFOUND until there is a letter.
func (s *Service) Letter(ctx context.Context, referralID string) (*casework.Letter, error) {
	r, err := s.Referral(ctx, referralID)
	if err != nil {
		return nil, err
	}
	if !r.HasLetter {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "There is no discharge letter for this referral yet")
	}
	return s.team.PracticeLetter(ctx, r.IncomingID)
}

// Practice returns a practice, for anyone signed in. Errors:
// EUNAUTHORIZED, ENOTFOUND.
func (s *Service) Practice(ctx context.Context, ods string) (*Practice, error) {
	if waymark.ActorFrom(ctx).Anonymous() {
		return nil, waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in")
	}
	ods, _ = casework.NormaliseODSCode(ods)
	return s.store.Practice(ctx, ods)
}

// Practices lists every known practice, for anyone signed in (the
// administrator's invitation form). Errors: EUNAUTHORIZED.
func (s *Service) Practices(ctx context.Context) ([]Practice, error) {
	if waymark.ActorFrom(ctx).Anonymous() {
		return nil, waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in")
	}
	return s.store.Practices(ctx)
}

// SavePractice records a practice's name and postcode, for
// administrators. Errors: EFORBIDDEN; EINVALID naming the field.
func (s *Service) SavePractice(ctx context.Context, p Practice) error {
	if !waymark.ActorFrom(ctx).Has(waymark.RoleAdmin) {
		return waymark.Errorf(waymark.EFORBIDDEN, "Only administrators record GP practices")
	}
	cp := casework.Practice{ODSCode: p.ODSCode, Name: p.Name}
	if err := cp.Validate(); err != nil {
		return err
	}
	p.ODSCode, p.Name = cp.ODSCode, cp.Name
	if p.Postcode = strings.TrimSpace(p.Postcode); p.Postcode != "" {
		pc, err := postcode.Parse(p.Postcode)
		if err != nil || !pc.Full() {
			return waymark.FieldErrorf(waymark.EINVALID, "postcode", "Enter the practice's full postcode, like DE4 3AG")
		}
		p.Postcode = pc.String()
	}
	if err := s.store.SavePractice(ctx, p, s.now().UTC()); err != nil {
		return fmt.Errorf("save practice %s: %w", p.ODSCode, err)
	}
	return s.audit(ctx, "gp_practice.save", "", "", "practice "+p.ODSCode)
}
