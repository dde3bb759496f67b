package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/stripe-contract/stripe-contract/validators/pipeline"
)

// Memory over many small files: a run's memory must not grow with the
// number of files (40,000 .ndjson files once took 350 MB, a 256 KiB read
// buffer allocated per file and collected late).
//
//	go test ./validators/pipeline -run '^$' -bench ManyFiles -benchtime 1x

// manyFiles writes n small .ndjson files (three lines each) under dir, in
// folders of 1,000.
func manyFiles(tb testing.TB, dir string, n int) {
	tb.Helper()
	content := []byte(payment("a", "paid") + "\n" + payment("b", "open") + "\n" + payment("c", "bad") + "\n")
	for i := range n {
		sub := filepath.Join(dir, fmt.Sprintf("%03d", i/1000))
		if i%1000 == 0 {
			if err := os.MkdirAll(sub, 0o755); err != nil {
				tb.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%06d.ndjson", i)), content, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// discard is a Sink that formats a little, as report formats do, and keeps nothing.
type discard struct{}

func (discard) Format(dst []byte, o *pipeline.Outcome) []byte { return append(dst, o.Doc.Source...) }
func (discard) Write(*pipeline.Outcome, []byte) error         { return nil }

// heapPeak samples the bytes of live and not yet collected heap objects
// until stop is called, and returns the largest seen.
func heapPeak() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() uint64 { close(done); wg.Wait(); return peak }
}

// manyFilesRun validates every file under dir as the CLI does, but at GOGC
// 400 (the CLI runs at 100, so the peak is an upper bound), and returns the
// bytes allocated and the peak heap.
func manyFilesRun(tb testing.TB, dir string, files int) (allocPerFile, peak uint64) {
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	stop := heapPeak()
	sum, err := pipeline.New(v).Run(context.Background(), []string{dir}, discard{})
	peak = stop()
	runtime.ReadMemStats(&after)
	if err != nil {
		tb.Fatal(err)
	}
	if sum.Documents != int64(3*files) {
		tb.Fatalf("%d documents, want %d", sum.Documents, 3*files)
	}
	return (after.TotalAlloc - before.TotalAlloc) / uint64(files), peak
}

// TestManyFilesMemory bounds what reading a file costs: a few KiB of
// allocation per small file (the reader's buffers are reused), and a peak
// heap far below what one buffer per file reached (360 MB on 5,000 files).
// The margins are generous; the figures are the benchmark's.
func TestManyFilesMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 5,000 files")
	}
	const files = 5000
	dir := t.TempDir()
	manyFiles(t, dir, files)
	perFile, peak := manyFilesRun(t, dir, files)
	t.Logf("%d files: %d bytes allocated per file, peak heap %.1f MB", files, perFile, float64(peak)/1e6)
	// 2.6 KB per file, 73 KB under the race detector (which makes sync.Pool
	// drop a quarter of what it is given); one buffer per file was 265 KB.
	if perFile > 128<<10 {
		t.Errorf("%d bytes allocated per file of 1.5 KB; want at most 128 KiB", perFile)
	}
	if peak > 128<<20 {
		t.Errorf("peak heap %.1f MB; want at most 128 MiB", float64(peak)/1e6)
	}
}

// BenchmarkManyFiles reports the bytes allocated per file and the peak heap
// over 40,000 small files (the README's figure is the CLI's max RSS).
func BenchmarkManyFiles(b *testing.B) {
	const files = 40_000
	dir := b.TempDir()
	manyFiles(b, dir, files)
	b.ResetTimer()
	var perFile, peak uint64
	for b.Loop() {
		p, pk := manyFilesRun(b, dir, files)
		perFile, peak = max(perFile, p), max(peak, pk)
	}
	b.ReportMetric(float64(perFile), "alloc-B/file")
	b.ReportMetric(float64(peak)/1e6, "peak-heap-MB")
	b.ReportMetric(float64(files)*float64(b.N)/b.Elapsed().Seconds(), "files/s")
}
