package main

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// setLoading reads the files of a folder's sets (what a .s3policy.json
// governs, a Terraform module) on the workers as the walk lists them,
// each parsed as it is read (tree.Loader, as the server's first scan
// does), instead of reading and parsing every one on the walk's goroutine
// once the walk is over, while the workers wait: over 10,000 governed
// files that was a fifth of check's CPU on one core (BENCHMARKS.md). The
// sets are the ones tree.GovernedOf builds from the same listing (tree's
// TestLoaderBuildsTheSetsSetsBuilds). A file is read once: a worker
// analysing it takes its text and documents from its set.
type setLoading struct {
	loader  *tree.Loader
	reading sync.WaitGroup // files handed to the workers and not read yet
	mu      sync.Mutex
	sets    []*tree.Set // the sets completed so far
}

func newSetLoading(dir string) *setLoading {
	return &setLoading{loader: tree.NewLoader(dir, tree.Disk{})}
}

// expect records a file of a set the walk listed, before a worker reads it.
func (l *setLoading) expect(f tree.Listed) {
	l.loader.Expect(f)
	l.reading.Add(1)
}

// read reads and parses a file expect recorded; it runs on a worker.
func (l *setLoading) read(f tree.Listed) {
	defer l.reading.Done()
	_, complete := l.loader.Read(f)
	l.add(complete)
}

// listed says the walk listed every file of the set rooted at root.
func (l *setLoading) listed(root string) { l.add(l.loader.Done(root)) }

// add keeps the sets a file or the walk completed. The files under a
// module's folder that no module reads (complete.Alone) are in no set:
// a worker reads and analyses each alone, as before.
func (l *setLoading) add(complete *tree.Complete) {
	if complete == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sets = append(l.sets, complete.Sets...)
}

// wait returns every set once the walk is over and each file it listed
// is read, each set's workspace answering once (ForBatch: no evaluation
// kept for an edit) and having answered every principal. A file is in
// one set at most, so their order does not matter (tree.SetOf).
func (l *setLoading) wait() []*tree.Set {
	l.reading.Wait()
	for _, set := range l.sets {
		set.Workspace.ForBatch()
	}
	answerEveryPrincipal(l.sets)
	return l.sets
}

// answerEveryPrincipal answers every principal of the sets on every
// core, as the server's first scan does, before their files are
// analysed: the first file whose checks ask for the answers otherwise
// made every principal's on its worker while the other workers waited
// for them (checks' principalsByDocument), over 10,000 governed policies
// a fifth of check's CPU on one core. Each principal's index of where its
// causes lie is built there too (checks.PrepareCausesHere), which that
// file then made for every principal in turn while the others waited.
func answerEveryPrincipal(sets []*tree.Set) {
	principalsOnEveryCore(sets, func(w *eval.Workspace, principal string) {
		w.Blocked(principal)
		checks.PrepareCausesHere(w, principal)
	})
}

// principalsOnEveryCore calls answer for every principal of the sets, on
// every core. A panic drops that answer alone: the checks that read it
// ask again as they analyse a file, and the analysis reports the panic
// as that file's internal-error finding (analysis.runCheck), as it did
// before the answers were made first, instead of check crashing.
func principalsOnEveryCore(sets []*tree.Set, answer func(w *eval.Workspace, principal string)) {
	asks := principalAsks(sets)
	answerOrDrop := func(a principalAsk) {
		defer func() { _ = recover() }()
		answer(a.w, a.principal)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(asks)) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(asks); i = int(next.Add(1)) - 1 {
				answerOrDrop(asks[i])
			}
		})
	}
	wg.Wait()
}

// principalAsk is a principal of a set's workspace, to answer.
type principalAsk struct {
	w         *eval.Workspace
	principal string
}

// principalAsks lists the principals of each set's workspace.
func principalAsks(sets []*tree.Set) []principalAsk {
	var asks []principalAsk
	for _, set := range sets {
		for _, p := range set.Workspace.Callers() {
			asks = append(asks, principalAsk{set.Workspace, p})
		}
	}
	return asks
}
