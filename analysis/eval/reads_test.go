package eval

import (
	"path/filepath"
	"slices"
	"testing"
)

// Blocked records which documents each evaluation read; a workspace built
// after an edit takes over the evaluations the caller does not reject,
// and evaluates the others again.
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

	var reads [][]string
	next, _ := loadDir(dir)
	next.Reuse(w, func(req Request, read func(string) bool) bool {
		var names []string
		for _, name := range []string{"scp.scp.json", "jane.iam-policy.json", "bucket.bucket-policy.json", "key.key-policy.json", "other.scp.json"} {
			if read(name) {
				names = append(names, name)
			}
		}
		reads = append(reads, names)
		return false
	})
	if len(reads) == 0 {
		t.Fatal("Reuse was given no evaluation")
	}
	for _, names := range reads {
		if !slices.Contains(names, "scp.scp.json") || !slices.Contains(names, "jane.iam-policy.json") || !slices.Contains(names, "bucket.bucket-policy.json") {
			t.Errorf("an evaluation read %v; want the SCP, jane's and the bucket policy among them", names)
		}
	}
	if len(next.evaluations) != len(reads) {
		t.Errorf("kept %d evaluations of %d", len(next.evaluations), len(reads))
	}
	if got := next.Blocked(jane); len(got) != len(blocked) || got[0].Causes[0] != blocked[0].Causes[0] {
		t.Errorf("the answer from kept evaluations differs: %+v", got)
	}

	dropped, _ := loadDir(dir)
	dropped.Reuse(w, func(Request, func(string) bool) bool { return true })
	if len(dropped.evaluations) != 0 {
		t.Errorf("Reuse kept %d evaluations the caller rejected", len(dropped.evaluations))
	}
}
