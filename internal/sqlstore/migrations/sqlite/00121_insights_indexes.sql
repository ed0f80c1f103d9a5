-- +goose Up
-- The insights dashboards read referrals by when they were made across the
-- whole area, and find the GP referral behind a referral.
CREATE INDEX referral_created_idx ON referral (created_at);
CREATE INDEX gp_referral_market_idx ON gp_referral (market_referral_id);
CREATE INDEX gp_referral_incoming_idx ON gp_referral (incoming_id);

-- +goose Down
DROP INDEX gp_referral_incoming_idx;
DROP INDEX gp_referral_market_idx;
DROP INDEX referral_created_idx;
