-- +goose Up
-- Points are kept for public, listed services only (search shows no
-- others), so a search near a postcode needs no join to filter them.
DELETE FROM service_point p WHERE NOT EXISTS
    (SELECT 1 FROM service s WHERE s.id = p.service_id AND s.status IN ('published', 'frozen') AND s.visibility = 'listed');

-- Each point projected to a plane in miles (spherical transverse Mercator
-- about 2 degrees west, as the British National Grid: distances across
-- Great Britain are within 0.2% of the great-circle distance), with a
-- GiST index: nearest-first search reads it in order with the <->
-- operator, and counts within a radius probe it with a box. Search
-- computes a postcode's position with the same formula (gridPoint in
-- dialect.go).
ALTER TABLE service_point ADD COLUMN position POINT GENERATED ALWAYS AS (point(
    3958.7613 * atanh(LEAST(0.999999, GREATEST(-0.999999, cos(radians(latitude)) * sin(radians(longitude + 2))))),
    3958.7613 * atan2(tan(radians(LEAST(89.9, GREATEST(-89.9, latitude)))), cos(radians(longitude + 2)))
)) STORED;
CREATE INDEX service_point_position_idx ON service_point USING GIST (position);

-- +goose Down
DROP INDEX service_point_position_idx;
ALTER TABLE service_point DROP COLUMN position;
