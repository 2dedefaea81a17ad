package main

import (
	"strings"
	"testing"
)

// A bucket whose account only its bucket policy's file gives (the file's
// "account" in .s3policy.json, no "buckets" entry) is in that account for
// check as for explain: the partner's role, named by the bucket policy,
// still needs its own policy to allow the bucket, which it does not
// (review s24, N13: check said nothing, evaluating the grant as one of
// the role's own account).
func TestCheckTakesTheBucketAccountFromItsPolicysFile(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		".s3policy.json": `{"accounts": ["111122223333"], "files": {
  "app.iam-policy.json": {"kind": "identity", "account": "111122223333", "principal": "arn:aws:iam::111122223333:role/app"},
  "bucket.bucket-policy.json": {"kind": "bucket", "account": "444455556666", "bucket": "shared-data"}}}`,
		"app.iam-policy.json":       `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data-archive/*"}]}`,
		"bucket.bucket-policy.json": `{"Version": "2012-10-17", "Statement": [{"Sid": "App", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data/*"}]}`,
	})
	stdout, _, code := runCLI(t, dir, "check", ".")
	want := "app.iam-policy.json:1:27: error missing-resource-arn: s3:GetObject on shared-data/*, which the bucket policy grants, is denied. Identity policies: statement 1 of app.iam-policy.json allows s3:GetObject, but not on arn:aws:s3:::shared-data/* [identity]\n"
	if !strings.HasPrefix(stdout, want) || code != 1 {
		t.Errorf("check exits %d with:\n%s\nwant it to begin with:\n%s", code, stdout, want)
	}
	explained, _, _ := runCLI(t, dir, "explain", "--principal", "arn:aws:iam::111122223333:role/app", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::shared-data/x", ".")
	if want := "arn:aws:iam::111122223333:role/app s3:GetObject on arn:aws:s3:::shared-data/x: ImplicitlyDenied (blocked by identity)\n"; !strings.HasPrefix(explained, want) {
		t.Errorf("explain says:\n%s\nwant it to begin with:\n%s", explained, want)
	}
}
