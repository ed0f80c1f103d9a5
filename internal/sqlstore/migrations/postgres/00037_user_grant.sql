-- +goose Up
-- Platform roles added after app_user's CHECK constraint was written (which
-- SQLite cannot change in place): the onboarding role, which may import
-- spreadsheets and see its own imports only. The store reads a grant as the
-- user's platform role.
CREATE TABLE user_grant (
    user_id UUID NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('onboarding')),
    PRIMARY KEY (user_id, role)
);

-- +goose Down
DROP TABLE user_grant;
