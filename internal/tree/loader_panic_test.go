package tree

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/hosts"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source"
)

// A reader's panic on a file of a set, parsed as it is read or once the
// set is read (Later, on as many goroutines as 300 files make), is told
// to Panicked with the file's path, and the set completes with that file
// kept, its text and no document, and every other file read. Without
// Panicked, the panic goes on up the goroutine that called Read or Done,
// whichever parses: never out of a goroutine of the Loader's own.
func TestAReaderPanicKeepsTheFileInItsSet(t *testing.T) {
	runtime.GOMAXPROCS(max(runtime.GOMAXPROCS(0), 2))
	dir, files := writeIdentityPolicies(t, 300)
	all := hosts.All
	hosts.All = append([]*source.Reader{{Name: "buggy", Extensions: []string{".json"},
		Claims: func(path string, _ []byte) bool { return strings.HasSuffix(path, "p007.iam-policy.json") },
		Read:   func(string, []byte) source.Result { panic("a reader's bug") }}}, all...)
	t.Cleanup(func() { hosts.All = all })
	buggy := filepath.Join(dir, "p007.iam-policy.json")
	for _, later := range []bool{false, true} {
		t.Run(fmt.Sprintf("Later %v", later), func(t *testing.T) {
			l := NewLoader(dir, Disk{})
			l.Later = later
			var told []string
			l.Panicked = func(path string, r any, _ []byte) { told = append(told, fmt.Sprintf("%s: %v", filepath.Base(path), r)) }
			c := loadAll(t, l, dir)
			if len(told) != 1 || told[0] != "p007.iam-policy.json: a reader's bug" {
				t.Errorf("Panicked told %q", told)
			}
			if c == nil || len(c.Sets) != 1 {
				t.Fatalf("completed %+v, want one set", c)
			}
			set := c.Sets[0]
			if got := len(set.Sources()); got != 300 {
				t.Errorf("%d files in the set, want 300", got)
			}
			if src := set.Source(buggy); src == nil || len(src.Docs) != 0 || string(src.Text) != files["p007.iam-policy.json"] {
				t.Errorf("the file whose reader panics: %+v, want its text and no document", src)
			}
			if src := set.Source(filepath.Join(dir, "p008.iam-policy.json")); src == nil || len(src.Docs) != 1 {
				t.Errorf("another file: %+v, want its document", src)
			}
		})
		t.Run(fmt.Sprintf("Later %v, no Panicked", later), func(t *testing.T) {
			l := NewLoader(dir, Disk{})
			l.Later = later
			defer func() {
				if r := recover(); r != "a reader's bug" {
					t.Errorf("recovered %v, want the reader's panic", r)
				}
			}()
			loadAll(t, l, dir)
			t.Error("no panic")
		})
	}
}

// writeIdentityPolicies writes n identity policies and the config that
// governs them into a new folder.
func writeIdentityPolicies(t *testing.T, n int) (dir string, files map[string]string) {
	t.Helper()
	dir = t.TempDir()
	files = map[string]string{".s3policy.json": `{"files": {"*.iam-policy.json": {"kind": "identity", "account": "111122223333"}}}`}
	for i := range n {
		files[fmt.Sprintf("p%03d.iam-policy.json", i)] = `{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}`
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, files
}

// loadAll has l read every file of dir, the config last, and returns
// the set its read completes.
func loadAll(t *testing.T, l *Loader, dir string) *Complete {
	t.Helper()
	var listed []Listed
	var root string
	if err := Walk(dir, Walker{File: func(f Listed) { l.Expect(f); listed = append(listed, f) }, Done: func(r string) { root = r }}); err != nil {
		t.Fatal(err)
	}
	l.Done(root)
	var c *Complete
	for _, f := range listed {
		if _, done := l.Read(f); done != nil {
			c = done
		}
	}
	return c
}
