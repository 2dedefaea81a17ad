package lsp

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
)

// A new file of a child module under a .s3policy.json of its own is read
// with the module's other files, in its caller's set and under the
// child's config, as a fresh rebuild (tree.Sets) reads it, both in the
// sets the first scan loaded and in sets read again after a config edit.
// It went to the nearest set, the child's config folder's, which holds
// no file of the module: read there alone, under no caller, while the
// module's other files stayed with the caller.
func TestANewFileOfAChildModuleUnderItsOwnConfigJoinsItsModule(t *testing.T) {
	dir := t.TempDir()
	p := func(rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }
	texts := map[string][]byte{
		p(".s3policy.json"):           []byte(`{"accounts": ["111122223333"], "files": {"iam/app.json": {"kind": "identity", "account": "111122223333", "principal": "arn:aws:iam::111122223333:role/app"}}}`),
		p("iam/app.json"):             []byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]}`),
		p("main.tf"):                  []byte("module \"b\" {\n  source = \"./modules/b\"\n}\n"),
		p("modules/b/.s3policy.json"): []byte(`{"files": {"main.tf": {"account": "999988887777"}}}`),
		p("modules/b/main.tf"):        []byte(childBucket("b", "data")),
	}
	writeTexts(t, texts)
	extra := p("modules/b/extra.tf")
	texts[extra] = []byte(childBucket("c", "more"))
	fresh := newIndex()
	fresh.rebuild([]string{dir}, texts)
	scanned := newIndex()
	for _, g := range loadedSets(t, dir) {
		scanned.put(g)
	}
	rebuilt := newIndex()
	rebuilt.rebuild([]string{dir}, map[string][]byte{p(".s3policy.json"): texts[p(".s3policy.json")], p("iam/app.json"): texts[p("iam/app.json")],
		p("main.tf"): texts[p("main.tf")], p("modules/b/.s3policy.json"): texts[p("modules/b/.s3policy.json")], p("modules/b/main.tf"): texts[p("modules/b/main.tf")]})
	for name, x := range map[string]*index{"a fresh rebuild": fresh, "the scan's sets": scanned, "sets read after a config edit": rebuilt} {
		if x != fresh {
			x.update(map[string][]byte{extra: texts[extra]})
		}
		caller := x.setOf(p("main.tf"))
		src := caller.sources.get(extra)
		if src == nil || x.setOf(extra) != caller {
			t.Errorf("%s: the new file is not in its module's set, its caller's", name)
			continue
		}
		if len(src.Docs) != 1 || src.Docs[0].Config == nil || src.Docs[0].Config.Dir != p("modules/b") || src.Docs[0].Facts == nil || src.Docs[0].Facts.Bucket != "more" || src.Docs[0].Facts.Account != "999988887777" {
			t.Errorf("%s: the new file's bucket policy was not read with its module under modules/b's config (its bucket more, in 999988887777)", name)
		}
	}
}

// A child module under a .s3policy.json of its own that holds only a
// bucket (no document: its caller holds the bucket's policy) keeps that
// config after a keystroke in its caller, in the sets the first scan
// loaded and in sets read after a config edit: the set kept a child's
// config only when a document was read under it, so the caller's comment
// read the child again under the caller's config, and its bucket lost the
// account that owns it: the role's read of it from another account went
// from ImplicitlyDenied [resource] to Allowed.
func TestABucketOnlyChildModuleKeepsItsConfigAfterAKeystrokeInItsCaller(t *testing.T) {
	dir := t.TempDir()
	p := func(rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }
	policy := childBucket("b", "data")
	texts := map[string][]byte{
		p(".s3policy.json"):           []byte(`{"accounts": ["111122223333"], "files": {"iam/app.json": {"kind": "identity", "account": "111122223333", "principal": "arn:aws:iam::111122223333:role/app"}}}`),
		p("iam/app.json"):             []byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]}`),
		p("main.tf"):                  []byte("# caller\nmodule \"b\" {\n  source = \"./modules/b\"\n}\n" + policy[strings.Index(policy, "resource \"aws_s3_bucket_policy\""):]),
		p("modules/b/.s3policy.json"): []byte(`{"files": {"main.tf": {"account": "999988887777"}}}`),
		p("modules/b/main.tf"):        []byte(policy[:strings.Index(policy, "resource \"aws_s3_bucket_policy\"")]),
	}
	texts[p("main.tf")] = bytes.Replace(texts[p("main.tf")], []byte("aws_s3_bucket.b.id"), []byte(`"data"`), 1)
	writeTexts(t, texts)
	scanned := newIndex()
	for _, g := range loadedSets(t, dir) {
		scanned.put(g)
	}
	rebuilt := newIndex()
	rebuilt.rebuild([]string{dir}, texts)
	edited := bytes.Replace(texts[p("main.tf")], []byte("# caller"), []byte("# caller."), 1)
	texts[p("main.tf")] = edited
	fresh := newIndex()
	fresh.rebuild([]string{dir}, texts)
	req := eval.Request{Principal: "arn:aws:iam::111122223333:role/app", Action: "s3:GetObject", Resource: "arn:aws:s3:::data/x"}
	want := fresh.setOf(p("main.tf")).ws.Decide(req)
	if want.Decision != eval.ImplicitlyDenied {
		t.Fatalf("a fresh rebuild answers %s %v, want ImplicitlyDenied", want.Decision, want.BlockedBy)
	}
	for name, x := range map[string]*index{"the scan's sets": scanned, "sets read after a config edit": rebuilt} {
		x.update(map[string][]byte{p("main.tf"): edited})
		if got := x.setOf(p("main.tf")).ws.Decide(req); got.Decision != want.Decision || !slices.Equal(got.BlockedBy, want.BlockedBy) {
			t.Errorf("%s, after a keystroke in the caller: %s %v; a fresh rebuild: %s %v", name, got.Decision, got.BlockedBy, want.Decision, want.BlockedBy)
		}
	}
}

// writeTexts writes texts (by path) on disk.
func writeTexts(t *testing.T, texts map[string][]byte) {
	t.Helper()
	for path, text := range texts {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, text, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// childBucket is a Terraform bucket named bucket (resource name) and its
// policy, granting account 444455556666 a read.
func childBucket(name, bucket string) string {
	return fmt.Sprintf("resource \"aws_s3_bucket\" %q {\n  bucket = %q\n}\nresource \"aws_s3_bucket_policy\" %q {\n  bucket = aws_s3_bucket.%s.id\n", name, bucket, name, name) +
		fmt.Sprintf("  policy = jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = \"Allow\", Principal = { AWS = \"arn:aws:iam::444455556666:root\" }, Action = \"s3:GetObject\", Resource = \"arn:aws:s3:::%s/*\" }] })\n}\n", bucket)
}
