package tree

import (
	"cmp"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/s3policy-lsp/s3policy-lsp/bench/governed"
)

// BenchmarkGroupParsedSets is what the first scan does on one core once
// the readers have parsed every file of a governed folder of
// S3POLICY_BENCH_POLICIES policies (default 1,000): group the files in
// their sets and build each set's workspace (Loader.complete). It
// reports the process's CPU time too: at the machine's load wall time
// says little.
func BenchmarkGroupParsedSets(b *testing.B) {
	n, _ := strconv.Atoi(cmp.Or(os.Getenv("S3POLICY_BENCH_POLICIES"), "1000"))
	dir := b.TempDir()
	if _, err := governed.Write(dir, n); err != nil {
		b.Fatal(err)
	}
	texts, err := ReadAll(dir, Disk{})
	if err != nil {
		b.Fatal(err)
	}
	parsed := map[string]*Source{}
	for _, s := range Sets(dir, texts) {
		for _, src := range s.Sources() {
			parsed[src.Path] = src
		}
	}
	configs, paths := parseConfigs(texts, nil)
	b.ReportAllocs()
	cpu := processCPU()
	for b.Loop() {
		groupSets(dir, texts, paths, configs, parsed, nil, newSet)
	}
	b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
}

// processCPU is the user and system CPU time of the process so far (0
// if the system does not say).
func processCPU() time.Duration {
	var u syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &u)
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
