-- +goose Up
-- Points are kept for public, listed services only (search shows no
-- others), so a search near a postcode needs no join to filter them.
DELETE FROM service_point WHERE rid NOT IN
    (SELECT rid FROM service WHERE status IN ('published', 'frozen') AND visibility = 'listed');

-- An R*Tree over service_point, kept in step by triggers: nearest-first
-- search and counts within a radius probe it instead of scanning. Its id is
-- the point's rowid; rid, latitude and longitude are carried unrounded
-- (the tree's own box is in 32-bit floats).
CREATE VIRTUAL TABLE service_point_geo USING rtree (
    id, min_lat, max_lat, min_lon, max_lon,
    +rid INTEGER, +latitude REAL, +longitude REAL
);
INSERT INTO service_point_geo (id, min_lat, max_lat, min_lon, max_lon, rid, latitude, longitude)
    SELECT rowid, latitude, latitude, longitude, longitude, rid, latitude, longitude FROM service_point;

-- +goose StatementBegin
CREATE TRIGGER service_point_geo_insert AFTER INSERT ON service_point BEGIN
    INSERT INTO service_point_geo (id, min_lat, max_lat, min_lon, max_lon, rid, latitude, longitude)
    VALUES (new.rowid, new.latitude, new.latitude, new.longitude, new.longitude, new.rid, new.latitude, new.longitude);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER service_point_geo_delete AFTER DELETE ON service_point BEGIN
    DELETE FROM service_point_geo WHERE id = old.rowid;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER service_point_geo_delete;
DROP TRIGGER service_point_geo_insert;
DROP TABLE service_point_geo;
