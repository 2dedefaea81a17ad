package checks_test

import (
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
)

const uploadByA = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "UploadFromA",
      "Effect": "Allow",
      "Principal": {"AWS": «"arn:aws:iam::111122223333:root"»},
      "Action": "s3:PutObject",
      "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"
    }
  ]
}`

func TestObjectOwnershipObjectWriter(t *testing.T) {
	cfg := workspace(t, `, "objectOwnership": "ObjectWriter"`)
	src, got := checktest.Expect(t, "object-ownership", "bucket.json", uploadByA, cfg)
	wantSeverity(t, got[0], analysis.Warning)
	wantMessage(t, got[0], "Object Ownership is ObjectWriter: its objects stay owned by it", "オブジェクト所有者は ObjectWriter です")
	wantHover(t, "bucket.json", src, got[0], cfg)
	fixed := fixRemoves(t, "bucket.json", src, got[0], 0, cfg)
	want := `"Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*",
      "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}
    }`
	wantFixed(t, fixed, want)
}

func TestObjectOwnershipUnknownIsInformation(t *testing.T) {
	_, got := checktest.Expect(t, "object-ownership", "b.bucket-policy.json", uploadByA, nil)
	wantSeverity(t, got[0], analysis.Information)
	wantMessage(t, got[0], "unless the bucket's Object Ownership is BucketOwnerEnforced", "BucketOwnerEnforced でない限り")
}

func TestObjectOwnershipNearMisses(t *testing.T) {
	enforced := workspace(t, `, "objectOwnership": "BucketOwnerEnforced"`)
	src, _ := checktest.Unmark(uploadByA)
	checktest.Expect(t, "object-ownership", "bucket.json", src, enforced)
	preferred := workspace(t, `, "objectOwnership": "BucketOwnerPreferred"`)
	for _, stmt := range []string{
		// The bucket's own account.
		`{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:role/uploader"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"}`,
		// The ACL is already required.
		`{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*", "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}`,
		// Reading only.
		`{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"}`,
	} {
		checktest.Expect(t, "object-ownership", "bucket.json", `{"Version": "2012-10-17", "Statement": [`+stmt+`]}`, preferred)
	}
}
