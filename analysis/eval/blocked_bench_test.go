package eval_test

import (
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
	"github.com/s3policy-lsp/s3policy-lsp/bench/governed"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// BenchmarkBlockedGoverned answers every principal of the generated
// governed folder of 2,000 policies (bench/governed: 200 SCPs, 600 bucket
// policies, 800 identity policies of 8 principals), as a first scan does:
// the engine's part of issue 16's check and first scan.
func BenchmarkBlockedGoverned(b *testing.B) { benchmarkBlocked(b, false) }

// BenchmarkBlockedGovernedBatch is BenchmarkBlockedGoverned in a batch
// workspace (ForBatch), as check answers: no evaluation is kept.
func BenchmarkBlockedGovernedBatch(b *testing.B) { benchmarkBlocked(b, true) }

func benchmarkBlocked(b *testing.B, batch bool) {
	w := governedWorkspace(b, 2000)
	if batch {
		w.ForBatch()
	}
	principals := principalsOf(w)
	blocked := 0
	start := cpuTime()
	for b.Loop() {
		w.Forget()
		blocked = 0
		for _, p := range principals {
			blocked += len(w.Blocked(p))
		}
	}
	if blocked == 0 {
		b.Fatal("nothing blocked: the folder should block requests")
	}
	// The machine is shared: the CPU time of the process (GC included) is
	// the fairer figure beside ns/op.
	b.ReportMetric(float64((cpuTime()-start).Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(blocked), "blocked")
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &u) != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// governedWorkspace is the workspace of the generated governed folder of
// n policies (bench/governed).
func governedWorkspace(tb testing.TB, n int) *eval.Workspace {
	dir := tb.TempDir()
	if _, err := governed.Write(dir, n); err != nil {
		tb.Fatal(err)
	}
	texts, err := tree.ReadAll(dir, tree.Disk{})
	if err != nil {
		tb.Fatal(err)
	}
	return tree.Sets(dir, texts)[0].Workspace
}

// principalsOf are the principals of the workspace's identity policies,
// each once, in the workspace's order.
func principalsOf(w *eval.Workspace) []string {
	var out []string
	for _, f := range w.Files {
		if f.Facts != nil && f.Facts.Principal != "" && !slices.Contains(out, f.Facts.Principal) {
			out = append(out, f.Facts.Principal)
		}
	}
	return out
}
