package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"waymark"
	"waymark/internal/pcn"
)

// PCNStore keeps primary care networks and which practices, teams and
// commissioners belong to each. It implements pcn.Store.
type PCNStore struct{ db *DB }

// NewPCNStore returns a PCNStore on db.
func NewPCNStore(db *DB) *PCNStore { return &PCNStore{db: db} }

var _ pcn.Store = (*PCNStore)(nil)

// PCNs lists every network with its members, by name.
func (s *PCNStore) PCNs(ctx context.Context) ([]pcn.PCN, error) {
	c := s.db.reader()
	var out []pcn.PCN
	byID := map[string]*pcn.PCN{}
	err := eachRow(ctx, c, `SELECT id, ods_code, name, created_at FROM pcn ORDER BY name, ods_code`, nil, func(r rowScanner) error {
		var p pcn.PCN
		err := r.Scan(&p.ID, &p.ODSCode, &p.Name, &p.Created)
		out = append(out, p)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list pcns: %w", err)
	}
	for i := range out {
		byID[out[i].ID] = &out[i]
	}
	if err := s.members(ctx, c, "", byID); err != nil {
		return nil, err
	}
	return out, nil
}

// members fills in the members of the networks in byID (of one network
// when id is not "").
func (s *PCNStore) members(ctx context.Context, c conn, id string, byID map[string]*pcn.PCN) error {
	for _, m := range []struct {
		query string
		list  func(p *pcn.PCN) *[]string
	}{
		{`SELECT pcn_id, ods_code FROM pcn_practice`, func(p *pcn.PCN) *[]string { return &p.Practices }},
		{`SELECT pcn_id, team_id FROM pcn_team`, func(p *pcn.PCN) *[]string { return &p.Teams }},
		{`SELECT pcn_id, CAST(user_id AS TEXT) FROM pcn_commissioner`, func(p *pcn.PCN) *[]string { return &p.Commissioners }},
	} {
		q, args := m.query, []any(nil)
		if id != "" {
			q, args = q+` WHERE pcn_id = ?`, []any{id}
		}
		err := eachRow(ctx, c, q+` ORDER BY 2`, args, func(r rowScanner) error {
			var pcnID, member string
			if err := r.Scan(&pcnID, &member); err != nil {
				return err
			}
			if p := byID[pcnID]; p != nil {
				*m.list(p) = append(*m.list(p), member)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("pcn members: %w", err)
		}
	}
	return nil
}

// PCN finds one network with its members. Errors: ENOTFOUND.
func (s *PCNStore) PCN(ctx context.Context, id string) (*pcn.PCN, error) {
	c := s.db.reader()
	var p pcn.PCN
	err := c.queryRow(ctx, `SELECT id, ods_code, name, created_at FROM pcn WHERE id = ?`, id).Scan(&p.ID, &p.ODSCode, &p.Name, &p.Created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "There is no such primary care network")
	}
	if err != nil {
		return nil, fmt.Errorf("find pcn %s: %w", id, err)
	}
	if err := s.members(ctx, c, id, map[string]*pcn.PCN{id: &p}); err != nil {
		return nil, err
	}
	return &p, nil
}

// CreatePCN stores a new network with its members.
func (s *PCNStore) CreatePCN(ctx context.Context, p *pcn.PCN) error {
	return s.db.inTx(ctx, func(c conn) error {
		err := c.exec(ctx, `INSERT INTO pcn (id, ods_code, name, created_at) VALUES (?, ?, ?, ?)`, p.ID, p.ODSCode, p.Name, p.Created.UTC())
		if waymark.ErrorCode(err) == waymark.ECONFLICT {
			return waymark.FieldErrorf(waymark.ECONFLICT, "ods", "Another network has the ODS code %s", p.ODSCode)
		}
		if err != nil {
			return fmt.Errorf("insert pcn: %w", err)
		}
		if err := setMembers(ctx, c, p); err != nil {
			return err
		}
		return claimFormToken(ctx, c, "pcn", p.ID, p.Created)
	})
}

// SavePCN changes a network and makes its members exactly p's.
func (s *PCNStore) SavePCN(ctx context.Context, p *pcn.PCN) error {
	return s.db.inTx(ctx, func(c conn) error {
		var n int
		if err := c.queryRow(ctx, `SELECT COUNT(*) FROM pcn WHERE id = ?`, p.ID).Scan(&n); err != nil {
			return fmt.Errorf("find pcn: %w", err)
		}
		if n == 0 {
			return waymark.Errorf(waymark.ENOTFOUND, "There is no such primary care network")
		}
		err := c.exec(ctx, `UPDATE pcn SET ods_code = ?, name = ? WHERE id = ?`, p.ODSCode, p.Name, p.ID)
		if waymark.ErrorCode(err) == waymark.ECONFLICT {
			return waymark.FieldErrorf(waymark.ECONFLICT, "ods", "Another network has the ODS code %s", p.ODSCode)
		}
		if err != nil {
			return fmt.Errorf("update pcn: %w", err)
		}
		for _, t := range []string{"pcn_practice", "pcn_team", "pcn_commissioner"} {
			if err := c.exec(ctx, `DELETE FROM `+t+` WHERE pcn_id = ?`, p.ID); err != nil {
				return fmt.Errorf("clear %s: %w", t, err)
			}
		}
		return setMembers(ctx, c, p)
	})
}

// setMembers makes p's practices, teams and commissioners its own, taking
// them from any other network. Teams must exist, and commissioners be
// commissioners' accounts.
func setMembers(ctx context.Context, c conn, p *pcn.PCN) error {
	if len(p.Teams) > 0 {
		var n int
		if err := c.queryRow(ctx, `SELECT COUNT(*) FROM sp_team WHERE id IN (`+placeholders(len(p.Teams))+`)`, anys(p.Teams)...).Scan(&n); err != nil {
			return fmt.Errorf("find teams: %w", err)
		}
		if n != len(p.Teams) {
			return waymark.FieldErrorf(waymark.EINVALID, "teams", "Choose teams from the list")
		}
	}
	if len(p.Commissioners) > 0 {
		var n int
		err := c.queryRow(ctx, `SELECT COUNT(*) FROM app_user WHERE platform_role = ? AND CAST(id AS TEXT) IN (`+placeholders(len(p.Commissioners))+`)`,
			append([]any{string(waymark.RoleCommissioner)}, anys(p.Commissioners)...)...).Scan(&n)
		if err != nil {
			return fmt.Errorf("find commissioners: %w", err)
		}
		if n != len(p.Commissioners) {
			return waymark.FieldErrorf(waymark.EINVALID, "commissioners", "Choose commissioners from the list")
		}
	}
	for _, m := range []struct {
		table, column string
		ids           []string
	}{{"pcn_practice", "ods_code", p.Practices}, {"pcn_team", "team_id", p.Teams}, {"pcn_commissioner", "user_id", p.Commissioners}} {
		for _, id := range m.ids {
			err := c.exec(ctx, `INSERT INTO `+m.table+` (`+m.column+`, pcn_id) VALUES (?, ?)
				ON CONFLICT (`+m.column+`) DO UPDATE SET pcn_id = excluded.pcn_id`, id, p.ID)
			if err != nil {
				return fmt.Errorf("add to %s: %w", m.table, err)
			}
		}
	}
	return nil
}
