-- +goose Up
-- Remote Open Referral UK feeds imported into the directory.
CREATE TABLE feed (
    id TEXT PRIMARY KEY,
    base_url TEXT NOT NULL UNIQUE,
    trusted BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    last_run_at TIMESTAMP,
    last_summary TEXT NOT NULL DEFAULT ''
);

-- What each remote record became here, so a second import updates instead of
-- duplicating. kind is organization, service, taxonomy or taxonomy_term.
CREATE TABLE feed_record (
    feed_id TEXT NOT NULL REFERENCES feed (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    remote_id TEXT NOT NULL,
    local_id TEXT NOT NULL,
    content_hash TEXT NOT NULL DEFAULT '',
    seen_at TIMESTAMP NOT NULL,
    PRIMARY KEY (feed_id, kind, remote_id)
);
CREATE INDEX feed_record_local_idx ON feed_record (local_id);

-- Feeds page through public services in id order.
CREATE INDEX service_feed_idx ON service (id, status, visibility);

-- +goose Down
DROP INDEX service_feed_idx;
DROP TABLE feed_record;
DROP TABLE feed;
