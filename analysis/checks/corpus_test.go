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

// corpusDir finds the shared corpus of AWS documentation policies at
// <repo root>/../shared/corpus/awsdocs, or skips the test.
func corpusDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("repository root not found; skipping the corpus test")
		}
		dir = parent
	}
	corpus := filepath.Join(dir, "..", "shared", "corpus", "awsdocs")
	if _, err := os.Stat(filepath.Join(corpus, "manifest.json")); err != nil {
		t.Skipf("the AWS documentation corpus is absent (%s); skipping", corpus)
	}
	return corpus
}

type corpusEntry struct {
	File  string   `json:"file"`
	Flags []string `json:"flags"`
}

// corpusDocs returns the corpus file names, without those the
// documentation itself presents as wrong.
func corpusDocs(t testing.TB, dir string) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var entries []corpusEntry
	if err := json.Unmarshal(raw, &entries); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if !slices.Contains(e.Flags, "shown-as-incorrect-in-doc") {
			out = append(out, e.File)
		}
	}
	return out
}

// corpusConfig gives the corpus's other-resource-policy files (SNS, SQS,
// Lambda, ... policies) the kind resource, which no file-name suffix names.
func corpusConfig(t testing.TB, dir string) *analysis.Config {
	cfg, fs := analysis.ParseConfig(dir, []byte(`{"files": {"*.other-resource-policy.json": {"kind": "resource"}}}`))
	if len(fs) > 0 {
		t.Fatal(fs[0].Message.EN)
	}
	return cfg
}

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
}

// TestCorpusNoFalseErrors uses the corpus at ../shared/corpus/awsdocs:
// every real AWS documentation policy must pass every check without an
// error, except the findings listed in corpusAllowed.
func TestCorpusNoFalseErrors(t *testing.T) {
	dir := corpusDir(t)
	cfg := corpusConfig(t, dir)
	seen := map[[2]string]bool{}
	for _, name := range corpusDocs(t, dir) {
		src, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		f := analysis.NewFile(filepath.Join(dir, name), src, cfg)
		if f.Policy == nil {
			t.Errorf("%s: not read as a policy (syntax: %v)", name, f.Syntax)
			continue
		}
		for _, fd := range analysis.Analyze(f, checks.All) {
			if fd.Severity != analysis.Error {
				continue
			}
			key := [2]string{strings.SplitN(name, ".", 2)[0], fd.Code}
			seen[key] = true
			if _, ok := corpusAllowed[key]; !ok {
				t.Errorf("%s (%s): %s at %v %q: %s", name, f.Kind, fd.Code, fd.Span, src[fd.Span.Start:fd.Span.End], fd.Message.EN)
			}
		}
	}
	for key := range corpusAllowed {
		if !seen[key] {
			t.Errorf("allow-list entry %v no longer matches a finding; remove it", key)
		}
	}
}
