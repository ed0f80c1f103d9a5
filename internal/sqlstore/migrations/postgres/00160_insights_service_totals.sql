-- +goose Up
-- Running totals of each service's marketplace referrals (by the
-- referral's organisation) for the provider dashboard: the figures of the referrals made before
-- upto (a day: the first of every month, and the rollups' edge) as signed
-- varints: the counts of insights.ServiceFigures in their order, then the
-- histogram of whole hours to the first answer as pairs of hours and
-- count. A range's figures are the difference of two totals.
CREATE TABLE insights_service_total (
    upto TEXT NOT NULL,
    service_id UUID NOT NULL,
    organization_id UUID NOT NULL,
    figures BYTEA NOT NULL,
    PRIMARY KEY (upto, service_id, organization_id)
);
CREATE INDEX insights_service_total_service_idx ON insights_service_total (service_id);
-- A provider's totals: its organisations' (the referral's organisation).
CREATE INDEX insights_service_total_org_idx ON insights_service_total (organization_id, upto);
-- A score changes a referral without touching updated_at.
CREATE INDEX referral_rated_idx ON referral (rated_at);

-- +goose Down
DROP INDEX referral_rated_idx;
DROP INDEX insights_service_total_org_idx;
DROP INDEX insights_service_total_service_idx;
DROP TABLE insights_service_total;
