-- +goose Up
-- The directory's secondary indexes (and, in SQLite, the triggers that keep
-- the spatial index) that a bulk load into an empty directory dropped, to
-- build again when it ends (DB.BulkLoad). A load that stops part way leaves
-- them here, and the next migration run builds them again.
CREATE TABLE bulk_load_pending (
    position INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('index', 'trigger')),
    name TEXT NOT NULL,
    definition TEXT NOT NULL
);

-- +goose Down
DROP TABLE bulk_load_pending;
