-- +goose Up
-- Feed imports asked for on the moderation page, run by the import-feeds job.
-- status is queued, running, done or failed; error is the words shown to the
-- moderator (the details go to the log).
CREATE TABLE feed_import_run (
    id TEXT PRIMARY KEY,
    base_url TEXT NOT NULL,
    trusted BOOLEAN NOT NULL DEFAULT FALSE,
    status TEXT NOT NULL DEFAULT 'queued',
    pages INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    removed INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    summary TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    queued_at TIMESTAMPTZ NOT NULL,
    started_at TIMESTAMPTZ,
    finished_at TIMESTAMPTZ
);
CREATE INDEX feed_import_run_status_idx ON feed_import_run (status, queued_at);

-- +goose Down
DROP INDEX feed_import_run_status_idx;
DROP TABLE feed_import_run;
