package main

import (
	"math"
	"os"
	"runtime/debug"
	"testing"
)

// TestServeMemoryBudget: the server sets a soft memory limit of 180 MiB
// unless GOMEMLIMIT is set, which then decides alone.
func TestServeMemoryBudget(t *testing.T) {
	old := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(old)

	debug.SetMemoryLimit(math.MaxInt64)
	t.Setenv("GOMEMLIMIT", "off")
	serveMemoryBudget()
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("GOMEMLIMIT=off: limit %d, want none", got)
	}
	// t.Setenv restores the value after the test; unset it here.
	os.Unsetenv("GOMEMLIMIT")
	serveMemoryBudget()
	if got := debug.SetMemoryLimit(-1); got != 180<<20 {
		t.Errorf("GOMEMLIMIT unset: limit %d, want %d", got, 180<<20)
	}
}
