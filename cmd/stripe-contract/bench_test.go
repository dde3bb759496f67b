package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/stripe-contract/stripe-contract/validators/baseline"
	"github.com/stripe-contract/stripe-contract/validators/bench"
)

// CLI-level benchmarks: `stripe-contract validate --format json FILE` as a
// user runs it (output written and discarded), on a generated file of
// 100,000 invoice_payment lines, with one and two workers; and, in the
// same run, the plain path (decode + jsonschema/v5 Validate per line) over
// the same file, on one and two goroutines.
//
//	go test ./cmd/stripe-contract -run '^$' -bench CLI -benchtime 1x

const cliLines = 100_000

var cliData = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "stripe-contract-bench-*")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "payments.ndjson")
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	if _, err := bench.Write(f, cliLines, 1); err != nil {
		return "", err
	}
	return path, f.Close()
})

func benchFile(b *testing.B) (string, int64) {
	path, err := cliData()
	if err != nil {
		b.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return path, info.Size()
}

func reportRate(b *testing.B, size int64) {
	secs := b.Elapsed().Seconds()
	b.ReportMetric(float64(cliLines)*float64(b.N)/secs, "payloads/s")
	b.ReportMetric(float64(size)*float64(b.N)/secs/1e6, "MB/s")
}

func BenchmarkCLIValidate(b *testing.B) {
	path, size := benchFile(b)
	for _, workers := range []int{1, 2} {
		b.Run("workers="+strconv.Itoa(workers), func(b *testing.B) {
			for range b.N {
				code := run(context.Background(), []string{"validate", "--format", "json", "--workers", strconv.Itoa(workers), path}, nil, io.Discard, io.Discard)
				if code != exitInvalid {
					b.Fatalf("exit %d, want %d: the data has invalid lines", code, exitInvalid)
				}
			}
			reportRate(b, size)
		})
	}
}

func BenchmarkCLIBaseline(b *testing.B) {
	path, size := benchFile(b)
	v, err := baseline.New()
	if err != nil {
		b.Fatal(err)
	}
	for _, workers := range []int{1, 2} {
		b.Run("workers="+strconv.Itoa(workers), func(b *testing.B) {
			for range b.N {
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				lines := make(chan []byte, 1024)
				var wg sync.WaitGroup
				var mu sync.Mutex
				invalid := 0
				for range workers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						n := 0
						for line := range lines {
							if !v.Valid(line) {
								n++
							}
						}
						mu.Lock()
						invalid += n
						mu.Unlock()
					}()
				}
				sc := bufio.NewScanner(f)
				sc.Buffer(make([]byte, 1<<20), 16<<20)
				for sc.Scan() {
					lines <- append([]byte(nil), sc.Bytes()...)
				}
				close(lines)
				wg.Wait()
				f.Close()
				if invalid == 0 {
					b.Fatal("the baseline found no invalid line")
				}
			}
			reportRate(b, size)
		})
	}
}
