package main

import (
	"bytes"
	"path/filepath"
	"testing"
)

// explain over a Terraform module with no .s3policy.json names the cause
// by the HCL line of its statement.
func TestExplainTerraformModule(t *testing.T) {
	for _, tc := range []struct{ dir, want string }{
		{"kms-missing-actions", `arn:aws:iam::111122223333:role/jane s3:GetObject on arn:aws:s3:::shared-data/report.csv: ImplicitlyDenied (blocked by kms)
  kms-missing-actions [kms] bucket.tf#aws_kms_key.shared:41
    KMS: statement "EnableIAMPolicies" of bucket.tf#aws_kms_key.shared allows kms:Decrypt on arn:aws:kms:us-east-1:444455556666:key/shared, but not to arn:aws:iam::111122223333:role/jane: add a statement that allows account 111122223333
`},
		{"scp-denies-s3", `arn:aws:iam::111122223333:role/jane s3:GetObject on arn:aws:s3:::shared-data/report.csv: ExplicitlyDenied (blocked by scp)
  scp-denies-s3 [scp] organization.tf#aws_organizations_policy.no_s3_data.content:9
    SCP: statement "NoS3Data" of organization.tf#aws_organizations_policy.no_s3_data.content explicitly denies s3:GetObject on arn:aws:s3:::shared-data/report.csv; an explicit Deny overrides every Allow
`},
	} {
		var out, errOut bytes.Buffer
		code := run([]string{"explain", "--principal", "arn:aws:iam::111122223333:role/jane", "--action", "s3:GetObject",
			"--resource", "arn:aws:s3:::shared-data/report.csv", filepath.Join(examplesDir, "terraform", tc.dir)}, &out, &errOut)
		if code != exitFindings || out.String() != tc.want {
			t.Errorf("%s: exit %d, output\n%s\nwant\n%s%s", tc.dir, code, out.String(), tc.want, errOut.String())
		}
	}
}
