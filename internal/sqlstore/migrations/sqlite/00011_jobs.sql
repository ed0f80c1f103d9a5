-- +goose Up
-- Scheduled jobs: which instance holds each, and when it last ran.
CREATE TABLE job_lock (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL DEFAULT '',
    locked_until TIMESTAMP NOT NULL,
    last_run_at TIMESTAMP
);

-- +goose Down
DROP TABLE job_lock;
