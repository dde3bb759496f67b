package main

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestLimitMemorySetsTheTargetAndPutsTheLimitBack(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	before := debug.SetMemoryLimit(-1)
	stop := limitMemory()
	if got := debug.SetMemoryLimit(-1); got != memoryTarget {
		stop()
		t.Fatalf("limit %d while validate runs, want %d", got, memoryTarget)
	}
	stop()
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Fatalf("limit %d after validate, want the one before, %d", got, before)
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
