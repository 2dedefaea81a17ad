package main

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestServeMemoryBudget: the server sets its memory budget unless
// GOMEMLIMIT is set, which then decides alone. (serveMemoryBudget itself
// would leave its watcher of the live heap running after the test.)
func TestServeMemoryBudget(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "off")
	if budgeted() {
		t.Error("GOMEMLIMIT=off: the server would set a budget")
	}
	t.Setenv("GOMEMLIMIT", "1GiB")
	if budgeted() {
		t.Error("GOMEMLIMIT=1GiB: the server would set a budget")
	}
	os.Unsetenv("GOMEMLIMIT") // t.Setenv restores it after the test
	if !budgeted() {
		t.Error("GOMEMLIMIT unset: the server would set no budget")
	}
}

// TestMemoryBudgetIsLiftedWhenOutgrown: a live heap above 85 % of the
// budget lifts it after the next collection, and the log says so; the
// collector would otherwise run back to back for as long as the server
// runs.
func TestMemoryBudgetIsLiftedWhenOutgrown(t *testing.T) {
	old := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(old)

	live := make([]byte, 24<<20) // above 85 % of 16 MiB, whatever else the test binary holds
	log := &signalWriter{said: make(chan string, 1)}
	holdMemoryBudget(16<<20, log)
	runtime.GC()
	select {
	case msg := <-log.said:
		if want := "near the memory budget of 16 MiB: the budget is lifted"; !strings.Contains(msg, want) {
			t.Errorf("log %q, want it to say %q", msg, want)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the budget was not lifted within 20 s of a collection")
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("limit %d after the budget was outgrown, want none", got)
	}
	runtime.KeepAlive(live)
}

// TestOutgrows: the budget is kept up to 85 % of the limit, as the first
// scan of 10,000 governed policies needs (a live heap of 130-150 MB at
// its peak under 180 MiB), and given up above.
func TestOutgrows(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want bool
	}{
		{150 << 20, false},
		{153 << 20, false}, // 85 % of 180 MiB
		{154 << 20, true},
		{400 << 20, true},
	} {
		if got := outgrows(c.live, serveMemoryLimit); got != c.want {
			t.Errorf("outgrows(%d MiB, 180 MiB) = %v, want %v", c.live>>20, got, c.want)
		}
	}
}

// signalWriter hands each write to a channel.
type signalWriter struct {
	mu   sync.Mutex
	said chan string
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	select {
	case w.said <- string(p):
	default:
	}
	return len(p), nil
}
