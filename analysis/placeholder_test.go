package analysis

import (
	"slices"
	"strings"
	"testing"
)

// Policy variables keep their meaning:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
// CloudFormation pseudo parameters are filled by the template:
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html
func TestPlaceholders(t *testing.T) {
	cases := []struct {
		in       string
		want     []string
		replaced string
	}{
		{"${bucket_arn}/*", []string{"${bucket_arn}"}, "*/*"},
		{"arn:aws:s3:::${var.bucket}", []string{"${var.bucket}"}, "arn:aws:s3:::*"},
		{"arn:${AWS::Partition}:s3:::${Bucket}/*", []string{"${AWS::Partition}", "${Bucket}"}, "arn:*:s3:::*/*"},
		{"arn:aws:s3:::{{ bucket }}/*", []string{"{{ bucket }}"}, "arn:aws:s3:::*/*"},
		{"arn:aws:s3:::b/${aws:username}/*", nil, "arn:aws:s3:::b/${aws:username}/*"},
		{"arn:aws:s3:::b/${s3:prefix}", nil, "arn:aws:s3:::b/${s3:prefix}"},
		{"arn:aws:s3:::b/${*}${?}${$}", nil, "arn:aws:s3:::b/${*}${?}${$}"},
		{"arn:aws:s3:::b/${aws:username, 'x'}", nil, "arn:aws:s3:::b/${aws:username, 'x'}"},
		{"${unclosed", nil, "${unclosed"},
		{"${}", []string{"${}"}, "*"},
		{"", nil, ""},
	}
	for _, c := range cases {
		var got []string
		for _, sp := range Placeholders(c.in) {
			got = append(got, c.in[sp.Start:sp.End])
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("Placeholders(%q) = %q, want %q", c.in, got, c.want)
		}
		if HasPlaceholder(c.in) != (len(c.want) > 0) {
			t.Errorf("HasPlaceholder(%q) = %v", c.in, !(len(c.want) > 0))
		}
		if r := ReplacePlaceholders(c.in, "*"); r != c.replaced {
			t.Errorf("ReplacePlaceholders(%q) = %q, want %q", c.in, r, c.replaced)
		}
	}
	if !StartsWithPlaceholder("${bucket_arn}/*") || StartsWithPlaceholder("arn:aws:s3:::${b}") || StartsWithPlaceholder("${aws:username}") {
		t.Error("StartsWithPlaceholder")
	}
}

// The colons of a pseudo parameter or a policy variable do not separate
// the parts of an ARN.
func TestParseARNSkipsColonsInPlaceholders(t *testing.T) {
	cases := map[string]ARN{
		"arn:${AWS::Partition}:s3:::${Bucket}/*":             {Partition: "${AWS::Partition}", Service: "s3", Resource: "${Bucket}/*"},
		"arn:aws:iam::${aws:PrincipalAccount}:user/x":        {Partition: "aws", Service: "iam", Account: "${aws:PrincipalAccount}", Resource: "user/x"},
		"arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:queue": {Partition: "aws", Service: "sqs", Region: "${AWS::Region}", Account: "${AWS::AccountId}", Resource: "queue"},
		"arn:aws:s3:::b/${aws:username}":                     {Partition: "aws", Service: "s3", Resource: "b/${aws:username}"},
		"arn:aws:kms:us-east-1:111122223333:key/${key:id":    {Partition: "aws", Service: "kms", Region: "us-east-1", Account: "111122223333", Resource: "key/${key:id"},
	}
	for in, want := range cases {
		if got, ok := ParseARN(in); !ok || got != want {
			t.Errorf("ParseARN(%q) = %+v, %v; want %+v", in, got, ok, want)
		}
	}
	if _, ok := ParseARN("arn:${AWS::Partition}:s3"); ok {
		t.Error("a short ARN parsed")
	}
}

// Without a ${...}, an ARN's parts are what splitting at its first five
// colons gives (the fast path of ParseARN).
func TestParseARNWithoutPlaceholders(t *testing.T) {
	for _, in := range []string{"arn:aws:s3:::b/k:v", "arn:aws:kms:us-east-1:111122223333:key/1", "arn:aws:s3", "arn:aws:s3:::", "arn::::", "arn:::::", "arn:aws:sts::1:assumed-role/r/s", "notarn:a:b:c:d:e", "arn:aws:iam::{x}:user/y"} {
		parts := strings.SplitN(in, ":", 6)
		want, wantOK := ARN{}, len(parts) == 6 && parts[0] == "arn"
		if wantOK {
			want = ARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}
		}
		if got, ok := ParseARN(in); ok != wantOK || got != want {
			t.Errorf("ParseARN(%q) = %+v, %v; want %+v, %v", in, got, ok, want, wantOK)
		}
	}
}
