package lsp

import (
	"path/filepath"
	"testing"
)

// TestAppendJoinedIsFilepathJoin: the path a set's related files are
// looked up by without joining is filepath.Join's, or left to it.
func TestAppendJoinedIsFilepathJoin(t *testing.T) {
	dirs := []string{"/", "/a", "/a/b", "/tmp/gov-10000/team-000", "/a/./b", "/a//b", "/a/b/", "a/b", ""}
	names := []string{
		"x.json", "policy-00015.bucket-policy.json", "../x.json", "../../x.json", "../../../x.json", "../../../../x.json",
		"../team-003/policy-00015.bucket-policy.json", "sub/x.json", "./x.json", "../.", "..", ".", "", "/abs/x.json",
		"a//b", "a/./b", "a/../b", "a/", "../a/../b", "...", "..x/y", "x/..", "../", "../../",
	}
	hits := 0
	for _, dir := range dirs {
		for _, name := range names {
			got, ok := appendJoined([]byte("kept:"), dir, name)
			if !ok {
				if string(got) != "kept:" {
					t.Errorf("appendJoined(%q, %q) not ok wrote %q", dir, name, got)
				}
				continue
			}
			hits++
			if want := "kept:" + filepath.Join(dir, name); string(got) != want {
				t.Errorf("appendJoined(%q, %q) = %q, want %q", dir, name, got, want)
			}
		}
	}
	if filepath.Separator == '/' && hits < 20 {
		t.Errorf("only %d joins without filepath.Join: the set's lookups would allocate", hits)
	}
}
