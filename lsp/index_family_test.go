package lsp_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

// The layouts of these tests: a role of account 111122223333 reads
// data/*, whose bucket a Terraform child module declares, with a bucket
// policy that grants account 444455556666 only. Read with its caller (as
// check and a fresh scan read a called child), the child's bucket is the
// one the role reads, and the role's identity policy is warned that the
// bucket's policy grants its account nothing.
const (
	familyRootConfig = `{"accounts": ["111122223333"], "buckets": {"data": {"account": "999988887777"}}, "files": {"iam/app.json": {"kind": "identity", "account": "111122223333", "principal": "arn:aws:iam::111122223333:role/app"}}}`
	familyIdentity   = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]}`
	familyChild      = "resource \"aws_s3_bucket\" \"b\" {\n  bucket = var.name\n}\nresource \"aws_s3_bucket_policy\" \"b\" {\n  bucket = aws_s3_bucket.b.id\n" +
		"  policy = jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = \"Allow\", Principal = { AWS = \"arn:aws:iam::444455556666:root\" }, Action = \"s3:GetObject\", Resource = \"arn:aws:s3:::${var.name}/*\" }] })\n}\n"
	familyVars = "variable \"name\" {\n  default = \"other\"\n}\n"
	familyCall = "module \"c\" {\n  source = \"./child\"\n  name   = \"data\"\n}\n"
)

// warnsDataGrantsNothing accepts app.json's diagnostics when they say that
// data's bucket policy grants its account nothing.
func warnsDataGrantsNothing(p protocol.PublishDiagnosticsParams) bool {
	return slices.ContainsFunc(p.Diagnostics, func(d protocol.Diagnostic) bool {
		return strings.Contains(d.Message, "bucket policy of data grants nothing")
	})
}

// A module call typed into a caller reads the child again with the
// caller's inputs (its bucket is then data), and taking it out reads the
// child alone again (bucket "other"), as check says of the same texts.
func TestACallTypedIntoACallerReadsTheChildWithIt(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		".s3policy.json":   familyRootConfig,
		"iam/app.json":     familyIdentity,
		"tf/main.tf":       "# no call yet\n",
		"tf/child/vars.tf": familyVars,
		"tf/child/main.tf": familyChild,
	})
	appURI, callerURI := fileURI(dir, "iam/app.json"), fileURI(dir, "tf/main.tf")
	c := startFolder(t, dir, map[string]any{"window": map[string]any{"workDoneProgress": true}})
	waitScanEnd(c)
	if p := c.waitDiagnostics(appURI, func(protocol.PublishDiagnosticsParams) bool { return true }); warnsDataGrantsNothing(p) {
		t.Fatalf("before the call, app.json is warned of data's bucket policy: %v", p.Diagnostics)
	}
	c.open(callerURI, "# no call yet\n", 1)
	c.change(callerURI, familyCall, 2)
	c.waitDiagnostics(appURI, warnsDataGrantsNothing)
	n := len(c.published(appURI))
	c.change(callerURI, "# no call any more\n", 3)
	waitAfter(c, appURI, n, func(p protocol.PublishDiagnosticsParams) bool { return !warnsDataGrantsNothing(p) })
}

// The first file of a child module under a .s3policy.json of its own, in
// a folder its caller already calls, is read with the caller: the bucket
// it declares is the one the role reads.
func TestTheFirstFileOfACalledChildIsReadWithItsCaller(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		".s3policy.json":           familyRootConfig,
		"iam/app.json":             familyIdentity,
		"main.tf":                  "module \"c\" {\n  source = \"./modules/b\"\n}\n",
		"modules/b/.s3policy.json": `{"files": {"main.tf": {"account": "999988887777"}}}`,
	})
	appURI, childURI := fileURI(dir, "iam/app.json"), fileURI(dir, "modules/b/main.tf")
	c := startFolder(t, dir, map[string]any{"window": map[string]any{"workDoneProgress": true}})
	waitScanEnd(c)
	if p := c.waitDiagnostics(appURI, func(protocol.PublishDiagnosticsParams) bool { return true }); warnsDataGrantsNothing(p) {
		t.Fatalf("before the child's first file, app.json is warned of data's bucket policy: %v", p.Diagnostics)
	}
	c.open(childURI, strings.ReplaceAll(familyChild, "var.name", `"data"`), 1)
	c.waitDiagnostics(appURI, warnsDataGrantsNothing)
}

// writeTree writes files (by path under dir) on disk.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for rel, text := range files {
		path := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// waitAfter waits for a publication for uri after the first n that ok
// accepts.
func waitAfter(c *client, uri string, n int, ok func(protocol.PublishDiagnosticsParams) bool) {
	c.t.Helper()
	seen := 0
	c.waitDiagnostics(uri, func(p protocol.PublishDiagnosticsParams) bool {
		seen++
		return seen > n && ok(p)
	})
}

// A block typed above a module call: from its `{` until its `}` HCL
// sees no call below it, in the server as in check, so the child is read
// alone (its bucket "other") and app.json is not warned; at the `}` the
// child is read with its caller again and app.json is warned again. The
// caller's publications come in the order of its versions, the last one
// for its last version.
func TestABlockTypedAboveACallHidesItUntilItCloses(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		".s3policy.json":   familyRootConfig,
		"iam/app.json":     familyIdentity,
		"tf/main.tf":       familyCall,
		"tf/child/vars.tf": familyVars,
		"tf/child/main.tf": familyChild,
	})
	appURI, callerURI := fileURI(dir, "iam/app.json"), fileURI(dir, "tf/main.tf")
	c := startFolder(t, dir, map[string]any{"window": map[string]any{"workDoneProgress": true}})
	waitScanEnd(c)
	c.waitDiagnostics(appURI, warnsDataGrantsNothing)
	c.open(callerURI, familyCall, 1)
	opened := "resource \"aws_s3_bucket\" \"x\" {"
	c.change(callerURI, opened+"\n"+familyCall, 2)
	c.waitDiagnostics(callerURI, func(p protocol.PublishDiagnosticsParams) bool { return p.Version == 2 })
	c.waitDiagnostics(appURI, func(p protocol.PublishDiagnosticsParams) bool { return !warnsDataGrantsNothing(p) })
	n := len(c.published(appURI))
	rest := "\n  bucket = \"x\"\n}"
	version := 2
	for i := 1; i <= len(rest); i++ {
		version++
		c.change(callerURI, opened+rest[:i]+"\n"+familyCall, version)
	}
	c.waitDiagnostics(callerURI, func(p protocol.PublishDiagnosticsParams) bool { return int(p.Version) == version })
	waitAfter(c, appURI, n, warnsDataGrantsNothing)
	last := 0
	for _, p := range c.published(callerURI) {
		if int(p.Version) < last {
			t.Errorf("the caller's version %d was published after version %d", p.Version, last)
		}
		last = int(p.Version)
	}
}
