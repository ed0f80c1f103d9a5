-- +goose Up
-- The newest message each party has read, by message seq: a message from the
-- other party with a higher seq is unread.
ALTER TABLE referral ADD COLUMN provider_read_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE referral ADD COLUMN referrer_read_seq INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE referral DROP COLUMN referrer_read_seq;
ALTER TABLE referral DROP COLUMN provider_read_seq;
