package checks_test

import (
	"slices"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
)

// expectFixed applies the first fix of the only finding and asserts the
// text it leaves and that the code is no longer reported.
func expectFixed(t *testing.T, code, path, src string, got []analysis.Finding, want string) {
	t.Helper()
	fixed, after := checktest.ApplyFix(t, path, src, got[0], 0, nil)
	if fixed != want {
		t.Errorf("fixed text:\n%s\nwant:\n%s", fixed, want)
	}
	if slices.Contains(checktest.Codes(after), code) {
		t.Errorf("%s still reported after the fix:\n%s", code, fixed)
	}
}

func TestUnknownServiceSuggests(t *testing.T) {
	src, got := checktest.Expect(t, "unknown-service", "a.bucket-policy.json",
		`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": [«"s33:GetObject"», "s3:PutObject"], "Resource": "arn:aws:s3:::b/*"}]}`, nil)
	if got[0].Severity != analysis.Error || got[0].Message.Text().EN != `"s33" is not an AWS service prefix; did you mean "s3"?` {
		t.Errorf("finding: %v %q", got[0].Severity, got[0].Message.Text().EN)
	}
	expectFixed(t, "unknown-service", "a.bucket-policy.json", src, got,
		`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::b/*"}]}`)
}

func TestUnknownServiceIdentityPolicyIsWarning(t *testing.T) {
	_, got := checktest.Expect(t, "unknown-service", "a.iam-policy.json",
		`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": «"someservice:*"», "Resource": "*"}]}`, nil)
	if got[0].Severity != analysis.Warning || len(got[0].AllFixes()) != 0 {
		t.Errorf("severity %v, fixes %d", got[0].Severity, len(got[0].AllFixes()))
	}
}

func TestKnownServicesAreQuiet(t *testing.T) {
	checktest.Expect(t, "unknown-service", "a.iam-policy.json",
		`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["*", "S3:Get*", "kms:Decrypt", "execute-api:Invoke", "s3"], "Resource": "*"}]}`, nil)
}

func TestUnknownActionSuggests(t *testing.T) {
	src, got := checktest.Expect(t, "unknown-action", "a.iam-policy.json", `{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": «"s3:GetObjects"», "Resource": "arn:aws:s3:::b/*"}]
}`, nil)
	if got[0].Severity != analysis.Warning || got[0].Message.Text().EN != `Amazon S3 has no action "GetObjects"; did you mean s3:GetObject?` {
		t.Errorf("finding: %v %q", got[0].Severity, got[0].Message.Text().EN)
	}
	expectFixed(t, "unknown-action", "a.iam-policy.json", src, got, `{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]
}`)
}

func TestUnknownActionWildcardMatchingNothing(t *testing.T) {
	_, got := checktest.Expect(t, "unknown-action", "a.bucket-policy.json",
		`{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": [«"s3:Fetch*"», "s3:get*", "s3:?etObject"], "Resource": "arn:aws:s3:::b/*"}]}`, nil)
	if got[0].Severity != analysis.Error || got[0].Message.Text().EN != `"s3:Fetch*" matches no action of Amazon S3` || len(got[0].AllFixes()) != 0 {
		t.Errorf("finding: %v %q %d fixes", got[0].Severity, got[0].Message.Text().EN, len(got[0].AllFixes()))
	}
}

func TestUnknownConditionKeySuggests(t *testing.T) {
	src, got := checktest.Expect(t, "unknown-condition-key", "a.bucket-policy.json", `{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*",
  "Condition": {"StringNotEquals": {«"aws:SourceVpcee"»: "vpce-1", "aws:sourcevpc": "vpc-1", "aws:PrincipalTag/team": "a", "s3:ExistingObjectTag/p": "x"}}}]}`, nil)
	if got[0].Severity != analysis.Error || got[0].Message.Text().EN != `"aws:SourceVpcee" is not a known condition key; did you mean "aws:SourceVpce"?` {
		t.Errorf("finding: %v %q", got[0].Severity, got[0].Message.Text().EN)
	}
	fixed, _ := checktest.ApplyFix(t, "a.bucket-policy.json", src, got[0], 0, nil)
	checktest.Expect(t, "unknown-condition-key", "a.bucket-policy.json", fixed, nil)
}

func TestUnknownConditionKeyOfService(t *testing.T) {
	checktest.Expect(t, "unknown-condition-key", "a.iam-policy.json", `{"Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b",
  "Condition": {"StringLike": {«"s3:prefixes"»: "home/", "saml:aud": "x", "token.actions.githubusercontent.com:sub": "repo:o/r:*"}}}]}`, nil)
}

func TestUnknownConditionOperator(t *testing.T) {
	src, got := checktest.Expect(t, "unknown-condition-operator", "a.iam-policy.json", `{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
  "Condition": {«"StringEqual"»: {"aws:PrincipalAccount": "111122223333"}, "ForAnyValue:StringLikeIfExists": {"aws:TagKeys": "a*"}, «"NullIfExists"»: {"aws:SourceVpc": "true"}}}]}`, nil)
	if got[0].Severity != analysis.Error || got[0].Message.Text().EN != `"StringEqual" is not a condition operator; did you mean "StringEquals"?` {
		t.Errorf("finding: %v %q", got[0].Severity, got[0].Message.Text().EN)
	}
	fixed, after := checktest.ApplyFix(t, "a.iam-policy.json", src, got[0], 0, nil)
	if n := slices.Index(checktest.Codes(after), "unknown-condition-operator"); n < 0 || after[n].Span.Start < len(`{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",`) {
		t.Errorf("after the fix: %v\n%s", checktest.Codes(after), fixed)
	}
}

func TestConditionKeyNotApplicable(t *testing.T) {
	checktest.Expect(t, "condition-key-not-applicable", "a.iam-policy.json", `{"Statement": [
  {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"StringLike": {«"s3:prefix"»: "home/", "aws:SourceVpce": "vpce-1", "ec2:SourceInstanceARN": "x"}}},
  {"Effect": "Allow", "Action": ["s3:GetObject", "s3:List*"], "Resource": "*", "Condition": {"StringLike": {"s3:prefix": "home/"}}},
  {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringLike": {"s3:prefix": "home/"}}},
  {"Effect": "Allow", "NotAction": "s3:GetObject", "Resource": "*", "Condition": {"StringLike": {"s3:prefix": "home/"}}}
]}`, nil)
}

func TestActionResourceMismatch(t *testing.T) {
	checktest.Expect(t, "action-resource-mismatch", "a.iam-policy.json", `{"Statement": [
  {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": [«"arn:aws:sns:us-east-1:111122223333:topic"», "arn:aws:sqs:*:111122223333:queue-${aws:username}"]},
  {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": [«"arn:aws:dynamodb:us-east-1:111122223333:stream/x"», "arn:aws:dynamodb:us-east-1:111122223333:table/T"]},
  {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket-only"},
  {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "arn:aws:iam::*:*"}
]}`, nil)
}

func TestConditionTypeMismatch(t *testing.T) {
	checktest.Expect(t, "condition-type-mismatch", "a.iam-policy.json", `{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {
  "Bool": {«"aws:PrincipalAccount"»: "true", "aws:SecureTransport": [«"yes"», true]},
  "NumericLessThan": {«"aws:CurrentTime"»: "2026-01-01T00:00:00Z", "aws:EpochTime": "1700000000", "aws:MultiFactorAuthAge": «"1h"»},
  "StringEquals": {"aws:SourceIp": [«"203.0.113.0/24"», "203.0.113.7"], "aws:SecureTransport": "true"},
  "DateGreaterThan": {"aws:CurrentTime": [«"tomorrow"», "2026-01-01", "${aws:TokenIssueTime}"]},
  "IpAddress": {"aws:SourceIp": [«"203.0.113.300"», "2001:db8::/32"]},
  "ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:111122223333:log-group:*", «"aws:MultiFactorAuthPresent"»: "arn:aws:iam::*:*"}
}}]}`, nil)
}

func TestUnknownActionAPIOperation(t *testing.T) {
	src, got := checktest.Expect(t, "unknown-action", "a.iam-policy.json",
		`{"Statement": [{"Effect": "Allow", "Action": [«"s3:ListObjectsV2"», «"s3:CopyObject"»], "Resource": "*"}]}`, nil)
	if got[1].Message.Text().EN != "s3:CopyObject is an API operation, not an IAM action: it is authorized by s3:GetObject and s3:PutObject" {
		t.Errorf("message: %q", got[1].Message.Text().EN)
	}
	fixed, after := checktest.ApplyFix(t, "a.iam-policy.json", src, got[0], 0, nil)
	if want := `{"Statement": [{"Effect": "Allow", "Action": ["s3:ListBucket", "s3:CopyObject"], "Resource": "*"}]}`; fixed != want {
		t.Errorf("fixed:\n%s\nwant:\n%s", fixed, want)
	}
	if n := len(slices.DeleteFunc(checktest.Codes(after), func(c string) bool { return c != "unknown-action" })); n != 1 {
		t.Errorf("%d unknown-action findings after the fix, want 1 (s3:CopyObject)", n)
	}
}
