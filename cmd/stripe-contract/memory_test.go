package main

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestLimitMemorySetsTheTargetAndPutsTheLimitBack(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	t.Setenv("GOGC", "")
	before := debug.SetMemoryLimit(-1)
	beforePercent := debug.SetGCPercent(100)
	defer debug.SetGCPercent(beforePercent)
	stop := limitMemory()
	// The start-up phase: a slower pace, under the target.
	gotLimit, gotPercent := debug.SetMemoryLimit(-1), debug.SetGCPercent(-1)
	debug.SetGCPercent(gotPercent)
	if gotLimit != memoryTarget || gotPercent != startupGCPercent {
		stop()
		t.Fatalf("limit %d at GOGC=%d as validate starts, want %d at GOGC=%d", gotLimit, gotPercent, memoryTarget, startupGCPercent)
	}
	// Then the target (or more, over a large live heap: the test
	// process's), at the pace before.
	deadline := time.Now().Add(10 * time.Second)
	for {
		time.Sleep(60 * time.Millisecond)
		gotLimit, gotPercent = debug.SetMemoryLimit(-1), debug.SetGCPercent(-1)
		debug.SetGCPercent(gotPercent)
		if gotLimit >= memoryTarget && gotPercent == 100 {
			break
		}
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("limit %d at GOGC=%d after the start-up phase, want at least %d at GOGC=100", gotLimit, gotPercent, memoryTarget)
		}
	}
	stop()
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Fatalf("limit %d after validate, want the one before, %d", got, before)
	}
	if got := debug.SetGCPercent(beforePercent); got != 100 {
		t.Fatalf("GOGC=%d after validate, want the one before, 100", got)
	}
}

func TestLimitMemoryLeavesGOGCsChoiceOfPace(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	t.Setenv("GOGC", "150")
	beforePercent := debug.SetGCPercent(150)
	defer debug.SetGCPercent(beforePercent)
	stop := limitMemory()
	defer stop()
	gotPercent := debug.SetGCPercent(-1)
	debug.SetGCPercent(gotPercent)
	if got := debug.SetMemoryLimit(-1); got != memoryTarget || gotPercent != 150 {
		t.Fatalf("limit %d at GOGC=%d under GOGC=150, want %d at GOGC=150", got, gotPercent, memoryTarget)
	}
}

func TestLimitMemoryLeavesGOMEMLIMITsChoice(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "1GiB")
	before := debug.SetMemoryLimit(-1)
	stop := limitMemory()
	defer stop()
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Fatalf("limit %d under GOMEMLIMIT, want it left at %d", got, before)
	}
}

func TestLimitMemoryRaisesTheLimitOverALargeLiveHeap(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	stop := limitMemory()
	defer stop()
	live := make([][]byte, 0, 64)
	for range 64 { // 64 MiB live, more than the target
		live = append(live, make([]byte, 1<<20))
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		runtime.GC()
		time.Sleep(60 * time.Millisecond) // the watch looks every 50 ms
		got := debug.SetMemoryLimit(-1)
		if got >= 64<<20+32<<20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("limit %d with 64 MiB live, want at least half as much again", got)
		}
	}
	runtime.KeepAlive(live)
}
