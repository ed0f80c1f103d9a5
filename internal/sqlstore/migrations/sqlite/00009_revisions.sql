-- +goose Up
-- Providers' changes to live listings, waiting for a moderator. The live
-- entry stays as it was until a revision is approved.
CREATE TABLE service_revision (
    id TEXT PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    proposed TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'declined', 'superseded')),
    decided_by TEXT,
    decided_at TIMESTAMP,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX service_revision_pending_idx ON service_revision (status, submitted_at);

-- +goose Down
DROP TABLE service_revision;
