-- +goose Up
-- Running totals of each service's marketplace referrals for the
-- whole-area provider dashboard: the figures of the referrals made before
-- upto (a day: the first of every month, and the rollups' edge), with the
-- histogram of hours to the first answer (pairs of signed varints, hours
-- then count). A range's figures are the difference of two totals.
CREATE TABLE insights_service_total (
    upto TEXT NOT NULL,
    service_id UUID NOT NULL,
    received INTEGER NOT NULL,
    answered INTEGER NOT NULL,
    accepted INTEGER NOT NULL,
    attendance_known INTEGER NOT NULL,
    attended INTEGER NOT NULL,
    rated INTEGER NOT NULL,
    score_sum INTEGER NOT NULL,
    score1 INTEGER NOT NULL,
    score2 INTEGER NOT NULL,
    score3 INTEGER NOT NULL,
    score4 INTEGER NOT NULL,
    score5 INTEGER NOT NULL,
    met_yes INTEGER NOT NULL,
    met_no INTEGER NOT NULL,
    hours BYTEA NOT NULL,
    PRIMARY KEY (upto, service_id)
);
CREATE INDEX insights_service_total_service_idx ON insights_service_total (service_id);
-- A score changes a referral without touching updated_at.
CREATE INDEX referral_rated_idx ON referral (rated_at);

-- +goose Down
DROP INDEX referral_rated_idx;
DROP INDEX insights_service_total_service_idx;
DROP TABLE insights_service_total;
