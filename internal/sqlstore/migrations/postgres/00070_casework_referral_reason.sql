-- +goose Up
-- Why the person was referred to social prescribing and by whom, for the
-- discharge letter's "reason for referral" and its copy to the referrer.
ALTER TABLE cw_client ADD COLUMN referral_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE cw_client ADD COLUMN referred_by TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE cw_client DROP COLUMN referred_by;
ALTER TABLE cw_client DROP COLUMN referral_reason;
