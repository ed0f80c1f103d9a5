package postcode

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

//go:embed data/postcodes.bin
var embedded embed.FS

// magic starts every table file; the number is the format version.
const magic = "WAYMARK-POSTCODES-1\n"

// scale is the coordinate resolution: 1e-5 degrees, about a metre.
const scale = 1e5

// Table finds the centroid of any postcode it holds. It is read-only and
// safe for concurrent use.
type Table struct {
	keys     []uint64 // sorted encoded postcodes
	lat, lon []int32  // in 1e-5 degrees, parallel to keys
	outward  map[string]Point
}

// Len returns the number of postcodes in the table.
func (t *Table) Len() int { return len(t.keys) }

// Lookup returns the centroid of a full postcode, or for an outward code the
// mean centroid of its postcodes. ok is false when the table has no location.
func (t *Table) Lookup(p Postcode) (Point, bool) {
	if !p.Full() {
		pt, ok := t.outward[p.Outward]
		return pt, ok
	}
	k, ok := encodeKey(p.Outward + p.Inward)
	if !ok {
		return Point{}, false
	}
	i, found := slices.BinarySearch(t.keys, k)
	if !found {
		return Point{}, false
	}
	return Point{Lat: float64(t.lat[i]) / scale, Lon: float64(t.lon[i]) / scale}, true
}

// encodeKey packs a postcode without spaces (up to 7 characters) into a
// number that sorts like the outward code, then the inward code.
func encodeKey(code string) (uint64, bool) {
	if len(code) < 5 || len(code) > 7 {
		return 0, false
	}
	out, in := code[:len(code)-3], code[len(code)-3:]
	var k uint64
	for i := 0; i < 4; i++ { // outward, padded to 4
		var c byte
		if i < len(out) {
			c = out[i]
		}
		v, ok := charValue(c)
		if !ok {
			return 0, false
		}
		k = k*37 + v
	}
	for i := 0; i < 3; i++ {
		v, ok := charValue(in[i])
		if !ok || v == 0 {
			return 0, false
		}
		k = k*37 + v
	}
	return k, true
}

// decodeOutward returns the outward code of a key. Outward codes shorter
// than 4 characters are padded at the end, so the characters are b[:n].
func decodeOutward(k uint64) string {
	k /= 37 * 37 * 37
	var b [4]byte
	n := 0
	for i := 3; i >= 0; i-- {
		v := k % 37
		k /= 37
		if v != 0 {
			b[i] = valueChar(v)
			n++
		}
	}
	return string(b[:n])
}

func charValue(c byte) (uint64, bool) {
	switch {
	case c == 0:
		return 0, true
	case c >= '0' && c <= '9':
		return uint64(c-'0') + 1, true
	case c >= 'A' && c <= 'Z':
		return uint64(c-'A') + 11, true
	}
	return 0, false
}

func valueChar(v uint64) byte {
	if v <= 10 {
		return byte('0' + v - 1)
	}
	return byte('A' + v - 11)
}

// Embedded decodes the table built into the binary. Each call decodes anew
// (about a quarter of a second); callers keep the result.
func Embedded() (*Table, error) {
	f, err := embedded.Open("data/postcodes.bin")
	if err != nil {
		return nil, fmt.Errorf("open built-in postcodes: %w", err)
	}
	defer f.Close()
	return Decode(f)
}

// Open decodes a table file written by Build.
func Open(path string) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open postcode table: %w", err)
	}
	defer f.Close()
	t, err := Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// Decode reads a table written by Build.
func Decode(r io.Reader) (*Table, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	head := make([]byte, len(magic))
	if _, err := io.ReadFull(br, head); err != nil || string(head) != magic {
		return nil, errors.New("not a Waymark postcode table")
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("decode postcode table: %w", err)
	}
	defer zr.Close()
	data, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("decode postcode table: %w", err)
	}
	n, off := binary.Uvarint(data)
	if off <= 0 || n > 10_000_000 {
		return nil, errors.New("decode postcode table: bad count")
	}
	t := &Table{keys: make([]uint64, n), lat: make([]int32, n), lon: make([]int32, n)}
	var key uint64
	var lat, lon int64
	type sum struct {
		lat, lon float64
		n        int
	}
	sums := map[uint64]*sum{}
	var curOut uint64 = ^uint64(0)
	var cur *sum
	for i := range t.keys {
		dk, a := binary.Uvarint(data[off:])
		if a <= 0 {
			return nil, fmt.Errorf("decode postcode table: truncated at %d", i)
		}
		off += a
		dla, b := binary.Varint(data[off:])
		if b <= 0 {
			return nil, fmt.Errorf("decode postcode table: truncated at %d", i)
		}
		off += b
		dlo, c := binary.Varint(data[off:])
		if c <= 0 {
			return nil, fmt.Errorf("decode postcode table: truncated at %d", i)
		}
		off += c
		if i > 0 && dk == 0 {
			return nil, fmt.Errorf("decode postcode table: keys out of order at %d", i)
		}
		key += dk
		lat += dla
		lon += dlo
		t.keys[i], t.lat[i], t.lon[i] = key, int32(lat), int32(lon)
		if o := key / (37 * 37 * 37); o != curOut {
			curOut = o
			cur = &sum{}
			sums[o] = cur
		}
		cur.lat += float64(lat)
		cur.lon += float64(lon)
		cur.n++
	}
	t.outward = make(map[string]Point, len(sums))
	for o, s := range sums {
		t.outward[decodeOutward(o*37*37*37)] = Point{Lat: s.lat / float64(s.n) / scale, Lon: s.lon / float64(s.n) / scale}
	}
	return t, nil
}

// Record is one postcode with a location.
type Record struct {
	Postcode string // without spaces, upper case
	Lat, Lon float64
}

// ReadCSV reads postcode rows from a CSV file, gzipped or not, in either of
// two layouts told apart by the header: Waymark's source "postcode,lat,long",
// or the ONS Postcode Directory / National Statistics Postcode Lookup with
// columns pcds (or pcd), lat, long and doterm. Rows without a location (empty
// latitude, ONS's 99.999999), terminated postcodes (doterm set) and codes
// that are not postcodes in today's format (such as old "NPT 0AD" pseudo
// codes) are skipped; a malformed file is an error.
func ReadCSV(r io.Reader, fn func(Record) error) error {
	br := bufio.NewReaderSize(r, 1<<16)
	if sig, _ := br.Peek(2); bytes.Equal(sig, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("read gzip: %w", err)
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, 1<<16)
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("read header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	pcCol, ok := col["pcds"]
	if !ok {
		if pcCol, ok = col["pcd"]; !ok {
			if pcCol, ok = col["postcode"]; !ok {
				return errors.New("no postcode column (pcds, pcd or postcode) in the header")
			}
		}
	}
	latCol, ok1 := col["lat"]
	lonCol, ok2 := col["long"]
	if !ok1 || !ok2 {
		return errors.New("no lat and long columns in the header")
	}
	termCol, hasTerm := col["doterm"]
	for line := 2; ; line++ {
		row, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		if len(row) <= max(pcCol, latCol, lonCol) {
			return fmt.Errorf("line %d: too few columns", line)
		}
		if hasTerm && termCol < len(row) && strings.TrimSpace(row[termCol]) != "" {
			continue
		}
		latS, lonS := strings.TrimSpace(row[latCol]), strings.TrimSpace(row[lonCol])
		if latS == "" || lonS == "" {
			continue
		}
		lat, err1 := strconv.ParseFloat(latS, 64)
		lon, err2 := strconv.ParseFloat(lonS, 64)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("line %d: bad latitude or longitude", line)
		}
		if lat > 90 || lat < -90 || lon > 180 || lon < -180 || lat == 99.999999 {
			continue
		}
		pc := normalise(row[pcCol])
		p, err := Parse(pc)
		if err != nil || !p.Full() {
			continue
		}
		if err := fn(Record{Postcode: p.Outward + p.Inward, Lat: lat, Lon: lon}); err != nil {
			return err
		}
	}
}

// Build reads a postcode CSV (see ReadCSV) and writes the compact table that
// Decode reads: sorted keys, with key and coordinate deltas as varints, then
// gzip. It returns the number of postcodes written; duplicates keep the last.
func Build(r io.Reader, w io.Writer) (int, error) {
	type rec struct {
		key      uint64
		lat, lon int32
	}
	var recs []rec
	err := ReadCSV(r, func(rc Record) error {
		k, ok := encodeKey(rc.Postcode)
		if !ok {
			return fmt.Errorf("cannot encode postcode %s", rc.Postcode)
		}
		recs = append(recs, rec{k, int32(roundScale(rc.Lat)), int32(roundScale(rc.Lon))})
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("build postcode table: %w", err)
	}
	slices.SortStableFunc(recs, func(a, b rec) int {
		switch {
		case a.key < b.key:
			return -1
		case a.key > b.key:
			return 1
		}
		return 0
	})
	// Keep the last of duplicate keys.
	out := recs[:0]
	for i, r := range recs {
		if i+1 < len(recs) && recs[i+1].key == r.key {
			continue
		}
		out = append(out, r)
	}
	recs = out

	if _, err := io.WriteString(w, magic); err != nil {
		return 0, fmt.Errorf("write postcode table: %w", err)
	}
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return 0, err
	}
	buf := make([]byte, 0, 3*binary.MaxVarintLen64)
	buf = binary.AppendUvarint(buf, uint64(len(recs)))
	var pk uint64
	var plat, plon int32
	bw := bufio.NewWriterSize(zw, 1<<16)
	bw.Write(buf)
	for _, r := range recs {
		buf = buf[:0]
		buf = binary.AppendUvarint(buf, r.key-pk)
		buf = binary.AppendVarint(buf, int64(r.lat)-int64(plat))
		buf = binary.AppendVarint(buf, int64(r.lon)-int64(plon))
		if _, err := bw.Write(buf); err != nil {
			return 0, fmt.Errorf("write postcode table: %w", err)
		}
		pk, plat, plon = r.key, r.lat, r.lon
	}
	if err := bw.Flush(); err != nil {
		return 0, fmt.Errorf("write postcode table: %w", err)
	}
	if err := zw.Close(); err != nil {
		return 0, fmt.Errorf("write postcode table: %w", err)
	}
	return len(recs), nil
}

func roundScale(v float64) int64 {
	if v < 0 {
		return int64(v*scale - 0.5)
	}
	return int64(v*scale + 0.5)
}
