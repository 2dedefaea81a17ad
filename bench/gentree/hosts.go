package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// writeHosts writes a tree of infrastructure code instead of standalone
// policies: by turns a CloudFormation YAML template (a bucket, its policy,
// a role with an inline policy and a KMS key) and a Terraform module file
// (the same as a heredoc, a jsonencode object and a policy document), so
// that the workspace benchmark covers the host readers.
func writeHosts(dir string, n int, seed uint64) error {
	r := rand.New(rand.NewPCG(seed, 3))
	var total int64
	for i := range n {
		sub := filepath.Join(dir, fmt.Sprintf("stack-%03d", i/100))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return err
		}
		name, text := fmt.Sprintf("stack-%05d.yaml", i), cloudFormation(r, i)
		if i%2 == 1 {
			module := filepath.Join(sub, fmt.Sprintf("module-%05d", i))
			if err := os.MkdirAll(module, 0o755); err != nil {
				return err
			}
			sub, name, text = module, "main.tf", terraform(r, i)
		}
		total += int64(len(text))
		if err := os.WriteFile(filepath.Join(sub, name), []byte(text), 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("gentree: %d templates and modules, %.1f MB in %s\n", n, float64(total)/1e6, dir)
	return nil
}

var hostActions = []string{"s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject", "s3:GetObjectVersion"}

func actions(r *rand.Rand, n int) []string {
	out := make([]string, 0, n)
	for range n {
		out = append(out, hostActions[r.IntN(len(hostActions))])
	}
	return out
}

func cloudFormation(r *rand.Rand, i int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "AWSTemplateFormatVersion: '2010-09-09'\nDescription: generated stack %d\nResources:\n", i)
	fmt.Fprintf(&b, "  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: data-%05d\n", i)
	b.WriteString("  BucketPolicy:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: !Ref Bucket\n      PolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n")
	for s := range 2 + r.IntN(6) {
		fmt.Fprintf(&b, "          - Sid: Partner%d\n            Effect: Allow\n            Principal:\n              AWS: arn:aws:iam::%012d:root\n            Action:\n", s, 111122223333+s)
		for _, a := range actions(r, 1+r.IntN(3)) {
			fmt.Fprintf(&b, "              - %s\n", a)
		}
		b.WriteString("            Resource: !Sub '${Bucket.Arn}/*'\n")
	}
	b.WriteString("  Reader:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Principal: {Service: lambda.amazonaws.com}\n            Action: sts:AssumeRole\n")
	b.WriteString("      Policies:\n        - PolicyName: read\n          PolicyDocument:\n            Version: '2012-10-17'\n            Statement:\n              - Effect: Allow\n                Action: [s3:GetObject, s3:ListBucket]\n                Resource:\n                  - !GetAtt Bucket.Arn\n                  - !Sub '${Bucket.Arn}/*'\n")
	b.WriteString("  Key:\n    Type: AWS::KMS::Key\n    Properties:\n      KeyPolicy:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Principal: {AWS: !Sub 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root'}\n            Action: 'kms:*'\n            Resource: '*'\n")
	return b.String()
}

func terraform(r *rand.Rand, i int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "resource \"aws_s3_bucket\" \"data\" {\n  bucket = \"data-%05d\"\n}\n\n", i)
	b.WriteString("resource \"aws_s3_bucket_policy\" \"data\" {\n  bucket = aws_s3_bucket.data.id\n  policy = <<EOF\n{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n")
	n := 2 + r.IntN(6)
	for s := range n {
		acts := actions(r, 1+r.IntN(3))
		fmt.Fprintf(&b, "    {\"Sid\": \"Partner%d\", \"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::%012d:root\"}, \"Action\": [\"%s\"], \"Resource\": \"${aws_s3_bucket.data.arn}/*\"}", s, 111122223333+s, strings.Join(acts, "\", \""))
		if s < n-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("  ]\n}\nEOF\n}\n\n")
	b.WriteString("resource \"aws_kms_key\" \"data\" {\n  policy = jsonencode({\n    Version = \"2012-10-17\"\n    Statement = [{\n      Effect    = \"Allow\"\n      Principal = { AWS = \"arn:aws:iam::444455556666:root\" }\n      Action    = \"kms:*\"\n      Resource  = \"*\"\n    }]\n  })\n}\n\n")
	b.WriteString("data \"aws_iam_policy_document\" \"reader\" {\n  statement {\n    actions   = [\"s3:GetObject\", \"s3:ListBucket\"]\n    resources = [aws_s3_bucket.data.arn, \"${aws_s3_bucket.data.arn}/*\"]\n  }\n}\n\n")
	b.WriteString("resource \"aws_iam_policy\" \"reader\" {\n  policy = data.aws_iam_policy_document.reader.json\n}\n")
	return b.String()
}

// writeBucketModules writes the layout of a common infrastructure
// repository: n Terraform modules that declare buckets (versioning,
// encryption, lifecycle, ownership, variables and outputs) and no policy
// anywhere, no .s3policy.json. No policy can read their facts, so check
// has nothing to say of them: what it costs is the price of the walk and
// the byte scans.
func writeBucketModules(dir string, n int, seed uint64) error {
	r := rand.New(rand.NewPCG(seed, 4))
	var total int64
	for i := range n {
		module := filepath.Join(dir, fmt.Sprintf("infra-%03d", i/100), fmt.Sprintf("bucket-%05d", i))
		if err := os.MkdirAll(module, 0o755); err != nil {
			return err
		}
		for name, text := range bucketModule(r, i) {
			total += int64(len(text))
			if err := os.WriteFile(filepath.Join(module, name), []byte(text), 0o644); err != nil {
				return err
			}
		}
	}
	fmt.Printf("gentree: %d bucket-only modules, %.1f MB in %s\n", n, float64(total)/1e6, dir)
	return nil
}

// bucketModule is the files of one bucket-only module, by name.
func bucketModule(r *rand.Rand, i int) map[string]string {
	var b strings.Builder
	fmt.Fprintf(&b, "resource \"aws_s3_bucket\" \"this\" {\n  bucket = \"${var.prefix}-data-%05d\"\n\n  tags = {\n    Team        = \"team-%02d\"\n    Environment = var.environment\n  }\n}\n\n", i, r.IntN(40))
	b.WriteString("resource \"aws_s3_bucket_versioning\" \"this\" {\n  bucket = aws_s3_bucket.this.id\n  versioning_configuration {\n    status = \"Enabled\"\n  }\n}\n\n")
	b.WriteString("resource \"aws_s3_bucket_server_side_encryption_configuration\" \"this\" {\n  bucket = aws_s3_bucket.this.id\n  rule {\n    apply_server_side_encryption_by_default {\n      sse_algorithm = \"aws:kms\"\n    }\n    bucket_key_enabled = true\n  }\n}\n\n")
	b.WriteString("resource \"aws_s3_bucket_ownership_controls\" \"this\" {\n  bucket = aws_s3_bucket.this.id\n  rule {\n    object_ownership = \"BucketOwnerEnforced\"\n  }\n}\n\n")
	fmt.Fprintf(&b, "resource \"aws_s3_bucket_lifecycle_configuration\" \"this\" {\n  bucket = aws_s3_bucket.this.id\n  rule {\n    id     = \"expire\"\n    status = \"Enabled\"\n    filter {}\n    expiration {\n      days = %d\n    }\n  }\n}\n", 30+r.IntN(335))
	return map[string]string{
		"main.tf":      b.String(),
		"variables.tf": "variable \"prefix\" {\n  type = string\n}\n\nvariable \"environment\" {\n  type    = string\n  default = \"prod\"\n}\n",
		"outputs.tf":   "output \"bucket_arn\" {\n  value = aws_s3_bucket.this.arn\n}\n\noutput \"bucket_id\" {\n  value = aws_s3_bucket.this.id\n}\n",
	}
}
