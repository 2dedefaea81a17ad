package checks_test

import (
	"os"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/assist"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamdata"
)

// iamCodes are the codes of the checks that use the IAM service data.
var iamCodes = []string{"unknown-service", "unknown-action", "unknown-condition-key", "unknown-condition-operator",
	"condition-key-not-applicable", "action-resource-mismatch", "condition-type-mismatch"}

// judgedRight are the findings of those checks on the AWS documentation
// policies that were looked at and found true, as "file code text", with
// the reason.
var judgedRight = map[string]string{
	`iamug-0124.iam-policy.json unknown-service "service:*"`:                      "placeholder in the global condition keys page, not a real prefix",
	`iamug-0132.iam-policy.json unknown-service "service:*"`:                      "placeholder in the global condition keys page, not a real prefix",
	`iamug-0143.iam-policy.json unknown-service "someservice:*"`:                  "placeholder in the condition operators page",
	`iamug-0160.iam-policy.json unknown-service "service-prefix:action-name"`:     "placeholder in the dates example page",
	`iamug-0166.iam-policy.json unknown-service "service-prefix-1:*"`:             "placeholder in the MFA dates example page",
	`iamug-0166.iam-policy.json unknown-service "service-prefix-2:action-name-a"`: "placeholder in the MFA dates example page",
	`iamug-0166.iam-policy.json unknown-service "service-prefix-2:action-name-b"`: "placeholder in the MFA dates example page",
	`iamug-0256.iam-policy.json unknown-action "ec2:* "`:                          "troubleshooting page: the trailing space makes the entry match no action",
}

// TestIAMDataCorpus runs the IAM data checks on the real policies of the
// AWS documentation (../shared/corpus/awsdocs): every finding must be one
// judged right above.
func TestIAMDataCorpus(t *testing.T) {
	var iamChecks []*analysis.Check
	for _, code := range iamCodes {
		iamChecks = append(iamChecks, checks.ByCode(code))
	}
	seen := map[string]bool{}
	for _, doc := range checktest.Corpus(t) {
		src, err := os.ReadFile(doc.Path)
		if err != nil {
			t.Fatal(err)
		}
		f := analysis.NewFile(doc.Path, src, doc.Config())
		for _, fd := range analysis.Analyze(f, iamChecks) {
			id := doc.File + " " + fd.Code + " " + string(src[fd.Span.Start:fd.Span.End])
			seen[id] = true
			if _, ok := judgedRight[id]; !ok {
				t.Errorf("%s: %s", id, fd.Message.Text().EN)
			}
		}
	}
	for id := range judgedRight {
		if !seen[id] {
			t.Errorf("judged right but no longer reported: %s", id)
		}
	}
}

// TestIAMHoverAndCompleteCorpus hovers on every action of the AWS
// documentation policies (../shared/corpus/awsdocs) that the data knows,
// and completes at each offset of each policy where a string or object begins, with
// the policy cut short there, as while typing: no hover may be missing and
// nothing may panic.
func TestIAMHoverAndCompleteCorpus(t *testing.T) {
	hovered := 0
	for _, doc := range checktest.Corpus(t) {
		name := doc.File
		src, err := os.ReadFile(doc.Path)
		if err != nil {
			t.Fatal(err)
		}
		f := analysis.NewFile(doc.Path, src, doc.Config())
		if f.Policy == nil {
			continue
		}
		for _, s := range f.Policy.Statements {
			for _, v := range s.Actions() {
				if _, a := iamdata.LookupAction(v.Str); a == nil {
					continue
				}
				if _, span, ok := assist.IAMHover(f, v.Span.Start+1); !ok || span != v.Span {
					t.Errorf("%s: no hover on %s", name, v.Str)
				}
				hovered++
			}
		}
		for i := 1; i < len(src); i++ {
			if src[i-1] == '"' || src[i-1] == '{' {
				assist.IAMCompleter(analysis.NewFile(doc.Path, src[:i], doc.Config()), i)
			}
		}
	}
	if hovered < 500 {
		t.Errorf("hovered on %d actions only", hovered)
	}
}
