package checks_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
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
	if len(fs) != 1 || fs[0].Message.EN != "the bucket policy of shared-data grants nothing to account 111122223333: the bucket belongs to account 444455556666, and across accounts the bucket policy must allow too" {
		t.Fatalf("identity side: %+v", fs)
	}
	if got := at(t, w, "jane.iam-policy.json", fs[0].Span); got != `"arn:aws:s3:::shared-data/*"` {
		t.Errorf("identity finding at %s", got)
	}
	_, fs = analyseExample(t, "bucket-policy-other-account", "bucket.bucket-policy.json", "missing-resource-arn")
	if len(fs) != 1 || len(fs[0].Fixes) != 1 {
		t.Fatalf("bucket side: %+v", fs)
	}
	if want := "Grant account 111122223333 s3:GetObject, s3:PutObject"; fs[0].Fixes[0].Title.EN != want {
		t.Errorf("fix %q", fs[0].Fixes[0].Title.EN)
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
	texts[path] = analysis.ApplyEdits(src, fs[0].Fixes[0].Edits)
	req := eval.Request{Principal: "arn:aws:iam::111122223333:user/jane", Action: "s3:GetObject", Resource: "arn:aws:s3:::shared-data/report.csv"}
	for _, s := range tree.Sets(dir, texts) {
		if d := eval.Evaluate(s.Scenario(req)).Decision; d != eval.Allowed {
			t.Errorf("after the fix: %s\n%s", d, texts[path])
		}
	}
}
