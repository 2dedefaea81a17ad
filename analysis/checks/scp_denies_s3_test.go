package checks_test

import (
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
)

func TestScpDeniesS3(t *testing.T) {
	src, got := checktest.Expect(t, "scp-denies-s3", "guard.scp.json", `{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "*", "Resource": "*"},
    {"Effect": «"Deny"», "Action": "s3:Get*", "Resource": "*"},
    {"Effect": «"Deny"», "Action": "s3:*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}}
  ]
}`, nil)
	wantSeverity(t, got[0], analysis.Error)
	wantMessage(t, got[0], "this SCP denies s3:Get* on * to every user and role", "* に対する s3:Get* を拒否します")
	wantSeverity(t, got[1], analysis.Warning)
	wantMessage(t, got[1], "for every request whose aws:RequestedRegion is not eu-west-1", "aws:RequestedRegion が eu-west-1 でない")
	wantHover(t, "guard.scp.json", src, got[0], nil)
	fixed, after := checktest.ApplyFix(t, "guard.scp.json", src, got[1], 0, nil)
	if codes := checktest.Codes(after); len(codes) != 1 || codes[0] != "scp-denies-s3" {
		t.Errorf("after removing the conditional Deny: %v, want only the other Deny", codes)
	}
	want := `[
    {"Effect": "Allow", "Action": "*", "Resource": "*"},
    {"Effect": "Deny", "Action": "s3:Get*", "Resource": "*"}
  ]`
	wantFixed(t, fixed, want)
}

func TestScpDeniesS3AllowList(t *testing.T) {
	src, got := checktest.Expect(t, "scp-denies-s3", "allow.scp.json", `{
  "Version": "2012-10-17",
  «"Statement"»: [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]
}`, nil)
	wantSeverity(t, got[0], analysis.Warning)
	wantMessage(t, got[0], "allows no S3 action", "どの S3 アクションも許可していません")
	fixed := fixRemoves(t, "allow.scp.json", src, got[0], 0, nil)
	if !contains(fixed, `"Action": ["ec2:*", "s3:*"]`) {
		t.Errorf("fixed text:\n%s", fixed)
	}
}

func TestScpDeniesS3NearMisses(t *testing.T) {
	for _, doc := range []string{
		`{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}`,
		`{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "ec2:RunInstances", "Resource": "*"}}`,
		`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:*", "ec2:*"], "Resource": "*"}]}`,
	} {
		checktest.Expect(t, "scp-denies-s3", "a.scp.json", doc, nil)
	}
}
