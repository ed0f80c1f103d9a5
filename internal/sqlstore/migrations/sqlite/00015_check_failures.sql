-- +goose Up
-- How many website checks in a row found the site unreachable for reasons
-- that may pass (a timeout, a server error): the checker looks again before
-- suspending the entry.
ALTER TABLE service_check ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE service_check DROP COLUMN failures;
