package checks_test

import (
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
)

func TestSessionPolicyBlocksNoS3(t *testing.T) {
	src, got := checktest.Expect(t, "session-policy-blocks", "s.session-policy.json", `{
  "Version": "2012-10-17",
  «"Statement"»: [{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}]
}`, nil)
	wantMessage(t, got[0], "allows no S3 action", "どの S3 アクションも許可していません")
	wantHover(t, "s.session-policy.json", src, got[0], nil)
}

func TestSessionPolicyBlocksBucketNotCovered(t *testing.T) {
	cfg := workspace(t, "")
	src, got := checktest.Expect(t, "session-policy-blocks", "session.json", `{
  "Version": "2012-10-17",
  «"Statement"»: [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other-bucket/*"}
  ]
}`, cfg)
	wantMessage(t, got[0], "no S3 action on bucket DOC-EXAMPLE-BUCKET", "バケット DOC-EXAMPLE-BUCKET に対する S3 アクションを許可していません")
	fixed := fixRemoves(t, "session.json", src, got[0], 0, cfg)
	want := `,
    {"Sid": "AllowDOCEXAMPLEBUCKET", "Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject", "s3:PutObject"], "Resource": ["arn:aws:s3:::DOC-EXAMPLE-BUCKET", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"]}
  ]`
	wantFixed(t, fixed, want)
}

func TestSessionPolicyBlocksDeny(t *testing.T) {
	cfg := workspace(t, "")
	src, got := checktest.Expect(t, "session-policy-blocks", "session.json", `{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
  {"Effect": «"Deny"», "Action": "s3:PutObject", "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"}]}`, cfg)
	wantSeverity(t, got[0], analysis.Error)
	wantMessage(t, got[0], "the session policy denies s3:PutObject on arn:aws:s3:::DOC-EXAMPLE-BUCKET/*", "に対する s3:PutObject を拒否します")
	fixRemoves(t, "session.json", src, got[0], 0, cfg)
}

func TestSessionPolicyBlocksNearMiss(t *testing.T) {
	checktest.Expect(t, "session-policy-blocks", "session.json", `{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject"], "Resource": ["arn:aws:s3:::DOC-EXAMPLE-BUCKET", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"]}]}`, workspace(t, ""))
}
