package eval

import (
	"path/filepath"
	"testing"
)

// Blocked records which documents its evaluations read, and a workspace
// built after an edit takes over the answers of the principals the
// caller keeps.
func TestBlockedReadsAndReuse(t *testing.T) {
	dir := filepath.Join("..", "..", "examples", "cross-account", "scp-deny")
	const jane = "arn:aws:iam::111122223333:user/jane"
	w, err := loadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := w.Reads(jane, "scp.scp.json"); ok {
		t.Fatal("Reads answered before Blocked")
	}
	blocked := w.Blocked(jane)
	if len(blocked) == 0 {
		t.Fatal("scp-deny: nothing blocked")
	}
	for name, want := range map[string]bool{
		"scp.scp.json": true, "jane.iam-policy.json": true, "bucket.bucket-policy.json": true,
		"key.key-policy.json": true, "other.scp.json": false,
	} {
		if got, ok := w.Reads(jane, name); !ok || got != want {
			t.Errorf("Reads(jane, %s) = %v, %v; want %v, true", name, got, ok, want)
		}
	}

	next, _ := loadDir(dir)
	next.Reuse(w, func(p string) bool { return p == jane })
	if got := next.Blocked(jane); len(got) != len(blocked) || &got[0] != &blocked[0] {
		t.Errorf("Reuse did not take over jane's answer")
	}
	dropped, _ := loadDir(dir)
	dropped.Reuse(w, func(string) bool { return false })
	if _, ok := dropped.Reads(jane, "scp.scp.json"); ok {
		t.Errorf("Reuse kept an answer the caller dropped")
	}
}
