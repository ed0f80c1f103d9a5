-- +goose Up
-- Providers' referral forms: the questions, as JSON, in order.
CREATE TABLE referral_form (
    service_id UUID PRIMARY KEY REFERENCES service (id) ON DELETE CASCADE,
    questions TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- Referrals of people to services, by themselves or by professionals.
CREATE TABLE referral (
    id UUID PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    service_id UUID NOT NULL REFERENCES service (id),
    organization_id UUID NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('self', 'professional')),
    status TEXT NOT NULL,
    referrer_id TEXT NOT NULL DEFAULT '',
    referrer_name TEXT NOT NULL DEFAULT '',
    referrer_email TEXT NOT NULL DEFAULT '',
    client_name TEXT NOT NULL,
    client_email TEXT NOT NULL DEFAULT '',
    client_phone TEXT NOT NULL DEFAULT '',
    preferred_contact TEXT NOT NULL,
    consent BOOLEAN NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    answers TEXT NOT NULL DEFAULT '[]',
    decline_reason TEXT NOT NULL DEFAULT '',
    attendance TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    viewed_at TIMESTAMPTZ,
    responded_at TIMESTAMPTZ,
    reminders_sent INTEGER NOT NULL DEFAULT 0,
    attendance_asked_at TIMESTAMPTZ,
    rating_asked_at TIMESTAMPTZ,
    score INTEGER NOT NULL DEFAULT 0,
    met_needs BOOLEAN,
    rated_at TIMESTAMPTZ
);
CREATE INDEX referral_org_idx ON referral (organization_id, created_at);
CREATE INDEX referral_referrer_idx ON referral (referrer_id, created_at);
CREATE INDEX referral_status_idx ON referral (status, created_at);
CREATE INDEX referral_service_idx ON referral (service_id);

-- Every change of a referral's status: who and when.
CREATE TABLE referral_event (
    seq BIGSERIAL PRIMARY KEY,
    referral_id UUID NOT NULL REFERENCES referral (id) ON DELETE CASCADE,
    from_status TEXT NOT NULL DEFAULT '',
    to_status TEXT NOT NULL,
    by_party TEXT NOT NULL,
    actor_id TEXT NOT NULL DEFAULT '',
    actor_name TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX referral_event_referral_idx ON referral_event (referral_id, seq);

-- Each referral's message thread.
CREATE TABLE referral_message (
    seq BIGSERIAL PRIMARY KEY,
    id UUID NOT NULL UNIQUE,
    referral_id UUID NOT NULL REFERENCES referral (id) ON DELETE CASCADE,
    from_party TEXT NOT NULL,
    author_id TEXT NOT NULL DEFAULT '',
    author_name TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX referral_message_referral_idx ON referral_message (referral_id, seq);

-- Each service's current run of declined and of unanswered referrals.
CREATE TABLE referral_streak (
    service_id UUID PRIMARY KEY REFERENCES service (id) ON DELETE CASCADE,
    declines INTEGER NOT NULL DEFAULT 0,
    silent INTEGER NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE referral_streak;
DROP TABLE referral_message;
DROP TABLE referral_event;
DROP TABLE referral;
DROP TABLE referral_form;
