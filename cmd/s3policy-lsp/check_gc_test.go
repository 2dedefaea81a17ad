package main

import (
	"math"
	"os"
	"runtime/debug"
	"testing"
)

// TestBatchGC: check runs the collector at GOGC=100 (over its ballast)
// under a soft memory limit of 212 MiB (the server's 180 and the
// ballast), lifted once the run is done; GOMEMLIMIT, when set, is the
// limit; GOGC, when set, decides alone.
func TestBatchGC(t *testing.T) {
	oldPercent, oldLimit := debug.SetGCPercent(100), debug.SetMemoryLimit(math.MaxInt64)
	defer func() { debug.SetGCPercent(oldPercent); debug.SetMemoryLimit(oldLimit) }()
	limit := func() int64 { return debug.SetMemoryLimit(-1) } // a negative limit reads it

	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	os.Unsetenv("GOGC") // t.Setenv restores both after the test
	os.Unsetenv("GOMEMLIMIT")
	debug.SetGCPercent(300)
	done := batchGC()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC unset: GC percent %d, want 100", got)
	}
	if got := limit(); got != 212<<20 {
		t.Errorf("GOMEMLIMIT unset: memory limit %d, want %d", got, 212<<20)
	}
	done()
	if got := limit(); got != math.MaxInt64 {
		t.Errorf("after the run: memory limit %d, want none", got)
	}

	t.Setenv("GOMEMLIMIT", "1GiB") // the runtime read it at start; check leaves the limit alone
	debug.SetMemoryLimit(1 << 30)
	batchGC()()
	if got := limit(); got != 1<<30 {
		t.Errorf("GOMEMLIMIT=1GiB: memory limit %d, want it left at %d", got, 1<<30)
	}
	os.Unsetenv("GOMEMLIMIT")
	debug.SetMemoryLimit(math.MaxInt64)

	t.Setenv("GOGC", "300")
	debug.SetGCPercent(300)
	batchGC()()
	if got := debug.SetGCPercent(300); got != 300 {
		t.Errorf("GOGC=300: GC percent %d, want 300 as set", got)
	}
	if got := limit(); got != math.MaxInt64 {
		t.Errorf("GOGC=300: memory limit %d, want none", got)
	}
}
