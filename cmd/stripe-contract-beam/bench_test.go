package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/bench"
	"github.com/stripe-contract/stripe-contract/validators/pipeline"
	"github.com/stripe-contract/stripe-contract/validators/report"
)

// benchLines is how many lines each benchmark file holds;
// STRIPE_CONTRACT_BEAM_BENCH_LINES changes it.
func benchLines(b *testing.B) int {
	if s := os.Getenv("STRIPE_CONTRACT_BEAM_BENCH_LINES"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("STRIPE_CONTRACT_BEAM_BENCH_LINES=%q: want a positive number", s)
		}
		return n
	}
	return 20000
}

// BenchmarkLines validates the same file with validate's pipeline (the
// baseline: `validate --format json` in this process, on every core) and
// with the Beam pipeline on Prism, with and without its Reshuffle: compare
// their lines/s, measured in one run.
func BenchmarkLines(b *testing.B) {
	n := benchLines(b)
	dir := b.TempDir()
	for _, data := range []struct {
		name  string
		write func(io.Writer, int, uint64) (int64, error)
	}{{"invoice_payment", bench.Write}, {"mixed", bench.WriteMixed}} {
		path := filepath.Join(dir, data.name+".ndjson")
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		w := bufio.NewWriter(f)
		if _, err := data.write(w, n, 1); err != nil {
			b.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
		f.Close()
		o := Options{MaxSize: validators.DefaultMaxSize, MaxDepth: validators.DefaultMaxDepth}

		b.Run(data.name+"/validate", func(b *testing.B) {
			v, err := o.newValidator()
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				out, _ := report.New("json", io.Discard, report.Options{})
				sum, err := pipeline.New(v).Run(context.Background(), []string{path}, out)
				if err != nil || sum.Documents != int64(n) {
					b.Fatalf("%d documents, %v", sum.Documents, err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
		})
		for _, reshuffle := range []bool{true, false} {
			name := data.name + "/prism"
			if !reshuffle {
				name += "-no-reshuffle"
			}
			b.Run(name, func(b *testing.B) {
				c := Config{Input: path, Output: filepath.Join(dir, "out"), Options: o, Reshuffle: reshuffle}
				for b.Loop() {
					if code := run(context.Background(), c, io.Discard, io.Discard); code == 2 {
						b.Fatal("the pipeline failed")
					}
				}
				b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
			})
		}
	}
}
