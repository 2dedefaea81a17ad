package lsp_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// A Terraform module that stops reading a policy file with file() (its
// bucket policy written inline with jsonencode instead, or the module
// file that read it deleted) leaves that file to be read alone, as a
// fresh server reads it: it stayed the module's bucket policy of
// shared-data, whose s3:PutObject grant then drew kms-missing-actions
// warnings for a request nobody granted any more, for good (review s24,
// N4).
func TestAFileAModuleNoLongerReadsIsReadAlone(t *testing.T) {
	dir := t.TempDir() // the module in a folder of the workspace
	if err := os.Rename(copyTree(t, filepath.Join("..", "examples", "terraform", "policy-files"), "expect.txt"), filepath.Join(dir, "module")); err != nil {
		t.Fatal(err)
	}
	// providers.tf holds no policy: a closed one is never published, an
	// open one (the fresh server opens every file) is, with no diagnostic.
	withoutProviders := func(names []string) []string {
		return slices.DeleteFunc(names, func(n string) bool { return filepath.Base(n) == "providers.tf" })
	}
	names := withoutProviders(policyFiles(t, dir))
	s := startQuiet(t, dir)
	bucketTF := filepath.Join(dir, "module", "bucket.tf")
	read := `policy = file("${path.module}/policies/bucket.json")`
	inline := `policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", Principal = {AWS = "arn:aws:iam::111122223333:root"}, Action = ["s3:GetObject"], Resource = "arn:aws:s3:::shared-data/*"}]})`
	text := readText(t, bucketTF)
	if !strings.Contains(text, read) {
		t.Fatalf("bucket.tf does not read policies/bucket.json with %s", read)
	}
	writeWatched := func(text string, kind int) {
		t.Helper()
		if kind == 3 {
			if err := os.Remove(bucketTF); err != nil {
				t.Fatal(err)
			}
		} else if err := os.WriteFile(bucketTF, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		s.c.notify(protocol.MethodWorkspaceDidChangeWatchedFiles, map[string]any{
			"changes": []any{map[string]any{"uri": string(uri.File(bucketTF)), "type": kind}},
		})
	}

	// Each file's last diagnostics, none and an empty list alike (a file
	// with no policy is published only once something changed in it).
	diagnostics := func(s *quietServer) map[string][]string {
		s.settle(t)
		out := s.shown(t, dir, names, false)
		for name, shown := range out {
			out[name] = []string{strings.Replace(shown[0], "diagnostics null", "diagnostics []", 1)}
		}
		return out
	}
	// What a server started on the disk as it is shows, every file closed.
	fresh := func() map[string][]string {
		f := startQuiet(t, dir)
		defer f.c.stop()
		return diagnostics(f)
	}
	compare := func(want map[string][]string, when string) {
		t.Helper()
		if diff := shownDiff(want, diagnostics(s)); diff != "" {
			t.Errorf("%s: the server shows what a fresh server does not:\n%s", when, diff)
		}
	}

	writeWatched(strings.Replace(text, read, inline, 1), 2)
	want := fresh()
	if !strings.Contains(want[filepath.Join("module", "policies", "bucket.json")][0], "object-ownership") {
		t.Fatalf("a fresh server does not read policies/bucket.json alone (no object-ownership finding): the test shows nothing:\n%v", want)
	}
	compare(want, "bucket.tf's policy written inline")

	// Opened, the file no module reads is still read alone: the module's
	// set, the nearest set above it, must not take it in.
	bucketJSON := filepath.Join(dir, "module", "policies", "bucket.json")
	s.c.open(string(uri.File(bucketJSON)), readText(t, bucketJSON), 1)
	compare(want, "policies/bucket.json opened")
	s.c.close(string(uri.File(bucketJSON)))

	writeWatched(text, 2)
	compare(fresh(), "bucket.tf reads policies/bucket.json again")

	writeWatched("", 3)
	names = withoutProviders(policyFiles(t, dir))
	compare(fresh(), "bucket.tf deleted")
}
