// Command fhirschemagen derives the FHIR R4 JSON Schema that Waymark embeds
// (internal/fhir/fhir.schema.json.gz) from the HL7 combined schema in the
// project's shared/standards/fhir/r4/fhir.schema.json: it drops the
// "description" annotations (text only, no effect on validation), writes
// the rest as compact JSON and gzips it, so the binary carries 56 KB instead
// of 3.4 MB and never reads ../shared at run time.
//
//	go run ./tools/fhirschemagen -in ../shared/standards/fhir/r4/fhir.schema.json \
//		-out internal/fhir/fhir.schema.json.gz
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"os"
)

func main() {
	in := flag.String("in", "../shared/standards/fhir/r4/fhir.schema.json", "the HL7 FHIR R4 combined JSON Schema")
	out := flag.String("out", "internal/fhir/fhir.schema.json.gz", "gzipped schema to write")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "fhirschemagen:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	b, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("read %s: %w", in, err)
	}
	compact, err := json.Marshal(strip(doc))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	zw.Write(compact)
	if err := zw.Close(); err != nil {
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Printf("fhirschemagen: %d bytes of schema, %d gzipped, in %s\n", len(compact), buf.Len(), out)
	return nil
}

// strip removes "description" annotations: string values only, so an
// element that is itself named description (an object in "properties")
// stays.
func strip(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if _, text := x.(string); k == "description" && text {
				delete(v, k)
				continue
			}
			v[k] = strip(x)
		}
	case []any:
		for i, x := range v {
			v[i] = strip(x)
		}
	}
	return v
}
