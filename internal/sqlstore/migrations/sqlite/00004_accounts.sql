-- +goose Up
-- People who sign in. platform_role is for the platform team and commissioners.
CREATE TABLE app_user (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    email_verified_at TIMESTAMP,
    platform_role TEXT NOT NULL DEFAULT '' CHECK (platform_role IN ('', 'admin', 'moderator', 'commissioner')),
    created_at TIMESTAMP NOT NULL
);

-- A user's role in an organisation.
CREATE TABLE membership (
    user_id TEXT NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('provider', 'link_worker', 'gp')),
    PRIMARY KEY (user_id, organization_id, role)
);
CREATE INDEX membership_organization_idx ON membership (organization_id);

-- One-time links (email verification, password reset), stored as hashes.
CREATE TABLE account_token (
    hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX account_token_user_idx ON account_token (user_id);

-- +goose Down
DROP TABLE account_token;
DROP TABLE membership;
DROP TABLE app_user;
