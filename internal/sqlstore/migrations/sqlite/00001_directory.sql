-- +goose Up
CREATE TABLE organization (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    website TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE service (
    rid INTEGER PRIMARY KEY, -- stable rowid, keys the full-text index
    id TEXT NOT NULL UNIQUE,
    organization_id TEXT NOT NULL REFERENCES organization (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    eligibility_description TEXT NOT NULL DEFAULT '',
    minimum_age INTEGER,
    maximum_age INTEGER,
    kind TEXT NOT NULL CHECK (kind IN ('signposting', 'referral')),
    pathway TEXT NOT NULL CHECK (pathway IN ('none', 'waymark_form', 'external_form', 'professional_only')),
    external_form_url TEXT NOT NULL DEFAULT '',
    visibility TEXT NOT NULL CHECK (visibility IN ('listed', 'unlisted')),
    status TEXT NOT NULL CHECK (status IN ('draft', 'pending_review', 'published', 'declined', 'frozen', 'suspended', 'deleted')),
    status_note TEXT NOT NULL DEFAULT '',
    waiting_weeks INTEGER CHECK (waiting_weeks >= 0),
    free BOOLEAN NOT NULL DEFAULT FALSE,
    keywords TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    assured_at TIMESTAMP
);
CREATE INDEX service_organization_idx ON service (organization_id);
CREATE INDEX service_public_idx ON service (status, visibility);

CREATE TABLE location (
    id TEXT PRIMARY KEY,
    location_type TEXT NOT NULL DEFAULT 'physical' CHECK (location_type IN ('physical', 'postal', 'virtual')),
    name TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    latitude REAL NOT NULL,
    longitude REAL NOT NULL
);
CREATE INDEX location_lat_lon_idx ON location (latitude, longitude);

CREATE TABLE service_at_location (
    id TEXT PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    location_id TEXT NOT NULL REFERENCES location (id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX service_at_location_service_idx ON service_at_location (service_id);
CREATE INDEX service_at_location_location_idx ON service_at_location (location_id);

CREATE TABLE address (
    id TEXT PRIMARY KEY,
    location_id TEXT NOT NULL REFERENCES location (id) ON DELETE CASCADE,
    address_1 TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    state_province TEXT NOT NULL DEFAULT '',
    postal_code TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT 'GB',
    address_type TEXT NOT NULL DEFAULT 'physical' CHECK (address_type IN ('physical', 'postal', 'virtual'))
);
CREATE INDEX address_location_idx ON address (location_id);

CREATE TABLE contact (
    id TEXT PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    name TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX contact_service_idx ON contact (service_id);

CREATE TABLE phone (
    id TEXT PRIMARY KEY,
    contact_id TEXT NOT NULL REFERENCES contact (id) ON DELETE CASCADE,
    number TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX phone_contact_idx ON phone (contact_id);

CREATE TABLE schedule (
    id TEXT PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    freq TEXT NOT NULL DEFAULT 'WEEKLY' CHECK (freq IN ('WEEKLY', 'MONTHLY')),
    byday TEXT NOT NULL DEFAULT '',
    opens_at TEXT NOT NULL DEFAULT '',
    closes_at TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX schedule_service_idx ON schedule (service_id);

CREATE TABLE cost_option (
    id TEXT PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    option TEXT NOT NULL DEFAULT '',
    amount REAL,
    amount_description TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX cost_option_service_idx ON cost_option (service_id);

CREATE TABLE taxonomy (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    uri TEXT NOT NULL DEFAULT '',
    version TEXT NOT NULL DEFAULT ''
);

CREATE TABLE taxonomy_term (
    id TEXT PRIMARY KEY,
    taxonomy_id TEXT NOT NULL REFERENCES taxonomy (id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    parent_id TEXT REFERENCES taxonomy_term (id),
    UNIQUE (taxonomy_id, code)
);
CREATE INDEX taxonomy_term_code_idx ON taxonomy_term (code);

CREATE TABLE service_taxonomy (
    service_id TEXT NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    taxonomy_term_id TEXT NOT NULL REFERENCES taxonomy_term (id),
    PRIMARY KEY (service_id, taxonomy_term_id)
);
CREATE INDEX service_taxonomy_term_idx ON service_taxonomy (taxonomy_term_id, service_id);

CREATE TABLE service_image (
    id TEXT PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    alt TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX service_image_service_idx ON service_image (service_id);

CREATE TABLE offline_help (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    website TEXT NOT NULL DEFAULT '',
    phones TEXT NOT NULL DEFAULT '[]',
    address TEXT NOT NULL DEFAULT '',
    area TEXT NOT NULL DEFAULT ''
);

-- Full-text index of public search, kept in step by the store. Its rowid is
-- service.rid. The tags column holds filter tokens (public, free, referral
-- type, categories and map grid cells) so one index answers a whole search.
CREATE VIRTUAL TABLE service_fts USING fts5 (
    name, description, keywords, organization, tags,
    content = '', contentless_delete = 1,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

-- Each service's points (its locations' coordinates), by service rid.
CREATE TABLE service_point (
    rid INTEGER NOT NULL REFERENCES service (rid) ON DELETE CASCADE,
    latitude REAL NOT NULL,
    longitude REAL NOT NULL
);
CREATE INDEX service_point_rid_idx ON service_point (rid);

-- +goose Down
DROP TABLE service_point;
DROP TABLE service_fts;
DROP TABLE offline_help;
DROP TABLE service_image;
DROP TABLE service_taxonomy;
DROP TABLE taxonomy_term;
DROP TABLE taxonomy;
DROP TABLE cost_option;
DROP TABLE schedule;
DROP TABLE phone;
DROP TABLE contact;
DROP TABLE address;
DROP TABLE service_at_location;
DROP TABLE location;
DROP TABLE service;
DROP TABLE organization;
