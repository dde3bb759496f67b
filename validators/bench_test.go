package validators_test

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/baseline"
	"github.com/stripe-contract/stripe-contract/validators/bench"
)

// Benchmarks on 100,000 generated invoice_payment lines (package bench:
// mixed statuses and payment types, 5% with an expanded invoice, 10%
// invalid). Run with -cpu 1,2 for one and two cores:
//
//	go test ./validators -run '^$' -bench . -cpu 1,2
//
// BenchmarkValidate is this package; BenchmarkBaseline is the plain path
// (encoding/json decode + jsonschema/v5 Validate) on the same lines and the
// same schema files, measured in the same run for the ratio.

var benchLines = sync.OnceValue(func() [][]byte { return bench.Lines(100_000, 1) })

func averageSize(lines [][]byte) int64 {
	total := 0
	for _, l := range lines {
		total += len(l)
	}
	return int64(total / len(lines))
}

// runLines spreads b.N validations over the lines, on GOMAXPROCS goroutines.
func runLines(b *testing.B, validate func([]byte) bool) {
	lines := benchLines()
	b.SetBytes(averageSize(lines))
	b.ReportAllocs()
	var next atomic.Int64
	var invalid atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1) - 1
			if !validate(lines[i%int64(len(lines))]) {
				invalid.Add(1)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "payloads/s")
	if b.N >= len(lines) {
		if share := float64(invalid.Load()) / float64(b.N); share < 0.08 || share > 0.12 {
			b.Fatalf("%.1f%% of lines invalid; the data has about 10%%", 100*share)
		}
	}
}

func BenchmarkValidate(b *testing.B) {
	v, err := validators.New()
	if err != nil {
		b.Fatal(err)
	}
	runLines(b, func(line []byte) bool { return v.Validate(line).Valid() })
}

func BenchmarkBaseline(b *testing.B) {
	v, err := baseline.New()
	if err != nil {
		b.Fatal(err)
	}
	runLines(b, v.Valid)
}

// BenchmarkValidateInvalid is BenchmarkValidate on the invalid lines only:
// the explanation's cost, which the 10% invalid lines of a log pay.
func BenchmarkValidateInvalid(b *testing.B) {
	v, err := validators.New()
	if err != nil {
		b.Fatal(err)
	}
	var invalid [][]byte
	for _, l := range benchLines() {
		if !v.Validate(l).Valid() {
			invalid = append(invalid, l)
		}
	}
	b.SetBytes(averageSize(invalid))
	b.ReportAllocs()
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1) - 1
			if v.Validate(invalid[i%int64(len(invalid))]).Valid() {
				b.Error("an invalid line passed")
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "payloads/s")
}
