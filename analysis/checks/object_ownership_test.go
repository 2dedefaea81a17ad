package checks_test

import (
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
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

// A statement that allows reads as well as uploads keeps its grants: the
// fix requires the ACL on s3:PutObject only, in a Deny statement of its
// own, since only uploads carry x-amz-acl and a condition on it would
// deny every read. Checked with the engine before and after.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/ensure-object-ownership.html
func TestObjectOwnershipFixKeepsReads(t *testing.T) {
	cfg := workspace(t, `, "objectOwnership": "ObjectWriter"`)
	src, got := checktest.Expect(t, "object-ownership", "bucket.json", `{"Version": "2012-10-17", "Statement": [{
  "Sid": "ReadWrite", "Effect": "Allow", "Principal": {"AWS": «"111122223333"»},
  "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"}]}`, cfg)
	if want := "Deny uploads without the bucket-owner-full-control ACL, in a statement of its own"; got[0].AllFixes()[0].Title.EN != want {
		t.Errorf("fix %q, want %q", got[0].AllFixes()[0].Title.EN, want)
	}
	fixed := fixRemoves(t, "bucket.json", src, got[0], 0, cfg)
	wantFixed(t, fixed, `{"Sid": "RequireBucketOwnerFullControl", "Effect": "Deny", "Principal": {"AWS": "111122223333"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*", "Condition": {"StringNotEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}`)
	decide := func(policy, action string, context map[string][]string) eval.Decision {
		doc, ok := eval.NewDoc("bucket.json", []byte(policy))
		if !ok {
			t.Fatalf("not JSON:\n%s", policy)
		}
		identity, _ := eval.NewDoc("id", []byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}`))
		return eval.Evaluate(&eval.Scenario{
			Request:          eval.Request{Principal: "arn:aws:iam::111122223333:user/jane", Action: action, Resource: "arn:aws:s3:::DOC-EXAMPLE-BUCKET/k", ResourceAccount: "444455556666", Context: context},
			IdentityPolicies: []*eval.Doc{identity}, ResourcePolicy: doc,
		}).Decision
	}
	acl := map[string][]string{"s3:x-amz-acl": {"bucket-owner-full-control"}}
	for _, c := range []struct {
		action        string
		context       map[string][]string
		before, after eval.Decision
	}{
		{"s3:GetObject", nil, eval.Allowed, eval.Allowed},
		{"s3:PutObject", acl, eval.Allowed, eval.Allowed},
		{"s3:PutObject", nil, eval.Allowed, eval.ExplicitlyDenied}, // what the fix says it denies
	} {
		if got := decide(src, c.action, c.context); got != c.before {
			t.Errorf("before: %s %v: %s, want %s", c.action, c.context, got, c.before)
		}
		if got := decide(fixed, c.action, c.context); got != c.after {
			t.Errorf("after: %s %v: %s, want %s", c.action, c.context, got, c.after)
		}
	}
}
