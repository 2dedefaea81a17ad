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
	cases := map[string][]string{
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
	}
	for in, want := range cases {
		parts, n := ARNParts(in)
		if !slices.Equal(parts[:n], want) {
			t.Errorf("ARNParts(%q) = %q; want %q", in, parts[:n], want)
		}
		a, ok := ParseARN(in)
		wantARN, wantOK := ARN{}, len(want) == 6 && want[0] == "arn"
		if wantOK {
			wantARN = ARN{Partition: want[1], Service: want[2], Region: want[3], Account: want[4], Resource: want[5]}
		}
		if a != wantARN || ok != wantOK {
			t.Errorf("ParseARN(%q) = %+v, %v; want %+v, %v", in, a, ok, wantARN, wantOK)
		}
	}
}
