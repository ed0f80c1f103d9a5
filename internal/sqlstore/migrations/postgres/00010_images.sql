-- +goose Up
-- Uploaded images, re-encoded; served at /media/{id}.
CREATE TABLE image_blob (
    id UUID PRIMARY KEY,
    content_type TEXT NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png')),
    data BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE image_blob;
