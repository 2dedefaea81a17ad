package analysis

import (
	"slices"
	"testing"
)

// ARNParts is the one reading of an ARN's parts: invalid-arn reports
// from it and ParseARN returns it. A colon inside a ${...} does not
// separate, nor one inside a ${...} nested in another or after an
// unclosed ${; the resource keeps its colons.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
func TestARNParts(t *testing.T) {
	for in, want := range arnCases {
		parts, n := ARNParts(in)
		if !slices.Equal(parts[:n], want) {
			t.Errorf("ARNParts(%q) = %q; want %q", in, parts[:n], want)
		}
		a, ok := ParseARN(in)
		wantARN, wantOK := arnOf(want)
		if a != wantARN || ok != wantOK {
			t.Errorf("ParseARN(%q) = %+v, %v; want %+v, %v", in, a, ok, wantARN, wantOK)
		}
	}
}

// arnOf is ParseARN's answer for an ARN of these parts.
func arnOf(parts []string) (ARN, bool) {
	if len(parts) != 6 || parts[0] != "arn" {
		return ARN{}, false
	}
	return ARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}, true
}

// arnCases are texts and the parts ARNParts cuts them into.
var arnCases = map[string][]string{
	"arn:aws:s3:::b/k":                            {"arn", "aws", "s3", "", "", "b/k"},
	"arn:aws:s3:::b/k:v:w":                        {"arn", "aws", "s3", "", "", "b/k:v:w"},
	"arn:aws:iam::${aws:PrincipalAccount}:role/x": {"arn", "aws", "iam", "", "${aws:PrincipalAccount}", "role/x"},
	"arn:${AWS::Partition}:s3:::b":                {"arn", "${AWS::Partition}", "s3", "", "", "b"},
	"arn:aws:s3:::${a${b:c}:d}/e:f":               {"arn", "aws", "s3", "", "", "${a${b:c}:d}/e:f"},
	"arn:${a${b:c}:d}:s3:::b":                     {"arn", "${a${b:c}:d}", "s3", "", "", "b"},
	"arn:aws:iam::${x:role/y":                     {"arn", "aws", "iam", "", "${x:role/y"},
	"arn:aws:s3":                                  {"arn", "aws", "s3"},
	"s3}:x":                                       {"s3}", "x"},
	"":                                            {""},
	"arn:::::":                                    {"arn", "", "", "", "", ""},
	"x:aws:s3:::b":                                {"x", "aws", "s3", "", "", "b"},
	"*":                                           {"*"},
	// A ${ after the last cut, or a $ that opens nothing.
	"arn:aws:s3:::b/${aws:username}:x": {"arn", "aws", "s3", "", "", "b/${aws:username}:x"},
	"arn:a$ws:s3:::b:c":                {"arn", "a$ws", "s3", "", "", "b:c"},
	"a:${b:c}":                         {"a", "${b:c}"},
	"a:b:${c:d}:e":                     {"a", "b", "${c:d}", "e"},
}

// A Resource entry read once gives ARNParts's parts and ParseARN's ARN
// of its text; the zero ResourceARN has no parts.
func TestResourceARNReadsAsARNParts(t *testing.T) {
	for in, want := range arnCases {
		r := ReadResourceARN(&Value{Kind: String, Str: in})
		parts, n := r.Parts()
		if !slices.Equal(parts[:n], want) || r.N() != len(want) {
			t.Errorf("ResourceARN(%q).Parts() = %q, N %d; want %q", in, parts[:n], r.N(), want)
		}
		a, ok := r.ARN()
		if wantARN, wantOK := arnOf(want); a != wantARN || ok != wantOK || r.IsARN() != wantOK {
			t.Errorf("ResourceARN(%q).ARN() = %+v, %v; want %+v, %v", in, a, ok, wantARN, wantOK)
		}
	}
	var zero ResourceARN
	if parts, n := zero.Parts(); n != 0 || zero.Part(1) != "" || zero.IsARN() || parts != [6]string{} {
		t.Errorf("the zero ResourceARN has parts %q, %d", parts, n)
	}
}

// An S3 bucket or object ARN has service s3, no region and no account,
// and is not an access point's, whose ARNs carry both
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-arn-format.html);
// a Resource entry read once says the same as its parsed ARN.
func TestBucketOrObject(t *testing.T) {
	type answer struct {
		bucket     string
		object, ok bool
	}
	cases := map[string]answer{
		"arn:aws:s3:::b":                   {"b", false, true},
		"arn:aws-cn:s3:::b/k/*":            {"b", true, true},
		"arn:aws:s3:::*":                   {"*", false, true},
		"arn:aws:s3:::${aws:username}/x:y": {"${aws:username}", true, true},
		"arn:${AWS::Partition}:s3:::b/":    {"b", true, true},
		"arn:aws:s3:::":                    {"", false, true},
		"arn:aws:s3:us-east-1::b":          {},
		"arn:aws:s3::111122223333:b":       {},
		"arn:aws:s3:::accesspoint/ap":      {},
		"arn:aws:kms:::b":                  {},
		"arn:aws:s3::b":                    {},
		"s3:::b":                           {},
		"*":                                {},
	}
	for in, want := range cases {
		var fromARN answer
		if a, ok := ParseARN(in); ok {
			fromARN.bucket, fromARN.object, fromARN.ok = a.BucketOrObject()
		}
		r := ReadResourceARN(&Value{Kind: String, Str: in})
		var read answer
		read.bucket, read.object, read.ok = r.BucketOrObject()
		if fromARN != want || read != want {
			t.Errorf("%q: ARN.BucketOrObject %+v, ResourceARN.BucketOrObject %+v; want %+v", in, fromARN, read, want)
		}
	}
}
