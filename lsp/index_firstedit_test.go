package lsp

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// The first edit of a set that the first scan loaded, or that a rebuild
// read, swaps the edited file's documents into the set's workspace
// (eval.Swapped), as every later edit does: the set keeps the very config
// its documents were read under (readUnder), and the edit reads the file
// again under it. With the config parsed again for the set, the new
// documents named another config than the old ones, and the first edit
// built its workspace document by document, with everything the
// workspace carries from one edit to the next (issue 16: the first
// keystroke that changes what an identity policy allows took twice a
// warm one's time at 5,000 governed policies).
func TestTheFirstEditOfAScannedSetSwapsItsDocuments(t *testing.T) {
	dir, layout, _, rebuilt := governedIndex(t, 40)
	for _, sets := range []struct {
		how  string
		sets []*govSet
	}{{"loaded by the scan", loadedSets(t, dir)}, {"rebuilt", rebuilt.all()}} {
		if len(sets.sets) != 1 {
			t.Fatalf("%s: %d sets, want 1", sets.how, len(sets.sets))
		}
		g := sets.sets[0]
		if g.cfg == nil {
			t.Fatalf("%s: the set has no config", sets.how)
		}
		others := 0
		for _, src := range g.sources.all() {
			for _, d := range src.Docs {
				if d.Config != g.cfg {
					others++
				}
			}
		}
		if others > 0 {
			t.Errorf("%s: %d documents were read under another config than the set's", sets.how, others)
		}
		for _, rel := range []string{layout.Identity, layout.Bucket} {
			path := filepath.Join(dir, filepath.FromSlash(rel))
			text := g.sources.get(path).Text
			at := bytes.Index(text, []byte(`"Action": ["`)) + len(`"Action": ["`)
			at += bytes.IndexByte(text[at:], '"')
			reread := g.reread(map[string][]byte{path: slices.Concat(text[:at-1], text[at:])}) // the first action's last character taken back
			swaps := swapsOf(g, reread)
			if swaps == nil || eval.Swapped(g.ws, swaps) == nil {
				t.Errorf("%s: the first edit of %s does not swap its documents into the set's workspace", sets.how, rel)
			}
		}
	}
}

// loadedSets reads dir as the server's first scan does (tree.Walk into a
// tree.Loader) and keeps each set it completes as the scheduler does
// (scannedSet).
func loadedSets(t *testing.T, dir string) []*govSet {
	t.Helper()
	l := tree.NewLoader(dir, tree.Disk{})
	var listed []tree.Listed
	var roots []string
	if err := tree.Walk(dir, tree.Walker{
		File: func(f tree.Listed) { l.Expect(f); listed = append(listed, f) },
		Done: func(root string) { roots = append(roots, root) },
	}); err != nil {
		t.Fatal(err)
	}
	var sets []*govSet
	keep := func(c *tree.Complete) {
		if c != nil {
			for _, s := range c.Sets {
				sets = append(sets, scannedSet(s, l))
			}
		}
	}
	for _, root := range roots {
		keep(l.Done(root))
	}
	for _, f := range listed {
		_, c := l.Read(f)
		keep(c)
	}
	return sets
}

// A keystroke in a Terraform module of a governed folder reads the module
// again under the set's config (tree.SourcesUnder), so its documents are
// swapped into the set's workspace, as a policy file's are, and the set
// finds what a set read afresh from the same texts does. Read under a
// config parsed again, every keystroke there built the workspace
// document by document.
func TestAKeystrokeInAGovernedModuleSwapsItsDocuments(t *testing.T) {
	dir := t.TempDir()
	texts := exampleModule(t, "deny-blocks-access", dir)
	texts[filepath.Join(dir, analysis.ConfigName)] = []byte(`{"accounts": ["111122223333", "444455556666"]}`)
	ix := newIndex()
	ix.rebuild([]string{dir}, texts)
	partner := filepath.Join(dir, "partner.tf")
	g := ix.setOf(partner)
	edited := bytes.Replace(texts[partner], []byte(`"s3:PutObject"`), []byte(`"s3:PutObjectAcl"`), 1)
	swaps := swapsOf(g, g.reread(map[string][]byte{partner: edited}))
	if swaps == nil || eval.Swapped(g.ws, swaps) == nil {
		t.Error("a keystroke in the module does not swap its documents into the set's workspace")
	}
	ix.update(map[string][]byte{partner: edited})
	texts[partner] = edited
	fresh := newIndex()
	fresh.rebuild([]string{dir}, texts)
	for _, p := range ix.setOf(partner).paths {
		if got, want := publishedOf(ix.setOf(p), p), publishedOf(fresh.setOf(p), p); !slices.Equal(got, want) {
			t.Errorf("%s published\n%q\na fresh set's\n%q", p, got, want)
		}
	}
}

// exampleModule reads the files of the Terraform module of
// examples/terraform/example, by their paths in dir.
func exampleModule(t testing.TB, example, dir string) map[string][]byte {
	t.Helper()
	texts := map[string][]byte{}
	for _, name := range []string{"bucket.tf", "partner.tf", "providers.tf"} {
		text, err := os.ReadFile(filepath.Join("..", "examples", "terraform", example, name))
		if err != nil {
			t.Fatal(err)
		}
		texts[filepath.Join(dir, name)] = text
	}
	return texts
}
