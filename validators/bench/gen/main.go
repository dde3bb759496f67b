// Command gen writes benchmark data: realistic invoice_payment NDJSON lines,
// or with -mixed lines of many kinds (resources, lists, search results,
// events of many types, expanded objects); see package bench.
//
//	go run ./validators/bench/gen -lines 200000 -seed 1 > payments.ndjson
//	go run ./validators/bench/gen -mixed -lines 50000 > mixed.ndjson
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/stripe-contract/stripe-contract/validators/bench"
)

func main() {
	lines := flag.Int("lines", 200000, "lines to write")
	seed := flag.Uint64("seed", 1, "random seed; the same seed writes the same lines")
	mixed := flag.Bool("mixed", false, "write mixed lines (bench.WriteMixed) instead of invoice_payment lines")
	flag.Parse()
	if *lines < 0 {
		fmt.Fprintln(os.Stderr, "gen: -lines must not be negative")
		os.Exit(2)
	}
	write := bench.Write
	if *mixed {
		write = bench.WriteMixed
	}
	if _, err := write(os.Stdout, *lines, *seed); err != nil {
		fmt.Fprintf(os.Stderr, "gen: %v\n", err)
		os.Exit(1)
	}
}
