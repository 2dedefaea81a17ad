//go:build race

package eval

// raceEnabled says the race detector runs, under which sync.Pool drops
// some of what it is given back: a test of allocations does not hold.
const raceEnabled = true
