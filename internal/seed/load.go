package seed

import (
	"context"
	"fmt"

	"waymark/internal/directory"
)

// Load creates the organisations, then the services in batches of batch (100
// when batch is less than 1), through the directory so that every entry is
// validated and its postcode geocoded. It stops at the first failure and
// returns it wrapped, with the batch that failed: EINVALID for a bad entry,
// ECONFLICT for an id already stored. Batches already created stay created.
func Load(ctx context.Context, dir *directory.Directory, orgs []directory.Organization, services []*directory.Service, batch int) error {
	if batch < 1 {
		batch = 100
	}
	if err := dir.CreateOrganizations(ctx, orgs); err != nil {
		return fmt.Errorf("create organisations: %w", err)
	}
	for start := 0; start < len(services); start += batch {
		if err := ctx.Err(); err != nil {
			return err
		}
		end := min(start+batch, len(services))
		if err := dir.CreateServices(ctx, services[start:end]); err != nil {
			return fmt.Errorf("create services %d-%d: %w", start+1, end, err)
		}
	}
	return nil
}
