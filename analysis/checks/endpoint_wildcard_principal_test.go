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
	cfg := &analysis.Config{Accounts: []string{"111122223333", "444455556666"}}
	src, got := checktest.Expect(t, "endpoint-wildcard-principal", "e.endpoint-policy.json",
		`{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": «"*"»}, "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEquals": {"s3:ExistingObjectTag/env": "prod"}}}}`, cfg)
	fixed := fixRemoves(t, "e.endpoint-policy.json", src, got[0], 0, cfg)
	if !contains(fixed, `"Condition": {"StringEquals": {"s3:ExistingObjectTag/env": "prod", "aws:PrincipalAccount": ["111122223333", "444455556666"]}}`) {
		t.Errorf("the accounts' condition not merged:\n%s", fixed)
	}
}

// Where no .s3policy.json names the accounts and the policy's own
// account is not known, the finding offers no fix: a made-up account in
// aws:PrincipalAccount would let nobody through the endpoint, and
// nothing would say so afterwards.
func TestEndpointWildcardPrincipalWithoutAccountsHasNoFix(t *testing.T) {
	_, got := checktest.Expect(t, "endpoint-wildcard-principal", "e.endpoint-policy.json",
		`{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": «"*"», "Action": "s3:GetObject", "Resource": "*"}}`, nil)
	if fixes := got[0].AllFixes(); len(fixes) != 0 {
		t.Errorf("fixes %+v, want none", fixes)
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
