package hosts_test

import (
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/hosts"
)

// A reader's claim is a guess from a few bytes: a standalone policy that
// merely mentions a template's words, or the key of CLI output, is still
// read as the policy it is when the claiming reader finds nothing.
func TestReadFallsBackWhenTheClaimingReaderFindsNothing(t *testing.T) {
	for name, text := range map[string]string{
		"b.iam-policy.json": `{"Resources": {"Note": "AWS::S3::Bucket"}, "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}`,
		"c.iam-policy.json": `{"Statement": [{"Sid": "Policy", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}`,
	} {
		fs := hosts.Files(name, []byte(text), nil)
		if len(fs) != 1 || fs[0].Policy == nil || fs[0].Kind != analysis.KindIdentity || fs[0].Host != nil {
			t.Errorf("%s: %d documents %+v", name, len(fs), fs)
		}
	}
	template := `{"Resources": {"B": {"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": "b", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}}}}}`
	fs := hosts.Files("stack.json", []byte(template), nil)
	if len(fs) != 1 || fs[0].Kind != analysis.KindBucket || fs[0].DocName == "" {
		t.Errorf("the template: %d documents %+v", len(fs), fs)
	}
}
