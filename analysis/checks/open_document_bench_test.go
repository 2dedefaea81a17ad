package checks

import (
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
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
		benchmarkOpen(b, fmt.Sprintf("%s/%d", open.Kind.Describe().EN, n), w, open, nil)
	}
	// A keystroke that made a principal's answer again (a bucket policy
	// that grants it, one of its identity policies): the server keeps
	// nothing the checks derived from it (KeepPrincipalMemos is for an
	// answer kept as it was), so they derive it again. The answer itself
	// is kept here: the engine's part is not timed.
	for _, open := range order {
		if open.Kind != analysis.KindIdentity && open.Kind != analysis.KindBucket {
			continue
		}
		benchmarkOpen(b, fmt.Sprintf("%s, index made again/%d", open.Kind.Describe().EN, n), w, open, principalsConcerned(w, open))
	}
}

// benchmarkOpen times the checks of the open document in the workspace
// after an edit (afterEdit, which makes the answers of remade again).
func benchmarkOpen(b *testing.B, name string, w *eval.Workspace, open *analysis.File, remade map[string]bool) {
	b.Run(name, func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			_, f := afterEdit(w, open, remade)
			b.StartTimer()
			Analyze(f)
		}
	})
}

// principalsConcerned are the principals whose answer an edit of f makes
// again: an identity policy's, or those a bucket policy grants requests.
func principalsConcerned(w *eval.Workspace, f *analysis.File) map[string]bool {
	out := map[string]bool{}
	for _, p := range principalsOf(w) {
		for _, r := range w.Blocked(p) {
			if r.Grant.Path == f.Path || f.Facts != nil && f.Facts.Principal == p {
				out[p] = true
				break
			}
		}
	}
	return out
}

// Analyze runs every check on f.
func Analyze(f *analysis.File) []analysis.Finding { return analysis.Analyze(f, All) }

// afterEdit is the workspace the server binds after an edit of open
// that changed no evaluation, with open's new version bound to it: w with
// open swapped for a new version of the same text (eval.Swapped), every
// answer and what the checks keep of each principal taken over, but of the
// principals remade, and the checks' other memos carried over
// (CarryMemos).
func afterEdit(w *eval.Workspace, open *analysis.File, remade map[string]bool) (*eval.Workspace, *analysis.File) {
	w.Seal()
	now := tree.Read(open.Path, open.Src, open.Config).Docs[0] // the folder's files are one policy each
	swaps := map[*analysis.File]*analysis.File{open: now}
	next := eval.Swapped(w, swaps)
	for _, p := range principalsOf(w) {
		next.KeepAnswer(w, p)
		if !remade[p] {
			next.KeepPrincipalMemos(w, p)
		}
	}
	next.CarryMemos(w, swaps, CarryMemos(next, swaps))
	next.Seal()
	return next, boundTo(next, []*analysis.File{now})[0]
}
