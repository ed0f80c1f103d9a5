package directory

import (
	"context"
	"fmt"
	"strings"

	"waymark"
)

// Short links: /s/{code} leads to a service's page. A service's code is
// the start of its id's hex digits: the shortest start, of at least
// MinShortCode digits, that the service was the first created with. A later
// service with the same start gets a longer code, so a code once shown
// keeps leading to the same service.
const (
	MinShortCode = 8
	maxShortCode = 32
)

// ShortCode returns the short code of the service with id. Errors: ENOTFOUND for
// an id that is not a service's.
func (s *Directory) ShortCode(ctx context.Context, id string) (string, error) {
	hex := strings.ReplaceAll(strings.ToLower(id), "-", "")
	if len(hex) != maxShortCode || !isHex(hex) {
		return "", waymark.Errorf(waymark.ENOTFOUND, "There is no service at this address")
	}
	for n := MinShortCode; n <= maxShortCode; n++ {
		first, err := s.store.FirstServiceWithIDPrefix(ctx, hex[:n])
		if err != nil {
			return "", fmt.Errorf("short code of %s: %w", id, err)
		}
		if first == "" {
			return "", waymark.Errorf(waymark.ENOTFOUND, "There is no service at this address")
		}
		if strings.EqualFold(first, id) {
			return hex[:n], nil
		}
	}
	return "", waymark.Errorf(waymark.ENOTFOUND, "There is no service at this address")
}

// ResolveShortCode returns the id of the service a short code leads to. Codes are
// read in any case. Errors: ENOTFOUND.
func (s *Directory) ResolveShortCode(ctx context.Context, code string) (string, error) {
	code = strings.ToLower(code)
	if len(code) < MinShortCode || len(code) > maxShortCode || !isHex(code) {
		return "", waymark.Errorf(waymark.ENOTFOUND, "There is no service at this address")
	}
	id, err := s.store.FirstServiceWithIDPrefix(ctx, code)
	if err != nil {
		return "", fmt.Errorf("resolve short code: %w", err)
	}
	if id == "" {
		return "", waymark.Errorf(waymark.ENOTFOUND, "There is no service at this address")
	}
	return id, nil
}

func isHex(s string) bool {
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}

// IDRange returns the lowest and highest ids, in their canonical
// 8-4-4-4-12 form, whose hex digits start with prefix: the range a store
// searches its id index in.
func IDRange(prefix string) (lo, hi string) {
	dash := func(h string) string { return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:] }
	pad := maxShortCode - len(prefix)
	return dash(prefix + strings.Repeat("0", pad)), dash(prefix + strings.Repeat("f", pad))
}
