package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"waymark/internal/directory"
)

// EnsureFeed returns the feed with this base URL, creating it (or updating
// whether it is trusted) as needed.
func (s *DirectoryStore) EnsureFeed(ctx context.Context, baseURL string, trusted bool, now time.Time) (*directory.Feed, error) {
	f := &directory.Feed{}
	err := s.db.inTx(ctx, func(c conn) error {
		err := c.exec(ctx, `INSERT INTO feed (id, base_url, trusted, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (base_url) DO UPDATE SET trusted = excluded.trusted`, uuid.NewString(), baseURL, trusted, now)
		if err != nil {
			return fmt.Errorf("upsert feed: %w", err)
		}
		var last sql.NullTime
		err = c.queryRow(ctx, `SELECT id, base_url, trusted, created_at, last_run_at, last_summary FROM feed WHERE base_url = ?`, baseURL).
			Scan(&f.ID, &f.BaseURL, &f.Trusted, &f.CreatedAt, &last, &f.LastSummary)
		if last.Valid {
			f.LastRunAt = &last.Time
		}
		return mapError(err)
	})
	if err != nil {
		return nil, fmt.Errorf("ensure feed %s: %w", baseURL, err)
	}
	return f, nil
}

// FinishFeedRun records when a feed was last imported and the summary.
func (s *DirectoryStore) FinishFeedRun(ctx context.Context, feedID, summary string, now time.Time) error {
	return s.db.inTx(ctx, func(c conn) error {
		return c.exec(ctx, `UPDATE feed SET last_run_at = ?, last_summary = ? WHERE id = ?`, now, summary, feedID)
	})
}

// record returns the local id and content hash of a remote record.
func record(ctx context.Context, c conn, feedID, kind, remoteID string) (localID, hash string, found bool, err error) {
	err = c.queryRow(ctx, `SELECT local_id, content_hash FROM feed_record WHERE feed_id = ? AND kind = ? AND remote_id = ?`,
		feedID, kind, remoteID).Scan(&localID, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, fmt.Errorf("find %s record: %w", kind, mapError(err))
	}
	return localID, hash, true, nil
}

func saveRecord(ctx context.Context, c conn, feedID, kind, remoteID, localID, hash string, seen time.Time) error {
	err := c.exec(ctx, `INSERT INTO feed_record (feed_id, kind, remote_id, local_id, content_hash, seen_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (feed_id, kind, remote_id) DO UPDATE SET local_id = excluded.local_id,
			content_hash = excluded.content_hash, seen_at = excluded.seen_at`, feedID, kind, remoteID, localID, hash, seen)
	if err != nil {
		return fmt.Errorf("save %s record: %w", kind, err)
	}
	return nil
}

// localID returns the id a remote record has here, making a new one for a
// record not seen before.
func localID(ctx context.Context, c conn, feedID, kind, remoteID string) (string, error) {
	id, _, found, err := record(ctx, c, feedID, kind, remoteID)
	if err != nil || found {
		return id, err
	}
	return uuid.NewString(), nil
}

// ImportService stores one service read from a feed, with its organisation
// and taxonomy terms, in one transaction. A record seen before is updated in
// place (or left alone when its content is unchanged). It returns "created",
// "updated" or "unchanged".
func (s *DirectoryStore) ImportService(ctx context.Context, imp *directory.Import) (string, error) {
	outcome := ""
	err := s.db.inTx(ctx, func(c conn) error {
		svc := imp.Service
		existing, hash, found, err := record(ctx, c, imp.FeedID, "service", imp.RemoteID)
		if err != nil {
			return err
		}
		if found && hash == imp.Hash {
			outcome = "unchanged"
			return saveRecord(ctx, c, imp.FeedID, "service", imp.RemoteID, existing, hash, imp.SeenAt)
		}
		// The organisation.
		org := imp.Org
		if org.ID, err = localID(ctx, c, imp.FeedID, "organization", imp.OrgRemoteID); err != nil {
			return err
		}
		err = c.exec(ctx, `INSERT INTO organization (id, name, description, email, website, phone, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, '', ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
				email = excluded.email, website = excluded.website, updated_at = excluded.updated_at`,
			org.ID, org.Name, org.Description, org.Email, org.Website, imp.SeenAt, imp.SeenAt)
		if err != nil {
			return fmt.Errorf("upsert organization: %w", err)
		}
		if err := saveRecord(ctx, c, imp.FeedID, "organization", imp.OrgRemoteID, org.ID, "", imp.SeenAt); err != nil {
			return err
		}
		svc.OrganizationID = org.ID
		// Its taxonomy terms.
		svc.Categories = nil
		for _, t := range imp.Terms {
			termID, err := importTerm(ctx, c, imp, t)
			if err != nil {
				return err
			}
			svc.Categories = append(svc.Categories, directory.TaxonomyTerm{ID: termID})
		}
		// The service.
		if found {
			svc.ID = existing
			outcome = "updated"
			if err := deleteServiceParts(ctx, c, svc.ID); err != nil {
				return err
			}
			svc.AssignIDs()
			err := c.exec(ctx, `UPDATE service SET organization_id = ?, name = ?, description = ?, url = ?, email = ?,
					eligibility_description = ?, minimum_age = ?, maximum_age = ?, status = ?, status_note = ?,
					suspended_by = ?, free = ?, languages = ?, delivery = ?, updated_at = ?, assured_at = ? WHERE id = ?`,
				svc.OrganizationID, svc.Name, svc.Description, svc.Website, svc.Email, svc.AccessCriteria,
				svc.MinimumAge, svc.MaximumAge, string(svc.Status), svc.StatusNote, feedSuspension(svc.Status), svc.Free,
				codes(svc.Languages), codes(svc.Delivery), svc.UpdatedAt, svc.AssuredAt, svc.ID)
			if err != nil {
				return fmt.Errorf("update service: %w", err)
			}
			if err := insertServiceParts(ctx, c, svc); err != nil {
				return err
			}
			if err := reindexService(ctx, c, svc.ID); err != nil {
				return err
			}
		} else {
			svc.ID = ""
			svc.AssignIDs()
			outcome = "created"
			if err := insertService(ctx, c, svc); err != nil {
				return fmt.Errorf("insert service: %w", err)
			}
		}
		return saveRecord(ctx, c, imp.FeedID, "service", imp.RemoteID, svc.ID, imp.Hash, imp.SeenAt)
	})
	if err != nil {
		return "", fmt.Errorf("import service %s: %w", imp.RemoteID, err)
	}
	return outcome, nil
}

func importTerm(ctx context.Context, c conn, imp *directory.Import, t directory.ImportedTerm) (string, error) {
	taxID, err := localID(ctx, c, imp.FeedID, "taxonomy", t.RemoteTaxonomyID)
	if err != nil {
		return "", err
	}
	name := t.TaxonomyName
	if name == "" {
		name = "Imported terms"
	}
	err = c.exec(ctx, `INSERT INTO taxonomy (id, name, description, uri, version) VALUES (?, ?, ?, '', '')
		ON CONFLICT (id) DO NOTHING`, taxID, name, "Imported from "+imp.FeedID)
	if err != nil {
		return "", fmt.Errorf("upsert taxonomy: %w", err)
	}
	if err := saveRecord(ctx, c, imp.FeedID, "taxonomy", t.RemoteTaxonomyID, taxID, "", imp.SeenAt); err != nil {
		return "", err
	}
	termID, err := localID(ctx, c, imp.FeedID, "taxonomy_term", t.RemoteID)
	if err != nil {
		return "", err
	}
	// Codes are unique within a taxonomy: make this one so with the term's id.
	code := t.Code + "-" + strings.ReplaceAll(termID, "-", "")[:8]
	err = c.exec(ctx, `INSERT INTO taxonomy_term (id, taxonomy_id, code, name, description) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description`,
		termID, taxID, code, t.Name, t.Description)
	if err != nil {
		return "", fmt.Errorf("upsert taxonomy term: %w", err)
	}
	return termID, saveRecord(ctx, c, imp.FeedID, "taxonomy_term", t.RemoteID, termID, "", imp.SeenAt)
}

// RetireUnseen marks the services of a feed that were not seen since before
// as suspended (the feed no longer lists them), and returns how many.
func (s *DirectoryStore) RetireUnseen(ctx context.Context, feedID string, before, now time.Time) (int, error) {
	var ids []string
	err := s.db.inTx(ctx, func(c conn) error {
		err := eachRow(ctx, c, `SELECT local_id FROM feed_record r JOIN service s ON `+s.idMatch("s.id", "r.local_id")+`
			WHERE r.feed_id = ? AND r.kind = 'service' AND r.seen_at < ? AND s.status <> 'suspended'`,
			[]any{feedID, before}, func(r rowScanner) error {
				var id string
				err := r.Scan(&id)
				ids = append(ids, id)
				return err
			})
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := c.exec(ctx, `UPDATE service SET status = 'suspended', status_note = ?, suspended_by = 'feed', updated_at = ? WHERE id = ?`,
				"No longer listed by the feed it was imported from.", now, id); err != nil {
				return err
			}
			if err := reindexService(ctx, c, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("retire unseen services: %w", err)
	}
	return len(ids), nil
}

// idMatch compares a UUID column with a text column in either dialect.
func (s *DirectoryStore) idMatch(uuidCol, textCol string) string {
	return s.db.dialect.idEquals(uuidCol, textCol)
}

// RefreshStatistics refreshes the planner's statistics of the directory
// tables, after a feed import changed many services.
func (s *DirectoryStore) RefreshStatistics(ctx context.Context) error {
	return s.db.Analyze(ctx)
}

// ListFeeds returns the imported feeds by address.
func (s *DirectoryStore) ListFeeds(ctx context.Context) ([]directory.Feed, error) {
	var out []directory.Feed
	err := eachRow(ctx, s.db.reader(), `SELECT id, base_url, trusted, created_at, last_run_at, last_summary FROM feed ORDER BY base_url`, nil,
		func(r rowScanner) error {
			var f directory.Feed
			var last sql.NullTime
			err := r.Scan(&f.ID, &f.BaseURL, &f.Trusted, &f.CreatedAt, &last, &f.LastSummary)
			if last.Valid {
				f.LastRunAt = &last.Time
			}
			out = append(out, f)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("list feeds: %w", err)
	}
	return out, nil
}

// feedSuspension is who suspended an entry a feed import left in status:
// the feed, when it is suspended.
func feedSuspension(status directory.Status) string {
	if status == directory.StatusSuspended {
		return string(directory.ByFeed)
	}
	return ""
}
