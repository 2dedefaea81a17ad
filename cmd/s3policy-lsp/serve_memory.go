package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
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
// it. See https://go.dev/doc/gc-guide#Memory_limit.
func serveMemoryBudget(log io.Writer) {
	if budgeted() {
		holdMemoryBudget(serveMemoryLimit, log)
	}
}

// budgeted says whether the server sets its own memory budget: not when
// GOMEMLIMIT is set.
func budgeted() bool {
	_, set := os.LookupEnv("GOMEMLIMIT")
	return !set
}

// holdMemoryBudget sets a soft memory limit and lifts it once a
// collection leaves a live heap above liftAbove of it, or on release
// (check's run is over).
func holdMemoryBudget(limit int64, log io.Writer) (release func()) {
	debug.SetMemoryLimit(limit)
	var released atomic.Bool
	watchLiveHeap(func(live uint64) bool {
		if released.Load() {
			return false
		}
		if !outgrows(live, limit) {
			return true
		}
		debug.SetMemoryLimit(math.MaxInt64)
		fmt.Fprintf(log, "s3policy-lsp: the live heap is %d MiB, near the memory budget of %d MiB: the budget is lifted (set GOMEMLIMIT to choose one)\n", live>>20, limit>>20)
		return false
	})
	return func() {
		released.Store(true)
		debug.SetMemoryLimit(math.MaxInt64)
	}
}

// outgrows says whether a live heap leaves too little of the limit for
// the collector to run seldom.
func outgrows(live uint64, limit int64) bool {
	return float64(live) > liftAbove*float64(limit)
}

// watchLiveHeap calls seen with the live heap after each garbage
// collection, until it returns false. A finalizer on an object nothing
// references runs after the collection that finds it unreachable; each
// run sets the next one.
func watchLiveHeap(seen func(live uint64) bool) {
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

// liveHeap is the heap the last collection found reachable.
func liveHeap() uint64 {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return sample[0].Value.Uint64()
}
