package checks_test

import (
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
)

func TestEndpointWildcardPrincipal(t *testing.T) {
	cfg := workspace(t, "")
	src, got := checktest.Expect(t, "endpoint-wildcard-principal", "vpce.json", `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": «"*"»,
      "Action": "s3:*",
      "Resource": ["arn:aws:s3:::DOC-EXAMPLE-BUCKET", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"]
    }
  ]
}`, cfg)
	wantSeverity(t, got[0], analysis.Warning)
	wantMessage(t, got[0], "any account's principals may use this Allow through vpce-1a2b3c4d", "どのアカウントのプリンシパルも vpce-1a2b3c4d を経由して")
	wantHover(t, "vpce.json", src, got[0], cfg)
	fixed := fixRemoves(t, "vpce.json", src, got[0], 0, cfg)
	want := `"Resource": ["arn:aws:s3:::DOC-EXAMPLE-BUCKET", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"],
      "Condition": {"StringEquals": {"aws:PrincipalAccount": "111122223333"}}
    }`
	wantFixed(t, fixed, want)
}

func TestEndpointWildcardPrincipalMergesIntoCondition(t *testing.T) {
	src, got := checktest.Expect(t, "endpoint-wildcard-principal", "e.endpoint-policy.json",
		`{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": «"*"»}, "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEquals": {"s3:ExistingObjectTag/env": "prod"}}}}`, nil)
	fixed := fixRemoves(t, "e.endpoint-policy.json", src, got[0], 0, nil)
	if !contains(fixed, `"Condition": {"StringEquals": {"s3:ExistingObjectTag/env": "prod", "aws:PrincipalAccount": "ACCOUNT-ID"}}`) {
		t.Errorf("placeholder condition not merged:\n%s", fixed)
	}
}

func TestEndpointWildcardPrincipalNearMisses(t *testing.T) {
	for _, doc := range []string{
		`{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}}`,
		`{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:*", "Resource": "*"}}`,
		`{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket", "Resource": "*"}}`,
		// An endpoint of another service.
		`{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}}`,
	} {
		checktest.Expect(t, "endpoint-wildcard-principal", "e.endpoint-policy.json", doc, nil)
	}
}
