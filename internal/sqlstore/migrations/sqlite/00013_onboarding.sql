-- +goose Up
-- Bulk onboarding: each upload of a spreadsheet of services.
CREATE TABLE import_batch (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    file_name TEXT NOT NULL DEFAULT '',
    rows_total INTEGER NOT NULL DEFAULT 0,
    created_count INTEGER NOT NULL DEFAULT 0,
    skipped_count INTEGER NOT NULL DEFAULT 0,
    error_count INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);

-- Every entry created from a row, by the row's idempotence key, so the same
-- row uploaded again creates nothing; and where its claim stands.
CREATE TABLE import_entry (
    row_key TEXT PRIMARY KEY,
    batch_id TEXT NOT NULL REFERENCES import_batch (id),
    service_id TEXT NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL REFERENCES organization (id),
    organization_key TEXT NOT NULL,
    claim_email TEXT NOT NULL,
    invited_at TIMESTAMP NOT NULL,
    claimed_at TIMESTAMP,
    claimed_by TEXT NOT NULL DEFAULT '',
    reminded_at TIMESTAMP,
    removed_at TIMESTAMP
);
CREATE INDEX import_entry_organization_idx ON import_entry (organization_id);
CREATE INDEX import_entry_organization_key_idx ON import_entry (organization_key);
CREATE INDEX import_entry_invited_idx ON import_entry (invited_at);

-- Uploaded files between the dry run and the import, so the import reads
-- exactly the file that was checked. Deleted after import or after a day.
CREATE TABLE import_upload (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    file_name TEXT NOT NULL,
    data BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX import_upload_created_idx ON import_upload (created_at);

-- Finding duplicates of a row: by service name and postcode, or by website.
CREATE INDEX service_lower_name_idx ON service (lower(name));
CREATE INDEX service_url_idx ON service (url);
CREATE INDEX address_postal_code_idx ON address (postal_code);

-- +goose Down
DROP INDEX address_postal_code_idx;
DROP INDEX service_url_idx;
DROP INDEX service_lower_name_idx;
DROP TABLE import_upload;
DROP TABLE import_entry;
DROP TABLE import_batch;
