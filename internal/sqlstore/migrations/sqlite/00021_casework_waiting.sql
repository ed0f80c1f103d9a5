-- +goose Up
-- Postcode districts (outward codes) a team serves, so the public form finds
-- a team by the person's postcode.
CREATE TABLE sp_team_area (
    outward TEXT PRIMARY KEY,
    team_id TEXT NOT NULL REFERENCES sp_team (id) ON DELETE CASCADE
);
CREATE INDEX sp_team_area_team_idx ON sp_team_area (team_id);

-- Referrals into a social prescribing team: the team's waiting list.
CREATE TABLE sp_incoming (
    id TEXT PRIMARY KEY,
    team_id TEXT NOT NULL REFERENCES sp_team (id),
    source TEXT NOT NULL CHECK (source IN ('self', 'professional', 'gp')),
    status TEXT NOT NULL CHECK (status IN ('waiting', 'accepted', 'declined')),
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    date_of_birth TEXT NOT NULL,
    nhs_number TEXT NOT NULL DEFAULT '',
    postcode TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    preferred_contact TEXT NOT NULL,
    gp_practice TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL,
    referrer_id TEXT NOT NULL DEFAULT '',
    referrer_name TEXT NOT NULL DEFAULT '',
    referrer_email TEXT NOT NULL DEFAULT '',
    consent BOOLEAN NOT NULL,
    allocated_to TEXT NOT NULL DEFAULT '',
    client_id TEXT NOT NULL DEFAULT '',
    decline_reason TEXT NOT NULL DEFAULT '',
    received_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP
);
CREATE INDEX sp_incoming_team_idx ON sp_incoming (team_id, status, received_at);

-- +goose Down
DROP TABLE sp_incoming;
DROP TABLE sp_team_area;
