package lsp

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
)

// A child module in a folder with a .s3policy.json of its own is read
// with its caller, under its own config (here: the account that owns its
// bucket); a keystroke in the caller reads it again under that config, as
// a fresh scan does, not under the caller's. Read under the caller's, the
// bucket had no owner and the role's read of it in another account was
// Allowed without the bucket policy's grant.
func TestAChildModuleKeepsItsConfigAfterAKeystrokeInItsCaller(t *testing.T) {
	dir := t.TempDir()
	p := func(rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }
	texts := map[string][]byte{
		p(".s3policy.json"):           []byte(`{"accounts": ["111122223333"], "files": {"iam/app.json": {"kind": "identity", "principal": "arn:aws:iam::111122223333:role/app"}}}`),
		p("iam/app.json"):             []byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]}`),
		p("main.tf"):                  []byte("# caller\nmodule \"b\" {\n  source = \"./modules/b\"\n}\n"),
		p("modules/b/.s3policy.json"): []byte(`{"files": {"main.tf": {"account": "999988887777"}}}`),
		p("modules/b/main.tf"): []byte("resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"data\"\n}\nresource \"aws_s3_bucket_policy\" \"b\" {\n  bucket = aws_s3_bucket.b.id\n" +
			"  policy = jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = \"Allow\", Principal = { AWS = \"arn:aws:iam::444455556666:root\" }, Action = \"s3:GetObject\", Resource = \"arn:aws:s3:::data/*\" }] })\n}\n"),
	}
	ix := newIndex()
	ix.rebuild([]string{dir}, texts)
	edited := bytes.Replace(texts[p("main.tf")], []byte("# caller"), []byte("# caller."), 1)
	ix.update(map[string][]byte{p("main.tf"): edited})
	texts[p("main.tf")] = edited
	fresh := newIndex()
	fresh.rebuild([]string{dir}, texts)

	for name, x := range map[string]*index{"after the keystroke": ix, "a fresh scan": fresh} {
		src := x.setOf(p("main.tf")).sources.get(p("modules/b/main.tf"))
		if src == nil || len(src.Docs) == 0 {
			t.Fatalf("%s: the caller's set holds no document of the child module", name)
		}
		for _, d := range src.Docs {
			if d.Config == nil || d.Config.Dir != p("modules/b") {
				t.Errorf("%s: the child's document was not read under modules/b's config", name)
			}
		}
	}
	req := eval.Request{Principal: "arn:aws:iam::111122223333:role/app", Action: "s3:GetObject", Resource: "arn:aws:s3:::data/x"}
	got, want := ix.setOf(p("main.tf")).ws.Decide(req), fresh.setOf(p("main.tf")).ws.Decide(req)
	if got.Decision != want.Decision || want.Decision != eval.ImplicitlyDenied {
		t.Errorf("after a keystroke in the caller: %s %v; a fresh scan: %s %v (want ImplicitlyDenied)", got.Decision, got.BlockedBy, want.Decision, want.BlockedBy)
	}
}
