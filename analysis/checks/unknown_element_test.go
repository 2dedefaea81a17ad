package checks_test

import (
	"slices"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
)

func TestUnknownElementMisspelt(t *testing.T) {
	src, got := checktest.Expect(t, "unknown-element", "a.iam-policy.json", `{
  "Version": "2012-10-17",
  «"Statements"»: [],
  "Statement": [
    {
      «"effect"»: "Allow",
      «"Actions"»: ["s3:GetObject"],
      «"Resources"»: "arn:aws:s3:::b/*"
    }
  ]
}`, nil)
	if got[1].Message.Text().EN != `unknown element "effect"; did you mean "Effect"? (element names are case sensitive)` {
		t.Errorf("message: %s", got[1].Message.Text().EN)
	}
	// "Statement" exists, so renaming "Statements" would duplicate it.
	if len(got[0].AllFixes()) != 0 {
		t.Errorf("a rename to an existing key is offered: %s", got[0].AllFixes()[0].Title.EN)
	}
	fixed := src
	for range 3 {
		_, fs := checktest.Run(t, "a.iam-policy.json", fixed, nil)
		i := slices.IndexFunc(fs, func(f analysis.Finding) bool { return f.Code == "unknown-element" && len(f.AllFixes()) > 0 })
		if i < 0 {
			t.Fatalf("no fixable unknown-element left:\n%s", fixed)
		}
		fixed, _ = checktest.ApplyFix(t, "a.iam-policy.json", fixed, fs[i], 0, nil)
	}
	want := `{
  "Version": "2012-10-17",
  "Statements": [],
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject"],
      "Resource": "arn:aws:s3:::b/*"
    }
  ]
}`
	if fixed != want {
		t.Errorf("fixed:\n%s\nwant:\n%s", fixed, want)
	}
}

func TestUnknownElementMisplacedAndExclusive(t *testing.T) {
	_, got := checktest.Expect(t, "unknown-element", "a.iam-policy.json", `{"Version": "2012-10-17", «"Effect"»: "Allow", «"Foo"»: 1, "Statement": {
  «"Version"»: "2012-10-17", "Effect": "Allow", "Action": "s3:*", «"NotAction"»: "s3:Get*", "Resource": "*", «"Condtion"»: {}}}`, nil)
	wants := []string{
		`"Effect" does not belong here: it goes inside a statement`,
		`unknown element "Foo"; expected one of Version, Id, Statement`,
		`"Version" does not belong here: it goes at the top level of the document`,
		`a statement holds Action or NotAction, not both`,
		`unknown element "Condtion"; did you mean "Condition"? (element names are case sensitive)`,
	}
	for i, w := range wants {
		if got[i].Message.Text().EN != w {
			t.Errorf("finding %d: %s\nwant: %s", i, got[i].Message.Text().EN, w)
		}
	}
}

func TestUnknownElementNearMiss(t *testing.T) {
	checktest.Expect(t, "unknown-element", "a.bucket-policy.json", `{"Version": "2012-10-17", "Id": "p1", "Statement": [{
  "Sid": "A", "Effect": "Deny", "NotPrincipal": {"AWS": "111122223333"}, "NotAction": "s3:Get*",
  "NotResource": "arn:aws:s3:::b", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}`, nil)
}

func TestUnknownElementMisspeltStatement(t *testing.T) {
	path := "a.bucket-policy.json"
	src, got := checktest.Expect(t, "unknown-element", path, `{"Version": "2012-10-17", «"Statment"»: {
  "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}}`, nil)
	_, before := checktest.Run(t, path, src, nil)
	if !slices.Contains(checktest.Codes(before), "missing-statement") {
		t.Errorf("findings %v: the misspelt Statement leaves the policy without one", checktest.Codes(before))
	}
	fixed, after := checktest.ApplyFix(t, path, src, got[0], 0, nil)
	if len(after) != 0 {
		t.Errorf("after renaming to Statement: %v\n%s", checktest.Codes(after), fixed)
	}
}

// Each pair is reported on its later member, whichever form comes first;
// with a duplicate key the last one counts, as for every check (the IAM
// parser keeps the last), so the pair is reported on it.
func TestUnknownElementExclusiveEveryPair(t *testing.T) {
	_, got := checktest.Expect(t, "unknown-element", "a.bucket-policy.json", `{"Version": "2012-10-17", "Statement": [{
  "Effect": "Deny", "NotPrincipal": {"AWS": "111122223333"}, «"Principal"»: "*",
  "Resource": "arn:aws:s3:::b", "NotResource": "arn:aws:s3:::c", «"Resource"»: "arn:aws:s3:::b/*",
  "Action": "s3:GetObject", «"NotAction"»: "s3:Put*"}]}`, nil)
	wants := []string{
		`a statement holds Principal or NotPrincipal, not both`,
		`a statement holds Resource or NotResource, not both`,
		`a statement holds Action or NotAction, not both`,
	}
	for i, w := range wants {
		if got[i].Message.Text().EN != w {
			t.Errorf("finding %d: %s\nwant: %s", i, got[i].Message.Text().EN, w)
		}
	}
}
