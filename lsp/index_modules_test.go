package lsp

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// A file of a Terraform module deleted, or created in a module's folder:
// the module's other files are read again, a child module with its
// caller, as a fresh scan reads them, and each file whose findings change
// is a dependant. The caller of examples/terraform/child-modules deleted,
// its children kept the names and provider it gave them (Jane's policy
// kept its missing-resource-arn); its providers deleted, the accounts
// they gave; a file created in a child, the child's buckets lacked the
// Requester Pays it sets; a child created whose folder the caller calls
// already, the names and provider the call gives it.
func TestAModuleFileDeletedOrCreatedReadsItsModuleAgain(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("..", "examples", "terraform", "child-modules"))
	if err != nil {
		t.Fatal(err)
	}
	read := func() map[string][]byte {
		texts := map[string][]byte{}
		for _, name := range []string{"main.tf", "providers.tf", "modules/bucket/main.tf", "modules/reader/main.tf"} {
			if texts[filepath.Join(dir, name)], err = os.ReadFile(filepath.Join(dir, name)); err != nil {
				t.Fatal(err)
			}
		}
		return texts
	}
	reader, bucket := filepath.Join(dir, "modules/reader/main.tf"), filepath.Join(dir, "modules/bucket/main.tf")
	bucketText, err := os.ReadFile(bucket)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		missing string // a file not there before the edit
		changes map[string][]byte
		changed string // a file whose findings the edit changes
	}{
		{"the caller deleted", "", map[string][]byte{filepath.Join(dir, "main.tf"): nil}, reader},
		{"the providers deleted", "", map[string][]byte{filepath.Join(dir, "providers.tf"): nil}, reader},
		{"a file created in a child", "", map[string][]byte{filepath.Join(dir, "modules/bucket/payer.tf"): []byte(`resource "aws_s3_bucket_request_payment_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  payer  = "Requester"
}
`)}, bucket},
		{"a child its caller calls already created", bucket, map[string][]byte{bucket: bucketText}, reader},
	} {
		t.Run(c.name, func(t *testing.T) {
			texts := read()
			delete(texts, c.missing)
			ix := newIndex()
			ix.rebuild([]string{dir}, texts)
			before := map[string][]string{}
			for _, p := range ix.setOf(reader).paths {
				before[p] = publishedOf(ix.setOf(p), p)
			}
			deps := ix.update(c.changes)
			maps.Copy(texts, c.changes)
			maps.DeleteFunc(texts, func(_ string, text []byte) bool { return text == nil })
			fresh := newIndex()
			fresh.rebuild([]string{dir}, texts)
			g := ix.setOf(reader)
			if !slices.Equal(g.paths, slices.Sorted(maps.Keys(texts))) {
				t.Fatalf("files %v", g.paths)
			}
			for _, p := range g.paths {
				got, want := publishedOf(g, p), publishedOf(fresh.setOf(p), p)
				if !slices.Equal(got, want) {
					t.Errorf("%s published\n%q\na fresh set's\n%q", p, got, want)
				}
				if !slices.Equal(got, before[p]) && !deps[p] {
					t.Errorf("%s: its findings changed and it is no dependant (%v)", p, slices.Sorted(maps.Keys(deps)))
				}
			}
			if slices.Equal(publishedOf(g, c.changed), before[c.changed]) {
				t.Errorf("%s's findings did not change: the case shows nothing", c.changed)
			}
		})
	}
}
