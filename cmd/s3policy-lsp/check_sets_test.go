package main

import (
	"sync"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// A panic while check answers one principal up front drops that answer
// alone: every other principal is answered, and check goes on (its
// analysis asks again, and reports the panic as an internal-error finding).
func TestAPanicAnsweringAPrincipalDropsItsAnswerAlone(t *testing.T) {
	sets := loadedSets(t, "../../examples/cross-account")
	asks := principalAsks(sets)
	if len(asks) < 3 {
		t.Fatalf("%d principals in examples/cross-account's sets, want several", len(asks))
	}
	var mu sync.Mutex
	answered := map[principalAsk]int{}
	principalsOnEveryCore(sets, func(w *eval.Workspace, principal string) {
		if (principalAsk{w, principal}) == asks[0] {
			panic("an engine fault")
		}
		mu.Lock()
		defer mu.Unlock()
		answered[principalAsk{w, principal}]++
	})
	for _, a := range asks[1:] {
		if answered[a] != 1 {
			t.Errorf("%s answered %d times, want once", a.principal, answered[a])
		}
	}
	if len(answered) != len(asks)-1 {
		t.Errorf("%d principals answered, want %d", len(answered), len(asks)-1)
	}
}

// loadedSets reads the sets of dir as check does, without answering them.
func loadedSets(t *testing.T, dir string) []*tree.Set {
	t.Helper()
	l := newSetLoading(dir)
	err := tree.Walk(dir, tree.Walker{
		File: func(f tree.Listed) {
			if f.Root != "" {
				l.expect(f)
				l.read(f)
			}
		},
		Done:      l.listed,
		PathOrder: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	l.reading.Wait()
	return l.sets
}
