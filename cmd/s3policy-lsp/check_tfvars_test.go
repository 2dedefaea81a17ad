package main

import (
	"strings"
	"testing"
)

// tfvarsModule is a root module whose identity policy reads the bucket
// var.bucket names (default, in main.tf), with the bucket policy of
// shared-data granting jane home/jane/*.
func tfvarsModule(def, tfvars string) map[string]string {
	return map[string]string{
		".s3policy.json": `{"accounts": ["111122223333"], "buckets": {"shared-data": {"account": "444455556666"}},
 "files": {"main.tf": {"account": "111122223333", "principal": "arn:aws:iam::111122223333:user/jane"},
           "bucket.bucket-policy.json": {"kind": "bucket", "account": "444455556666", "bucket": "shared-data"}}}`,
		"bucket.bucket-policy.json": `{"Version": "2012-10-17", "Statement": [{"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/jane"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data/home/jane/*"}]}`,
		"main.tf": `variable "bucket" {
  default = "` + def + `"
}
resource "aws_iam_user_policy" "u" {
  name   = "u"
  user   = "jane"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Sid = "Read", Effect = "Allow", Action = ["s3:GetObject"], Resource = "arn:aws:s3:::${var.bucket}/*" }]
  })
}
`,
		"terraform.tfvars": tfvars,
	}
}

// check takes the value terraform.tfvars gives a root module's variable,
// not its default: no error where the file's bucket is the granted one,
// the error (on the .tf line of the policy) where it is another.
func TestCheckReadsTerraformTfvars(t *testing.T) {
	const denied = `main.tf:9:5: error missing-resource-arn: s3:GetObject on shared-data/home/jane/*, which the bucket policy grants, is denied. Identity policies: statement "Read" of main.tf#aws_iam_user_policy.u allows s3:GetObject, but not on arn:aws:s3:::shared-data/home/jane/* [identity]
bucket.bucket-policy.json:1:100: note: the bucket policy grants s3:GetObject on arn:aws:s3:::shared-data/home/jane/* to arn:aws:iam::111122223333:user/jane here
`
	for _, c := range []struct {
		name, def, tfvars, want string
		code                    int
	}{
		{"the default denies, terraform.tfvars grants", "other-bucket", `bucket = "shared-data"`, "", exitOK},
		{"the default grants, terraform.tfvars denies", "shared-data", `bucket = "other-bucket"`, denied, exitFindings},
		{"terraform.tfvars sets what check cannot read", "other-bucket", `bucket = lower("SHARED-DATA")`, "", exitOK},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, tfvarsModule(c.def, c.tfvars))
			out, errOut, code := runCLI(t, dir, "check", ".")
			if code != c.code || out != c.want || !strings.HasPrefix(errOut, "files checked: ") {
				t.Errorf("exit %d, output\n%s\nwant\n%s\nstderr %s", code, out, c.want, errOut)
			}
		})
	}
}
