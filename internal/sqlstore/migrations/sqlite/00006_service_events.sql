-- +goose Up
-- Every change to a listing: who, when, what and why.
CREATE TABLE service_event (
    seq INTEGER PRIMARY KEY, -- order of recording
    id TEXT NOT NULL UNIQUE,
    service_id TEXT NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    actor_id TEXT,
    action TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    at TIMESTAMP NOT NULL
);
CREATE INDEX service_event_service_idx ON service_event (service_id, at);

-- +goose Down
DROP TABLE service_event;
