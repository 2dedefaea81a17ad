package tree

import (
	"testing"
	"unsafe"
)

// A set keeps its files' texts, so a policy file's tree is sliced from
// the text itself; Read, whose caller may read the next file into the same
// buffer (check), copies it; a document a reader translated (a Terraform
// policy) is parsed from the reader's own text in either case.
func TestSetsShareTheirTextsReadCopies(t *testing.T) {
	policy := []byte(`{"Version": "2012-10-17", "Statement": {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}`)
	module := []byte(`data "aws_iam_policy_document" "p" {
  statement {
    sid       = "Write"
    actions   = ["s3:PutObject"]
    resources = ["*"]
  }
}
`)
	sidIn := func(src *Source, text []byte) bool {
		sid := src.Docs[0].Policy.Statements[0].Sid.Value.Str
		at, start := uintptr(unsafe.Pointer(unsafe.StringData(sid))), uintptr(unsafe.Pointer(&text[0]))
		return at >= start && at < start+uintptr(len(text))
	}
	texts := map[string][]byte{"/w/p.iam-policy.json": policy, "/w/mod/main.tf": module}
	sources := map[string]*Source{}
	for _, s := range Sets("/w", texts) {
		for _, src := range s.Sources() {
			sources[src.Path] = src
		}
	}
	if src := sources["/w/p.iam-policy.json"]; src == nil || !sidIn(src, policy) {
		t.Errorf("a set's policy file is not parsed from its own text")
	}
	if src := sources["/w/mod/main.tf"]; src == nil || len(src.Docs) != 1 || src.Docs[0].Policy == nil || sidIn(src, module) {
		t.Errorf("a module's translated policy: %+v", src)
	}
	if src := ReadKept("/w/p.iam-policy.json", policy, nil); !sidIn(src, policy) {
		t.Errorf("ReadKept copies the text")
	}
	if src := Read("/w/p.iam-policy.json", policy, nil); sidIn(src, policy) {
		t.Errorf("Read shares the text")
	}
}
