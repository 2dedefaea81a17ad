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

// HoldsHosted says whether HostMapOf gives a host map for some document:
// yes in a folder of templates, no in a folder of JSON policies alone,
// whose findings' related places analysis.ToHost then leaves as they are.
func TestHoldsHostedIsWhetherSomeDocumentHasAHost(t *testing.T) {
	for dir, want := range map[string]bool{
		"../../examples/cloudformation-workspace": true,
		"../../examples/terraform":                true,
		"../../examples/cross-account":            false,
		"../../examples/deny-blocks-access":       false,
	} {
		texts, err := tree.ReadAll(dir, tree.Disk{})
		if err != nil {
			t.Fatal(err)
		}
		sets := tree.Sets(dir, texts)
		if len(sets) == 0 {
			t.Fatalf("%s: no set", dir)
		}
		for _, set := range sets {
			w, some := set.Workspace, false
			for _, f := range w.Files {
				some = some || w.HostMapOf(filepath.ToSlash(f.Path), f.DocName) != nil
			}
			if got := w.HoldsHosted(); got != want || got != some {
				t.Errorf("%s: HoldsHosted() = %v, want %v (a document with a host map: %v)", dir, got, want, some)
			}
		}
	}
}
