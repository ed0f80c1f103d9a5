-- +goose Up
-- Each point also on the plane of PostgreSQL's service_point.position
-- (spherical transverse Mercator about 2 degrees west, in miles; the store
-- computes it for new points), so distances within a radius are
-- arithmetic on stored numbers; the R*Tree carries them too.
DROP TRIGGER service_point_geo_delete;
DROP TRIGGER service_point_geo_insert;
DROP TABLE service_point_geo;
ALTER TABLE service_point ADD COLUMN x REAL NOT NULL DEFAULT 0;
ALTER TABLE service_point ADD COLUMN y REAL NOT NULL DEFAULT 0;
UPDATE service_point SET
    x = 3958.7613 * atanh(max(-0.999999, min(0.999999, cos(radians(latitude)) * sin(radians(longitude + 2))))),
    y = 3958.7613 * atan2(tan(radians(max(-89.9, min(89.9, latitude)))), cos(radians(longitude + 2)));

CREATE VIRTUAL TABLE service_point_geo USING rtree (
    id, min_lat, max_lat, min_lon, max_lon,
    +rid INTEGER, +latitude REAL, +longitude REAL, +x REAL, +y REAL
);
INSERT INTO service_point_geo (id, min_lat, max_lat, min_lon, max_lon, rid, latitude, longitude, x, y)
    SELECT rowid, latitude, latitude, longitude, longitude, rid, latitude, longitude, x, y FROM service_point;

-- +goose StatementBegin
CREATE TRIGGER service_point_geo_insert AFTER INSERT ON service_point BEGIN
    INSERT INTO service_point_geo (id, min_lat, max_lat, min_lon, max_lon, rid, latitude, longitude, x, y)
    VALUES (new.rowid, new.latitude, new.latitude, new.longitude, new.longitude, new.rid, new.latitude, new.longitude, new.x, new.y);
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
ALTER TABLE service_point DROP COLUMN y;
ALTER TABLE service_point DROP COLUMN x;
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
