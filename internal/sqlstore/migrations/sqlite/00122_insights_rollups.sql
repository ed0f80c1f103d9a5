-- +goose Up
-- Pre-computed counts of marketplace referrals by the day they were made,
-- for the whole-area insights dashboards; the insights-rollups job keeps
-- them up to date (days before rolled_through, recomputed when a referral
-- made that day changes).
CREATE TABLE insights_referral_day (
    day TEXT NOT NULL,
    source TEXT NOT NULL,
    status TEXT NOT NULL,
    decline_reason TEXT NOT NULL,
    attendance TEXT NOT NULL,
    responded INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (day, source, status, decline_reason, attendance, responded)
);
CREATE TABLE insights_referral_hours (
    day TEXT NOT NULL,
    hours INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (day, hours)
);
CREATE TABLE insights_referral_category (
    day TEXT NOT NULL,
    category TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (day, category)
);
CREATE INDEX referral_updated_idx ON referral (updated_at);
-- One row: the first day not rolled up yet, and when the job last ran.
CREATE TABLE insights_rollup (
    name TEXT PRIMARY KEY,
    rolled_through TEXT NOT NULL,
    ran_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP INDEX referral_updated_idx;
DROP TABLE insights_rollup;
DROP TABLE insights_referral_category;
DROP TABLE insights_referral_hours;
DROP TABLE insights_referral_day;
