package checks_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
)

// policy20KB is an identity policy of about 20 KB that names actions of
// several services, wildcards, resources and condition keys.
func policy20KB() []byte {
	var stmts []string
	for i := 0; len(strings.Join(stmts, ",")) < 20_000; i++ {
		stmts = append(stmts, fmt.Sprintf(`
    {
      "Sid": "S%d",
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:PutObject", "s3:List*", "kms:Decrypt", "ec2:Describe*", "dynamodb:GetItem"],
      "Resource": ["arn:aws:s3:::bucket-%d/*", "arn:aws:kms:us-east-1:111122223333:key/k%d", "arn:aws:dynamodb:us-east-1:111122223333:table/t%d"],
      "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-%d", "s3:x-amz-acl": "private"}, "Bool": {"aws:SecureTransport": "true"}}
    }`, i, i, i, i, i))
	}
	return []byte(`{"Version": "2012-10-17", "Statement": [` + strings.Join(stmts, ",") + "\n]}")
}

// BenchmarkAnalyze20KB measures analysing a 20 KB policy with every check
// and without the checks that use the IAM service data: the difference is
// the cost the data adds (its services already decoded, as in a running
// server).
func BenchmarkAnalyze20KB(b *testing.B) {
	src := policy20KB()
	without := slices.DeleteFunc(slices.Clone(checks.All), func(c *analysis.Check) bool { return slices.Contains(iamCodes, c.Code) })
	for _, run := range []struct {
		name   string
		checks []*analysis.Check
	}{{"all", checks.All}, {"without-iamdata", without}} {
		b.Run(run.name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				f := analysis.NewFile("a.iam-policy.json", src, nil)
				analysis.Analyze(f, run.checks)
			}
		})
	}
}
