-- +goose Up
-- Uploaded images, re-encoded; served at /media/{id}.
CREATE TABLE image_blob (
    id TEXT PRIMARY KEY,
    content_type TEXT NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png')),
    data BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE image_blob;
