-- +goose Up
-- Scheduled jobs: which instance holds each, and when it last ran.
CREATE TABLE job_lock (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL DEFAULT '',
    locked_until TIMESTAMPTZ NOT NULL,
    last_run_at TIMESTAMPTZ
);

-- +goose Down
DROP TABLE job_lock;
