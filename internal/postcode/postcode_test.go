package postcode_test

import (
	"bytes"
	"compress/gzip"
	"math"
	"strings"
	"testing"

	"waymark"
	"waymark/internal/postcode"
)

func TestParseNormalisesAnySpacingAndCase(t *testing.T) {
	tests := []struct{ in, want string }{
		{"DE45 1AH", "DE45 1AH"},
		{"de451ah", "DE45 1AH"},
		{" de45  1ah ", "DE45 1AH"},
		{"DE4 3AG", "DE4 3AG"},
		{"s401pa", "S40 1PA"},
		{"M1 1AE", "M1 1AE"},
		{"B33 8TH", "B33 8TH"},
		{"CR2 6XH", "CR2 6XH"},
		{"W1A 0AX", "W1A 0AX"},
		{"EC1A 1BB", "EC1A 1BB"},
		{"gir 0aa", "GIR 0AA"},
		{"DE45", "DE45"},
		{"sk17", "SK17"},
		{"M1", "M1"},
		{"EC1A", "EC1A"},
		{"de4\t3ag", "DE4 3AG"},
	}
	for _, tt := range tests {
		p, err := postcode.Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got := p.String(); got != tt.want {
			t.Errorf("Parse(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if p.Full() != strings.Contains(tt.want, " ") {
			t.Errorf("Parse(%q).Full() = %v", tt.in, p.Full())
		}
	}
}

func TestParseRejectsWithAMessageForThePublic(t *testing.T) {
	tests := []struct{ in, wantMsg string }{
		{"", "Enter a postcode"},
		{"   ", "Enter a postcode"},
		{"DE45 1A", "Enter a real postcode"},
		{"DE45 1AHX", "Enter a real postcode"},
		{"12345", "Enter a real postcode"},
		{"D", "Enter a real postcode"},
		{"DEE4 3AG", "Enter a real postcode"},
		{"DE4 AAG", "Enter a real postcode"},
		{"DE4-3AG", "only letters, numbers and spaces"},
		{"<script>", "only letters, numbers and spaces"},
		{"DÉ4 3AG", "only letters, numbers and spaces"},
		{strings.Repeat("DE4 3AG", 100), "8 characters or fewer"},
	}
	for _, tt := range tests {
		_, err := postcode.Parse(tt.in)
		if waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("Parse(%.20q) error = %v, want EINVALID", tt.in, err)
			continue
		}
		msg := waymark.ErrorMessage(err)
		if !strings.Contains(msg, tt.wantMsg) {
			t.Errorf("Parse(%.20q) message %q, want it to contain %q", tt.in, msg, tt.wantMsg)
		}
		if len(tt.in) > 3 && strings.Contains(msg, tt.in) {
			t.Errorf("message %q echoes the input", msg)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"DE45 1AH", "de451ah", "GIR 0AA", "DE45", "", "  ", "A9A 9AA", "ÿ", "DE4 3A\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := postcode.Parse(s)
		if err != nil {
			if waymark.ErrorCode(err) != waymark.EINVALID {
				t.Fatalf("Parse(%q) error code %q", s, waymark.ErrorCode(err))
			}
			return
		}
		n := p.String()
		if n != strings.ToUpper(n) || strings.Count(n, " ") > 1 || len(n) > 8 {
			t.Fatalf("Parse(%q) = %q is not in normal form", s, n)
		}
		again, err := postcode.Parse(n)
		if err != nil || again != p {
			t.Fatalf("Parse(%q) = %q does not re-parse to itself: %v %v", s, n, again, err)
		}
	})
}

func TestMilesBetweenKnownPlaces(t *testing.T) {
	// Derby (DE1 2AW) to Bakewell (DE45 1AH) and London to Manchester, checked
	// against published great-circle distances.
	derby := postcode.Point{Lat: 52.92253, Lon: -1.47463}
	bakewell := postcode.Point{Lat: 53.21355, Lon: -1.67443}
	if got := postcode.Miles(derby, bakewell); math.Abs(got-21.8) > 0.5 {
		t.Errorf("Derby to Bakewell = %.2f miles, want about 21.8", got)
	}
	london := postcode.Point{Lat: 51.5074, Lon: -0.1278}
	manchester := postcode.Point{Lat: 53.4808, Lon: -2.2426}
	if got := postcode.Metres(london, manchester) / 1000; math.Abs(got-262) > 2 {
		t.Errorf("London to Manchester = %.1f km, want about 262", got)
	}
	if got := postcode.Miles(derby, derby); got != 0 {
		t.Errorf("distance to itself = %v", got)
	}
}

func TestBoundingBoxContainsEveryPointInRange(t *testing.T) {
	centre := postcode.Point{Lat: 53.1378, Lon: -1.5524}
	minLat, maxLat, minLon, maxLon := postcode.BoundingBox(centre, 10)
	for bearing := 0.0; bearing < 360; bearing += 5 {
		// Walk 9.99 miles out along the bearing in small steps of latitude and longitude.
		rad := bearing * math.Pi / 180
		lo, hi := 0.0, 1.0
		for range 60 {
			mid := (lo + hi) / 2
			p := postcode.Point{Lat: centre.Lat + mid*math.Cos(rad), Lon: centre.Lon + mid*math.Sin(rad)/math.Cos(centre.Lat*math.Pi/180)}
			if postcode.Miles(centre, p) < 9.99 {
				lo = mid
			} else {
				hi = mid
			}
		}
		p := postcode.Point{Lat: centre.Lat + lo*math.Cos(rad), Lon: centre.Lon + lo*math.Sin(rad)/math.Cos(centre.Lat*math.Pi/180)}
		if p.Lat < minLat || p.Lat > maxLat || p.Lon < minLon || p.Lon > maxLon {
			t.Errorf("point %v at bearing %v is outside the box", p, bearing)
		}
	}
}

func TestEmbeddedTableGeocodesDerbyshire(t *testing.T) {
	table, err := postcode.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	if table.Len() < 2_600_000 {
		t.Errorf("table has %d postcodes, want every UK postcode", table.Len())
	}
	for _, pc := range []string{"DE4 3AG", "DE45 1AH", "S40 1PA", "SK17 6EQ", "NG10 4HD", "DE1 2AW", "SK13 8BW"} {
		p, _ := postcode.Parse(pc)
		pt, ok := table.Lookup(p)
		if !ok {
			t.Errorf("%s not found", pc)
			continue
		}
		if pt.Lat < 52.6 || pt.Lat > 53.6 || pt.Lon < -2.1 || pt.Lon > -1.1 {
			t.Errorf("%s at %v is not in Derbyshire", pc, pt)
		}
	}
	p, _ := postcode.Parse("DE4 3AG")
	if pt, _ := table.Lookup(p); math.Abs(pt.Lat-53.1378) > 0.01 || math.Abs(pt.Lon+1.5524) > 0.01 {
		t.Errorf("DE4 3AG at %v, want about 53.138,-1.552", pt)
	}
	// An outward code geocodes to the middle of its district.
	out, _ := postcode.Parse("DE45")
	if pt, ok := table.Lookup(out); !ok || postcode.Miles(pt, postcode.Point{Lat: 53.2135, Lon: -1.6744}) > 5 {
		t.Errorf("DE45 at %v (found %v), want near Bakewell", pt, ok)
	}
	// Shorter outward codes too (they are padded inside the table's keys).
	for _, code := range []string{"DE4", "S40", "DE1"} {
		out, _ := postcode.Parse(code)
		full, _ := postcode.Parse(map[string]string{"DE4": "DE4 3AG", "S40": "S40 1PA", "DE1": "DE1 2AW"}[code])
		at, _ := table.Lookup(full)
		if pt, ok := table.Lookup(out); !ok || postcode.Miles(pt, at) > 5 {
			t.Errorf("%s at %v (found %v), want near %s", code, pt, ok, full)
		}
	}
	// Rows without a location in the source are absent.
	if _, ok := table.Lookup(postcode.Postcode{Outward: "AB11", Inward: "3AG"}); ok {
		t.Error("AB11 3AG has no location in the source but was found")
	}
	for _, missing := range []string{"ZZ9 9ZZ", "ZZ99"} {
		p, _ := postcode.Parse(missing)
		if _, ok := table.Lookup(p); ok {
			t.Errorf("%s found", missing)
		}
	}
}

func TestBuildThenDecodeBothLayouts(t *testing.T) {
	tests := map[string]string{
		"waymark": "postcode,lat,long\nDE4 3AG,53.13780,-1.55240\nDE451AH,53.21355,-1.67443\nAB113AG,,0.00000\nNPT 0AD,51.5,-3.0\n",
		"onspd": "pcd,pcds,doterm,usertype,lat,long\n" +
			"DE4  3AG,DE4 3AG,,0,53.137800,-1.552400\n" +
			"DE451AH,DE45 1AH,,0,53.213550,-1.674430\n" +
			"DE4  9ZZ,DE4 9ZZ,199812,0,53.100000,-1.500000\n" +
			"DE4  9ZY,DE4 9ZY,,0,99.999999,0.000000\n",
	}
	for name, csv := range tests {
		t.Run(name, func(t *testing.T) {
			for _, gz := range []bool{false, true} {
				in := []byte(csv)
				if gz {
					var b bytes.Buffer
					w := gzip.NewWriter(&b)
					w.Write(in)
					w.Close()
					in = b.Bytes()
				}
				var out bytes.Buffer
				n, err := postcode.Build(bytes.NewReader(in), &out)
				if err != nil {
					t.Fatalf("Build: %v", err)
				}
				if n != 2 {
					t.Errorf("Build wrote %d postcodes, want 2", n)
				}
				table, err := postcode.Decode(&out)
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				p, _ := postcode.Parse("DE45 1AH")
				if pt, ok := table.Lookup(p); !ok || pt.Lat != 53.21355 || pt.Lon != -1.67443 {
					t.Errorf("DE45 1AH = %v, %v", pt, ok)
				}
				for _, gone := range []string{"DE4 9ZZ", "DE4 9ZY", "AB11 3AG"} {
					p, _ := postcode.Parse(gone)
					if _, ok := table.Lookup(p); ok {
						t.Errorf("%s should have been skipped", gone)
					}
				}
			}
		})
	}
}

func TestDecodeRejectsOtherFiles(t *testing.T) {
	for _, in := range []string{"", "hello", "WAYMARK-POSTCODES-1\nnot gzip"} {
		if _, err := postcode.Decode(strings.NewReader(in)); err == nil {
			t.Errorf("Decode(%q) succeeded", in)
		}
	}
}

func TestBuildRejectsAFileWithoutTheColumns(t *testing.T) {
	if _, err := postcode.Build(strings.NewReader("name,x\na,b\n"), &bytes.Buffer{}); err == nil {
		t.Error("Build accepted a CSV without postcode columns")
	}
}

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		postcode.Parse(" de45  1ah ")
	}
}

func BenchmarkLookup(b *testing.B) {
	table, err := postcode.Embedded()
	if err != nil {
		b.Fatal(err)
	}
	p, _ := postcode.Parse("DE45 1AH")
	for b.Loop() {
		table.Lookup(p)
	}
}

func BenchmarkEmbedded(b *testing.B) {
	for b.Loop() {
		if _, err := postcode.Embedded(); err != nil {
			b.Fatal(err)
		}
	}
}
