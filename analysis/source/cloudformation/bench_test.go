package cloudformation_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/source/cloudformation"
)

// bigTemplate is a YAML template of n buckets, each with a bucket policy
// in short-form intrinsics, with Japanese and emoji on every policy.
func bigTemplate(n int) string {
	var b strings.Builder
	b.WriteString("AWSTemplateFormatVersion: '2010-09-09'\nDescription: テスト 🚀\nResources:\n")
	for i := range n {
		fmt.Fprintf(&b, `  Bucket%d:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: data-%d # 日本語 🚀
  Policy%d:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Bucket%d
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: "読み取り🚀"
            Effect: Allow
            Principal: {AWS: !Sub "arn:${AWS::Partition}:iam::111122223333:root"}
            Action: [s3:GetObject, s3:ListBucket]
            Resource:
              - !GetAtt Bucket%d.Arn
              - !Join ["", [!GetAtt Bucket%d.Arn, "/*"]]
`, i, i, i, i, i, i)
	}
	return b.String()
}

// BenchmarkReadYAML1MB reads a 1.2 MB template of 2,000 bucket policies.
func BenchmarkReadYAML1MB(b *testing.B) {
	src := []byte(bigTemplate(2000))
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if res := cloudformation.Reader.Read("big.yaml", src); len(res.Docs) != 2000 {
			b.Fatalf("%d documents", len(res.Docs))
		}
	}
}
