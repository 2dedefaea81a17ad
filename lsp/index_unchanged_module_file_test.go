package lsp

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An edit of one file of a Terraform module that comes in the same round
// as another file of the module sent unchanged (an editor's save of an
// open buffer equal to the disk, right after the first file was written
// on disk) reads the module with both: the unchanged file stayed out of
// the module's texts, so partner.tf was read without providers.tf, whose
// allowed_account_ids give Jane's role its account, and her three
// deny-blocks-access errors were lost for good (review s23, R20).
func TestAModuleFileSentUnchangedWithAnEditOfAnotherStaysInTheModule(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("..", "examples", "terraform", "deny-blocks-access"))
	if err != nil {
		t.Fatal(err)
	}
	texts := map[string][]byte{}
	var paths []string
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tf") {
			p := filepath.Join(dir, e.Name())
			if texts[p], err = os.ReadFile(p); err != nil {
				t.Fatal(err)
			}
			paths = append(paths, p)
		}
	}
	partner, providers := filepath.Join(dir, "partner.tf"), filepath.Join(dir, "providers.tf")
	ix := newIndex()
	ix.rebuild([]string{dir}, texts)
	before := publishedEach(ix.setOf(partner), paths)
	if n := strings.Count(before[partner], "deny-blocks-access"); n != 3 {
		t.Fatalf("partner.tf has %d deny-blocks-access findings before, want 3:\n%s", n, before[partner])
	}

	edited := bytes.Replace(texts[partner], []byte("# Jane"), []byte("# jane"), 1) // a comment: same offsets
	if bytes.Equal(edited, texts[partner]) {
		t.Fatal("partner.tf has no comment to edit")
	}
	ix.update(map[string][]byte{partner: edited, providers: texts[providers]})
	after := publishedEach(ix.setOf(partner), paths)
	for _, p := range paths {
		if after[p] != before[p] {
			t.Errorf("%s after the round:\n%s\nwant\n%s", filepath.Base(p), after[p], before[p])
		}
	}
}
