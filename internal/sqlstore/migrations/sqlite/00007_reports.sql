-- +goose Up
-- "Report something wrong" from the public.
CREATE TABLE service_report (
    id TEXT PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    reporter_email TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    resolved_at TIMESTAMP,
    resolution TEXT NOT NULL DEFAULT ''
);
CREATE INDEX service_report_open_idx ON service_report (resolved_at, created_at);

-- Secrets the application makes for itself (such as the key that signs links).
CREATE TABLE app_secret (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- +goose Down
DROP TABLE app_secret;
DROP TABLE service_report;
