package lsp

import (
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// A Terraform module states a bucket's Requester Pays; a JSON bucket
// policy of the same governed folder that names the bucket reads it
// (requester-pays). An edit of the module that turns Requester Pays off,
// or on, makes the bucket policy a dependant, neither file of which the
// answers or the cross-account uses hold.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/RequesterPaysBuckets.html
func TestABucketsRequesterPaysEditedMakesItsBucketPoliciesDependants(t *testing.T) {
	const mainTF = `provider "aws" {
  allowed_account_ids = ["444455556666"]
}
resource "aws_s3_bucket" "x" {
  bucket        = "shared-x"
  request_payer = "Requester"
}
resource "aws_iam_policy" "unused" {
  policy = jsonencode({ Version = "2012-10-17", Statement = [] })
}
`
	const payer = `  request_payer = "Requester"` + "\n"
	dir := t.TempDir()
	tf, bp := filepath.Join(dir, "main.tf"), filepath.Join(dir, "policies", "x.bucket-policy.json")
	texts := map[string][]byte{
		filepath.Join(dir, analysis.ConfigName): []byte(`{"accounts": ["111122223333"], "files": {"**/*.iam-policy.json": {"kind": "identity", "account": "111122223333", "principal": "arn:aws:iam::111122223333:role/app"}}}`),
		tf:                                      []byte(mainTF),
		bp: []byte(`{"Version": "2012-10-17", "Statement": [
  {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-x/*"}
]}
`),
	}
	ix := newIndex()
	ix.rebuild([]string{dir}, texts)
	requesterPays := func() []string {
		return slices.DeleteFunc(publishedOf(ix.setOf(bp), bp), func(s string) bool { return !strings.HasPrefix(s, "requester-pays") })
	}
	const finding = "requester-pays {1 61} {1 93} shared-x is a Requester Pays bucket: requests from arn:aws:iam::999988887777:root are allowed when they carry x-amz-request-payer: requester (CLI --request-payer requester); without it S3 answers 403"
	if got := requesterPays(); !slices.Equal(got, []string{finding}) {
		t.Fatalf("before the edit: %q", got)
	}
	for _, step := range []struct {
		name string
		text string
		want []string
	}{{"off", strings.Replace(mainTF, payer, "", 1), nil}, {"on again", mainTF, []string{finding}}} {
		deps := ix.update(map[string][]byte{tf: []byte(step.text)})
		if got := requesterPays(); !slices.Equal(got, step.want) {
			t.Fatalf("Requester Pays %s: %q", step.name, got)
		}
		if !deps[bp] {
			t.Errorf("Requester Pays %s: dependants %v lack the bucket policy", step.name, slices.Sorted(maps.Keys(deps)))
		}
	}
	// An edit of the module that leaves the bucket's facts alone costs
	// the bucket policy nothing.
	deps := ix.update(map[string][]byte{tf: []byte(strings.Replace(mainTF, `"unused"`, `"unused2"`, 1))})
	if deps[bp] {
		t.Errorf("a module edit that leaves the facts: dependants %v", slices.Sorted(maps.Keys(deps)))
	}
}
