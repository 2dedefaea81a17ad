package main

import (
	"runtime/debug"
	"testing"
)

// TestBatchGC: check runs the collector at GOGC=100 over a 32 MB ballast,
// unless GOGC is set, which then decides alone.
func TestBatchGC(t *testing.T) {
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)

	t.Setenv("GOGC", "")
	debug.SetGCPercent(300)
	if b := batchGC(); len(b) != 32<<20 {
		t.Errorf("GOGC unset: ballast of %d bytes, want %d", len(b), 32<<20)
	}
	if got := debug.SetGCPercent(300); got != 100 {
		t.Errorf("GOGC unset: GC percent %d, want 100", got)
	}

	t.Setenv("GOGC", "300")
	if b := batchGC(); b != nil {
		t.Errorf("GOGC=300: a ballast of %d bytes, want none", len(b))
	}
	if got := debug.SetGCPercent(300); got != 300 {
		t.Errorf("GOGC=300: GC percent %d, want 300 as set", got)
	}
}
