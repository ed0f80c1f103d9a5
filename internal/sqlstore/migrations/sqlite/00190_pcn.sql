-- +goose Up
-- Primary care networks: a name and an ODS code (U and five digits). A GP
-- practice (by ODS code: it may be recorded in gp_practice or only served
-- by a team) and a social prescribing team each belong to one PCN at
-- most; a commissioner scoped to a PCN sees its practices' and teams'
-- insights (none here: the whole area).
CREATE TABLE pcn (
    id TEXT PRIMARY KEY,
    ods_code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE pcn_practice (
    ods_code TEXT PRIMARY KEY,
    pcn_id TEXT NOT NULL REFERENCES pcn (id) ON DELETE CASCADE
);
CREATE INDEX pcn_practice_pcn_idx ON pcn_practice (pcn_id);

CREATE TABLE pcn_team (
    team_id TEXT PRIMARY KEY REFERENCES sp_team (id) ON DELETE CASCADE,
    pcn_id TEXT NOT NULL REFERENCES pcn (id) ON DELETE CASCADE
);
CREATE INDEX pcn_team_pcn_idx ON pcn_team (pcn_id);

CREATE TABLE pcn_commissioner (
    user_id TEXT PRIMARY KEY REFERENCES app_user (id) ON DELETE CASCADE,
    pcn_id TEXT NOT NULL REFERENCES pcn (id) ON DELETE CASCADE
);
CREATE INDEX pcn_commissioner_pcn_idx ON pcn_commissioner (pcn_id);

-- +goose Down
DROP TABLE pcn_commissioner;
DROP TABLE pcn_team;
DROP TABLE pcn_practice;
DROP TABLE pcn;
