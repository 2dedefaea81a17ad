package checks_test

import (
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
)

func TestInvalidARNS3RegionAndAccount(t *testing.T) {
	src, got := checktest.Expect(t, "invalid-arn", "a.iam-policy.json", `{"Version": "2012-10-17", "Statement": {
  "Effect": "Allow", "Action": "s3:GetObject",
  "Resource": ["arn:aws:s3:«us-east-1:123456789012»:b/*", "arn:aws:s3:::b"]}}`, nil)
	if got[0].Message.Text().EN != `an S3 bucket or object ARN has no region or account: write "arn:aws:s3:::b/*"` {
		t.Errorf("message: %s", got[0].Message.Text().EN)
	}
	assertFixed(t, "a.iam-policy.json", src, got[0], `{"Version": "2012-10-17", "Statement": {
  "Effect": "Allow", "Action": "s3:GetObject",
  "Resource": ["arn:aws:s3:::b/*", "arn:aws:s3:::b"]}}`)
}

func TestInvalidARNS3WithEscapeRewritesString(t *testing.T) {
	// An escape makes decoded offsets differ from the document's: the
	// finding covers the whole string and the fix rewrites it.
	src, got := checktest.Expect(t, "invalid-arn", "a.iam-policy.json", `{"Version": "2012-10-17", "Statement": {
  "Effect": "Allow", "Action": "s3:GetObject", "Resource": "«arn:aws:s3::123456789012:\u0062/*»"}}`, nil)
	assertFixed(t, "a.iam-policy.json", src, got[0], `{"Version": "2012-10-17", "Statement": {
  "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}}`)
}

func TestInvalidARNMalformed(t *testing.T) {
	_, got := checktest.Expect(t, "invalid-arn", "a.bucket-policy.json", `{"Version": "2012-10-17", "Statement": {
  "Effect": "Allow",
  "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "«arn:aws:iam:123456789012:user/MyUser»", "111122223333"]},
  "Action": "s3:GetObject",
  "Resource": ["«Bucket ARN»", "arn:«asw»:s3:::b/*", "«arn::s3:::b»", "«arn:aws::::b»"]}}`, nil)
	wants := []string{
		`"arn:aws:iam:123456789012:user/MyUser" has 5 of the six parts of an ARN (arn:partition:service:region:account:resource); is a colon missing?`,
		`Resource "Bucket ARN" is not an ARN (arn:partition:service:region:account:resource) or "*"`,
		`unknown partition "asw"; AWS partitions are aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc`,
		`unknown partition ""; AWS partitions are aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc`,
		`"arn:aws::::b" names no service (arn:partition:service:...)`,
	}
	for i, w := range wants {
		if got[i].Message.Text().EN != w {
			t.Errorf("finding %d: %s\nwant: %s", i, got[i].Message.Text().EN, w)
		}
	}
}

func TestInvalidARNStraySpace(t *testing.T) {
	src, got := checktest.Expect(t, "invalid-arn", "a.scp.json", `{"Version": "2012-10-17", "Statement": {
  "Effect": "Deny", "Action": "s3:*", "Resource": "« *»"}}`, nil)
	assertFixed(t, "a.scp.json", src, got[0], `{"Version": "2012-10-17", "Statement": {
  "Effect": "Deny", "Action": "s3:*", "Resource": "*"}}`)
}

func TestInvalidARNNearMisses(t *testing.T) {
	// Access points carry region and account; wildcards and variables may
	// stand anywhere, even for colons or the partition.
	checktest.Expect(t, "invalid-arn", "a.iam-policy.json", `{"Version": "2012-10-17", "Statement": {
  "Effect": "Allow", "Action": "s3:*",
  "Resource": [
    "*",
    "arn:aws:s3:::b/${aws:username}/*",
    "arn:aws:s3:us-east-1:123456789012:accesspoint/ap/object/*",
    "arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap",
    "arn:aws:s3:us-west-2:123456789012:job/*",
    "arn:aws:s3:*:*:b",
    "arn:${aws:partition}:s3:::b",
    "arn:aws:iam::${aws:PrincipalAccount}:role/x",
    "arn:aws-cn:s3:::b",
    "arn:aws:iam::*",
    "arn:*:s3:::b"
  ]}}`, nil)
}
