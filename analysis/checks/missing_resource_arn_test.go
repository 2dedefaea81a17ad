package checks_test

import (
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
)

func TestMissingResourceARNBucketAction(t *testing.T) {
	src, got := checktest.Expect(t, "missing-resource-arn", "jane.iam-policy.json", `{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Action": [«"s3:ListBucket"», "s3:GetObject"],
    "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"
  }]
}`, nil)
	wantSeverity(t, got[0], analysis.Error)
	wantMessage(t, got[0], "s3:ListBucket acts on the bucket", "バケットに作用します")
	wantHover(t, "jane.iam-policy.json", src, got[0], nil)
	fixed := fixRemoves(t, "jane.iam-policy.json", src, got[0], 0, nil)
	want := `"Resource": ["arn:aws:s3:::DOC-EXAMPLE-BUCKET/*", "arn:aws:s3:::DOC-EXAMPLE-BUCKET"]`
	wantFixed(t, fixed, want)
}

func TestMissingResourceARNObjectAction(t *testing.T) {
	src, got := checktest.Expect(t, "missing-resource-arn", "b.bucket-policy.json", `{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
    "Action": «"s3:GetObject"»,
    "Resource": [
      "arn:aws:s3:::DOC-EXAMPLE-BUCKET"
    ]
  }]
}`, nil)
	fixed := fixRemoves(t, "b.bucket-policy.json", src, got[0], 0, nil)
	want := `"Resource": [
      "arn:aws:s3:::DOC-EXAMPLE-BUCKET",
      "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"
    ]`
	wantFixed(t, fixed, want)
}

func TestMissingResourceARNWildcardIsInformation(t *testing.T) {
	_, got := checktest.Expect(t, "missing-resource-arn", "a.iam-policy.json",
		`{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": «"s3:*"», "Resource": "arn:aws:s3:::b/home/*"}}`, nil)
	wantSeverity(t, got[0], analysis.Information)
	wantMessage(t, got[0], "s3:* acts on the bucket too (s3:ListBucket), but Resource names only objects of b: add arn:aws:s3:::b",
		"s3:* はバケットにも作用します (s3:ListBucket)が、Resource には b のオブジェクトしかありません。arn:aws:s3:::b を追加してください")
}

func TestMissingResourceARNNearMisses(t *testing.T) {
	for _, doc := range []string{
		// Both ARNs present.
		`{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject"], "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]}}`,
		// A Resource that covers both types.
		`{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject"], "Resource": "arn:aws:s3:::*"}}`,
		// A Deny is not a grant.
		`{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}}`,
		// A documentation placeholder that may stand for bucket/key.
		`{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::{MANIFEST_KEY}"}}`,
		// Half-typed.
		`{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": `,
	} {
		checktest.Expect(t, "missing-resource-arn", "a.iam-policy.json", doc, nil)
	}
}

func TestMissingResourceARNNamedBucketNotGranted(t *testing.T) {
	cfg := workspace(t, "")
	src, got := checktest.Expect(t, "missing-resource-arn", "jane.json", `{
  "Version": "2012-10-17",
  «"Statement"»: [
    {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}
  ]
}`, cfg)
	wantMessage(t, got[0], "bucket DOC-EXAMPLE-BUCKET", "DOC-EXAMPLE-BUCKET")
	fixRemoves(t, "jane.json", src, got[0], 0, cfg)
	// The same document, not listed as an identity policy of the accounts.
	checktest.Expect(t, "missing-resource-arn", "other.iam-policy.json", src, cfg)
}

// The policy as a whole: statement A grants s3:ListBucket on the bucket,
// B the object actions and s3:ListBucket on its objects; B's ListBucket is
// granted by A, so nothing is missing.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html
func TestMissingResourceARNLooksAtEveryStatement(t *testing.T) {
	checktest.Expect(t, "missing-resource-arn", "a.iam-policy.json", `{"Version": "2012-10-17", "Statement": [
  {"Sid": "A", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b"},
  {"Sid": "B", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "arn:aws:s3:::b/*"}]}`, nil)
	// A grant on another bucket does not count.
	checktest.Expect(t, "missing-resource-arn", "a.iam-policy.json", `{"Version": "2012-10-17", "Statement": [
  {"Sid": "A", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::other"},
  {"Sid": "B", "Effect": "Allow", "Action": ["s3:GetObject", «"s3:ListBucket"»], "Resource": "arn:aws:s3:::b/*"}]}`, nil)
}
