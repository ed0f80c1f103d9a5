package directory

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"waymark"
)

// ServicePage returns a service for its public page: published and frozen
// entries, and suspended ones, whose page stays reachable by its link to say
// that the service is paused and why. Errors: ENOTFOUND for unknown or
// malformed ids and for entries the public never sees (drafts, entries
// waiting for review, declined and deleted ones).
func (s *Directory) ServicePage(ctx context.Context, id string) (*Service, error) {
	if _, err := uuid.Parse(id); err != nil || len(id) != 36 {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "There is no service at this address")
	}
	svc, err := s.store.FindServiceByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !svc.Status.Public() && svc.Status != StatusSuspended {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "There is no service at this address")
	}
	return svc, nil
}

// Alternatives returns up to n listed public services like svc (in its
// first category) near its first location's postcode, nearest first, for
// someone who cannot use svc. When nothing in the category is near, any
// nearby service is offered; without a known postcode, the category's
// services. svc itself is never among them.
func (s *Directory) Alternatives(ctx context.Context, svc *Service, n int) ([]Hit, error) {
	base := SearchQuery{Sort: SortRelevance, Page: 1, PerPage: n + 1, RadiusMiles: DefaultRadius}
	for _, l := range svc.Locations {
		if l.Address.PostalCode != "" {
			base.Postcode, base.Sort = l.Address.PostalCode, SortDistance
			break
		}
	}
	var tries []SearchQuery
	if len(svc.Categories) > 0 && svc.Categories[0].Code != "" {
		q := base
		q.Category = svc.Categories[0].Code
		tries = append(tries, q)
	}
	if base.Postcode != "" {
		tries = append(tries, base)
	}
	for _, q := range tries {
		res, err := s.Search(ctx, q)
		if waymark.ErrorCode(err) == waymark.EINVALID && q.Postcode != "" {
			// A postcode the table does not know: look in the category only.
			q.Postcode, q.Sort = "", SortRelevance
			res, err = s.Search(ctx, q)
		}
		if err != nil {
			return nil, fmt.Errorf("alternatives to %s: %w", svc.ID, err)
		}
		var out []Hit
		for _, h := range res.Hits {
			if h.Service.ID != svc.ID && len(out) < n {
				out = append(out, h)
			}
		}
		if len(out) > 0 {
			return out, nil
		}
	}
	return nil, nil
}
