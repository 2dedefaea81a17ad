package lsp_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

// bucketOnly is the folder lsp's index_bucketfacts_test.go reads too
// (analysis/source/terraform/testdata/bucket-only/README.md).
var bucketOnly = filepath.Join("..", "analysis", "source", "terraform", "testdata", "bucket-only")

// In the server, a Terraform module that declares a bucket and no policy
// gives its facts to the closed JSON policies of its governed folder
// (bucketOnly), and typing in the module publishes them again: Requester
// Pays turned off takes the bucket policy's requester-pays away, the
// bucket made the caller account's takes the cross-account
// missing-resource-arn away from both policies. The module is edited in
// the editor only, never on disk.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/RequesterPaysBuckets.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
func TestTypingInABucketOnlyModuleRepublishesThePoliciesThatReadIt(t *testing.T) {
	dir, err := filepath.Abs(bucketOnly)
	if err != nil {
		t.Fatal(err)
	}
	module := readText(t, filepath.Join(dir, "buckets.tf"))
	payment := module[strings.Index(module, `resource "aws_s3_bucket_request_payment_configuration"`):]
	tfURI, bucketURI, appURI := fileURI(dir, "buckets.tf"), fileURI(dir, "x.bucket-policy.json"), fileURI(dir, "app.iam-policy.json")
	codes := func(want ...string) func(protocol.PublishDiagnosticsParams) bool {
		return func(p protocol.PublishDiagnosticsParams) bool {
			var got []string
			for _, d := range p.Diagnostics {
				got = append(got, fmt.Sprint(d.Code))
			}
			slices.Sort(got)
			return slices.Equal(got, want)
		}
	}
	c := startFolder(t, dir, map[string]any{"window": map[string]any{"workDoneProgress": true}})
	c.waitDiagnostics(bucketURI, codes("missing-resource-arn", "requester-pays"))
	c.waitDiagnostics(appURI, codes("missing-resource-arn"))
	waitScanEnd(c)

	c.open(tfURI, module, 1)
	c.change(tfURI, strings.Replace(module, payment, "", 1), 2)
	c.waitDiagnostics(bucketURI, codes("missing-resource-arn"))
	c.change(tfURI, strings.Replace(module, "444455556666", "111122223333", 1), 3)
	c.waitDiagnostics(bucketURI, codes("requester-pays"))
	c.waitDiagnostics(appURI, codes())
}
