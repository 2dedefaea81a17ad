package checks_test

import (
	"os"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
)

// corpusAllowed lists the error findings on corpus documents that are
// right: the documentation's own placeholders and author errors.
var corpusAllowed = map[[2]string]string{
	// Placeholders the documentation puts where an ARN belongs.
	{"s3ug-0006", "invalid-arn"}:  `"Bucket ARN"`,
	{"s3ug-0032", "invalid-arn"}:  `"Bucket ARN"`,
	{"s3ug-0033", "invalid-arn"}:  `"Bucket ARN"`,
	{"s3ug-0118", "invalid-arn"}:  `"SNS-topic-ARN"`,
	{"s3dg-0056", "invalid-arn"}:  `"SNS-topic-ARN"`,
	{"s3ug-0170", "invalid-arn"}:  `"SQS-queue-ARN"`,
	{"s3dg-0055", "invalid-arn"}:  `"SQS-queue-ARN"`,
	{"s3ug-0126", "invalid-arn"}:  `"your-object-lambda-access-point-arn"`,
	{"s3ug-0136", "invalid-arn"}:  "prose in place of KMS key ARNs",
	{"s3ug-0137", "invalid-arn"}:  "prose in place of KMS key ARNs",
	{"s3ug-0143", "invalid-arn"}:  "prose in place of KMS key ARNs",
	{"s3dg-0019", "invalid-arn"}:  "prose in place of KMS key ARNs",
	{"s3dg-0021", "invalid-arn"}:  "prose in place of KMS key ARNs",
	{"s3dg-0050", "invalid-arn"}:  "prose in place of KMS key ARNs",
	{"iamug-0103", "invalid-arn"}: `"A list of the resources the role is allowed to access"`,
	{"iamug-0133", "invalid-arn"}: `"arn:partition:s3:::...": "partition" stands for aws, aws-cn, ...`,
	// Author errors.
	{"orgs-0002", "invalid-arn"}:  `"Resource":" *", a stray space before the wildcard`,
	{"iamug-0253", "invalid-arn"}: `"Resource": " *", a stray space before the wildcard`,
	{"iamug-0209", "invalid-arn"}: `".../stream/* ", a stray space after the wildcard`,
	{"sqs-0001", "invalid-arn"}:   "arn:aws:iam:123456789012:user/MyUser lacks a colon (named in the corpus README)",
	{"sns-0001", "invalid-arn"}:   "arn:aws:iam:123456789012:user/MyUser lacks a colon (named in the corpus README)",
	// Identity policies that hold a Principal (named in the corpus README);
	// their third statement has a Principal where the Resource belongs.
	{"iamug-0162", "principal-in-identity-policy"}: "Principal in an identity policy",
	{"iamug-0163", "principal-in-identity-policy"}: "Principal in an identity policy",
	{"iamug-0162", "incomplete-statement"}:         "no Resource in an identity policy",
	{"iamug-0163", "incomplete-statement"}:         "no Resource in an identity policy",
	// A fragment on the SCP syntax page that shows the Action element
	// only; as a whole policy it lacks the Resource IAM requires.
	{"orgs-0049", "incomplete-statement"}: `{"Effect": "Allow", "Action": "s3:*"}`,
	// The ECS guide's endpoint policy omits Principal; the PrivateLink
	// guide (vpc-endpoints-access.html) requires one.
	{"ecs-0001", "missing-principal"}: "endpoint policy without Principal",

	// Cause checks: these documents really deny what the message says.
	{"s3ug-0010", "missing-resource-arn"}:  "s3:GetObject with arn:aws:s3:::DOC-EXAMPLE-BUCKET1 (no /*): the statement grants no object of BUCKET1, only of BUCKET2",
	{"s3dg-0008", "missing-resource-arn"}:  batchOpsRole,
	{"s3dg-0009", "missing-resource-arn"}:  batchOpsRole,
	{"s3dg-0010", "missing-resource-arn"}:  batchOpsRole,
	{"s3dg-0011", "missing-resource-arn"}:  batchOpsRole,
	{"s3dg-0012", "missing-resource-arn"}:  batchOpsRole,
	{"s3dg-0013", "missing-resource-arn"}:  batchOpsRole,
	{"iamug-0035", "missing-resource-arn"}: "s3:GetBucketPolicy on arn:aws:s3:::bucket-name/* only: the action takes the bucket ARN, so nothing is granted",
	{"orgs-0002", "scp-denies-s3"}:         "the troubleshooting page's SCP denies s3:* on * without condition: every S3 request of the governed accounts is denied, which is what the page shows",
}

// batchOpsRole is the reason for the six S3 Batch Operations role policies.
const batchOpsRole = "S3 Batch Operations role policy: s3:GetBucketLocation takes the bucket ARN, but Resource names only {{ManifestBucket}}/* and {{ReportBucket}}/*, so no GetBucketLocation is granted"

// TestCorpusNoFalseErrors uses the corpus at ../shared/corpus/awsdocs:
// every real AWS documentation policy must pass every check without an
// error, except the findings listed in corpusAllowed.
func TestCorpusNoFalseErrors(t *testing.T) {
	seen := map[[2]string]bool{}
	for _, doc := range checktest.Corpus(t) {
		src, err := os.ReadFile(doc.Path)
		if err != nil {
			t.Fatal(err)
		}
		f := analysis.NewFile(doc.Path, src, doc.Config())
		if f.Policy == nil {
			t.Errorf("%s: not read as a policy (syntax: %v)", doc.File, f.Syntax)
			continue
		}
		for _, fd := range analysis.Analyze(f, checks.All) {
			if fd.Severity != analysis.Error {
				continue
			}
			key := [2]string{strings.SplitN(doc.File, ".", 2)[0], fd.Code}
			seen[key] = true
			if _, ok := corpusAllowed[key]; !ok {
				t.Errorf("%s (%s): %s at %v %q: %s", doc.File, f.Kind, fd.Code, fd.Span, src[fd.Span.Start:fd.Span.End], fd.Message.Text().EN)
			}
		}
	}
	for key := range corpusAllowed {
		if !seen[key] {
			t.Errorf("allow-list entry %v no longer matches a finding; remove it", key)
		}
	}
}
