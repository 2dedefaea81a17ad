package checks_test

import (
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
)

func TestMissingStatementShapes(t *testing.T) {
	cases := []struct{ name, marked, msg string }{
		{"array", `«[»]`, "a policy document must be a JSON object with a Statement, not an array (kind: S3 bucket policy)"},
		{"null", `«null»`, "a policy document must be a JSON object with a Statement, not null (kind: S3 bucket policy)"},
		{"string", `«"Statement"»`, "a policy document must be a JSON object with a Statement, not a string (kind: S3 bucket policy)"},
		{"no statement", `«{»"Version": "2012-10-17"}`, "this S3 bucket policy has no Statement"},
		{"statement string", `{"Version": "2012-10-17", "Statement": «"Allow"»}`, "Statement must be a statement object or an array of them, not a string"},
		{"statement item", `{"Version": "2012-10-17", "Statement": [«[»], {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}`,
			`statement 1 is an array; each statement must be an object {"Effect": ...}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, got := checktest.Expect(t, "missing-statement", "a.bucket-policy.json", c.marked, nil)
			if got[0].Message.Text().EN != c.msg {
				t.Errorf("message: %s\nwant:    %s", got[0].Message.Text().EN, c.msg)
			}
		})
	}
}

func TestMissingStatementNearMiss(t *testing.T) {
	checktest.Expect(t, "missing-statement", "a.bucket-policy.json",
		`{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}}`, nil)
	// A JSON file of no known kind without a Statement is not a policy.
	checktest.Expect(t, "missing-statement", "package.json", `{"name": "x"}`, nil)
}
