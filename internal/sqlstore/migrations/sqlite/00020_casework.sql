-- +goose Up
-- Social prescribing teams, the GP practices they serve and their members.
CREATE TABLE sp_team (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE TABLE sp_team_practice (
    ods_code TEXT PRIMARY KEY,
    team_id TEXT NOT NULL REFERENCES sp_team (id) ON DELETE CASCADE,
    name TEXT NOT NULL
);
CREATE INDEX sp_team_practice_team_idx ON sp_team_practice (team_id);
CREATE TABLE sp_team_member (
    team_id TEXT NOT NULL REFERENCES sp_team (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    lead BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX sp_team_member_user_idx ON sp_team_member (user_id);

-- Clients of a team. last_contact_at and next_action_due are kept up to
-- date by the store for caseloads.
CREATE TABLE cw_client (
    id TEXT PRIMARY KEY,
    team_id TEXT NOT NULL REFERENCES sp_team (id),
    link_worker_id TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('waiting', 'active', 'on_hold', 'discharged')),
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    preferred_name TEXT NOT NULL DEFAULT '',
    search_name TEXT NOT NULL,
    date_of_birth TEXT NOT NULL,
    nhs_number TEXT UNIQUE,
    address TEXT NOT NULL DEFAULT '',
    postcode TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    preferred_contact TEXT NOT NULL,
    gp_practice TEXT NOT NULL DEFAULT '',
    interpreter BOOLEAN NOT NULL DEFAULT FALSE,
    language TEXT NOT NULL DEFAULT '',
    accessible_formats TEXT NOT NULL DEFAULT '',
    next_of_kin TEXT NOT NULL DEFAULT '',
    ethnicity TEXT NOT NULL DEFAULT '',
    gender TEXT NOT NULL DEFAULT '',
    sexual_orientation TEXT NOT NULL DEFAULT '',
    disability TEXT NOT NULL DEFAULT '',
    what_matters TEXT NOT NULL DEFAULT '',
    discharge_reason TEXT NOT NULL DEFAULT '',
    discharge_note TEXT NOT NULL DEFAULT '',
    discharged_at TIMESTAMP,
    anonymised_at TIMESTAMP,
    last_contact_at TIMESTAMP,
    next_action_due TEXT,
    next_action TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX cw_client_worker_idx ON cw_client (team_id, link_worker_id, status);
CREATE INDEX cw_client_name_idx ON cw_client (search_name);
CREATE INDEX cw_client_dob_idx ON cw_client (date_of_birth);

-- One timeline per client.
CREATE TABLE cw_entry (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    client_id TEXT NOT NULL REFERENCES cw_client (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    author_id TEXT NOT NULL DEFAULT '',
    summary TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    contact_type TEXT NOT NULL DEFAULT '',
    minutes INTEGER NOT NULL DEFAULT 0,
    ref_id TEXT NOT NULL DEFAULT '',
    amended_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX cw_entry_client_idx ON cw_entry (client_id, at DESC, seq DESC);
CREATE INDEX cw_entry_kind_idx ON cw_entry (client_id, kind, at DESC, seq DESC);

-- Amendments to case notes: the old text is kept.
CREATE TABLE cw_amendment (
    seq INTEGER PRIMARY KEY,
    entry_id TEXT NOT NULL REFERENCES cw_entry (id) ON DELETE CASCADE,
    client_id TEXT NOT NULL REFERENCES cw_client (id) ON DELETE CASCADE,
    old_note TEXT NOT NULL,
    new_note TEXT NOT NULL,
    reason TEXT NOT NULL,
    author_id TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX cw_amendment_client_idx ON cw_amendment (client_id, seq);

CREATE TABLE cw_consent (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES cw_client (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    provider TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    withdrawn_at TIMESTAMP,
    withdrawn_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX cw_consent_client_idx ON cw_consent (client_id);

CREATE TABLE cw_need (
    client_id TEXT NOT NULL REFERENCES cw_client (id) ON DELETE CASCADE,
    domain TEXT NOT NULL,
    PRIMARY KEY (client_id, domain)
);

CREATE TABLE cw_goal (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES cw_client (id) ON DELETE CASCADE,
    words TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX cw_goal_client_idx ON cw_goal (client_id);
CREATE TABLE cw_goal_score (
    seq INTEGER PRIMARY KEY,
    goal_id TEXT NOT NULL REFERENCES cw_goal (id) ON DELETE CASCADE,
    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 10),
    at TIMESTAMP NOT NULL
);
CREATE INDEX cw_goal_score_goal_idx ON cw_goal_score (goal_id, seq);

CREATE TABLE cw_action (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES cw_client (id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    who TEXT NOT NULL,
    due TEXT NOT NULL,
    done_at TIMESTAMP
);
CREATE INDEX cw_action_client_idx ON cw_action (client_id);

CREATE TABLE cw_appointment (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES cw_client (id) ON DELETE CASCADE,
    starts_at TIMESTAMP NOT NULL,
    mode TEXT NOT NULL,
    place TEXT NOT NULL,
    outcome TEXT NOT NULL DEFAULT '',
    reminder_sent_at TIMESTAMP,
    created_by TEXT NOT NULL
);
CREATE INDEX cw_appointment_client_idx ON cw_appointment (client_id);
CREATE INDEX cw_appointment_starts_idx ON cw_appointment (starts_at);

CREATE TABLE cw_measure (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES cw_client (id) ON DELETE CASCADE,
    instrument TEXT NOT NULL CHECK (instrument IN ('ons4', 'swemwbs')),
    stage TEXT NOT NULL,
    scores TEXT NOT NULL,
    taken_at TIMESTAMP NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX cw_measure_client_idx ON cw_measure (client_id, taken_at);

-- Administrators' emergency access to one record, with the reason.
CREATE TABLE cw_break_glass (
    seq INTEGER PRIMARY KEY,
    user_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX cw_break_glass_idx ON cw_break_glass (user_id, client_id, expires_at);

-- The audit log also records every read and write of a client record.
ALTER TABLE audit_event ADD COLUMN client_id TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_event_client_idx ON audit_event (client_id, seq);
CREATE INDEX audit_event_actor_idx ON audit_event (actor_id, seq);

-- +goose Down
DROP INDEX audit_event_actor_idx;
DROP INDEX audit_event_client_idx;
ALTER TABLE audit_event DROP COLUMN client_id;
DROP TABLE cw_break_glass;
DROP TABLE cw_measure;
DROP TABLE cw_appointment;
DROP TABLE cw_action;
DROP TABLE cw_goal_score;
DROP TABLE cw_goal;
DROP TABLE cw_need;
DROP TABLE cw_consent;
DROP TABLE cw_amendment;
DROP TABLE cw_entry;
DROP TABLE cw_client;
DROP TABLE sp_team_member;
DROP TABLE sp_team_practice;
DROP TABLE sp_team;
