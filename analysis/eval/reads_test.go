package eval

import (
	"path/filepath"
	"testing"
)

// Blocked keeps each request's evaluation; a workspace built after an
// edit takes over the evaluations the caller does not reject, and
// evaluates the others again.
func TestBlockedEvaluationsAreReused(t *testing.T) {
	dir := filepath.Join("..", "..", "examples", "cross-account", "scp-deny")
	const jane = "arn:aws:iam::111122223333:user/jane"
	w, err := loadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := w.Answered(jane); ok {
		t.Fatal("Answered before Blocked")
	}
	blocked := w.Blocked(jane)
	if got, ok := w.Answered(jane); !ok || len(got) != len(blocked) || len(blocked) == 0 {
		t.Fatalf("Answered = %d, %v; Blocked gave %d", len(got), ok, len(blocked))
	}

	var requests []Request
	next, _ := loadDir(dir)
	next.Reuse(w, func(req Request, _ *ReadSet) bool {
		requests = append(requests, req)
		return false
	})
	if len(requests) == 0 || len(next.evaluations) != len(requests) {
		t.Fatalf("Reuse was given %d evaluations and kept %d", len(requests), len(next.evaluations))
	}
	for _, req := range requests {
		if req.Principal != jane {
			t.Errorf("an evaluation of %s, not jane's", req.Principal)
		}
	}
	if got := next.Blocked(jane); len(got) != len(blocked) || got[0].Causes[0] != blocked[0].Causes[0] {
		t.Errorf("the answer from kept evaluations differs: %+v", got)
	}

	dropped, _ := loadDir(dir)
	dropped.Reuse(w, func(Request, *ReadSet) bool { return true })
	if len(dropped.evaluations) != 0 {
		t.Errorf("Reuse kept %d evaluations the caller rejected", len(dropped.evaluations))
	}
}
