-- +goose Up
-- The website checker's memory of each service: the last snapshot of its
-- website (sitecheck.Snapshot as JSON, '' before the first check) and when it
-- was last checked. Manual checks of entries without a website are recorded
-- in service_event and move service.assured_at.
CREATE TABLE service_check (
    service_id TEXT PRIMARY KEY REFERENCES service (id) ON DELETE CASCADE,
    snapshot TEXT NOT NULL DEFAULT '',
    checked_at TIMESTAMP,
    snapshot_at TIMESTAMP
);
CREATE INDEX service_check_checked_idx ON service_check (checked_at);
CREATE INDEX service_assured_idx ON service (assured_at);

-- +goose Down
DROP INDEX service_assured_idx;
DROP TABLE service_check;
