package directory

import (
	"context"

	"waymark"
)

// Delete deletes a listing for Waymark itself, with a note for its history,
// such as when a provider asks by a signed link for an entry made for them
// to be removed. It reports false when the listing was already deleted.
// Errors: ENOTFOUND.
func (s *System) Delete(ctx context.Context, serviceID, note string) (bool, error) {
	svc, err := s.life.store.FindServiceByID(ctx, serviceID)
	if err != nil {
		return false, err
	}
	if svc.Status == StatusDeleted {
		return false, nil
	}
	if _, err := s.life.applyAsSystem(ctx, svc, ActionDelete, "", note); err != nil {
		if waymark.ErrorCode(err) == waymark.ECONFLICT {
			return false, nil
		}
		return false, err
	}
	return true, nil
}
