-- +goose Up
-- The retention job finds clients discharged before a date.
CREATE INDEX cw_client_discharged_idx ON cw_client (discharged_at);

-- +goose Down
DROP INDEX cw_client_discharged_idx;
