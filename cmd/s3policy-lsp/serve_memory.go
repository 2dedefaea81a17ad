package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// serveMemoryLimit is the server's memory budget (issue 16): a soft limit
// on the Go heap and runtime that keeps the first scan of 10,000 governed
// policies under 200 MB of RSS (280 MB at GOGC=100 alone, where the live
// heap is 130-150 MB at the peak), for about 40 % more CPU in that scan.
const serveMemoryLimit = 180 << 20

// liftAbove is the share of the limit the live heap may fill before the
// budget is given up: nearer the limit, the collector would run after
// every few megabytes allocated (and, once the live heap is over it, take
// up to half the CPU for as long as the server runs). A workspace that
// large gets GOGC=100 and the memory it needs instead.
const liftAbove = 0.85

// serveMemoryBudget sets the server's memory budget unless GOMEMLIMIT
// from the environment decides ("off" for none), and gives it up, saying
// so in the log, once a collection leaves a live heap above liftAbove of
// it. See https://go.dev/doc/gc-guide#Memory_limit. It returns nil when
// GOMEMLIMIT decides.
func serveMemoryBudget(log io.Writer) *memoryBudget {
	if !budgeted() {
		return nil
	}
	return holdMemoryBudget(serveMemoryLimit, log)
}

// budgeted says whether the server sets its own memory budget: not when
// GOMEMLIMIT is set.
func budgeted() bool {
	_, set := os.LookupEnv("GOMEMLIMIT")
	return !set
}

// memoryBudget is a soft memory limit on the process's real data: a
// ballast held (holdBallast) raises the limit by its size, since the
// limit counts it though the process never touches it.
type memoryBudget struct {
	log   io.Writer
	mu    sync.Mutex // guards what follows, and the limit it sets
	limit int64      // for the real data
	// ballast is the size of the ballast held, 0 for none; a ballast
	// dropped after collection droppedAt ended may still be in the live
	// heap of the next one, which was under way.
	ballast, dropped int64
	droppedAt        uint64
	lifted           bool // outgrown, or released: no limit any more
}

// holdMemoryBudget sets a soft memory limit and lifts it once a
// collection leaves a live heap above liftAbove of it, or on release
// (check's run is over).
func holdMemoryBudget(limit int64, log io.Writer) *memoryBudget {
	b := &memoryBudget{log: log, limit: limit}
	debug.SetMemoryLimit(limit)
	watchLiveHeap(b.collected)
	return b
}

// collected lifts the budget when a collection's live heap, less the
// ballast in it, outgrows it, and says whether to go on watching.
func (b *memoryBudget) collected(live, cycle uint64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.lifted {
		return false
	}
	ballast := b.ballast
	if cycle <= b.droppedAt+1 {
		ballast = max(ballast, b.dropped)
	}
	live -= min(live, uint64(ballast))
	if !outgrows(live, b.limit) {
		return true
	}
	b.lifted = true
	debug.SetMemoryLimit(math.MaxInt64)
	fmt.Fprintf(b.log, "s3policy-lsp: the live heap is %d MiB, near the memory budget of %d MiB: the budget is lifted (set GOMEMLIMIT to choose one)\n", live>>20, b.limit>>20)
	return false
}

// setBallast adds a ballast of size bytes to the limit (none: 0), unless the
// budget is lifted.
func (b *memoryBudget) setBallast(size int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if size == 0 && b.ballast != 0 {
		b.dropped, b.droppedAt = b.ballast, gcCycles()
	}
	b.ballast = size
	if !b.lifted {
		debug.SetMemoryLimit(b.limit + size)
	}
}

// release lifts the limit for good.
func (b *memoryBudget) release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lifted = true
	debug.SetMemoryLimit(math.MaxInt64)
}

// holdBallast makes the collector run seldom while the live heap is
// small (check's run, the server's first scan): it holds a ballast of
// ballastSize that the collector counts as live, so that at GOGC=100 it
// runs once the heap has grown by the live heap plus the ballast, where
// it ran every few MB (the server read 10,000 ungoverned files with 170
// to 500 collections). The ballast holds no pointers and is never
// written: address space, not memory the process touches. The budget,
// when there is one, is raised by the ballast while it is held, so the
// real data keep theirs. GOGC, when set, decides alone: no ballast, and
// the limit as it was.
//
// drop, called once the live heap has grown (check's output written, the
// first scan over), lets the ballast go and puts the limit back, and says
// whether there was a ballast to drop: not under GOGC, nor on a second
// call.
func holdBallast(budget *memoryBudget) (drop func() (dropped bool)) {
	if os.Getenv("GOGC") != "" {
		return func() bool { return false }
	}
	debug.SetGCPercent(100)
	ballast := make([]byte, ballastSize)
	if budget != nil {
		budget.setBallast(ballastSize)
	}
	var once sync.Once
	return func() (dropped bool) {
		once.Do(func() {
			runtime.KeepAlive(ballast)
			ballast = nil // whoever keeps drop must not keep the ballast
			if budget != nil {
				budget.setBallast(0)
			}
			dropped = true
		})
		return dropped
	}
}

// scanBallast is the server's lsp.Options.ScanStarted: a ballast for its
// first scan (holdScanBallast) under its own budget; none when GOMEMLIMIT
// decides (budget nil), as the ballast would take 32 MB of that limit.
func scanBallast(budget *memoryBudget) (scanStarted func() (scanOver func())) {
	if budget == nil {
		return nil
	}
	return func() func() { return holdScanBallast(budget) }
}

// holdScanBallast holds a ballast for the server's first scan (its live
// heap is small while it reads, as check's); scanOver drops it, and
// collects when the live heap is smaller than the ballast. The
// collector's goal counts the ballast until the next collection: the heap
// grows by it once more, into the ballast's own pages (never touched while
// held), which kept 20 MB more RSS after the scan of 10 policies, where a
// collection costs next to nothing. With a larger live heap the ballast
// is a smaller share of the goal, and a collection there, as the user
// starts typing, made the first keystrokes at 5,000 governed policies
// 44-74 ms instead of 28-41. The free pages go back to the system in the
// background: returning them at once (debug.FreeOSMemory, a scavenge of
// all free memory) stalled the first keystrokes after the scan by
// 150-200 ms there.
func holdScanBallast(budget *memoryBudget) (scanOver func()) {
	drop := holdBallast(budget)
	return func() {
		if drop() && smallLiveHeap() {
			runtime.GC()
		}
	}
}

// smallLiveHeap says whether the last collection found less live data
// than the ballast beside it.
func smallLiveHeap() bool {
	live, _ := liveHeap()
	return live < 2*ballastSize
}

// ballastSize is the heap the collector counts as live beside the real
// one while a ballast is held.
const ballastSize = 32 << 20

// outgrows says whether a live heap leaves too little of the limit for
// the collector to run seldom.
func outgrows(live uint64, limit int64) bool {
	return float64(live) > liftAbove*float64(limit)
}

// watchLiveHeap calls seen with the live heap after each garbage
// collection, until it returns false. A finalizer on an object nothing
// references runs after the collection that finds it unreachable; each
// run sets the next one.
func watchLiveHeap(seen func(live, cycle uint64) bool) {
	s := &gcSentinel{}
	runtime.SetFinalizer(s, func(*gcSentinel) {
		if seen(liveHeap()) {
			watchLiveHeap(seen)
		}
	})
}

// gcSentinel holds a pointer so that it is not a tiny allocation, which
// may share a block with others and never be finalized.
type gcSentinel struct{ _ *byte }

// liveHeap is the heap the last collection found reachable, and the
// number of that collection. Only runtime/metrics says it
// (/gc/heap/live:bytes, "live objects that were marked by the previous
// GC"): MemStats.HeapAlloc also counts what was allocated since and the
// garbage not yet swept, and NextGC is a goal the memory limit moves.
// The package's initialiser runs in every process (explain, check), but
// a build without it gave explain --scenario on 1,000 scenarios the same
// 489 page faults and CPU time within noise (30 runs alternated).
func liveHeap() (live, cycle uint64) {
	samples := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(samples)
	return sampled(samples[0]), sampled(samples[1])
}

// gcCycles is the number of collections ended.
func gcCycles() uint64 {
	samples := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(samples)
	return sampled(samples[0])
}

func sampled(s metrics.Sample) uint64 {
	if s.Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s.Value.Uint64()
}
