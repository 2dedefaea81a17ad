package checks_test

import (
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
)

func TestRequesterPays(t *testing.T) {
	cfg := workspace(t, `, "requesterPays": true`)
	src, got := checktest.Expect(t, "requester-pays", "bucket.json", `{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::444455556666:root", «"arn:aws:iam::111122223333:user/jane"»]}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"},
    {"Effect": "Allow", "Principal": {"AWS": «"111122223333"»}, "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET"}
  ]
}`, cfg)
	wantSeverity(t, got[0], analysis.Information)
	wantMessage(t, got[0], "requests from arn:aws:iam::111122223333:user/jane are allowed when they carry x-amz-request-payer: requester (CLI --request-payer requester); without it S3 answers 403",
		"リクエスタ支払いバケットです")
	wantHover(t, "bucket.json", src, got[0], cfg)
}

func TestRequesterPaysNearMisses(t *testing.T) {
	doc := `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"}}`
	// The bucket does not charge requesters.
	checktest.Expect(t, "requester-pays", "bucket.json", doc, workspace(t, ""))
	cfg := workspace(t, `, "requesterPays": true`)
	// The bucket's own account pays anyway.
	checktest.Expect(t, "requester-pays", "bucket.json",
		`{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:role/r"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"}}`, cfg)
	// Without .s3policy.json nothing says the bucket is Requester Pays.
	checktest.Expect(t, "requester-pays", "b.bucket-policy.json", doc, nil)
}
