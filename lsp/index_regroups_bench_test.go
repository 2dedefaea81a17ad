package lsp

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
)

// blockAboveACall is a Terraform block typed, one keystroke at a time,
// on a new line above a module call: HCL recovers no block after an
// unclosed one, so the call is gone from the caller's text from the `{`
// until the `}` (and on some keystrokes before the `{`).
const blockAboveACall = "resource \"aws_s3_bucket\" \"x\" {\n  bucket = \"x\"\n}\n"

// governedCallerIndex is governedModuleIndex with a caller in the
// module's folder (calls.tf) that calls a child module below it
// (child/main.tf, under the governed folder's config, its bucket named by
// the call). It returns the governed folder and the caller's path.
func governedCallerIndex(t testing.TB, n int) (string, string, map[string][]byte, *index) {
	t.Helper()
	module, texts, ix := governedIndexWith(t, n, "module", func(folder string) map[string][]byte {
		files := exampleModule(t, "deny-blocks-access", folder)
		files[filepath.Join(folder, "calls.tf")] = []byte("module \"child\" {\n  source = \"./child\"\n  name   = \"child-data\"\n}\n")
		files[filepath.Join(folder, "child", "vars.tf")] = []byte("variable \"name\" {\n  default = \"other\"\n}\n")
		files[filepath.Join(folder, "child", "main.tf")] = []byte(childBucket("c", "${var.name}"))
		return files
	})
	child := filepath.Join(module, "child", "main.tf")
	if src := ix.setOf(child).sources.get(child); src == nil || src.Module != module {
		t.Fatalf("the child module is not read with its caller: %+v", src)
	}
	return filepath.Dir(module), filepath.Join(module, "calls.tf"), texts, ix
}

// BenchmarkIndexEditAboveACall is BenchmarkIndexEditModule for the
// keystrokes of blockAboveACall typed above the module call of
// governedCallerIndex, then taken back at once (op 0 of every round), as
// the scheduler follows them: every set read again when regroups says
// the edit moves files between sets, else the set's update; then each
// dependant analysed, as the server does to publish it again (after a
// rebuild every file: a first scan's worth of work).
// rebuilds/op is the share of keystrokes that read every set again.
// go test -run '^$' -bench IndexEditAboveACall -benchtime 49x ./lsp/ (49: one round)
func BenchmarkIndexEditAboveACall(b *testing.B) {
	n := 1000
	if s := os.Getenv("S3POLICY_BENCH_POLICIES"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	dir, caller, texts, ix := governedCallerIndex(b, n)
	call := texts[caller]
	b.Run(fmt.Sprintf("block/%d", n), func(b *testing.B) {
		cpu := cpuTime()
		ops, rebuilds := 0, 0
		for i := 0; b.Loop(); i++ {
			typed := i % (len(blockAboveACall) + 1)
			text := call
			if typed > 0 {
				text = slices.Concat([]byte(blockAboveACall[:typed]), []byte("\n"), call)
			}
			edit := map[string][]byte{caller: text}
			texts[caller] = text
			var dependants []string
			if ix.regroups(edit) {
				ix.rebuild([]string{dir}, texts)
				dependants = ix.allPaths()
				rebuilds++
			} else {
				dependants = slices.Collect(maps.Keys(ix.update(edit)))
			}
			for _, p := range dependants {
				g := ix.setOf(p)
				analysis.AnalyzeFile(p, g.bound(p), g.sources.get(p).Findings, analysis.Options{Checks: checks.All}) // published again
			}
			ops++
		}
		b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(ops), "cpu-ms/op")
		b.ReportMetric(float64(rebuilds)/float64(ops), "rebuilds/op")
	})
}
