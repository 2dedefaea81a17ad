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

// A .tf.json file is a file of its Terraform module, read by the
// Terraform reader with the module's .tf files, not as a JSON policy.
func TestTerraformJSONIsTerraform(t *testing.T) {
	for _, name := range []string{"m/main.tf.json", "m/MAIN.TF.JSON", "m/main.tf"} {
		if r := hosts.ModuleReader(name); r == nil || r.Name != "terraform" {
			t.Errorf("%s: module reader %v", name, r)
		}
	}
	text := `{"resource": {"aws_iam_policy": {"p": {"policy": "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]}"}}}}`
	fs := hosts.Files("m/main.tf.json", []byte(text), nil)
	if len(fs) != 1 || fs[0].DocName != "aws_iam_policy.p" || fs[0].Kind != analysis.KindIdentity || fs[0].Host == nil {
		t.Errorf("%d documents %+v", len(fs), fs)
	}
}
