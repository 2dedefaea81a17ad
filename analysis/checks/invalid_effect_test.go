package checks_test

import (
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
)

func TestInvalidEffectWrongCase(t *testing.T) {
	src, got := checktest.Expect(t, "invalid-effect", "a.iam-policy.json", `{"Version": "2012-10-17", "Statement": [
  {"Effect": «"allow"», "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
  {"Effect": «"Allw"», "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
]}`, nil)
	if got[0].Message.Text().JA == "" || got[0].AllFixes()[0].Title.JA == "" {
		t.Errorf("Japanese text missing: %+v", got[0])
	}
	fixed, after := checktest.ApplyFix(t, "a.iam-policy.json", src, got[0], 0, nil)
	if len(after) != 1 || after[0].Code != "invalid-effect" {
		t.Fatalf("after the first fix: %v, want the second invalid-effect only", checktest.Codes(after))
	}
	assertFixed(t, "a.iam-policy.json", fixed, after[0], `{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
  {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
]}`)
}

func TestInvalidEffectMissingAndNotString(t *testing.T) {
	_, got := checktest.Expect(t, "invalid-effect", "a.iam-policy.json", `{"Version": "2012-10-17", "Statement": [
  «{»"Action": "s3:GetObject", "Resource": "*"},
  {"Effect": «true», "Action": "s3:GetObject", "Resource": "*"},
  {"Effect": «"Permit"», "Action": "s3:GetObject", "Resource": "*"}
]}`, nil)
	for i, f := range got {
		if len(f.AllFixes()) != 0 {
			t.Errorf("finding %d: no fix can be guessed, got %q", i, f.AllFixes()[0].Title.EN)
		}
	}
	if got[0].Message.Text().EN != `Statement 1 has no Effect; add "Effect": "Allow" or "Effect": "Deny"` {
		t.Errorf("message: %s", got[0].Message.Text().EN)
	}
}

func TestInvalidEffectNearMiss(t *testing.T) {
	checktest.Expect(t, "invalid-effect", "a.iam-policy.json", `{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
  {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}
]}`, nil)
}

func TestInvalidEffectKindInBothLanguages(t *testing.T) {
	_, got := checktest.Expect(t, "invalid-effect", "a.iam-policy.json", `{"Version": "2012-10-17", "Statement": {"Effect": «true», "Action": "s3:GetObject", "Resource": "*"}}`, nil)
	if got[0].Message.Text().EN != `Effect must be the string "Allow" or "Deny", not a boolean` || got[0].Message.Text().JA != `Effect は文字列 "Allow" または "Deny" でなければなりません (真偽値ではなく)` {
		t.Errorf("message %+v", got[0].Message)
	}
}
