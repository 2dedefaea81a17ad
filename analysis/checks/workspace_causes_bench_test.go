package checks

import (
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// BenchmarkWorkspaceCauses is the workspace causes' part of a first scan
// of a governed folder (issue 16): every principal answered first, as
// the server's scan does on every core (not timed), then every file's
// cause checks (reportWorkspaceCauses alone, no single-file check) in
// the workspace's order, each file's parts of the memos forgotten once
// it is reported, as the scan does for a published closed file. Each
// round runs on a workspace that takes the answers over and none of the
// checks' memos. The folder is S3POLICY_BENCH_TREE (a folder from
// bench/gentree -governed, /tmp/gov-10000), else one generated of
// S3POLICY_BENCH_POLICIES policies (default 1,000).
// go test -run '^$' -bench WorkspaceCauses -benchtime 3x -cpuprofile cpu.out ./analysis/checks/
func BenchmarkWorkspaceCauses(b *testing.B) {
	w := benchGovernedWorkspace(b)
	principals := principalsOf(w)
	for _, p := range principals {
		w.Blocked(p)
	}
	w.Seal()
	causeChecks := workspaceCauseChecks()
	// The CPU of the process, the collector's included: at the machine's
	// load wall time says little (bench/governed's machine has 2 cores).
	cpu := cpuTime()
	for b.Loop() {
		b.StopTimer()
		next := eval.Swapped(w, map[*analysis.File]*analysis.File{})
		for _, p := range principals {
			next.KeepAnswer(w, p)
		}
		next.Seal()
		files := boundTo(next, w.PolicyFiles())
		b.StartTimer()
		for _, f := range files {
			analysis.Analyze(f, causeChecks)
			ForgetDocuments(next, []*analysis.File{f})
		}
	}
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
}

// cpuTime is the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// benchGovernedWorkspace is the workspace of S3POLICY_BENCH_TREE, else of
// a generated governed folder.
func benchGovernedWorkspace(b *testing.B) *eval.Workspace {
	dir := os.Getenv("S3POLICY_BENCH_TREE")
	if dir == "" {
		n := 1000
		if s := os.Getenv("S3POLICY_BENCH_POLICIES"); s != "" {
			n, _ = strconv.Atoi(s)
		}
		return generatedWorkspace(b, n)
	}
	texts, err := tree.ReadAll(dir, tree.Disk{})
	if err != nil {
		b.Fatal(err)
	}
	return tree.Sets(dir, texts)[0].Workspace
}

// workspaceCauseChecks are the checks whose RunWorkspace reports the
// workspace's causes, each with that alone.
func workspaceCauseChecks() []*analysis.Check {
	var out []*analysis.Check
	for _, c := range All {
		if c.RunWorkspace == nil {
			continue
		}
		only := *c
		only.Run, only.RunWorkspace = func(*analysis.Pass) {}, reportWorkspaceCauses
		out = append(out, &only)
	}
	return out
}
