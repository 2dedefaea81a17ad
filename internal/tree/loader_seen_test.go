package tree

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// Seen hears of a file before it counts as read: a set cannot complete
// while Seen of one of its files has not returned, so whoever keeps
// something of every file (the server's diagnostics cache keys a set by
// its files' hashes) has them all when the set completes. Here the read
// of a.iam-policy.json is held inside Seen while b.iam-policy.json is
// read: b's read must not complete the set.
func TestASetCompletesOnlyAfterEveryFileWasSeen(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{".s3policy.json": `{}`, "a.iam-policy.json": `{}`, "b.iam-policy.json": `{}`} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	l := NewLoader(dir, Disk{})
	byName := map[string]Listed{}
	var root string
	if err := Walk(dir, Walker{
		File: func(f Listed) { l.Expect(f); byName[filepath.Base(f.Path)] = f },
		Done: func(r string) { root = r },
	}); err != nil {
		t.Fatal(err)
	}
	if c := l.Done(root); c != nil {
		t.Fatal("the set completed before its files were read")
	}
	if _, c := l.Read(byName[".s3policy.json"]); c != nil {
		t.Fatal("the set completed with two files unread")
	}
	var seen []string
	inSeen, release := make(chan struct{}), make(chan struct{})
	l.Seen = func(f Listed, _ []byte) {
		seen = append(seen, filepath.Base(f.Path)) // a's, then b's once a's waits
		if filepath.Base(f.Path) == "a.iam-policy.json" {
			close(inSeen)
			<-release
		}
	}
	completedByA := make(chan *Complete)
	go func() { _, c := l.Read(byName["a.iam-policy.json"]); completedByA <- c }()
	<-inSeen
	if _, c := l.Read(byName["b.iam-policy.json"]); c != nil {
		t.Fatal("b's read completed the set while a's was still being seen")
	}
	close(release)
	c := <-completedByA
	if c == nil || len(c.Sets) != 1 {
		t.Fatalf("a's read gave %+v, want the set", c)
	}
	if want := []string{"a.iam-policy.json", "b.iam-policy.json"}; !slices.Equal(seen, want) {
		t.Errorf("seen %v, want %v", seen, want)
	}
}
