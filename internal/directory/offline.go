package directory

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/input"
)

// OfflineHelp is a local infrastructure organisation that people without
// internet access can phone or visit to find activities and services.
type OfflineHelp struct {
	ID      string
	Name    string
	Website string
	Phones  []Phone // Description says which area a number is for, when several
	Address string  // multi-line; empty when there is no public drop-in
	Area    string  // the part of the county it covers
}

// OfflineHelpEntry returns one organisation of the offline help list.
// Errors: ENOTFOUND.
func (s *Directory) OfflineHelpEntry(ctx context.Context, id string) (*OfflineHelp, error) {
	list, err := s.store.ListOfflineHelp(ctx)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].ID == id {
			return &list[i], nil
		}
	}
	return nil, waymark.Errorf(waymark.ENOTFOUND, "There is no such organisation on the list")
}

// SaveOfflineHelp adds an organisation to the offline help list (create,
// with the ID the form was given, so sending the form twice adds it once) or
// changes one, for moderators. It returns the entry's ID. Errors:
// EFORBIDDEN, ENOTFOUND, EINVALID with the field at fault.
func (s *Directory) SaveOfflineHelp(ctx context.Context, e OfflineHelp, create bool) (string, error) {
	if !isModerator(waymark.ActorFrom(ctx)) {
		return "", waymark.Errorf(waymark.EFORBIDDEN, "Only moderators can change the offline help list")
	}
	if err := checkOfflineHelp(&e); err != nil {
		return "", err
	}
	list, err := s.store.ListOfflineHelp(ctx)
	if err != nil {
		return "", err
	}
	if create && uuid.Validate(e.ID) != nil {
		e.ID = uuid.NewString()
	}
	found := false
	for i := range list {
		if list[i].ID == e.ID {
			list[i], found = e, true
		}
	}
	switch {
	case !found && create:
		list = append(list, e)
	case !found:
		return "", waymark.Errorf(waymark.ENOTFOUND, "There is no such organisation on the list")
	}
	return e.ID, s.ReplaceOfflineHelp(ctx, list)
}

// RemoveOfflineHelp takes an organisation off the offline help list, for
// moderators. Errors: EFORBIDDEN, ENOTFOUND.
func (s *Directory) RemoveOfflineHelp(ctx context.Context, id string) error {
	if !isModerator(waymark.ActorFrom(ctx)) {
		return waymark.Errorf(waymark.EFORBIDDEN, "Only moderators can change the offline help list")
	}
	list, err := s.store.ListOfflineHelp(ctx)
	if err != nil {
		return err
	}
	kept := list[:0]
	for _, e := range list {
		if e.ID != id {
			kept = append(kept, e)
		}
	}
	if len(kept) == len(list) {
		return waymark.Errorf(waymark.ENOTFOUND, "There is no such organisation on the list")
	}
	return s.store.ReplaceOfflineHelp(ctx, kept)
}

// checkOfflineHelp checks and normalises an entry's fields.
func checkOfflineHelp(e *OfflineHelp) error {
	var err error
	at := func(field string, err error) error {
		return waymark.FieldErrorf(waymark.EINVALID, field, "%s", waymark.ErrorMessage(err))
	}
	if e.Name, err = input.Line("Name", e.Name, 200); err != nil {
		return at("name", err)
	}
	if e.Name == "" {
		return waymark.FieldErrorf(waymark.EINVALID, "name", "Enter the organisation's name")
	}
	if e.Area, err = input.Line("Area", e.Area, 200); err != nil {
		return at("area", err)
	}
	if e.Area == "" {
		return waymark.FieldErrorf(waymark.EINVALID, "area", "Enter the area it covers, like \"Derbyshire Dales\"")
	}
	var phones []Phone
	for i, p := range e.Phones {
		field := fmt.Sprintf("phone%d", i+1)
		if strings.TrimSpace(p.Number) == "" {
			continue
		}
		if p.Number, err = input.Phone(p.Number); err != nil {
			return at(field, err)
		}
		p.Number = input.FormatPhone(p.Number)
		if p.Description, err = input.Line("What the number is for", p.Description, 100); err != nil {
			return at(field+"_for", err)
		}
		phones = append(phones, p)
	}
	if len(phones) == 0 {
		return waymark.FieldErrorf(waymark.EINVALID, "phone1", "Enter a phone number people can call")
	}
	e.Phones = phones
	if strings.TrimSpace(e.Website) != "" {
		if e.Website, err = input.Website(e.Website); err != nil {
			return at("website", err)
		}
	}
	if e.Address, err = input.Lines("Drop-in address", e.Address, 500); err != nil {
		return at("address", err)
	}
	return nil
}
