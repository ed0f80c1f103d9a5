-- +goose Up
-- Connected clinical systems calling the FHIR interface: registered by an
-- administrator with their public key, the practices (ODS codes) they act
-- for and, optionally, the endpoint outcome messages go to.
CREATE TABLE fhir_system (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    public_key TEXT NOT NULL,
    endpoint TEXT NOT NULL DEFAULT '',
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE TABLE fhir_system_practice (
    system_id TEXT NOT NULL REFERENCES fhir_system (id) ON DELETE CASCADE,
    ods TEXT NOT NULL,
    PRIMARY KEY (system_id, ods)
);
CREATE INDEX fhir_system_practice_ods_idx ON fhir_system_practice (ods);
-- Access tokens, kept as their SHA-256 only.
CREATE TABLE fhir_token (
    hash TEXT PRIMARY KEY,
    system_id TEXT NOT NULL REFERENCES fhir_system (id) ON DELETE CASCADE,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX fhir_token_expires_idx ON fhir_token (expires_at);
-- The jti of every client assertion until it expires: one is never taken twice.
CREATE TABLE fhir_assertion (
    system_id TEXT NOT NULL REFERENCES fhir_system (id) ON DELETE CASCADE,
    jti TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    PRIMARY KEY (system_id, jti)
);
CREATE INDEX fhir_assertion_expires_idx ON fhir_assertion (expires_at);
-- Each attempt to post an outcome message to a system's endpoint.
CREATE TABLE fhir_delivery (
    seq BIGSERIAL PRIMARY KEY,
    outcome_id TEXT NOT NULL,
    system_id TEXT NOT NULL REFERENCES fhir_system (id) ON DELETE CASCADE,
    attempt INTEGER NOT NULL,
    status INTEGER NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    at TIMESTAMP NOT NULL,
    retry_at TIMESTAMP
);
CREATE INDEX fhir_delivery_system_idx ON fhir_delivery (system_id, seq);
CREATE INDEX fhir_delivery_outcome_idx ON fhir_delivery (outcome_id, seq);

-- +goose Down
DROP TABLE fhir_delivery;
DROP TABLE fhir_assertion;
DROP TABLE fhir_token;
DROP TABLE fhir_system_practice;
DROP TABLE fhir_system;
