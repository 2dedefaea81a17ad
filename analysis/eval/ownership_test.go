package eval

import (
	"strings"
	"testing"
)

// Object ownership and ACLs as S3 decides them: under ObjectWriter the
// uploading account owns the object; the bucket-owner-full-control ACL
// gives the bucket owner full control; the owner's account grants its own
// principals access through their identity policies (the bucket policy
// can still deny); BucketOwnerEnforced disables ACLs.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-auth-workflow-object-operation.html
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl
func TestObjectOwnershipAndACLs(t *testing.T) {
	const readAll = `"identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}]`
	const bucketPolicy = `"resourcePolicy": {"Version": "2012-10-17", "Statement": [{"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "999988887777"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}]}`
	const writer = `"objectOwner": "111122223333"`
	runCases(t, []scenarioCase{
		{"the bucket owner reads an object uploaded with bucket-owner-full-control", `{
"request": {"principal": "arn:aws:iam::444455556666:user/bob", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", ` + writer + `, "objectAcl": "bucket-owner-full-control"},
` + readAll + `, "bucket": {"account": "444455556666", "objectOwnership": "ObjectWriter"}}`, want{decision: Allowed}},
		{"without the ACL the bucket owner has no access", `{
"request": {"principal": "arn:aws:iam::444455556666:user/bob", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", ` + writer + `, "objectAcl": "private"},
` + readAll + `, "bucket": {"account": "444455556666", "objectOwnership": "ObjectWriter"}}`,
			want{ImplicitlyDenied, []Layer{LayerOwnership}, CodeObjectOwnership, LayerOwnership, "bucket", -1, ""}},
		{"the writer's account reads its own object through its identity policy", `{
"request": {"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", ` + writer + `},
` + readAll + `, ` + bucketPolicy + `, "bucket": {"account": "444455556666", "objectOwnership": "ObjectWriter"}}`, want{decision: Allowed}},
		{"the bucket policy can still deny the writer", `{
"request": {"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", ` + writer + `},
` + readAll + `, "resourcePolicy": {"Version": "2012-10-17", "Statement": [{"Sid": "NoJane", "Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111122223333:user/jane"}, "Action": "s3:*", "Resource": "arn:aws:s3:::shared/*"}]},
"bucket": {"account": "444455556666", "objectOwnership": "ObjectWriter"}}`,
			want{ExplicitlyDenied, []Layer{LayerResource}, CodeDeny, LayerResource, "resourcePolicy", 0, `"Version": "2012-10-17", "Statement": [{"Sid": "NoJane"`}},
		{"a third account granted by the bucket policy has no access to the writer's object", `{
"request": {"principal": "arn:aws:iam::999988887777:user/pat", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", ` + writer + `, "objectAcl": "bucket-owner-full-control"},
` + readAll + `, ` + bucketPolicy + `, "bucket": {"account": "444455556666", "objectOwnership": "ObjectWriter"}}`,
			want{ImplicitlyDenied, []Layer{LayerOwnership}, CodeObjectOwnership, LayerOwnership, "bucket", -1, ""}},
		{"BucketOwnerEnforced: the bucket owner owns every object", `{
"request": {"principal": "arn:aws:iam::999988887777:user/pat", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", ` + writer + `},
` + readAll + `, ` + bucketPolicy + `, "bucket": {"account": "444455556666", "objectOwnership": "BucketOwnerEnforced"}}`, want{decision: Allowed}},
	})
}

// Ownership governs what the object's ACL governs (reads, ACL, tags):
// the bucket owner writes a key and deletes any object whoever owns it,
// and the writer's account has no say over them through its own policies.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html
func TestObjectOwnershipLimitedToACLActions(t *testing.T) {
	const all = `"identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}]`
	const writer = `"objectOwner": "111122223333"`
	const bucket = `"bucket": {"account": "444455556666", "objectOwnership": "ObjectWriter"}`
	bob := func(action string) string {
		return `{"request": {"principal": "arn:aws:iam::444455556666:user/bob", "action": "` + action + `", "resource": "arn:aws:s3:::shared/a.txt", ` + writer + `}, ` + all + `, ` + bucket + `}`
	}
	denied := want{ImplicitlyDenied, []Layer{LayerOwnership}, CodeObjectOwnership, LayerOwnership, "bucket", -1, ""}
	runCases(t, []scenarioCase{
		{"the bucket owner writes the key", bob("s3:PutObject"), want{decision: Allowed}},
		{"the bucket owner deletes the object", bob("s3:DeleteObject"), want{decision: Allowed}},
		{"the bucket owner deletes a version", bob("s3:DeleteObjectVersion"), want{decision: Allowed}},
		{"the bucket owner does not read the object", bob("s3:GetObject"), denied},
		{"the bucket owner does not read its ACL", bob("S3:GetObjectAcl"), denied},
		{"the bucket owner does not tag it", bob("s3:PutObjectTagging"), denied},
		{"the writer deletes only as the bucket policy lets it", `{
"request": {"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:DeleteObject", "resource": "arn:aws:s3:::shared/a.txt", ` + writer + `},
` + all + `, ` + bucket + `}`, want{ImplicitlyDenied, []Layer{LayerResource}, CodeImplicitDeny, LayerResource, "", -1, ""}},
	})
}

// The KMS cause says what to add: a key policy statement for the caller's
// account; the administrators' statement is only the nearest one.
// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
func TestKMSCauseSaysWhatToAdd(t *testing.T) {
	r := evaluateJSON(t, `{"request": {"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666"},
"identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "kms:Decrypt"], "Resource": "*"}]}],
"resourcePolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}]},
"bucket": {"encryption": "aws:kms", "kmsKeyArn": "arn:aws:kms:us-east-1:444455556666:key/k"}}`)
	if len(r.Causes) != 1 || !strings.HasSuffix(r.Say(&r.Causes[0]).EN, "but not to arn:aws:iam::111122223333:user/jane: add a statement that allows account 111122223333") {
		t.Errorf("causes %+v", r.Causes)
	}
}
