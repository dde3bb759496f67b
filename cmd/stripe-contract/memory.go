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

// limitMemory sets the runtime's soft memory limit to memoryTarget, unless
// GOMEMLIMIT chooses one, and raises it while the live heap is large: to
// half as much again as is live, so that an input that touches more of
// the contract than fits is collected at GOGC=50's pace rather than
// continually. validate runs under it; the function it returns stops the
// watch and puts the limit back.
func limitMemory() (stop func()) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	prev := debug.SetMemoryLimit(memoryTarget)
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		limit := int64(memoryTarget)
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() != metrics.KindUint64 {
				return // a runtime without the metric keeps the target
			}
			live := int64(sample[0].Value.Uint64())
			if want := max(memoryTarget, live+live/2); want != limit {
				limit = want
				debug.SetMemoryLimit(limit)
			}
		}
	}()
	return func() { close(done); debug.SetMemoryLimit(prev) }
}
