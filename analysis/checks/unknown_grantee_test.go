package checks_test

import (
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
)

// A bucket policy that grants 111122223334 where .s3policy.json expects
// 111122223333: across accounts the bucket policy must grant the caller's
// account, so the partner is denied.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
func TestUnknownGranteeNearMiss(t *testing.T) {
	cfg := workspace(t, "")
	src, got := checktest.Expect(t, "unknown-grantee", "bucket.json", `{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Principal": {"AWS": [«"arn:aws:iam::111122223334:root"», «"111122232333"», "444455556666", "999988887777"]}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"}]}`, cfg)
	if want := "account 111122223334 is not an account of .s3policy.json; did you mean 111122223333? Account 111122223333 is not granted by this statement"; got[0].Message.Text().EN != want {
		t.Errorf("message %q", got[0].Message.Text().EN)
	}
	assertFixed(t, "bucket.json", src, got[0], `{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "111122232333", "444455556666", "999988887777"]}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"}]}`)
	// Without accounts in .s3policy.json nothing is known to be meant.
	checktest.Expect(t, "unknown-grantee", "b.bucket-policy.json", `{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223334:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}`, nil)
}
