-- +goose Up
-- Tables outside accounts keep user IDs as text and join on
-- CAST(app_user.id AS TEXT); this index lets those joins find the user
-- instead of scanning every user per row.
CREATE INDEX app_user_id_text_idx ON app_user ((CAST(id AS TEXT)));

-- +goose Down
DROP INDEX app_user_id_text_idx;
