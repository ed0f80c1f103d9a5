-- +goose Up
-- GP practices, by ODS code. A practice a social prescribing team serves
-- is also in sp_team_practice; this table holds what the practice app
-- needs (its postcode) and practices no team serves yet.
CREATE TABLE gp_practice (
    ods_code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    postcode TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);

-- The practice a GP or practice staff account belongs to (one each).
CREATE TABLE practice_user (
    user_id UUID PRIMARY KEY REFERENCES app_user (id) ON DELETE CASCADE,
    ods_code TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('gp', 'practice_staff'))
);
CREATE INDEX practice_user_ods_idx ON practice_user (ods_code);

-- A service's GP pathway: the provider accepts direct referrals from GP
-- practices, from every practice or only those listed (ODS codes, comma
-- separated, '' for all).
CREATE TABLE gp_pathway (
    service_id UUID PRIMARY KEY REFERENCES service (id) ON DELETE CASCADE,
    enabled BOOLEAN NOT NULL,
    practices TEXT NOT NULL DEFAULT '',
    updated_by TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMPTZ NOT NULL
);

-- Referrals from GP practices, through the web app or a connected system.
-- The idempotency key (a FHIR Bundle id or a form token) is unique, so the
-- same request sent twice creates one referral. The referral itself is on
-- a team's waiting list (incoming_id) or with a marketplace service
-- (market_referral_id); reported_status is the last status an outcome was
-- recorded for.
CREATE TABLE gp_referral (
    id TEXT PRIMARY KEY,
    request_key TEXT NOT NULL UNIQUE,
    practice_ods TEXT NOT NULL,
    service_id TEXT NOT NULL DEFAULT '',
    team_id TEXT NOT NULL DEFAULT '',
    channel TEXT NOT NULL CHECK (channel IN ('web', 'fhir')),
    system_id TEXT NOT NULL DEFAULT '',
    requester_id TEXT NOT NULL DEFAULT '',
    requester_name TEXT NOT NULL DEFAULT '',
    requester_role TEXT NOT NULL DEFAULT '',
    nhs_number TEXT NOT NULL,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    date_of_birth TEXT NOT NULL,
    postcode TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL,
    incoming_id TEXT NOT NULL DEFAULT '',
    market_referral_id TEXT NOT NULL DEFAULT '',
    reported_status TEXT NOT NULL DEFAULT 'requested',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX gp_referral_practice_idx ON gp_referral (practice_ods, created_at);
CREATE INDEX gp_referral_nhs_idx ON gp_referral (nhs_number);
CREATE INDEX gp_referral_open_idx ON gp_referral (reported_status);

-- One change of a GP referral's status, to report back to the practice:
-- the outbox a connected system's delivery reads ('pending' until sent;
-- 'web' when the referral came through the web app, which shows it).
CREATE TABLE gp_outcome (
    id TEXT PRIMARY KEY,
    referral_id TEXT NOT NULL REFERENCES gp_referral (id) ON DELETE CASCADE,
    practice_ods TEXT NOT NULL,
    system_id TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    delivery TEXT NOT NULL CHECK (delivery IN ('pending', 'sent', 'failed', 'web')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    retry_at TIMESTAMPTZ,
    sent_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX gp_outcome_referral_idx ON gp_outcome (referral_id, created_at);
CREATE INDEX gp_outcome_delivery_idx ON gp_outcome (delivery, retry_at);

-- +goose Down
DROP TABLE gp_outcome;
DROP TABLE gp_referral;
DROP TABLE gp_pathway;
DROP TABLE practice_user;
DROP TABLE gp_practice;
