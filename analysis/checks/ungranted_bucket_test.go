package checks_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// "Nobody granted you": Jane's identity policy (account 111122223333)
// uses bucket shared-data of account 444455556666, whose bucket policy
// grants only account 999988887777. Both sides get missing-resource-arn;
// the bucket policy's fix grants Jane's account what her policy uses, and
// the engine then allows her request.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
func TestNobodyGrantedYou(t *testing.T) {
	w, fs := analyseExample(t, "bucket-policy-other-account", "jane.iam-policy.json", "missing-resource-arn")
	if len(fs) != 1 || fs[0].Message.Text().EN != "the bucket policy of shared-data grants nothing to account 111122223333: the bucket belongs to account 444455556666, and across accounts the bucket policy must allow too" {
		t.Fatalf("identity side: %+v", fs)
	}
	if got := at(t, w, "jane.iam-policy.json", fs[0].Span); got != `"arn:aws:s3:::shared-data/*"` {
		t.Errorf("identity finding at %s", got)
	}
	_, fs = analyseExample(t, "bucket-policy-other-account", "bucket.bucket-policy.json", "missing-resource-arn")
	if len(fs) != 1 || len(fs[0].AllFixes()) != 1 {
		t.Fatalf("bucket side: %+v", fs)
	}
	if want := "Grant account 111122223333 s3:GetObject, s3:PutObject"; fs[0].AllFixes()[0].Title.EN != want {
		t.Errorf("fix %q", fs[0].AllFixes()[0].Title.EN)
	}
	dir, _ := filepath.Abs(filepath.Join("..", "..", "examples", "cross-account", "bucket-policy-other-account"))
	texts, err := tree.ReadAll(dir, tree.Disk{})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "bucket.bucket-policy.json")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	texts[path] = analysis.ApplyEdits(src, fs[0].AllFixes()[0].Edits)
	req := eval.Request{Principal: "arn:aws:iam::111122223333:user/jane", Action: "s3:GetObject", Resource: "arn:aws:s3:::shared-data/report.csv"}
	for _, s := range tree.Sets(dir, texts) {
		if d := eval.Evaluate(s.Scenario(req)).Decision; d != eval.Allowed {
			t.Errorf("after the fix: %s\n%s", d, texts[path])
		}
	}
}

// The same when .s3policy.json names no bucket for the bucket policy (a
// pattern such as "*.bucket-policy.json" for a team's folder): the
// bucket is the one its Resources name, as the engine reads it, and Jane's
// use of a bucket whose policy grants only another account is reported.
func TestNobodyGrantedYouWhenTheBucketComesFromResource(t *testing.T) {
	w := governedWorkspace(t, map[string]string{
		".s3policy.json": `{"accounts": ["111122223333"], "buckets": {"shared-data": {"account": "444455556666"}}, "files": {
  "*.iam-policy.json": {"kind": "identity", "account": "111122223333", "principal": "arn:aws:iam::111122223333:user/jane"},
  "*.bucket-policy.json": {"kind": "bucket", "account": "444455556666"}}}`,
		"jane.iam-policy.json":      `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data/*"}]}`,
		"shared.bucket-policy.json": `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data/*"}]}`,
	})
	fs := findingsOf(t, w, "jane.iam-policy.json", "missing-resource-arn")
	if len(fs) != 1 || fs[0].Message.Text().EN != "the bucket policy of shared-data grants nothing to account 111122223333: the bucket belongs to account 444455556666, and across accounts the bucket policy must allow too" {
		t.Fatalf("identity side: %+v", fs)
	}
	if fs := findingsOf(t, w, "shared.bucket-policy.json", "missing-resource-arn"); len(fs) != 1 || len(fs[0].AllFixes()) != 1 || fs[0].AllFixes()[0].Title.EN != "Grant account 111122223333 s3:GetObject" {
		t.Fatalf("bucket side: %+v", fs)
	}
}

// Jane uses two buckets of account 444455556666 whose policies, in two
// files, grant another account: each bucket policy reports only Jane's
// use of its own bucket, with its actions (usesOfBucketPolicy asks her
// policy for the uses of that file's buckets alone).
func TestNobodyGrantedYouInEachBucketPolicyOfItsOwnBucket(t *testing.T) {
	w := governedWorkspace(t, map[string]string{
		".s3policy.json": `{"accounts": ["111122223333"], "buckets": {"shared-data": {"account": "444455556666"}, "team-data": {"account": "444455556666"}}, "files": {
  "*.iam-policy.json": {"kind": "identity", "account": "111122223333", "principal": "arn:aws:iam::111122223333:user/jane"},
  "*.bucket-policy.json": {"kind": "bucket", "account": "444455556666"}}}`,
		"jane.iam-policy.json": `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data/*"},
  {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::team-data/*"}]}`,
		"shared.bucket-policy.json": `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data/*"}]}`,
		"team.bucket-policy.json":   `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::team-data/*"}]}`,
	})
	if fs := findingsOf(t, w, "jane.iam-policy.json", "missing-resource-arn"); len(fs) != 2 {
		t.Fatalf("identity side: %+v, want a finding for each bucket", fs)
	}
	for file, want := range map[string]string{
		"shared.bucket-policy.json": "Grant account 111122223333 s3:GetObject",
		"team.bucket-policy.json":   "Grant account 111122223333 s3:PutObject",
	} {
		fs := findingsOf(t, w, file, "missing-resource-arn")
		if len(fs) != 1 || len(fs[0].AllFixes()) != 1 || fs[0].AllFixes()[0].Title.EN != want {
			t.Errorf("%s: %+v, want one finding fixed by %q", file, fs, want)
		}
	}
}

// A bucket policy with no Statement yet ({"Version": ...}: a file just
// created) is half typed: neither side reports the use, and the check
// does not fail on it (it made an internal-error finding on every
// identity policy that used the bucket), nor does CrossAccountReads,
// which the language server calls outside the checks' recover.
func TestNobodyGrantedYouWaitsForAStatement(t *testing.T) {
	for _, text := range []string{`{"Version": "2012-10-17"}`, `{}`} {
		w := governedWorkspace(t, map[string]string{
			".s3policy.json": `{"accounts": ["111122223333"], "buckets": {"shared-data": {"account": "444455556666"}}, "files": {
  "*.iam-policy.json": {"kind": "identity", "account": "111122223333", "principal": "arn:aws:iam::111122223333:user/jane"},
  "shared.bucket-policy.json": {"kind": "bucket", "account": "444455556666", "bucket": "shared-data"}}}`,
			"jane.iam-policy.json":      `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data/*"}]}`,
			"shared.bucket-policy.json": text,
		})
		for _, name := range []string{"jane.iam-policy.json", "shared.bucket-policy.json"} {
			for _, code := range []string{"missing-resource-arn", "internal-error"} {
				if fs := findingsOf(t, w, name, code); len(fs) != 0 {
					t.Errorf("%s with bucket policy %s: %s %+v", name, text, code, fs)
				}
			}
		}
		for _, f := range w.PolicyFiles() {
			if reads := checks.CrossAccountReads(w, f); len(reads) != 0 {
				t.Errorf("bucket policy %s: reads of %s %+v", text, f.Path, reads)
			}
		}
	}
}

// The bucket side's findings of one bucket policy lie on its Statement
// key and are merged: its fixes are one for each account and actions,
// the first reported, whatever the number of identity policies that use
// the bucket alike (their fixes are written only when asked for). An
// action whose text holds ", " keeps its fix as one action.
func TestNobodyGrantedYouFixesOncePerAccountAndActions(t *testing.T) {
	jane := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data/*"}]}`
	w := governedWorkspace(t, map[string]string{
		".s3policy.json": `{"accounts": ["111122223333"], "buckets": {"shared-data": {"account": "444455556666"}}, "files": {
  "*.iam-policy.json": {"kind": "identity", "account": "111122223333", "principal": "arn:aws:iam::111122223333:user/jane"},
  "*.bucket-policy.json": {"kind": "bucket", "account": "444455556666"}}}`,
		"jane.iam-policy.json":      jane,
		"joe.iam-policy.json":       jane,
		"odd.iam-policy.json":       `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:PutObject, s3:GetObject", "Resource": "arn:aws:s3:::shared-data/*"}]}`,
		"shared.bucket-policy.json": `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data/*"}]}`,
	})
	fs := findingsOf(t, w, "shared.bucket-policy.json", "missing-resource-arn")
	if len(fs) != 1 {
		t.Fatalf("bucket side: %+v", fs)
	}
	var titles []string
	for _, fix := range fs[0].AllFixes() {
		titles = append(titles, fix.Title.EN)
	}
	if want := []string{"Grant account 111122223333 s3:GetObject", "Grant account 111122223333 s3:PutObject, s3:GetObject"}; !slices.Equal(titles, want) {
		t.Fatalf("fixes %q, want %q", titles, want)
	}
	if edit := fs[0].AllFixes()[1].Edits[0].NewText; !strings.Contains(edit, `"s3:PutObject, s3:GetObject"`) {
		t.Errorf("the action is not kept whole: %s", edit)
	}
	if want := "no statement grants account 111122223333, whose jane.iam-policy.json uses this bucket: it needs s3:GetObject on shared-data"; !strings.HasPrefix(fs[0].Message.Text().EN, want) {
		t.Errorf("message %q", fs[0].Message.Text().EN)
	}
}

// TestGrantsAccount: an Allow grants an account that one of its AWS
// principals belongs to (an ARN's account or a bare account), or every
// account with "*"; a Deny, a service principal or another account's ARN
// grants nothing. The answers come from a set made once per policy, so
// asking twice must answer the same.
func TestGrantsAccount(t *testing.T) {
	policy := func(src string) *analysis.Policy {
		root, err := analysis.ParseJSON([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return analysis.NewPolicy(root)
	}
	named := policy(`{"Statement":[
		{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:role/reader","444455556666"]},"Action":"s3:GetObject","Resource":"*"},
		{"Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"*"},
		{"Effect":"Deny","Principal":{"AWS":"777788889999"},"Action":"s3:*","Resource":"*"}]}`)
	everyone := policy(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`)
	for _, c := range []struct {
		p       *analysis.Policy
		account string
		want    bool
	}{
		{named, "111122223333", true},
		{named, "444455556666", true},
		{named, "777788889999", false},
		{named, "logging.s3.amazonaws.com", false},
		{named, "123456789012", false},
		{everyone, "123456789012", true},
	} {
		for range 2 {
			if got := checks.GrantsAccount(c.p, c.account); got != c.want {
				t.Errorf("GrantsAccount(%s) = %v, want %v", c.account, got, c.want)
			}
		}
	}
}
