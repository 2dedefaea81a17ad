package main

import (
	"io"
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

// TestBallastRaisesTheBudgetWhileHeld: a ballast raises the memory limit
// by its size while it is held, so that the real data keep the 180 MiB
// budget; dropping it puts the limit back (a second drop does nothing,
// and says so: the server collects after the first). A budget lifted meanwhile stays lifted. Without a budget
// (GOMEMLIMIT set) the limit is left alone, the server holds no ballast in
// its first scan (check does: its run is short), and GOGC, when set, decides
// alone: no ballast, the limit as it was.
func TestBallastRaisesTheBudgetWhileHeld(t *testing.T) {
	oldPercent, oldLimit := debug.SetGCPercent(100), debug.SetMemoryLimit(math.MaxInt64)
	defer func() { debug.SetGCPercent(oldPercent); debug.SetMemoryLimit(oldLimit) }()
	limit := func() int64 { return debug.SetMemoryLimit(-1) } // a negative limit reads it
	t.Setenv("GOGC", "")
	os.Unsetenv("GOGC") // t.Setenv restores it after the test

	budget := holdMemoryBudget(serveMemoryLimit, io.Discard)
	defer budget.release()
	drop := holdBallast(budget)
	if got := limit(); got != 212<<20 {
		t.Errorf("ballast held: memory limit %d MiB, want 212", got>>20)
	}
	if !drop() {
		t.Error("the ballast held was not dropped")
	}
	if got := limit(); got != 180<<20 {
		t.Errorf("ballast dropped: memory limit %d MiB, want 180", got>>20)
	}
	if drop() {
		t.Error("the ballast was dropped twice")
	}
	if got := limit(); got != 180<<20 {
		t.Errorf("ballast dropped twice: memory limit %d MiB, want 180", got>>20)
	}

	lifted := holdMemoryBudget(serveMemoryLimit, io.Discard)
	drop = holdBallast(lifted)
	lifted.collected(400<<20, gcCycles()+2)
	drop()
	if got := limit(); got != math.MaxInt64 {
		t.Errorf("budget lifted while the ballast was held: memory limit %d MiB after the drop, want none", got>>20)
	}

	scanStarted := scanBallast(holdMemoryBudget(serveMemoryLimit, io.Discard))
	scanOver := scanStarted()
	if got := limit(); got != 212<<20 {
		t.Errorf("the server's first scan: memory limit %d MiB, want 212", got>>20)
	}
	scanOver()
	if got := limit(); got != 180<<20 {
		t.Errorf("the server's first scan over: memory limit %d MiB, want 180", got>>20)
	}

	debug.SetMemoryLimit(1 << 30) // as GOMEMLIMIT=1GiB would
	holdBallast(nil)()
	if got := limit(); got != 1<<30 {
		t.Errorf("no budget: memory limit %d MiB, want it left at 1024", got>>20)
	}
	if scanBallast(nil) != nil {
		t.Error("GOMEMLIMIT set: the server would hold a ballast in its first scan, inside the user's limit")
	}

	t.Setenv("GOGC", "300")
	debug.SetGCPercent(300)
	debug.SetMemoryLimit(180 << 20)
	gogc := holdBallast(&memoryBudget{log: io.Discard, limit: 180 << 20})
	if got := limit(); got != 180<<20 {
		t.Errorf("GOGC=300: memory limit %d MiB, want 180 as it was", got>>20)
	}
	if gogc() {
		t.Error("GOGC=300: a ballast was dropped")
	}
	if got := debug.SetGCPercent(300); got != 300 {
		t.Errorf("GOGC=300: GC percent %d, want 300 as set", got)
	}
}

// TestBallastIsNotCountedAsData: while a ballast is held, a collection's
// live heap counts it, and the budget for the real data is what is left;
// a collection under way when the ballast was dropped may still count
// it. After that the live heap is the real data's.
func TestBallastIsNotCountedAsData(t *testing.T) {
	old := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(old)
	log := &signalWriter{said: make(chan string, 1)}
	b := &memoryBudget{log: log, limit: serveMemoryLimit}
	b.setBallast(ballastSize)
	if !b.collected(180<<20, 5) { // 148 MiB of data
		t.Fatal("ballast held: a live heap of 180 MiB lifted the budget, with 148 MiB of data")
	}
	b.setBallast(0)
	if !b.collected(180<<20, b.droppedAt+1) {
		t.Fatal("a collection under way at the drop: a live heap of 180 MiB lifted the budget, with 148 MiB of data")
	}
	if b.collected(160<<20, b.droppedAt+2) {
		t.Fatal("ballast dropped: a live heap of 160 MiB kept the budget of 180 MiB")
	}
	if got, want := <-log.said, "the live heap is 160 MiB, near the memory budget of 180 MiB"; !strings.Contains(got, want) {
		t.Errorf("log %q, want it to say %q", got, want)
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("limit %d after the budget was outgrown, want none", got)
	}
}
