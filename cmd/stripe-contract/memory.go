package main

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// memoryTarget is the soft limit of the Go runtime's memory (heap, stacks,
// its own structures) that the collector keeps to while it can: with the
// binary's mapped code and data (about 16 MB once a run has touched
// them), a process of under 64 MB. What is live is the compiled contract
// of the resources the input holds (about 12 MB for invoice payments,
// 28 MB for the mixed benchmark's many kinds) and the batches in flight;
// GOGC=100 alone lets the heap grow to twice that.
const memoryTarget = 46 << 20

// A run's first moments are its compiles: each resource its input holds
// is read and compiled on first use, allocating several times what stays
// live (the 3 MB payment intent file's, about 15 MB for 8 MB kept). At
// GOGC=100 the collector runs over and over while the heap is small, and
// even one cycle, at GOGC=400 (the first at 16 MB), was a sixth of the
// start-up of a file that expands a payment intent. So for startupPhase
// the collector runs at startupGCPercent, the first cycle at 24 MB, under
// the same soft limit, and then as before. (It was under a lower limit,
// 40 MiB, until the mixed benchmark's 50,000 lines, which end within the
// phase, were measured collected 7-8 times rather than 5 and 8% slower on
// two cores for it. What the lower limit saved is peak RSS on a long run
// whose live heap is small, where the garbage of the phase is the peak: a
// 2 GB invoice_payment file's rose from 51.5 to 54.9 MB with the change; a
// long mixed run's, 52-54 MB on 200,000 lines, is the same either way.)
const (
	startupPhase     = 500 * time.Millisecond
	startupGCPercent = 600
)

// limitMemory sets the runtime's soft memory limit to memoryTarget, unless
// GOMEMLIMIT chooses one, and raises it while the live heap is large: to
// half as much again as is live, so that an input that touches more of
// the contract than fits is collected at GOGC=50's pace rather than
// continually. For the first startupPhase, unless GOGC chooses the pace,
// the collector runs less often. validate runs under it; the function it
// returns stops the watch and puts the limit and the pace back.
func limitMemory() (stop func()) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	const target = int64(memoryTarget)
	prevPercent := -2 // not changed
	starting := os.Getenv("GOGC") == ""
	if starting {
		prevPercent = debug.SetGCPercent(startupGCPercent)
	}
	prev := debug.SetMemoryLimit(target)
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	done := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		limit := target
		start := time.Now()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			if starting && time.Since(start) >= startupPhase {
				starting = false
				debug.SetGCPercent(prevPercent)
			}
			metrics.Read(sample)
			live := int64(0) // a runtime without the metric keeps the target
			if sample[0].Value.Kind() == metrics.KindUint64 {
				live = int64(sample[0].Value.Uint64())
			}
			if want := max(target, live+live/2); want != limit {
				limit = want
				debug.SetMemoryLimit(limit)
			}
		}
	}()
	return func() {
		close(done)
		<-watched
		if prevPercent != -2 {
			debug.SetGCPercent(prevPercent)
		}
		debug.SetMemoryLimit(prev)
	}
}
