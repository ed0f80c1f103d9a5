-- +goose Up
-- Administrators' actions (invitations, role changes), kept for audit.
CREATE TABLE audit_event (
    seq INTEGER PRIMARY KEY,
    actor_id TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    at TIMESTAMP NOT NULL
);
CREATE INDEX audit_event_at_idx ON audit_event (at);

-- +goose Down
DROP TABLE audit_event;
