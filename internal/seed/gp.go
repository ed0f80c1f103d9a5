package seed

import (
	"context"
	"fmt"
	"time"

	"waymark/internal/directory"
	"waymark/internal/gp"
)

// PracticeStore records GP practices and GP pathways (sqlstore.GPStore).
type PracticeStore interface {
	SavePractice(ctx context.Context, p gp.Practice, at time.Time) error
	SavePathway(ctx context.Context, p gp.Pathway) error
}

// DemoPractices are the two demo GP practices of the practice app: the
// demo team serves them (Casework lists their fictional ODS codes), and
// here they get their postcodes.
var DemoPractices = []gp.Practice{
	{ODSCode: "C81001", Name: "Lime Grove Medical Centre, Matlock (demo)", Postcode: "DE4 3BN"},
	{ODSCode: "C81002", Name: "Imperial Road Surgery, Matlock (demo)", Postcode: "DE4 3NL"},
}

// demoPathways are the demo services whose provider agreed a GP pathway,
// with the practices it covers (none: every practice).
var demoPathways = []struct {
	service   string
	practices []string
}{
	{"Nordic walking for beginners", nil},
	{"Matlock health walks", []string{"C81001", "C81002"}},
}

// GP records the demo practices and switches on the demo GP pathways
// among services.
func GP(ctx context.Context, store PracticeStore, services []*directory.Service, now time.Time) error {
	for _, p := range DemoPractices {
		if err := store.SavePractice(ctx, p, now); err != nil {
			return fmt.Errorf("demo practice %s: %w", p.ODSCode, err)
		}
	}
	for _, dp := range demoPathways {
		found := false
		for _, svc := range services {
			if svc.Name != dp.service {
				continue
			}
			found = true
			if err := store.SavePathway(ctx, gp.Pathway{ServiceID: svc.ID, Enabled: true, Practices: dp.practices, UpdatedAt: now}); err != nil {
				return fmt.Errorf("demo GP pathway of %s: %w", dp.service, err)
			}
		}
		if !found {
			return fmt.Errorf("demo GP pathway: no service %q", dp.service)
		}
	}
	return nil
}
