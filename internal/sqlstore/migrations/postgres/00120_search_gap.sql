-- +goose Up
-- Public searches that found nothing (or nothing within their distance),
-- for the unmet need dashboard. No personal data: the postcode district
-- only, never the full postcode, and words without numbers.
CREATE TABLE search_gap (
    seq BIGSERIAL PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    district TEXT NOT NULL DEFAULT '',
    words TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL DEFAULT '',
    radius_miles INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX search_gap_at_idx ON search_gap (at);

-- +goose Down
DROP TABLE search_gap;
