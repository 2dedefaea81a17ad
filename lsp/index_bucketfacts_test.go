package lsp

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// A Terraform module states a bucket's Requester Pays; a JSON bucket
// policy of the same governed folder that names the bucket reads it
// (requester-pays). An edit of the module that turns Requester Pays off,
// or on, makes the bucket policy a dependant, neither file of which the
// answers or the cross-account uses hold.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/RequesterPaysBuckets.html
func TestABucketsRequesterPaysEditedMakesItsBucketPoliciesDependants(t *testing.T) {
	const mainTF = `provider "aws" {
  allowed_account_ids = ["444455556666"]
}
resource "aws_s3_bucket" "x" {
  bucket        = "shared-x"
  request_payer = "Requester"
}
resource "aws_iam_policy" "unused" {
  policy = jsonencode({ Version = "2012-10-17", Statement = [] })
}
`
	const payer = `  request_payer = "Requester"` + "\n"
	dir := t.TempDir()
	tf, bp := filepath.Join(dir, "main.tf"), filepath.Join(dir, "policies", "x.bucket-policy.json")
	texts := map[string][]byte{
		filepath.Join(dir, analysis.ConfigName): []byte(`{"accounts": ["111122223333"], "files": {"**/*.iam-policy.json": {"kind": "identity", "account": "111122223333", "principal": "arn:aws:iam::111122223333:role/app"}}}`),
		tf:                                      []byte(mainTF),
		bp: []byte(`{"Version": "2012-10-17", "Statement": [
  {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-x/*"}
]}
`),
	}
	ix := newIndex()
	ix.rebuild([]string{dir}, texts)
	requesterPays := func() []string {
		return slices.DeleteFunc(publishedOf(ix.setOf(bp), bp), func(s string) bool { return !strings.HasPrefix(s, "requester-pays") })
	}
	const finding = "requester-pays {1 61} {1 93} shared-x is a Requester Pays bucket: requests from arn:aws:iam::999988887777:root are allowed when they carry x-amz-request-payer: requester (CLI --request-payer requester); without it S3 answers 403"
	if got := requesterPays(); !slices.Equal(got, []string{finding}) {
		t.Fatalf("before the edit: %q", got)
	}
	for _, step := range []struct {
		name string
		text string
		want []string
	}{{"off", strings.Replace(mainTF, payer, "", 1), nil}, {"on again", mainTF, []string{finding}}} {
		deps := ix.update(map[string][]byte{tf: []byte(step.text)})
		if got := requesterPays(); !slices.Equal(got, step.want) {
			t.Fatalf("Requester Pays %s: %q", step.name, got)
		}
		if !deps[bp] {
			t.Errorf("Requester Pays %s: dependants %v lack the bucket policy", step.name, slices.Sorted(maps.Keys(deps)))
		}
	}
	// An edit of the module that leaves the bucket's facts alone costs
	// the bucket policy nothing.
	deps := ix.update(map[string][]byte{tf: []byte(strings.Replace(mainTF, `"unused"`, `"unused2"`, 1))})
	if deps[bp] {
		t.Errorf("a module edit that leaves the facts: dependants %v", slices.Sorted(maps.Keys(deps)))
	}
}

// bucketOnly is a governed folder whose bucket is declared in a Terraform
// module with no policy, and whose policies are JSON files
// (analysis/source/terraform/testdata/bucket-only/README.md).
var bucketOnly = filepath.Join("..", "analysis", "source", "terraform", "testdata", "bucket-only")

// A Terraform module that declares a bucket and no policy states its
// facts to the JSON policies of its governed folder: the owner (its
// provider's account) makes the identity policy's use cross-account, and
// Requester Pays reaches the bucket policy. Each edit of the module that
// changes them (Requester Pays off, the owner made the caller's account,
// back, the bucket deleted) makes the JSON policies whose findings it
// changes dependants, and the set agrees with one read afresh.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/RequesterPaysBuckets.html
func TestABucketOnlyModulesEditReachesThePoliciesThatReadItsFacts(t *testing.T) {
	dir, err := filepath.Abs(bucketOnly)
	if err != nil {
		t.Fatal(err)
	}
	texts := map[string][]byte{}
	for _, name := range []string{analysis.ConfigName, "buckets.tf", "x.bucket-policy.json", "app.iam-policy.json"} {
		if texts[filepath.Join(dir, name)], err = os.ReadFile(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	tf, bp, id := filepath.Join(dir, "buckets.tf"), filepath.Join(dir, "x.bucket-policy.json"), filepath.Join(dir, "app.iam-policy.json")
	module := string(texts[tf])
	ix := newIndex()
	ix.rebuild([]string{dir}, texts)
	const (
		identityCrossAccount = "missing-resource-arn {1 74} {1 99} the bucket policy of shared-x grants nothing to account 111122223333: the bucket belongs to account 444455556666, and across accounts the bucket policy must allow too | x.bucket-policy.json  {0 26} {0 37} no statement here names account 111122223333"
		bucketCrossAccount   = "missing-resource-arn {0 26} {0 37} no statement grants account 111122223333, whose app.iam-policy.json uses this bucket: it needs s3:GetObject on shared-x | app.iam-policy.json  {1 74} {1 99} the identity policy uses shared-x here"
		requesterPays        = "requester-pays {1 61} {1 93} shared-x is a Requester Pays bucket: requests from arn:aws:iam::999988887777:root are allowed when they carry x-amz-request-payer: requester (CLI --request-payer requester); without it S3 answers 403"
	)
	published := map[string][]string{}
	// check compares what the two JSON policies publish now with want,
	// and returns those whose findings changed since the last check.
	check := func(when string, wantID, wantBP []string) (changed []string) {
		t.Helper()
		for _, c := range []struct {
			path string
			want []string
		}{{id, wantID}, {bp, wantBP}} {
			got := publishedOf(ix.setOf(c.path), c.path)
			if !slices.Equal(got, c.want) {
				t.Errorf("%s: %s publishes\n%q\nwant\n%q", when, filepath.Base(c.path), got, c.want)
			}
			if !slices.Equal(got, published[c.path]) {
				changed = append(changed, c.path)
			}
			published[c.path] = got
		}
		agreesWithAFreshSet(t, ix, dir, when)
		return changed
	}
	check("read whole", []string{identityCrossAccount}, []string{bucketCrossAccount, requesterPays})
	for _, step := range []struct {
		name           string
		text           string
		wantID, wantBP []string
	}{
		{"Requester Pays off", module[:strings.Index(module, `resource "aws_s3_bucket_request_payment_configuration"`)], []string{identityCrossAccount}, []string{bucketCrossAccount}},
		{"owned by the caller's account", strings.Replace(module, "444455556666", "111122223333", 1), nil, []string{requesterPays}},
		{"back", module, []string{identityCrossAccount}, []string{bucketCrossAccount, requesterPays}},
		{"the bucket deleted", `provider "aws" {}` + "\n", nil, nil},
	} {
		deps := ix.update(map[string][]byte{tf: []byte(step.text)})
		for _, p := range check(step.name, step.wantID, step.wantBP) {
			if !deps[p] {
				t.Errorf("%s: %s's findings changed, and it is no dependant (dependants %v)", step.name, filepath.Base(p), slices.Sorted(maps.Keys(deps)))
			}
		}
	}
}
