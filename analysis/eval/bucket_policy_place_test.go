package eval

import (
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// A bucket has one policy: the one whose facts name the bucket (a
// Terraform or CloudFormation bucket policy) wins over a file read alone
// whose Resource names it, in either order of the workspace: the server
// re-reads an edited module's files into another order than check reads
// them (review2, route 4 of M1: a policy no module read any more stayed
// the bucket's after a new *.auto.tfvars moved the module's file()).
func TestTheBucketsOwnPolicyWinsOverOneThatNamesIt(t *testing.T) {
	const text = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data/*"}]}`
	own := analysis.NewFile("bucket.json", []byte(text), nil)
	own.Kind, own.Facts = analysis.KindBucket, &analysis.FileFacts{Kind: analysis.KindBucket, Bucket: "shared-data", Account: "444455556666"}
	alone := analysis.NewFile("other.json", []byte(text), nil)
	alone.Kind = analysis.KindBucket
	for _, order := range [][]*analysis.File{{own, alone}, {alone, own}} {
		w := NewWorkspace(".")
		for _, f := range order {
			w.AddFile(f)
		}
		if got := w.BucketPolicyFile("shared-data"); got != own {
			t.Errorf("added %s then %s: the bucket's policy is %v, want bucket.json", order[0].Path, order[1].Path, got.Path)
		}
	}
}
