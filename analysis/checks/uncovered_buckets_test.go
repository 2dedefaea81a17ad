package checks

import (
	"slices"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// uncoveredBuckets asks a policy that names its buckets one by one only
// about those, and gives what asking every bucket of .s3policy.json
// gives (allowsS3On): the first ones in order and the count, whatever
// the Resource entries (literal buckets and objects, wildcards in the
// bucket or the key, placeholders, another service's ARN, an S3 ARN
// with a region, NotResource, a Deny, a statement with no S3 action).
func TestUncoveredBucketsAgreeWithAskingEveryBucket(t *testing.T) {
	cfg, _ := analysis.ParseConfig("/w", []byte(`{"accounts": ["111122223333"], "buckets": {
  "alpha": {"account": "444455556666"}, "beta": {"account": "444455556666"}, "gamma": {"account": "444455556666"},
  "delta": {"account": "444455556666"}, "logs-1": {"account": "444455556666"}, "logs-2": {"account": "444455556666"}}}`))
	cases := []struct {
		statements string
		first      []string
		total      int
	}{
		{`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::alpha/*", "arn:aws:s3:::beta", "arn:aws:s3:::other/*"]}`,
			[]string{"delta", "gamma", "logs-1"}, 4},
		{`{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::logs-*"}`, []string{"alpha", "beta", "delta"}, 4},
		{`{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": ["arn:aws:s3:::alpha", "arn:aws:s3:::beta/*", "arn:aws:s3:::gamma", "arn:aws:s3:::delta", "arn:aws:s3:::logs-1"]}`,
			[]string{"logs-2"}, 1},
		{`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::${var.bucket}/*"}`, nil, 0},
		{`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::logs-?", "arn:aws:s3:::*ta/*"]}`, []string{"alpha", "gamma"}, 2},
		{`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::be?a/x*", "arn:aws:s3:::gam*/reports/*", "arn:aws:s3:::log*-2"]}`,
			[]string{"alpha", "delta", "logs-1"}, 3},
		{`{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": ["arn:aws:s3:::al*", "arn:aws:s3:::d${var.x}"]}`,
			[]string{"beta", "gamma", "logs-1"}, 4},
		{`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}`, nil, 0},
		{`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:*::alpha/*"}`, []string{"beta", "delta", "gamma"}, 5},
		{`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:us-east-1::alpha/*"}`, []string{"alpha", "beta", "delta"}, 6},
		{`{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:*:*:key/*"}`, []string{"alpha", "beta", "delta"}, 6},
		{`{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:s3:::alpha/*"}`, []string{"alpha", "beta", "delta"}, 6},
		{`{"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::alpha/*"}`, []string{"alpha", "beta", "delta"}, 6},
		{`{"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::alpha/*"}`, nil, 0},
		{`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::alpha/reports/*", "arn:aws:s3:::Beta/*"]}, {"Effect": "Allow", "NotAction": "s3:*", "Resource": "arn:aws:s3:::gamma"}`,
			[]string{"beta", "delta", "gamma"}, 5},
	}
	for _, c := range cases {
		src := `{"Version": "2012-10-17", "Statement": [` + c.statements + `]}`
		f := analysis.NewFile("/w/e.endpoint-policy.json", []byte(src), cfg)
		pass := &analysis.Pass{File: f}
		first, total := uncoveredBuckets(pass)
		var scan []string
		for _, b := range namedBuckets(cfg) {
			if !allowsS3On(f.Policy, b) {
				scan = append(scan, b)
			}
		}
		if !slices.Equal(first, c.first) || total != c.total {
			t.Errorf("%s: uncoveredBuckets = %q, %d; want %q, %d", c.statements, first, total, c.first, c.total)
		}
		if total != len(scan) || !slices.Equal(first, scan[:min(len(scan), bucketsNamed)]) {
			t.Errorf("%s: uncoveredBuckets = %q, %d; asking every bucket: %q", c.statements, first, total, scan)
		}
	}
}
