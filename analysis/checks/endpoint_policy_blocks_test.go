package checks_test

import (
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
)

func TestEndpointPolicyBlocks(t *testing.T) {
	cfg := workspace(t, "")
	src, got := checktest.Expect(t, "endpoint-policy-blocks", "vpce.json", `{
  "Version": "2012-10-17",
  «"Statement"»: [
    {
      "Effect": "Allow",
      "Principal": "*",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::amzn-s3-demo-other/*",
      "Condition": {"StringEquals": {"aws:PrincipalAccount": "111122223333"}}
    }
  ]
}`, cfg)
	wantMessage(t, got[0], "no Allow statement covers bucket DOC-EXAMPLE-BUCKET: requests to it through vpce-1a2b3c4d are denied",
		"vpce-1a2b3c4d 経由のリクエストは拒否されます")
	wantHover(t, "vpce.json", src, got[0], cfg)
	fixed, after := checktest.ApplyFix(t, "vpce.json", src, got[0], 0, cfg)
	if codes := checktest.Codes(after); len(codes) != 0 {
		t.Errorf("after the fix: %v\n%s", codes, fixed)
	}
}

func TestEndpointPolicyBlocksNearMisses(t *testing.T) {
	cfg := workspace(t, "")
	for _, resource := range []string{`"*"`, `"arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"`, `"arn:aws:s3:::DOC-EXAMPLE-*"`} {
		checktest.Expect(t, "endpoint-policy-blocks", "vpce.json",
			`{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": `+resource+`}}`, cfg)
	}
	// Without named buckets there is nothing to compare with.
	checktest.Expect(t, "endpoint-policy-blocks", "e.endpoint-policy.json",
		`{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "dynamodb:*", "Resource": "*"}}`, nil)
}
