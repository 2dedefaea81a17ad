package lsp

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// bucketsTF is a Terraform module of a governed folder that states the
// facts of two buckets (owner, default encryption and its KMS key, object
// ownership, Requester Pays), and bucketsPolicy a bucket policy beside it
// that grants app-0 (another account) requests on them, on a bucket the
// module does not state yet, on a bucket of .s3policy.json, and on
// wildcards (tf-* and *), each statement a request of its own (Grants
// takes one resource a statement).
const bucketsTF = `provider "aws" {
  allowed_account_ids = ["444455556666"]
}
resource "aws_s3_bucket" "a" {
  bucket = "tf-a"
  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm     = "aws:kms"
        kms_master_key_id = "arn:aws:kms:us-east-1:444455556666:key/00000000-0000-4000-8000-000000000000"
      }
    }
  }
}
resource "aws_s3_bucket" "b" {
  bucket        = "tf-b"
  request_payer = "Requester"
}
resource "aws_s3_bucket_ownership_controls" "b" {
  bucket = "tf-b"
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}
`

func bucketsPolicy() string {
	var statements []string
	for i, resource := range []string{"tf-a/*", "tf-a", "tf-b/*", "tf-c/*", "tf-abc/*", "data-00000/*", "tf-*/*", "*/*", "*"} {
		statements = append(statements, fmt.Sprintf(`    {"Sid": "S%d", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122220000:role/app-0", "arn:aws:iam::111122220000:root"]}, "Action": ["s3:GetObject", "s3:PutObject", "s3:PutObjectAcl", "s3:ListBucket"], "Resource": "arn:aws:s3:::%s"}`, i, resource))
	}
	return "{\"Version\": \"2012-10-17\", \"Statement\": [\n" + strings.Join(statements, ",\n") + "\n]}\n"
}

// A keystroke that changes a bucket's facts evaluates again the requests
// on that bucket (its name before and after) and keeps the others'
// evaluations: at each keystroke below (a bucket's name typed letter by
// letter, with its closing quote and without, renamed to a bucket of
// .s3policy.json, its encryption, key, ownership, Requester Pays and
// owner changed, a bucket taken out and typed back) every file finds,
// and the set decides every request granted (on wildcards too), what a
// set read afresh from the same texts does.
func TestBucketFactsKeystrokesAgreeWithAFreshSet(t *testing.T) {
	folder, texts, ix := governedIndexWith(t, 40, "tf", func(folder string) map[string][]byte {
		return map[string][]byte{
			filepath.Join(folder, "main.tf"):                         []byte(bucketsTF),
			filepath.Join(folder, "tf.bucket-policy.json"):           []byte(bucketsPolicy()),
			filepath.Join(folder, "policy-tf.app-0.iam-policy.json"): []byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:*", "kms:*"], "Resource": "*"}]}` + "\n"),
		}
	})
	var steps []keystroke
	// The name typed, quotes paired as an editor pairs them: "tf-b" ->
	// "" -> "t" -> ... -> "tf-abc", through tf-a (the other bucket's).
	name := "tf-b"
	for _, next := range []string{"", "t", "tf", "tf-", "tf-a", "tf-ab", "tf-abc"} {
		// Only tf-b's facts gone ("") and tf-abc's come change what a
		// file finds: no request is on the names between (tf-a's facts
		// are bucket a's, the module's first).
		shows := next == "" || next == "tf-abc"
		steps = append(steps, keystroke{"bucket b named " + next, "main.tf", `bucket        = "` + name + `"`, `bucket        = "` + next + `"`, shows, false})
		name = next
	}
	steps = append(steps, []keystroke{
		{"its closing quote taken out", "main.tf", `bucket        = "tf-abc"`, `bucket        = "tf-abc`, true, false},
		{"its closing quote back", "main.tf", `bucket        = "tf-abc`, `bucket        = "tf-abc"`, true, false},
		{"renamed to a bucket of .s3policy.json", "main.tf", `bucket        = "tf-abc"`, `bucket        = "data-00000"`, true, false},
		{"renamed back", "main.tf", `bucket        = "data-00000"`, `bucket        = "tf-b"`, true, false},
		{"encryption to AES256", "main.tf", `sse_algorithm     = "aws:kms"`, `sse_algorithm     = "AES256"`, true, false},
		{"encryption back to KMS", "main.tf", `sse_algorithm     = "AES256"`, `sse_algorithm     = "aws:kms"`, true, false},
		{"another KMS key", "main.tf", `key/00000000-0000-4000-8000-000000000000`, `key/11111111-0000-4000-8000-000000000000`, true, false},
		{"ownership to ObjectWriter", "main.tf", `"BucketOwnerEnforced"`, `"ObjectWriter"`, true, false},
		{"Requester Pays off", "main.tf", `  request_payer = "Requester"` + "\n", "", true, false},
		{"the owner the grantee's account", "main.tf", `["444455556666"]`, `["111122220000"]`, true, false},
		{"the owner back", "main.tf", `["111122220000"]`, `["444455556666"]`, true, false},
		{"bucket a taken out", "main.tf", `  bucket = "tf-a"` + "\n", "", true, false},
		{"bucket a back", "main.tf", `resource "aws_s3_bucket" "a" {` + "\n", `resource "aws_s3_bucket" "a" {` + "\n" + `  bucket = "tf-a"` + "\n", true, false},
	}...)
	typeAndCompare(t, ix, filepath.Dir(folder), folder, texts, steps)
}
