-- +goose Up
-- Pre-computed counts for the whole area's team and referral dashboards,
-- by day (YYYY-MM-DD, UTC), for the days before the rollups' edge; the
-- insights-rollups job computes them again on each run.
-- Waiting-list referrals by the day they came and their source; source ''
-- counts each referral once (the sources count one a GP referral behind it).
CREATE TABLE insights_incoming_day (
    day TEXT NOT NULL,
    source TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (day, source)
);
-- Waiting-list referrals accepted or declined, by the day and the working
-- days they waited.
CREATE TABLE insights_wait_day (
    day TEXT NOT NULL,
    days INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (day, days)
);
CREATE TABLE insights_contact_day (
    day TEXT NOT NULL,
    contact_type TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (day, contact_type)
);
CREATE TABLE insights_discharge_day (
    day TEXT NOT NULL,
    reason TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (day, reason)
);
-- First-against-latest wellbeing pairs: a pair counts for a range ending
-- after day (its latest measure) and no later than next_day (the next
-- measure, '' for none). Scores are sums in hundredths; scale is the
-- wellbeing table's row.
CREATE TABLE insights_wellbeing_day (
    scale INTEGER NOT NULL,
    day TEXT NOT NULL,
    next_day TEXT NOT NULL,
    n INTEGER NOT NULL,
    first_sum INTEGER NOT NULL,
    last_sum INTEGER NOT NULL,
    improved INTEGER NOT NULL,
    PRIMARY KEY (day, next_day, scale)
);
-- Today's rows, read from the tables themselves, and open caseloads (a
-- partial index, so that no other query on status is drawn to it).
CREATE INDEX sp_incoming_status_idx ON sp_incoming (status);
CREATE INDEX sp_incoming_decided_idx ON sp_incoming (decided_at);
CREATE INDEX sp_incoming_received_idx ON sp_incoming (received_at);
CREATE INDEX cw_entry_at_idx ON cw_entry (at);
CREATE INDEX cw_measure_taken_idx ON cw_measure (taken_at);
CREATE INDEX cw_client_open_idx ON cw_client (team_id, link_worker_id, status) WHERE status IN ('waiting', 'active', 'on_hold');

-- +goose Down
DROP INDEX cw_client_open_idx;
DROP INDEX cw_measure_taken_idx;
DROP INDEX cw_entry_at_idx;
DROP INDEX sp_incoming_received_idx;
DROP INDEX sp_incoming_decided_idx;
DROP INDEX sp_incoming_status_idx;
DROP TABLE insights_wellbeing_day;
DROP TABLE insights_discharge_day;
DROP TABLE insights_contact_day;
DROP TABLE insights_wait_day;
DROP TABLE insights_incoming_day;
