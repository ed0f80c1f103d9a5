-- +goose Up
-- Requests from the public, without an account, for the team to add a
-- service; token is the form's one-time token, so sending twice adds one.
CREATE TABLE service_request (
    id TEXT PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,
    organisation TEXT NOT NULL,
    service TEXT NOT NULL,
    contact_name TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT NOT NULL DEFAULT '',
    website TEXT NOT NULL DEFAULT '',
    postcode TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    handled_by TEXT NOT NULL DEFAULT '',
    handled_at TIMESTAMP
);
CREATE INDEX service_request_open_idx ON service_request (handled_at, created_at);

-- +goose Down
DROP TABLE service_request;
