-- +goose Up
-- What a provider says about getting to a service: accessibility features
-- of the place (directory.AccessFeatures codes), more about access in
-- words, the languages it is given in (directory.Languages codes) and how
-- it is given (directory.DeliveryModes codes). Lists of codes are stored
-- separated by single spaces; '' when not given.
ALTER TABLE service ADD COLUMN accessibility TEXT NOT NULL DEFAULT '';
ALTER TABLE service ADD COLUMN accessibility_note TEXT NOT NULL DEFAULT '';
ALTER TABLE service ADD COLUMN languages TEXT NOT NULL DEFAULT '';
ALTER TABLE service ADD COLUMN delivery TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE service DROP COLUMN delivery;
ALTER TABLE service DROP COLUMN languages;
ALTER TABLE service DROP COLUMN accessibility_note;
ALTER TABLE service DROP COLUMN accessibility;
