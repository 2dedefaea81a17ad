package checks

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
)

// BenchmarkOpenDocument is the checks' part of a keystroke in a governed
// folder (bench/governed) of S3POLICY_BENCH_POLICIES policies (default
// 1,000): the open document analysed again in the workspace the server
// builds after an edit that changed no evaluation (a character typed
// into a Sid), which takes over every principal's answer and what the
// checks derived from it (eval.Workspace.KeepAnswer, KeepPrincipalMemos)
// and derives the rest again. The first identity policy, the first
// bucket policy, then each other kind's first.
// go test -run '^$' -bench OpenDocument ./analysis/checks/
func BenchmarkOpenDocument(b *testing.B) {
	n := 1000
	if s := os.Getenv("S3POLICY_BENCH_POLICIES"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	w := generatedWorkspace(b, n)
	for _, f := range w.PolicyFiles() {
		Analyze(f) // the first scan
	}
	firsts := map[analysis.Kind]*analysis.File{}
	var order []*analysis.File
	for _, f := range w.PolicyFiles() {
		if firsts[f.Kind] == nil {
			firsts[f.Kind] = f
			order = append(order, f)
		}
	}
	for _, open := range order {
		b.Run(fmt.Sprintf("%s/%d", open.Kind.Describe().EN, n), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				next := afterEdit(w)
				f := next.File(open.Path)
				b.StartTimer()
				Analyze(f)
			}
		})
	}
}

// Analyze runs every check on f.
func Analyze(f *analysis.File) []analysis.Finding { return analysis.Analyze(f, All) }

// afterEdit is the workspace the server binds after an edit that changed
// no evaluation: each document a copy of w's, every answer and what the
// checks keep of each principal taken over.
func afterEdit(w *eval.Workspace) *eval.Workspace {
	next := eval.NewWorkspace(w.Dir)
	files := w.PolicyFiles()
	if cfg := files[0].Config; cfg != nil {
		next.AddConfig(filepath.Join(w.Dir, analysis.ConfigName), cfg)
	}
	for _, f := range files {
		c := *f
		next.AddCopy(&c, f, w)
	}
	for _, p := range principalsOf(w) {
		next.KeepAnswer(w, p)
		next.KeepPrincipalMemos(w, p)
	}
	return next
}
