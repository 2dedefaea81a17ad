package checks_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
)

// causeCodes are the codes of the eight causes of cross-account AccessDenied.
var causeCodes = []string{"missing-resource-arn", "kms-missing-actions", "deny-blocks-access",
	"endpoint-wildcard-principal", "endpoint-policy-blocks", "scp-denies-s3", "object-ownership",
	"requester-pays", "session-policy-blocks"}

// corpusErrorsJudgedRight are the errors these checks report on the AWS
// documentation corpus that are right: the document really denies what
// the message says.
var corpusErrorsJudgedRight = map[string]string{
	"s3ug-0010.bucket-policy.json missing-resource-arn": "s3:GetObject with arn:aws:s3:::DOC-EXAMPLE-BUCKET1 (no /*): the statement grants no object of BUCKET1, only of BUCKET2.",
	"s3dg-0008.iam-policy.json missing-resource-arn":    batchOpsRole,
	"s3dg-0009.iam-policy.json missing-resource-arn":    batchOpsRole,
	"s3dg-0010.iam-policy.json missing-resource-arn":    batchOpsRole,
	"s3dg-0011.iam-policy.json missing-resource-arn":    batchOpsRole,
	"s3dg-0012.iam-policy.json missing-resource-arn":    batchOpsRole,
	"s3dg-0013.iam-policy.json missing-resource-arn":    batchOpsRole,
	"iamug-0035.iam-policy.json missing-resource-arn":   "s3:GetBucketPolicy on arn:aws:s3:::bucket-name/* only: the action takes the bucket ARN, so nothing is granted.",
	"orgs-0002.scp.json scp-denies-s3":                  "The troubleshooting page's SCP denies s3:* on * without condition: every S3 request of the governed accounts is denied, which is what the page shows.",
	"vpc-0003.iam-policy.json deny-blocks-access":       "Deny with NotAction listing only EC2 actions, on *: every S3 request of the user is denied.",
	"iamug-0114.iam-policy.json deny-blocks-access":     "Deny * on *, the policy that disables a user: every S3 request is denied.",
}

// batchOpsRole is the reason for the six S3 Batch Operations role policies.
const batchOpsRole = "S3 Batch Operations role policy: s3:GetBucketLocation takes the bucket ARN, but Resource names only {{ManifestBucket}}/* and {{ReportBucket}}/*, so the statement grants no GetBucketLocation."

// corpusKinds maps the corpus file suffixes to kinds.
var corpusKinds = map[string]analysis.Kind{
	"iam-policy": analysis.KindIdentity, "bucket-policy": analysis.KindBucket, "key-policy": analysis.KindKey,
	"endpoint-policy": analysis.KindEndpoint, "scp": analysis.KindSCP, "rcp": analysis.KindRCP,
	"session-policy": analysis.KindSession, "boundary": analysis.KindBoundary, "trust-policy": analysis.KindTrust,
	"other-resource-policy": analysis.KindResource,
}

// TestCauseChecksOnAWSDocsCorpus uses the corpus of real AWS documentation
// policies in ../shared/corpus/awsdocs (relative to the repository root):
// no document may get an error from these checks unless it is listed
// above with the reason it is right.
func TestCauseChecksOnAWSDocsCorpus(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "corpus", "awsdocs")
	manifest, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Skipf("the AWS documentation corpus is not here (%v); skipping", err)
	}
	var entries []struct {
		File  string   `json:"file"`
		Kind  string   `json:"kind"`
		Flags []string `json:"flags"`
	}
	if err := json.Unmarshal(manifest, &entries); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		if slices.Contains(e.Flags, "shown-as-incorrect-in-doc") {
			continue
		}
		src, err := os.ReadFile(filepath.Join(dir, e.File))
		if err != nil {
			t.Fatal(err)
		}
		cfg := &analysis.Config{Files: []*analysis.FileFacts{{Pattern: "**", Kind: corpusKinds[e.Kind]}}}
		f := analysis.NewFile(e.File, src, cfg)
		for _, fd := range analysis.Analyze(f, checks.All) {
			if fd.Severity != analysis.Error || !slices.Contains(causeCodes, fd.Code) {
				continue
			}
			key := e.File + " " + fd.Code
			seen[key] = true
			if _, ok := corpusErrorsJudgedRight[key]; !ok {
				t.Errorf("%s: %s error at %q: %s", e.File, fd.Code, src[fd.Span.Start:fd.Span.End], fd.Message.EN)
			}
		}
	}
	for key := range corpusErrorsJudgedRight {
		if !seen[key] {
			t.Errorf("%s: listed as a right error but not reported", strings.TrimSpace(key))
		}
	}
}
