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

// moduleEdits drives a server on a folder of Terraform modules with
// watched writes, and compares each file's last diagnostics with what a
// server started afresh on the disk as it is then shows.
type moduleEdits struct {
	t     *testing.T
	dir   string
	names []string // the files compared, by path from dir
	s     *quietServer
}

func startModuleEdits(t *testing.T, dir string) *moduleEdits {
	m := &moduleEdits{t: t, dir: dir}
	m.list()
	m.s = startQuiet(t, dir)
	return m
}

// list takes the files to compare from the disk, but providers.tf: it
// holds no policy, and is published (with no diagnostic) only once
// something changed in it.
func (m *moduleEdits) list() {
	m.names = slices.DeleteFunc(policyFiles(m.t, m.dir), func(n string) bool { return filepath.Base(n) == "providers.tf" })
}

// write writes text to the file at name (nil: deletes it) and tells the
// server, as an editor's file watcher does.
func (m *moduleEdits) write(name string, text []byte) {
	m.t.Helper()
	path, kind := filepath.Join(m.dir, name), 2
	if text == nil {
		kind = 3
		if err := os.Remove(path); err != nil {
			m.t.Fatal(err)
		}
	} else if err := os.WriteFile(path, text, 0o644); err != nil {
		m.t.Fatal(err)
	}
	m.s.c.notify(protocol.MethodWorkspaceDidChangeWatchedFiles, map[string]any{
		"changes": []any{map[string]any{"uri": string(uri.File(path)), "type": kind}},
	})
}

// diagnostics is each file's last diagnostics, none and an empty list
// alike.
func (m *moduleEdits) diagnostics(s *quietServer) map[string][]string {
	s.settle(m.t)
	out := s.shown(m.t, m.dir, m.names, false)
	for name, shown := range out {
		out[name] = []string{strings.Replace(shown[0], "diagnostics null", "diagnostics []", 1)}
	}
	return out
}

// fresh is what a server started on the disk as it is shows, every file
// closed.
func (m *moduleEdits) fresh() map[string][]string {
	f := startQuiet(m.t, m.dir)
	defer f.c.stop()
	return m.diagnostics(f)
}

func (m *moduleEdits) compare(want map[string][]string, when string) {
	m.t.Helper()
	if diff := shownDiff(want, m.diagnostics(m.s)); diff != "" {
		m.t.Errorf("%s: the server shows what a fresh server does not:\n%s", when, diff)
	}
}

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
	m := startModuleEdits(t, dir)
	bucketTF := filepath.Join("module", "bucket.tf")
	read := `policy = file("${path.module}/policies/bucket.json")`
	inline := `policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", Principal = {AWS = "arn:aws:iam::111122223333:root"}, Action = ["s3:GetObject"], Resource = "arn:aws:s3:::shared-data/*"}]})`
	text := readText(t, filepath.Join(dir, bucketTF))
	if !strings.Contains(text, read) {
		t.Fatalf("bucket.tf does not read policies/bucket.json with %s", read)
	}

	m.write(bucketTF, []byte(strings.Replace(text, read, inline, 1)))
	want := m.fresh()
	if !strings.Contains(want[filepath.Join("module", "policies", "bucket.json")][0], "object-ownership") {
		t.Fatalf("a fresh server does not read policies/bucket.json alone (no object-ownership finding): the test shows nothing:\n%v", want)
	}
	m.compare(want, "bucket.tf's policy written inline")

	// Opened, the file no module reads is still read alone: the module's
	// set, the nearest set above it, must not take it in.
	bucketJSON := filepath.Join(dir, "module", "policies", "bucket.json")
	m.s.c.open(string(uri.File(bucketJSON)), readText(t, bucketJSON), 1)
	m.compare(want, "policies/bucket.json opened")
	m.s.c.close(string(uri.File(bucketJSON)))

	m.write(bucketTF, []byte(text))
	m.compare(m.fresh(), "bucket.tf reads policies/bucket.json again")

	m.write(bucketTF, nil)
	m.list()
	m.compare(m.fresh(), "bucket.tf deleted")
}

// A child module whose bucket policy is file("${path.module}/${var.policy_file}")
// reads the file its caller's argument names: an edit of that argument in
// the root's main.tf moves the child's policy from policies/a.json (which
// grants jane GetObject) to policies/b.json (GetObject and PutObject) and
// back, each file then read with the module or alone, as a fresh server
// reads them (review s24 review2, M1: the server kept a.json as the
// bucket's policy and b.json alone, for good).
// testdata/module-argument-file is examples/terraform/policy-files with
// the bucket moved into the child module bucket/.
func TestAModuleFollowsItsCallersArgumentToAnotherFile(t *testing.T) {
	dir := copyTree(t, filepath.Join("testdata", "module-argument-file"))
	m := startModuleEdits(t, dir)
	text := readText(t, filepath.Join(dir, "main.tf"))
	const a, b = `policy_file = "policies/a.json"`, `policy_file = "policies/b.json"`
	if !strings.Contains(text, a) {
		t.Fatalf("main.tf does not pass %s", a)
	}

	m.write("main.tf", []byte(strings.Replace(text, a, b, 1)))
	want := m.fresh()
	if !strings.Contains(want[filepath.Join("policies", "jane.json")][0], "s3:PutObject") {
		t.Fatalf("a fresh server does not read policies/b.json as the bucket's policy (no PutObject finding on jane): the test shows nothing:\n%v", want)
	}
	m.compare(want, "the child reads policies/b.json")

	m.write("main.tf", []byte(text))
	m.compare(m.fresh(), "the child reads policies/a.json again")
}
