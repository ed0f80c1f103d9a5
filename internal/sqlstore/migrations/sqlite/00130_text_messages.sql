-- +goose Up
-- Text messages: a message in the outbox may carry a text form for a mobile
-- number (E.164) besides its email form, and is sent by the channel the
-- person prefers, falling back to the other. channel is the one being tried
-- (empty until the first attempt); fell_back is set once it moved to the
-- other. provider_id is GOV.UK Notify's id for the message, and receipt
-- the delivery status Notify last reported for it (delivered,
-- permanent-failure, temporary-failure, technical-failure). about names
-- what the message concerns (like referral:ID), so a failure is shown to
-- whoever relies on the message.
ALTER TABLE email_outbox ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE email_outbox ADD COLUMN sms_body TEXT NOT NULL DEFAULT '';
ALTER TABLE email_outbox ADD COLUMN prefer TEXT NOT NULL DEFAULT 'email';
ALTER TABLE email_outbox ADD COLUMN about TEXT NOT NULL DEFAULT '';
ALTER TABLE email_outbox ADD COLUMN channel TEXT NOT NULL DEFAULT '';
ALTER TABLE email_outbox ADD COLUMN fell_back BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE email_outbox ADD COLUMN provider_id TEXT NOT NULL DEFAULT '';
ALTER TABLE email_outbox ADD COLUMN receipt TEXT NOT NULL DEFAULT '';
ALTER TABLE email_outbox ADD COLUMN receipt_at TIMESTAMP;
CREATE INDEX email_outbox_provider_idx ON email_outbox (provider_id);
CREATE INDEX email_outbox_about_idx ON email_outbox (about);

-- Addresses kept from further messages: an E.164 mobile that opted out of
-- texts (a STOP reply Notify passed on, or the person's private link page),
-- or an email address or number Notify reported does not exist. Email
-- addresses are kept in lower case.
CREATE TABLE undeliverable (
    address TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE undeliverable;
DROP INDEX email_outbox_about_idx;
DROP INDEX email_outbox_provider_idx;
ALTER TABLE email_outbox DROP COLUMN receipt_at;
ALTER TABLE email_outbox DROP COLUMN receipt;
ALTER TABLE email_outbox DROP COLUMN provider_id;
ALTER TABLE email_outbox DROP COLUMN fell_back;
ALTER TABLE email_outbox DROP COLUMN channel;
ALTER TABLE email_outbox DROP COLUMN about;
ALTER TABLE email_outbox DROP COLUMN prefer;
ALTER TABLE email_outbox DROP COLUMN sms_body;
ALTER TABLE email_outbox DROP COLUMN phone;
