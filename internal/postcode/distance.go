package postcode

import "math"

// Point is a latitude and longitude in WGS84 degrees.
type Point struct {
	Lat, Lon float64
}

const (
	earthRadiusMetres = 6_371_008.8
	metresPerMile     = 1609.344
)

// Metres returns the great-circle (haversine) distance between a and b.
func Metres(a, b Point) float64 {
	la1, la2 := a.Lat*math.Pi/180, b.Lat*math.Pi/180
	dLat := la2 - la1
	dLon := (b.Lon - a.Lon) * math.Pi / 180
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(la1)*math.Cos(la2)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusMetres * math.Asin(math.Min(1, math.Sqrt(h)))
}

// Miles returns the great-circle distance between a and b in miles.
func Miles(a, b Point) float64 { return Metres(a, b) / metresPerMile }

// BoundingBox returns a latitude/longitude box that contains every point
// within miles of p, for prefiltering by index before exact distances.
func BoundingBox(p Point, miles float64) (minLat, maxLat, minLon, maxLon float64) {
	angle := miles * metresPerMile / earthRadiusMetres * 180 / math.Pi // degrees of arc
	dLat := angle * 1.001
	minLat, maxLat = p.Lat-dLat, p.Lat+dLat
	// The box is widest in longitude at the latitude nearest a pole.
	far := math.Max(math.Abs(minLat), math.Abs(maxLat))
	if far >= 89.9 {
		return minLat, maxLat, -180, 180
	}
	dLon := angle / math.Cos(far*math.Pi/180) * 1.001
	return minLat, maxLat, p.Lon - dLon, p.Lon + dLon
}
