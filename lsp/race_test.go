//go:build race

package lsp_test

// raceEnabled skips the timing test, which the race detector slows
// tenfold.
const raceEnabled = true
