package checks_test

import (
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
)

func TestIncompleteStatementIdentity(t *testing.T) {
	_, got := checktest.Expect(t, "incomplete-statement", "a.iam-policy.json", `{"Version": "2012-10-17", "Statement": [
  {"Sid": "A", «"Effect"»: "Allow", "Resource": "*"},
  {"Sid": "B", «"Effect"»: "Allow", "Action": "s3:GetObject"},
  {"Sid": "C", "Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::b"}
]}`, nil)
	if got[0].Message.Text().EN != "A has no Action or NotAction" ||
		got[1].Message.Text().EN != "B has no Resource or NotResource, required in this IAM identity-based policy" {
		t.Errorf("messages: %q, %q", got[0].Message.Text().EN, got[1].Message.Text().EN)
	}
	if len(got[1].AllFixes()) != 0 {
		t.Errorf("an identity policy's resource cannot be guessed, yet a fix is offered")
	}
}

func TestIncompleteStatementKeyPolicyFix(t *testing.T) {
	src, got := checktest.Expect(t, "incomplete-statement", "a.key-policy.json", `{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "Enable IAM User Permissions",
    «"Effect"»: "Allow",
    "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
    "Action": "kms:*"
  }]
}`, nil)
	assertFixed(t, "a.key-policy.json", src, got[0], `{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "Enable IAM User Permissions",
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
    "Action": "kms:*",
    "Resource": "*"
  }]
}`)
}

func TestIncompleteStatementTrustPolicyNeedsNoResource(t *testing.T) {
	checktest.Expect(t, "incomplete-statement", "a.trust-policy.json", `{"Version": "2012-10-17", "Statement": {
  "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}}`, nil)
}
