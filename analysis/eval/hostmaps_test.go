package eval_test

import (
	"path/filepath"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// HostMapOf gives each document of a folder of templates and policies
// the host map its file holds, as the walk over the files did, and nil
// for a document no file holds.
func TestHostMapOfFindsTheDocumentsHost(t *testing.T) {
	for _, dir := range []string{"../../examples/cloudformation-workspace", "../../examples/terraform"} {
		texts, err := tree.ReadAll(dir, tree.Disk{})
		if err != nil {
			t.Fatal(err)
		}
		hosted := 0
		for _, set := range tree.Sets(dir, texts) {
			w := set.Workspace
			for _, f := range w.Files {
				path := filepath.ToSlash(f.Path)
				if got := w.HostMapOf(path, f.DocName); got != f.Host {
					t.Errorf("%s: HostMapOf(%q, %q) = %p, want the file's %p", dir, path, f.DocName, got, f.Host)
				}
				if f.Host != nil {
					hosted++
				}
				if got := w.HostMapOf(path, f.DocName+"-none"); got != nil {
					t.Errorf("%s: HostMapOf(%q, %q) = %p for a document no file holds", dir, path, f.DocName+"-none", got)
				}
			}
		}
		if hosted == 0 {
			t.Errorf("%s: no hosted document: the test would compare nothing but nils", dir)
		}
	}
}
