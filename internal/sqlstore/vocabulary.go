package sqlstore

import (
	"context"
	"fmt"
)

// PublicText returns the names, descriptions and keywords of the public,
// listed entries and the names of their categories, for spelling
// suggestions.
func (s *DirectoryStore) PublicText(ctx context.Context) ([]string, error) {
	var out []string
	err := eachRow(ctx, s.db.reader(), `SELECT s.name || ' ' || s.description || ' ' || s.keywords FROM service s
		WHERE s.status IN ('published', 'frozen') AND s.visibility = 'listed'
		UNION ALL
		SELECT DISTINCT t.name FROM taxonomy_term t JOIN service_taxonomy st ON st.taxonomy_term_id = t.id
		JOIN service s ON s.id = st.service_id WHERE s.status IN ('published', 'frozen') AND s.visibility = 'listed'`,
		nil, func(r rowScanner) error {
			var t string
			err := r.Scan(&t)
			out = append(out, t)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("public text: %w", err)
	}
	return out, nil
}
