-- +goose Up
-- An imported organisation with no email gets its claim link by text, to
-- the mobile (E.164) in its row's phone column.
ALTER TABLE import_entry ADD COLUMN claim_phone TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE import_entry DROP COLUMN claim_phone;
