package lsp

import (
	"path/filepath"
	"testing"
)

// A bucket's owner typed into the account a bucket policy grants by its
// bare ID (no principal's ARN in the policy) makes that grant one of the
// same account: the principals of that account are answered again, and
// every file finds what a set read afresh does. Only the bucket policies
// that name the bucket and the account stop an answer being kept
// (grantsMoved of the policies naming the bucket, not every answer of the
// set): a narrowing that looked for the principal's ARN alone misses this
// grant.
func TestAnOwnerTypedIntoAGrantedAccountAgreesWithAFreshSet(t *testing.T) {
	typeOwnerIntoGrant(t, "111122220000", 3)
}

// The same grant with the account written with a JSON escape ("\u0032"
// for a "2"): the engine reads the decoded string, so the narrowing that
// looks for the account in the policy must too (namesText).
func TestAnOwnerTypedIntoAnEscapedGrantAgreesWithAFreshSet(t *testing.T) {
	typeOwnerIntoGrant(t, `1111\u00322220000`, 2)
}

// typeOwnerIntoGrant types, into a Terraform provider, the account
// 111122220000 a bucket policy of the set grants as grantee (its JSON
// text), back, and, of the first steps keystrokes, another.
func typeOwnerIntoGrant(t *testing.T, grantee string, steps int) {
	t.Helper()
	folder, texts, ix := governedIndexWith(t, 40, "tf", func(folder string) map[string][]byte {
		return map[string][]byte{
			filepath.Join(folder, "main.tf"): []byte("provider \"aws\" {\n  allowed_account_ids = [\"444455556666\"]\n}\n" +
				"resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"tf-b\"\n}\n"),
			filepath.Join(folder, "tf.bucket-policy.json"):           []byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "` + grantee + `"}, "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::tf-b/*"}]}` + "\n"),
			filepath.Join(folder, "policy-tf.app-0.iam-policy.json"): []byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}` + "\n"),
		}
	})
	typeAndCompare(t, ix, filepath.Dir(folder), folder, texts, []keystroke{
		{"the owner the grantee's account", "main.tf", `["444455556666"]`, `["111122220000"]`, true, false},
		{"the owner back", "main.tf", `["111122220000"]`, `["444455556666"]`, true, false},
		{"another owner", "main.tf", `["444455556666"]`, `["999988887777"]`, false, false},
	}[:steps])
}
