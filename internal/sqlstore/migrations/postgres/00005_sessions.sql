-- +goose Up
-- Server-side sessions (the cookie holds only the random token).
CREATE TABLE session (
    token TEXT PRIMARY KEY,
    data BYTEA NOT NULL,
    expiry TIMESTAMPTZ NOT NULL
);
CREATE INDEX session_expiry_idx ON session (expiry);

-- +goose Down
DROP TABLE session;
