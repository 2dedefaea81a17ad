package lsp

import (
	"path/filepath"
	"testing"
)

// setOf finds a file's set by its nearest folder that is a set's root:
// the innermost of nested roots, the file's own folder when it is one,
// never a folder whose name merely begins like a root's, and none
// outside every root.
func TestSetOfIsTheNearestRootAbove(t *testing.T) {
	w := filepath.Join(t.TempDir(), "w")
	ix := newIndex()
	for _, root := range []string{w, filepath.Join(w, "a"), filepath.Join(w, "a", "b")} {
		ix.put(&govSet{root: root})
	}
	for _, c := range []struct{ path, want string }{
		{filepath.Join(w, "a", "b", "c", "d.tf"), filepath.Join(w, "a", "b")},
		{filepath.Join(w, "a", "x.json"), filepath.Join(w, "a")},
		{filepath.Join(w, "a"), filepath.Join(w, "a")},
		{filepath.Join(w, "ab", "x.json"), w},
		{filepath.Join(w, "x.json"), w},
		{filepath.Join(filepath.Dir(w), "wx", "x.json"), ""},
	} {
		got := ""
		if g := ix.setOf(c.path); g != nil {
			got = g.root
		}
		if got != c.want {
			t.Errorf("setOf(%s) = %q, want %q", c.path, got, c.want)
		}
	}
}
