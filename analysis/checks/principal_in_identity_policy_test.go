package checks_test

import (
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
)

func TestPrincipalInIdentityPolicyRemoved(t *testing.T) {
	src, got := checktest.Expect(t, "principal-in-identity-policy", "a.iam-policy.json", `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      «"Principal"»: {"AWS": "arn:aws:iam::111122223333:root"},
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::b/*"
    }
  ]
}`, nil)
	if got[0].Message.Text().EN != "this IAM identity-based policy cannot hold Principal: it applies to whoever it is attached to" ||
		got[0].Message.Text().JA != "この IAM アイデンティティベースのポリシーには Principal を書けません (アタッチ先に適用されるため)" {
		t.Errorf("message %+v", got[0].Message)
	}
	assertFixed(t, "a.iam-policy.json", src, got[0], `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::b/*"
    }
  ]
}`)
}

func TestPrincipalInSCPAndBoundary(t *testing.T) {
	for _, name := range []string{"a.scp.json", "a.boundary.json", "a.session-policy.json"} {
		checktest.Expect(t, "principal-in-identity-policy", name, `{"Version": "2012-10-17", "Statement":
  {"Effect": "Deny", «"NotPrincipal"»: {"AWS": "111122223333"}, "Action": "s3:*", "Resource": "*"}}`, nil)
	}
}

func TestPrincipalInBucketPolicyIsFine(t *testing.T) {
	checktest.Expect(t, "principal-in-identity-policy", "a.bucket-policy.json", `{"Version": "2012-10-17", "Statement":
  {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}}`, nil)
}
