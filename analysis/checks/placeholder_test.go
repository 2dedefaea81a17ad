package checks_test

import (
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
)

// Template placeholders (${bucket_arn}, ${var.x}, ${AWS::Partition},
// {{ x }}) are unknown values: they never cause a finding by themselves,
// while the text around them is still checked.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html
func TestPlaceholdersCauseNoFinding(t *testing.T) {
	docs := map[string]string{
		"a.iam-policy.json": `{"Version": "2012-10-17", "Statement": [
 {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["${bucket_arn}/*", "${bucket_arn}"]},
 {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:${AWS::Partition}:s3:::${Bucket}/*"},
 {"Effect": "Allow", "Action": ["${action}", "s3:${verb}Object", "${svc}:Get*"], "Resource": "arn:aws:s3:::{{ bucket }}/*"},
 {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": ["arn:aws:kms:${region}:${account_id}:key/${key_id}", "${kms_key_arn}"]},
 {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:q"},
 {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": {
   "StringEquals": {"aws:PrincipalOrgID": "${org_id}", "${cond_key}": "x", "aws:SourceVpce": "{{vpce}}"},
   "${operator}": {"aws:SourceIp": "10.0.0.0/8"}, "IpAddress": {"aws:SourceIp": "${cidr}"},
   "DateGreaterThan": {"aws:CurrentTime": "${start}"}, "Bool": {"aws:SecureTransport": "${tls}"}}},
 {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b", "Condition": {
   "IpAddress": {"aws:SourceIp": ["{{ cidr }}", "{{cidr}}"]}, "NumericLessThan": {"s3:max-keys": "{{ n }}"},
   "DateLessThan": {"aws:CurrentTime": "{{ t }}"}, "Bool": {"aws:SecureTransport": "{{ b }}"}}}
]}`,
		// In an ARN's partition, and in a condition key (the bucket policy's
		// unknown key is an error): each may stand for a known one.
		"e.bucket-policy.json": `{"Version": "2012-10-17", "Statement": [
 {"Effect": "Allow", "Principal": {"AWS": "arn:{{ partition }}:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "arn:{{ partition }}:s3:::b/*",
  "Condition": {"StringEquals": {"s3:${k}": "v", "s3:{{ k }}": "v", "${svc}:x": "v", "aws:${k}": "v", "{{ svc }}:x": "v", "s3:x-amz-${h}": "v", "aws:PrincipalTag/{{ t }}": "v"}}}
]}`,
		"c.iam-policy.json": `{"Version": "${version}", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b"}]}`,
		"d.iam-policy.json": `{"Version": "{{ version }}", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b"}]}`,
		"b.bucket-policy.json": `{"Version": "2012-10-17", "Statement": [
 {"Sid": "${sid}", "Effect": "Allow", "Principal": {"AWS": ["${role_arn}", "arn:aws:iam::${account_id}:root", "${account_id}"]}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::${bucket}/*"},
 {"Sid": "${sid}", "Effect": "${effect}", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::${bucket}", "arn:aws:s3:::${bucket}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
]}`,
	}
	for path, src := range docs {
		_, fs := checktest.Run(t, path, src, nil)
		for _, f := range fs {
			t.Errorf("%s: %s %q: %s", path, f.Code, src[f.Span.Start:f.Span.End], f.Message.Text().EN)
		}
	}
}

// The text around a placeholder is still checked:
// arn:${AWS::Partition}:s3:::${Bucket}/* names objects, so a bucket-level
// action on it lacks the bucket ARN, and the fix keeps the placeholders.
func TestPlaceholderTextAroundIsChecked(t *testing.T) {
	src, got := checktest.Expect(t, "missing-resource-arn", "a.iam-policy.json", `{"Version": "2012-10-17", "Statement": [
 {"Effect": "Allow", "Action": «"s3:ListBucket"», "Resource": ["arn:${AWS::Partition}:s3:::${Bucket}/*"]}]}`, nil)
	if want := "s3:ListBucket acts on the bucket, but Resource names only objects of ${Bucket}: add arn:${AWS::Partition}:s3:::${Bucket}"; got[0].Message.Text().EN != want {
		t.Errorf("message %q, want %q", got[0].Message.Text().EN, want)
	}
	assertFixed(t, "a.iam-policy.json", src, got[0], `{"Version": "2012-10-17", "Statement": [
 {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": ["arn:${AWS::Partition}:s3:::${Bucket}/*", "arn:${AWS::Partition}:s3:::${Bucket}"]}]}`)
	_, got = checktest.Expect(t, "unknown-action", "a.iam-policy.json", `{"Version": "2012-10-17", "Statement": [
 {"Effect": "Allow", "Action": «"s3:${verb}Nothing"», "Resource": "*"}]}`, nil)
	if want := `"s3:${verb}Nothing" matches no action of Amazon S3`; got[0].Message.Text().EN != want {
		t.Errorf("message %q, want %q", got[0].Message.Text().EN, want)
	}
	checktest.Expect(t, "invalid-arn", "a.iam-policy.json", `{"Version": "2012-10-17", "Statement": [
 {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:${AWS::Partition}:s3:«us-east-1:${AWS::AccountId}»:logs-${Suffix}/*"}]}`, nil)
}

// The text around a placeholder in a condition key is still checked: no
// key of S3 begins with s3:bogus-.
func TestPlaceholderConditionKeyTextIsChecked(t *testing.T) {
	_, got := checktest.Expect(t, "unknown-condition-key", "a.iam-policy.json", `{"Version": "2012-10-17", "Statement": [
 {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"StringEquals": {«"s3:bogus-${k}"»: "v", "s3:x-amz-${h}": "v"}}}]}`, nil)
	if want := `"s3:bogus-${k}" is not a known condition key`; got[0].Message.Text().EN != want {
		t.Errorf("message %q, want %q", got[0].Message.Text().EN, want)
	}
}
