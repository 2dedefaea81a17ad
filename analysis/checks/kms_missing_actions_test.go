package checks_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
)

const bucketKey = "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"

// keyOfBucket says, as .s3policy.json does, that k.key-policy.json is the
// policy of the key a bucket encrypts with.
func keyOfBucket(t *testing.T) *analysis.Config {
	return checktest.Config(t, `{"buckets": {"b": {"account": "444455556666", "encryption": "aws:kms", "kmsKeyArn": "`+bucketKey+`"}},
  "files": {"k.key-policy.json": {"kind": "key", "key": "`+bucketKey+`"}}}`)
}

func TestKMSMissingActionsKeyPolicy(t *testing.T) {
	cfg := keyOfBucket(t)
	src, got := checktest.Expect(t, "kms-missing-actions", "k.key-policy.json", `{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "AllowJane",
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::111122223333:user/jane"},
    "Action": «[
      "kms:Decrypt",
      "kms:DescribeKey"
    ]»,
    "Resource": "*"
  }]
}`, cfg)
	wantSeverity(t, got[0], analysis.Warning)
	wantMessage(t, got[0], "without kms:GenerateDataKey: uploads of SSE-KMS objects are denied", "アップロードが拒否されます")
	wantHover(t, "k.key-policy.json", src, got[0], cfg)
	fixed := fixRemoves(t, "k.key-policy.json", src, got[0], 0, cfg)
	want := `"Action": [
      "kms:Decrypt",
      "kms:DescribeKey",
      "kms:GenerateDataKey"
    ]`
	wantFixed(t, fixed, want)
}

func TestKMSMissingActionsIdentityPolicyOnKey(t *testing.T) {
	src, got := checktest.Expect(t, "kms-missing-actions", "jane.iam-policy.json",
		`{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": «"kms:Encrypt"», "Resource": "`+bucketKey+`"}}`, nil)
	wantMessage(t, got[0], "without kms:Decrypt and kms:GenerateDataKey", "kms:Decrypt と kms:GenerateDataKey なしで")
	fixed := fixRemoves(t, "jane.iam-policy.json", src, got[0], 0, nil)
	if !contains(fixed, `"Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"]`) {
		t.Errorf("fixed text:\n%s", fixed)
	}
}

func TestKMSMissingActionsBucketKey(t *testing.T) {
	cfg := workspace(t, `, "encryption": "aws:kms", "kmsKeyArn": "`+bucketKey+`"`)
	src, got := checktest.Expect(t, "kms-missing-actions", "jane.json", `{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET"},
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": «"arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"»}
  ]
}`, cfg)
	wantSeverity(t, got[0], analysis.Error)
	wantMessage(t, got[0], "encrypted with KMS key "+bucketKey+", but no statement allows kms:Decrypt and kms:GenerateDataKey",
		"KMS キー "+bucketKey+" で暗号化されています")
	fixed := fixRemoves(t, "jane.json", src, got[0], 0, cfg)
	want := `,
    {"Sid": "UseBucketKeyDOCEXAMPLEBUCKET", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "` + bucketKey + `"}
  ]`
	wantFixed(t, fixed, want)
}

func TestKMSMissingActionsNearMisses(t *testing.T) {
	cfg := workspace(t, `, "encryption": "aws:kms", "kmsKeyArn": "`+bucketKey+`"`)
	for _, doc := range []string{
		// The usual "allow use of the key" statement.
		`{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "*"}}`,
		// A service that uses the key for its own purpose.
		`{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "kms:GenerateDataKey*", "Resource": "*"}}`,
		// Only through another service than S3.
		`{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Decrypt"], "Resource": "*", "Condition": {"StringEquals": {"kms:ViaService": "workmail.us-east-1.amazonaws.com"}}}}`,
		// Grants, not cryptography.
		`{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": ["kms:CreateGrant", "kms:ListGrants"], "Resource": "*"}}`,
	} {
		checktest.Expect(t, "kms-missing-actions", "k.key-policy.json", doc, nil)
	}
	// Reads only, with kms:Decrypt on the bucket's key.
	checktest.Expect(t, "kms-missing-actions", "jane.json", `{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"},
  {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": "arn:aws:kms:us-east-1:444455556666:key/*"}]}`, cfg)
}

// A statement that already uses the bucket's key gets the one finding, and
// the fix extends its Action; the S3 statement is not reported again.
func TestKMSMissingActionsBucketKeyStatementReportedOnce(t *testing.T) {
	cfg := workspace(t, `, "encryption": "aws:kms", "kmsKeyArn": "`+bucketKey+`"`)
	src, got := checktest.Expect(t, "kms-missing-actions", "jane.json", `{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"},
    {"Effect": "Allow", "Action": «"kms:Decrypt"», "Resource": "`+bucketKey+`"}
  ]
}`, cfg)
	fixed := fixRemoves(t, "jane.json", src, got[0], 0, cfg)
	wantFixed(t, fixed, `"Action": ["kms:Decrypt", "kms:GenerateDataKey"]`)
}

// Two statements on the same key that together allow both actions are
// enough: the policy, not each statement, must allow them.
func TestKMSMissingActionsSplitAcrossStatementsIsQuiet(t *testing.T) {
	checktest.Expect(t, "kms-missing-actions", "jane.iam-policy.json", `{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "`+bucketKey+`"},
    {"Effect": "Allow", "Action": "kms:GenerateDataKey", "Resource": "`+bucketKey+`"}
  ]
}`, nil)
}

// kms-missing-actions speaks only for keys that serve S3 (linked by
// .s3policy.json or limited to S3 with kms:ViaService), and looks at every
// statement of the key policy: two statements for one principal together
// allow both directions.
// https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html
func TestKMSMissingActionsOnlyForS3Keys(t *testing.T) {
	ebs := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/ebs"}, "Action": ["kms:Decrypt", "kms:CreateGrant"], "Resource": "*"}]}`
	checktest.Expect(t, "kms-missing-actions", "k.key-policy.json", ebs, nil)
	checktest.Expect(t, "kms-missing-actions", "k.key-policy.json", `{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": «"kms:Decrypt"», "Resource": "*", "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}}]}`, nil)
	checktest.Expect(t, "kms-missing-actions", "k.key-policy.json", `{"Version": "2012-10-17", "Statement": [
  {"Sid": "Read", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:Decrypt", "Resource": "*"},
  {"Sid": "Write", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:GenerateDataKey", "Resource": "*"}]}`, keyOfBucket(t))
}

// Another statement of an identity policy completes a KMS statement when
// one of its Resources is the key itself or a pattern that covers it
// (statements indexed by literal Resource, patterns compared in turn).
func TestKMSMissingActionsIdentityPolicyOtherStatements(t *testing.T) {
	const key = "arn:aws:kms:us-east-1:444455556666:key/"
	_, got := checktest.Expect(t, "kms-missing-actions", "jane.iam-policy.json", `{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::b/*"},
  {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "`+key+`k1"},
  {"Effect": "Allow", "Action": "kms:GenerateDataKey", "Resource": ["arn:aws:s3:::b/*", "`+key+`k1"]},
  {"Effect": "Allow", "Action": «"kms:Decrypt"», "Resource": "`+key+`k2"},
  {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "`+key+`k3*"},
  {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "`+key+`k35"},
  {"Effect": "Deny", "Action": "kms:GenerateDataKey", "Resource": "`+key+`k2"}
]}`, nil)
	wantMessage(t, got[0], "without kms:GenerateDataKey", "kms:GenerateDataKey")
}

// A key policy is the policy of a bucket's key when .s3policy.json gives
// it the bucket's kmsKeyArn, or the same key ID in another spelling (a
// region written differently); another key's policy is not, and says
// nothing of one direction. Among many buckets, each with its key.
func TestKMSMissingActionsKeyOfOneOfManyBuckets(t *testing.T) {
	config := func(key string) *analysis.Config {
		buckets := ""
		for i := range 50 {
			buckets += fmt.Sprintf(`"b%d": {"account": "444455556666", "encryption": "aws:kms", "kmsKeyArn": "arn:aws:kms:us-east-1:444455556666:key/%04d-ab"}, `, i, i)
		}
		return checktest.Config(t, `{"buckets": {`+strings.TrimSuffix(buckets, ", ")+`},
  "files": {"k.key-policy.json": {"kind": "key", "key": "`+key+`"}}}`)
	}
	oneWay := `{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": «"kms:Decrypt"», "Resource": "*"}]}`
	for _, key := range []string{"arn:aws:kms:us-east-1:444455556666:key/0031-ab", "arn:aws:kms:eu-west-1:444455556666:key/0049-ab"} {
		checktest.Expect(t, "kms-missing-actions", "k.key-policy.json", oneWay, config(key))
	}
	checktest.Expect(t, "kms-missing-actions", "k.key-policy.json", strings.ReplaceAll(strings.ReplaceAll(oneWay, "«", ""), "»", ""),
		config("arn:aws:kms:us-east-1:444455556666:key/0050-ab"))
}

// Resource patterns are compared with a key only when their service may be
// kms: a pattern whose text before the first wildcard names another service
// (arn:aws:s3:::*) reaches no key, one that names kms or leaves the service
// open (arn:aws:*, arn:*:kms:..., "*", a ${...} partition) may.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards
func TestKMSMissingActionsPatternsOfOtherServices(t *testing.T) {
	const key = "arn:aws:kms:us-east-1:444455556666:key/k1"
	policy := func(grant string) string {
		return `{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::b/*"},
  {"Effect": "Allow", "Action": «"kms:Decrypt"», "Resource": "` + key + `"},
  {"Effect": "Allow", "Action": "kms:GenerateDataKey", "Resource": ` + grant + `}
]}`
	}
	for _, other := range []string{`"arn:aws:s3:::*"`, `["arn:aws:s3:::b/*", "arn:aws:dynamodb:*:*:table/*"]`, `"arn:aws:kms:us-east-1:444455556666:alias/*"`, `"arn:aws:kms:us-east-2:*"`} {
		_, got := checktest.Expect(t, "kms-missing-actions", "jane.iam-policy.json", policy(other), nil)
		wantMessage(t, got[0], "statement 2 allows the key without kms:GenerateDataKey: uploads of SSE-KMS objects are denied",
			"ステートメント 2 は kms:GenerateDataKey なしでキーを許可しています。SSE-KMS オブジェクトのアップロードが拒否されます")
	}
	// Patterns that are no key ARN themselves (a key pattern's statement is
	// a KMS statement of its own).
	for _, reaches := range []string{`"*"`, `"arn:aws:*"`, `"arn:aws*"`, `"arn:*:kms:us-east-1:444455556666:*"`,
		`["arn:aws:s3:::b/*", "arn:aws:kms:us-east-1:444455556666:k*"]`, `"arn:aws:kms:us-east-1:444455556666:key?k1"`} {
		unmarked := strings.NewReplacer("«", "", "»", "").Replace(policy(reaches))
		checktest.Expect(t, "kms-missing-actions", "jane.iam-policy.json", unmarked, nil)
	}
}
