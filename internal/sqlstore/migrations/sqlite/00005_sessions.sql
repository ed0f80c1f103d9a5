-- +goose Up
-- Server-side sessions (the cookie holds only the random token).
CREATE TABLE session (
    token TEXT PRIMARY KEY,
    data BLOB NOT NULL,
    expiry TIMESTAMP NOT NULL
);
CREATE INDEX session_expiry_idx ON session (expiry);

-- +goose Down
DROP TABLE session;
