package checks_test

import (
	"slices"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
)

func TestMissingVersionOldVersion(t *testing.T) {
	src, got := checktest.Expect(t, "missing-version", "a.iam-policy.json", `{
  "Version": «"2008-10-17"»,
  "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b"}]
}`, nil)
	fixed, after := checktest.ApplyFix(t, "a.iam-policy.json", src, got[0], 0, nil)
	if slices.Contains(checktest.Codes(after), "missing-version") {
		t.Errorf("still reported after the fix:\n%s", fixed)
	}
}

func TestMissingVersionAbsentKeepsLayout(t *testing.T) {
	src, got := checktest.Expect(t, "missing-version", "a.iam-policy.json", `«{»
    "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b"}]
}`, nil)
	fixed, _ := checktest.ApplyFix(t, "a.iam-policy.json", src, got[0], 0, nil)
	want := `{
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b"}]
}`
	if fixed != want {
		t.Errorf("fixed text:\n%s\nwant:\n%s", fixed, want)
	}
}

func TestMissingVersionCurrentIsQuiet(t *testing.T) {
	checktest.Expect(t, "missing-version", "a.iam-policy.json",
		`{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}`, nil)
}
