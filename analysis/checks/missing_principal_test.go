package checks_test

import (
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
)

func TestMissingPrincipalBucketPolicy(t *testing.T) {
	_, got := checktest.Expect(t, "missing-principal", "a.bucket-policy.json", `{"Version": "2012-10-17", "Statement": [
  {"Sid": "Read", «"Effect"»: "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
  «{»"Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
  {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
  {"Effect": "Deny", "NotPrincipal": {"AWS": "111122223333"}, "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}
]}`, nil)
	if got[0].Message.Text().EN != "Read has no Principal: every statement of this S3 bucket policy must name whom it applies to" {
		t.Errorf("message: %s", got[0].Message.Text().EN)
	}
	if len(got[0].AllFixes()) != 0 {
		t.Errorf("a bucket policy's principal cannot be guessed, yet a fix is offered: %s", got[0].AllFixes()[0].Title.EN)
	}
}

func TestMissingPrincipalEndpointFix(t *testing.T) {
	src, got := checktest.Expect(t, "missing-principal", "a.endpoint-policy.json", `{
  "Version": "2012-10-17",
  "Statement": [
    {
      «"Effect"»: "Allow",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::b/*"
    }
  ]
}`, nil)
	assertFixed(t, "a.endpoint-policy.json", src, got[0], `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::b/*",
      "Principal": "*"
    }
  ]
}`)
}

func TestMissingPrincipalIdentityPolicyIsFine(t *testing.T) {
	checktest.Expect(t, "missing-principal", "a.iam-policy.json", `{"Version": "2012-10-17", "Statement":
  {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}}`, nil)
}
