package terraform_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source/terraform"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// bucketOnly is a governed folder whose bucket is declared in a Terraform
// module with no policy, and whose policies are JSON files (testdata/bucket-only/README.md).
var bucketOnly = filepath.Join("testdata", "bucket-only")

// A module that declares buckets and no policy gives their facts: the
// owner from the provider, Requester Pays from its configuration resource.
func TestABucketOnlyModuleGivesItsBucketFacts(t *testing.T) {
	text, err := os.ReadFile(filepath.Join(bucketOnly, "buckets.tf"))
	if err != nil {
		t.Fatal(err)
	}
	res := terraform.ReadModule(map[string][]byte{"m/buckets.tf": text}, "")
	bs := res["m/buckets.tf"].Buckets
	want := analysis.BucketFacts{Name: "shared-x", Account: "444455556666", RequesterPays: true}
	if len(bs) != 1 || *bs[0] != want {
		t.Fatalf("buckets %+v, want %+v", bs, want)
	}
	// Without a provider that says, the account .s3policy.json gives the
	// module is the owner.
	res = terraform.ReadModule(map[string][]byte{"m/buckets.tf": []byte(`resource "aws_s3_bucket" "x" { bucket = "shared-x" }`)}, "444455556666")
	if bs := res["m/buckets.tf"].Buckets; len(bs) != 1 || *bs[0] != (analysis.BucketFacts{Name: "shared-x", Account: "444455556666"}) {
		t.Errorf("buckets under a configured account %+v", bs)
	}
}

// What check reports on the JSON policies of bucketOnly: the identity
// policy of the config's account reads a bucket of the partner's account
// whose policy does not grant it, and that bucket is Requester Pays.
// Both need the bucket's facts, which only the module states: before
// they were read, neither policy had a finding.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/RequesterPaysBuckets.html
func TestBucketFactsOfABucketOnlyModuleReachThePoliciesOfItsSet(t *testing.T) {
	dir, err := filepath.Abs(bucketOnly)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"app.iam-policy.json": {
			`missing-resource-arn "\"arn:aws:s3:::shared-x/*\"" the bucket policy of shared-x grants nothing to account 111122223333: the bucket belongs to account 444455556666, and across accounts the bucket policy must allow too`,
		},
		"x.bucket-policy.json": {
			`missing-resource-arn "\"Statement\"" no statement grants account 111122223333, whose app.iam-policy.json uses this bucket: it needs s3:GetObject on shared-x`,
			`requester-pays "\"arn:aws:iam::999988887777:root\"" shared-x is a Requester Pays bucket: requests from arn:aws:iam::999988887777:root are allowed when they carry x-amz-request-payer: requester (CLI --request-payer requester); without it S3 answers 403`,
		},
	}
	sets := tree.Governed(dir, tree.Disk{})
	for name, w := range want {
		path := filepath.Join(dir, name)
		_, src := tree.SetOf(sets, path)
		if src == nil {
			t.Fatalf("%s is in no set", name)
		}
		a := analysis.AnalyzeFile(path, src.Docs, src.Findings, analysis.Options{Checks: checks.All})
		var got []string
		for _, f := range a.Findings {
			got = append(got, fmt.Sprintf("%s %q %s", f.Code, src.Text[f.Span.Start:f.Span.End], f.Message.Text().EN))
		}
		slices.Sort(got)
		if !slices.Equal(got, w) {
			t.Errorf("%s:\n%q\nwant\n%q", name, got, w)
		}
	}
}
