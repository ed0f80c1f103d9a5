-- +goose Up
-- One row per form that created something: the token the form carried
-- (issued with the form) and what it created, so a second submission of
-- the same form (a refresh, a retry after a dropped connection) finds the
-- first result instead of creating another. Written in the same transaction
-- as what it created.
CREATE TABLE form_token (
    token TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    result_id TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX form_token_created_idx ON form_token (created_at);

-- +goose Down
DROP TABLE form_token;
