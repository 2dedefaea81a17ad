package main

import (
	"bytes"
	"path/filepath"
	"slices"
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

// N11: plain explain over a module whose endpoint policy blocks the
// request answers through no endpoint (Allowed, exit 0) and says what the
// endpoint would decide, naming it by its resource, which --context
// aws:SourceVpce then takes for the endpoint's ID (the module knows it
// only as ${aws_vpc_endpoint.s3.id}); given an endpoint, nothing is added.
func TestExplainTerraformEndpointNotGiven(t *testing.T) {
	dir := filepath.Join(examplesDir, "terraform", "endpoint-policy-blocks")
	request := []string{"explain", "--principal", "arn:aws:iam::111122223333:role/jane", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::shared-data/report.csv"}
	through := `arn:aws:iam::111122223333:role/jane s3:GetObject on arn:aws:s3:::shared-data/report.csv: ImplicitlyDenied (blocked by endpoint)
  endpoint-policy-blocks [endpoint] partner.tf#aws_vpc_endpoint.s3:46
    VPC endpoint policy: statement "ArtifactsOnly" of partner.tf#aws_vpc_endpoint.s3 allows s3:GetObject, but not on arn:aws:s3:::shared-data/report.csv
`
	for _, tc := range []struct {
		flags []string
		code  int
		want  string
	}{
		{nil, exitOK, `arn:aws:iam::111122223333:role/jane s3:GetObject on arn:aws:s3:::shared-data/report.csv: Allowed
  through-endpoint [endpoint] partner.tf#aws_vpc_endpoint.s3:46
    the request gives no aws:SourceVpce and was decided through no VPC endpoint; through aws_vpc_endpoint.s3 (partner.tf) it is ImplicitlyDenied (blocked by endpoint): VPC endpoint policy: statement "ArtifactsOnly" of partner.tf#aws_vpc_endpoint.s3 allows s3:GetObject, but not on arn:aws:s3:::shared-data/report.csv (to ask through it: --context aws:SourceVpce=aws_vpc_endpoint.s3, or "context": {"aws:SourceVpce": ["aws_vpc_endpoint.s3"]} in the request)
`},
		{[]string{"--context", "aws:SourceVpce=aws_vpc_endpoint.s3"}, exitFindings, through},
		{[]string{"--context", "aws:SourceVpce=partner.tf#aws_vpc_endpoint.s3"}, exitFindings, through},
		{[]string{"--context", "aws:SourceVpce=${aws_vpc_endpoint.s3.id}"}, exitFindings, through},
		{[]string{"--context", "aws:SourceVpce=vpce-0000other"}, exitOK, "arn:aws:iam::111122223333:role/jane s3:GetObject on arn:aws:s3:::shared-data/report.csv: Allowed\n"},
	} {
		var out, errOut bytes.Buffer
		code := run(append(append(slices.Clone(request), tc.flags...), dir), &out, &errOut)
		if code != tc.code || out.String() != tc.want {
			t.Errorf("%q: exit %d, output\n%s\nwant exit %d,\n%s%s", tc.flags, code, out.String(), tc.code, tc.want, errOut.String())
		}
	}
}

// N11: the JSON answer holds the same cause, in Japanese as asked, for an
// endpoint policy a .s3policy.json places (examples/cross-account/endpoint-policy).
func TestExplainJSONEndpointNotGiven(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"explain", "--principal", "arn:aws:iam::111122223333:user/jane", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::shared-data/x",
		"--format", "json", "--lang", "ja", filepath.Join(examplesDir, "cross-account", "endpoint-policy")}, &out, &errOut)
	want := `{
  "decision": "Allowed",
  "blockedBy": [],
  "causes": [
    {
      "code": "through-endpoint",
      "layer": "endpoint",
      "policy": "endpoint.endpoint-policy.json",
      "line": 4,
      "message": "リクエストに aws:SourceVpce がないため、VPC エンドポイントを通らないものとして判定しました。vpce-0abc1234 (endpoint.endpoint-policy.json) を通ると ImplicitlyDenied (blocked by endpoint) です: VPC エンドポイントポリシー: endpoint.endpoint-policy.json のステートメント \"CorpBucketsOnly\" は s3:GetObject を許可していますが、arn:aws:s3:::shared-data/x は対象外です (このエンドポイント経由で尋ねるには --context aws:SourceVpce=vpce-0abc1234、またはリクエストの \"context\": {\"aws:SourceVpce\": [\"vpce-0abc1234\"]})"
    }
  ]
}
`
	if code != exitOK || out.String() != want {
		t.Errorf("exit %d, output\n%s\nwant\n%s%s", code, out.String(), want, errOut.String())
	}
}
