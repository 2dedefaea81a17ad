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

// An endpoint policy that leaves out many of the named buckets gets one
// finding that names the first three and counts the others, with a fix
// for each of the three; two buckets are named both.
func TestEndpointPolicyBlocksManyBuckets(t *testing.T) {
	const vpce = `{"Version": "2012-10-17", «"Statement"»: {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b1/*"}}`
	for _, tc := range []struct {
		buckets      string
		en, ja       string
		fixes        int
		firstFixName string
	}{
		{`"b1": {}, "b2": {}, "b3": {}, "b4": {}, "b5": {}, "b6": {}`,
			"no Allow statement covers buckets b2, b3, b4 and 2 other buckets: requests to them through vpce-1a2b3c4d are denied",
			"バケット b2、b3、b4 ほか 2 件のバケットを対象とする Allow ステートメントがありません。vpce-1a2b3c4d 経由のリクエストは拒否されます", 3, "b2"},
		{`"b1": {}, "b2": {}, "b3": {}`,
			"no Allow statement covers buckets b2 and b3: requests to them through vpce-1a2b3c4d are denied",
			"バケット b2 と b3 を対象とする Allow ステートメントがありません。vpce-1a2b3c4d 経由のリクエストは拒否されます", 2, "b2"},
	} {
		cfg := checktest.Config(t, `{"accounts": ["111122223333"], "buckets": {`+tc.buckets+`},
  "files": {"vpce.json": {"kind": "endpoint", "account": "111122223333", "endpoint": "vpce-1a2b3c4d"}}}`)
		_, got := checktest.Expect(t, "endpoint-policy-blocks", "vpce.json", vpce, cfg)
		if got[0].Message.Text().EN != tc.en || got[0].Message.Text().JA != tc.ja {
			t.Errorf("message\n%q\n%q\nwant\n%q\n%q", got[0].Message.Text().EN, got[0].Message.Text().JA, tc.en, tc.ja)
		}
		if len(got[0].AllFixes()) != tc.fixes || !contains(got[0].AllFixes()[0].Title.EN, tc.firstFixName) {
			t.Errorf("fixes %+v", got[0].AllFixes())
		}
	}
}
