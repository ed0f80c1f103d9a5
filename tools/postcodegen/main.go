// Command postcodegen derives Waymark's compact postcode table from a CSV of
// postcode centroids (the project's shared/data/postcodes file, or an ONS
// ONSPD/NSPL release):
//
//	go run ./tools/postcodegen -in ../shared/data/postcodes/uk-postcode-centroids.csv.gz \
//		-out internal/postcode/data/postcodes.bin
package main

import (
	"flag"
	"fmt"
	"os"

	"waymark/internal/postcode"
)

func main() {
	in := flag.String("in", "", "CSV of postcodes, gzipped or not")
	out := flag.String("out", "internal/postcode/data/postcodes.bin", "table to write")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "postcodegen:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	if in == "" {
		return fmt.Errorf("-in is required")
	}
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	w, err := os.Create(out + ".tmp")
	if err != nil {
		return err
	}
	n, err := postcode.Build(f, w)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out + ".tmp")
		return err
	}
	if err := os.Rename(out+".tmp", out); err != nil {
		return err
	}
	fi, _ := os.Stat(out)
	fmt.Printf("wrote %d postcodes to %s (%d bytes)\n", n, out, fi.Size())
	return nil
}
