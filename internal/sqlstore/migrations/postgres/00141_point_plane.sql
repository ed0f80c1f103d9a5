-- +goose Up
-- SQLite only: its service_point gains the plane coordinates that
-- PostgreSQL's service_point.position (00140) already holds.
SELECT 1;

-- +goose Down
SELECT 1;
